"""The virus check of an upload: the configured scanner reads the file on its standard input.

SCAN_COMMAND (e.g. `clamdscan --fdpass -`) is split like a shell would split it but run without
one. Exit code 0 means clean; any other code, a missing program or a timeout refuses the file:
a check that could not run is no check (fail closed). An empty command checks nothing.
The file is fed in chunks from a thread, so a large upload is never held in memory whole.
"""
import contextlib
import logging
import os
import shlex
import signal
import subprocess  # noqa: S404 (an argument list from the operator's setting, no shell)  # nosec B404
import threading

from flask_babel import gettext as _

log = logging.getLogger("wiki.files")
CHUNK = 64 * 1024
OUTPUT_LIMIT = 2048  # bytes of the scanner's output kept; the rest is read and dropped
JOIN_TIMEOUT = 5  # seconds to wait for the feeding and reading threads after the end


def _feed(stream, pipe):
    """Write a stream to the scanner's stdin in chunks, then close it."""
    # The scanner may stop reading early (it found something, or it died): not our error.
    with contextlib.suppress(OSError, ValueError):
        stream.seek(0)
        while chunk := stream.read(CHUNK):
            pipe.write(chunk)
    with contextlib.suppress(OSError):
        pipe.close()


def _drain(pipe, kept):
    """Read the scanner's output to the end, keeping its first OUTPUT_LIMIT bytes."""
    with contextlib.suppress(OSError, ValueError):
        while chunk := pipe.read(CHUNK):
            if len(kept) < OUTPUT_LIMIT:
                kept += chunk[:OUTPUT_LIMIT - len(kept)]


def _stop(process):
    """Kill the scanner and anything it started (its own process group)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _run(arguments, stream, timeout):
    """Run the scanner on the stream; return (exit code, first output line) or raise on timeout."""
    process = subprocess.Popen(  # noqa: S603 (a list from SCAN_COMMAND, no shell)  # nosec B603
        arguments, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True)  # its own group, so a timeout kills what it started too
    output = bytearray()
    threads = [threading.Thread(target=_feed, args=(stream, process.stdin), daemon=True),
               threading.Thread(target=_drain, args=(process.stdout, output), daemon=True)]
    for thread in threads:
        thread.start()
    try:
        code = process.wait(timeout=timeout)
    finally:  # on a timeout too: nothing of the scanner outlives the request
        if process.returncode is None:
            _stop(process)
        for thread in threads:
            thread.join(JOIN_TIMEOUT)
        process.stdout.close()
    lines = bytes(output).decode("utf-8", errors="replace").strip().splitlines()
    return code, (lines[0].strip() if lines else "")


def _unable(name, program, reason):
    """Log and return the refusal of a file whose check could not run."""
    log.warning("Virenprüfung nicht möglich für %r (%s): %s", name, program, reason)
    return False, _("Virenprüfung nicht möglich: %(reason)s", reason=reason)


def scan(stream, command, timeout=120, name=""):
    """Return (ok, detail) of checking a stream with the scanner command (ok when none is set)."""
    try:
        arguments = shlex.split(command or "")
    except ValueError as error:  # an unclosed quote in SCAN_COMMAND
        return _unable(name, command, str(error))
    if not arguments:
        return True, ""
    try:
        code, line = _run(arguments, stream, timeout)
    except subprocess.TimeoutExpired:
        return _unable(name, arguments[0], _("keine Antwort nach %(seconds)s s",
                                             seconds=timeout))
    except FileNotFoundError:
        return _unable(name, arguments[0], _("Programm %(program)s nicht gefunden",
                                             program=arguments[0]))
    except (OSError, ValueError, subprocess.SubprocessError) as error:
        return _unable(name, arguments[0], str(error))
    finally:
        stream.seek(0)
    if code == 0:
        return True, line
    log.warning("Virenprüfung lehnt %r ab (Code %s): %s", name, code, line)
    return False, line or _("Die Virenprüfung hat die Datei abgelehnt (Code %(code)s).",
                            code=code)
