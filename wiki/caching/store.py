"""The one store under every cache: kept pages, fragments and re-plans, in a worker's memory.

Each cache has a store of its own, sized by its share of the one budget `PAGE_CACHE_MB` (0: no
cache keeps anything), kept in app.extensions, so that each app (a gunicorn worker, or a test's
app) has its own. A store holds values under keys, counts the bytes its cache says each takes,
drops the least recently asked for once past its share, and takes a lock for every step: a
worker's threads share it. A cache whose entries are only valid while nothing changed (the
pages) passes the change counter's generation; a new one drops everything kept before.
"""
import threading
import zlib
from collections import OrderedDict

from flask import current_app

# Shares of PAGE_CACHE_MB (20 MB by default: 15 MB of pages, 4 MB of fragments, 1 MB of
# re-plans). A kept page saves the most (every query and all rendering). At 1,000 measures the
# overviews keep about 9,000 fragments, 2.3 MB packed, but the bench's round of overviews after
# a change asks for more: with 3 MB the least recently used were gone before they were asked
# again, and timeline and dependencies rendered 14–22 % slower after a change than with the
# 4 MB kept before; with 4 MB as fast. The re-plans of 1,000 measures with one re-plan each
# take about 0.6 MB (wiki/caching/replans.py).
SHARES = {"pages": 0.75, "fragments": 0.20, "replans": 0.05}
PACKED = b"\x00zlib\x00"  # no HTML or JSON starts with a NUL byte


def of(name):
    """Return the current app's store for a cache (a key of SHARES), or None when caching is off."""
    budget = current_app.config["PAGE_CACHE_MB"]
    if budget <= 0:
        return None
    stores = current_app.extensions.setdefault("fahrplan_caches", {})
    store = stores.get(name)
    if store is None:
        store = stores.setdefault(name, Store())  # atomic: two threads get the same store
    store.limit = int(budget * SHARES[name] * 1024 * 1024)  # a setting changed under a running app
    return store


def pack(data):
    """Return bytes compressed, marked so that unpack knows them."""
    return PACKED + zlib.compress(data, 1)


def unpack(data):
    """Return bytes as they were before pack (unpacked bytes as they are)."""
    return zlib.decompress(data[len(PACKED):]) if data.startswith(PACKED) else data


class Store:
    """Values under keys within a limit of bytes, least recently asked for dropped first."""

    def __init__(self):
        """Start empty, with no generation and no room (of() sets the limit)."""
        self.lock = threading.Lock()
        self.entries = OrderedDict()  # key: (value, bytes)
        self.bytes = 0
        self.limit = 0
        self.generation = None

    def __len__(self):
        """Return the number of values kept."""
        return len(self.entries)

    def get(self, key, generation=None):
        """Return the value kept under key in this generation, or None."""
        with self.lock:
            if generation != self.generation:
                return None
            entry = self.entries.get(key)
            if entry is None:
                return None
            self.entries.move_to_end(key)
            return entry[0]

    def put(self, key, value, size, generation=None):
        """Keep value under key as size bytes; a newer generation first drops all kept before."""
        with self.lock:
            if generation != self.generation:
                if _older(generation, self.generation):
                    return  # a slower request read the counter before the newest one did
                self.entries, self.bytes, self.generation = OrderedDict(), 0, generation
            if key in self.entries or size > self.limit:
                return
            self.entries[key] = (value, size)
            self.bytes += size
            while self.bytes > self.limit:
                self.bytes -= self.entries.popitem(last=False)[1][1]


def _older(generation, than):
    """Tell whether a change counter's (epoch, count) comes before another of the same epoch."""
    return (generation is not None and than is not None
            and generation[0] == than[0] and generation[1] < than[1])
