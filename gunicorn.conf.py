"""gunicorn settings, read from the project folder (`gunicorn wsgi:app` finds this file).

Only the garbage collector is tuned here; workers and the address are given on the command line
(README, "Production"). An overview at 1,000 measures allocates about a million objects, so the
collector's full passes come every few requests, and each walks every live object of the worker:
with the objects of start-up (modules, templates, translations) frozen out of it, such a pass
costs a few milliseconds instead of 30–70. Higher thresholds would save more time but keep
garbage longer: a worker then grew to 150 MB.
"""
import gc


def post_fork(server, worker):
    """Freeze what each new worker has built at start-up out of the collector's passes."""
    gc.collect()
    gc.freeze()
