"""A stand-in for a virus scanner: finds the EICAR test string on stdin (exit 1), else exit 0.

Run as `python tests/scanner_stand_in.py [--sleep SECONDS]`; it reads stdin in chunks like
clamdscan, so a large file passes through without being held whole.
"""
import sys
import time

SIGNATURE = b"EICAR-STANDARD-" + b"ANTIVIRUS-TEST-FILE"
CHUNK = 64 * 1024


def main():
    """Read stdin to the end and report whether the EICAR string occurs in it."""
    if len(sys.argv) > 2 and sys.argv[1] == "--sleep":
        time.sleep(float(sys.argv[2]))
    found, tail = False, b""
    while chunk := sys.stdin.buffer.read(CHUNK):
        found = found or SIGNATURE in tail + chunk
        tail = chunk[-len(SIGNATURE):]  # a signature across two chunks is found too
    if found:
        print("stdin: Eicar-Test-Signature FOUND")
        return 1
    print("stdin: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
