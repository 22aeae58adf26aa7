"""gunicorn settings, read from the project folder (`gunicorn wsgi:app` finds this file).

Only memory is tuned here, the garbage collector's and glibc malloc's; workers and the address
are given on the command line (README, "Production"). An overview at 1,000 measures allocates
about a million objects, so the collector's full passes come every few requests, and each walks
every live object of the worker: with the objects of start-up (modules, templates,
translations) frozen out of it, such a pass costs a few milliseconds instead of 30–70. Higher thresholds would save more time but keep
garbage longer: a worker then grew to 150 MB.

glibc hands out blocks above its mmap threshold (128 kB at first) as pages of their own, returned
to the system when freed, but it raises the threshold to the largest block freed so far: after one
2 MB overview, every page buffer of that size stayed in the heap, and a worker kept 3–4 MB more.
Fixing the threshold keeps big buffers out of the heap.
"""
import ctypes
import ctypes.util
import gc

M_MMAP_THRESHOLD = -3  # mallopt's parameter number (malloc.h)


def post_fork(server, worker):
    """Freeze start-up objects out of the collector's passes; fix malloc's mmap threshold."""
    gc.collect()
    gc.freeze()
    libc = ctypes.util.find_library("c")
    if libc and "musl" not in libc:
        try:
            ctypes.CDLL(libc).mallopt(M_MMAP_THRESHOLD, 128 * 1024)
        except (OSError, AttributeError):
            pass  # not glibc: its own malloc keeps its own rules
