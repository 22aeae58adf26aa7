"""The virus check: the scanner's verdict by exit code; no check possible means refused."""
import io
import logging
import shlex
import sys
import time
from pathlib import Path

import pytest

from tests import file_samples as samples
from wiki.scanning import OUTPUT_LIMIT, scan

STAND_IN = Path(__file__).with_name("scanner_stand_in.py")
SCANNER = f"{shlex.quote(sys.executable)} {shlex.quote(str(STAND_IN))}"


def python(code):
    """Return a command that runs a line of Python."""
    return f"{shlex.quote(sys.executable)} -c {shlex.quote(code)}"


def test_a_clean_file_passes():
    """Exit code 0: the file is accepted, the scanner's line kept."""
    assert scan(io.BytesIO(samples.pdf()), SCANNER) == (True, "stdin: OK")


def test_the_eicar_file_is_refused_and_logged(caplog):
    """Exit code 1: refused with the scanner's first line, logged as a warning."""
    with caplog.at_level(logging.WARNING, logger="wiki.files"):
        ok, detail = scan(io.BytesIO(samples.eicar()), SCANNER, name="rechnung.txt")
    assert (ok, detail) == (False, "stdin: Eicar-Test-Signature FOUND")
    assert "rechnung.txt" in caplog.text and "Eicar-Test-Signature" in caplog.text


def test_eicar_inside_a_larger_file_is_found():
    """The signature across the stand-in's chunk border is found: the whole file was sent."""
    data = b"x" * (64 * 1024 - 20) + samples.eicar() + b"y" * 1000
    assert scan(io.BytesIO(data), SCANNER)[0] is False


def test_an_empty_command_checks_nothing():
    """No scanner configured: every file passes, nothing runs."""
    assert scan(io.BytesIO(samples.eicar()), "") == (True, "")
    assert scan(io.BytesIO(samples.eicar()), "   ") == (True, "")
    assert scan(io.BytesIO(samples.eicar()), None) == (True, "")


def test_a_missing_program_refuses_the_file(caplog):
    """The scanner cannot run: refused (fail closed), and the operator sees why."""
    with caplog.at_level(logging.WARNING, logger="wiki.files"):
        ok, detail = scan(io.BytesIO(samples.pdf()), "/nicht/vorhanden/clamdscan --fdpass -")
    assert not ok
    assert detail == ("Virenprüfung nicht möglich: Programm /nicht/vorhanden/clamdscan nicht "
                      "gefunden")
    assert "nicht möglich" in caplog.text


def test_a_bad_command_refuses_the_file():
    """An unclosed quote in the setting: refused, not run."""
    ok, detail = scan(io.BytesIO(samples.pdf()), "clamdscan 'offen")
    assert not ok and detail.startswith("Virenprüfung nicht möglich: ")


def test_a_scanner_that_hangs_is_stopped_and_the_file_refused():
    """No answer within the timeout: the scanner is killed, the file refused, quickly."""
    started = time.perf_counter()
    ok, detail = scan(io.BytesIO(samples.pdf()), python("import time; time.sleep(60)"),
                      timeout=1)
    assert time.perf_counter() - started < 5
    assert (ok, detail) == (False, "Virenprüfung nicht möglich: keine Antwort nach 1 s")


def test_a_hanging_child_of_the_scanner_is_stopped_too():
    """A shell wrapper whose child sleeps: the whole group is killed at the timeout."""
    started = time.perf_counter()
    ok, _detail = scan(io.BytesIO(b"x"), "sh -c 'sleep 60; echo fertig'", timeout=1)
    assert not ok and time.perf_counter() - started < 5


def test_an_error_exit_without_output_is_named():
    """A non-zero exit without a line: the code is named."""
    assert scan(io.BytesIO(b"x"), python("import sys; sys.exit(2)")) == (
        False, "Die Virenprüfung hat die Datei abgelehnt (Code 2).")


def test_a_scanner_that_does_not_read_its_input_still_gives_its_verdict():
    """The scanner exits at once without reading: the broken pipe is no error of ours."""
    data = io.BytesIO(bytes(8 * 1024 * 1024))
    assert scan(data, python("print('ERROR: nicht verbunden'); raise SystemExit(2)")) == (
        False, "ERROR: nicht verbunden")


def test_the_output_is_cut():
    """A chatty scanner's output is read to the end but kept to OUTPUT_LIMIT bytes."""
    ok, detail = scan(io.BytesIO(b"x"), python("print('A' * 100000); raise SystemExit(1)"))
    assert not ok and detail == "A" * OUTPUT_LIMIT


@pytest.mark.parametrize("size", [0, 1, 30 * 1024 * 1024])
def test_files_of_any_size_pass_through(size):
    """Empty, tiny and 30 MB streams reach the scanner whole and come back rewound."""
    stream = io.BytesIO(b"a" * size)
    counter = python("import sys; print(len(sys.stdin.buffer.read()))")
    assert scan(stream, counter) == (True, str(size))
    assert stream.tell() == 0


def test_a_real_file_is_scanned(tmp_path):
    """An open file on disk works like an upload in memory."""
    path = tmp_path / "upload.bin"
    path.write_bytes(samples.eicar())
    with path.open("rb") as stream:
        assert scan(stream, SCANNER) == (False, "stdin: Eicar-Test-Signature FOUND")
