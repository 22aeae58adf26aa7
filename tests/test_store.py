"""One store under every cache (wiki/caching/store.py): a byte budget, least recently used out
first, a new generation drops all, and PAGE_CACHE_MB = 0 switches every cache off."""
import threading

import pytest

from wiki.caching.store import Store, pack, unpack

pytestmark = pytest.mark.postgres

URLS = ["/architecture", "/timeline", "/dependencies", "/measures/M07", "/measures/M07/history"]


def caches(app):
    """Return {cache: number of values kept} of an app."""
    return {name: len(kept) for name, kept in app.extensions.get("fahrplan_caches", {}).items()}


def filled(limit):
    """Return a store with room for limit bytes."""
    store = Store()
    store.limit = limit
    return store


def test_every_cache_keeps_in_its_store(app, demo, client):
    """Pages, fragments and re-plans are each kept in a store of the app."""
    for url in URLS:
        assert client.get(url).status_code == 200
    found = caches(app)
    assert set(found) == {"pages", "fragments", "replans"} and all(found.values())


def test_zero_switches_off_every_cache(app, demo, client):
    """PAGE_CACHE_MB = 0 keeps no page, no fragment and no re-plan, and the pages still show."""
    app.config["PAGE_CACHE_MB"] = 0
    for url in URLS:
        assert client.get(url).status_code == 200
    assert client.get("/measures/M07/history").text.count('class="replans-table') == 1
    assert caches(app) == {}


def test_the_least_recently_asked_go_first():
    """Past the limit the values asked for longest ago go; one larger than it is not kept."""
    store = filled(10)
    for key in "abc":
        store.put(key, key.upper(), 3)
    assert store.get("a") == "A"  # now b is the oldest
    store.put("d", "D", 3)
    assert store.get("b") is None and [store.get(key) for key in "acd"] == ["A", "C", "D"]
    store.put("e", "E", 11)
    assert store.get("e") is None and store.bytes == 9


def test_a_newer_generation_drops_everything_and_an_older_keeps_nothing():
    """Values kept under one change count are not given under another; a late writer of an
    older count does not drop the newer values."""
    store = filled(100)
    store.put("page", 1, 10, generation=(1, 5))
    assert store.get("page", (1, 5)) == 1 and store.get("page", (1, 6)) is None
    store.put("other", 2, 10, generation=(1, 6))
    assert len(store) == 1 and store.bytes == 10
    store.put("late", 3, 10, generation=(1, 5))
    assert store.get("other", (1, 6)) == 2 and store.get("late", (1, 5)) is None
    store.put("restored", 4, 10, generation=(2, 1))  # a new epoch: a restore counts anew
    assert store.get("restored", (2, 1)) == 4 and len(store) == 1


def test_threads_share_a_store_without_losing_count():
    """Many threads putting at once leave the byte count equal to what is kept."""
    store = filled(1000)

    def put(number):
        for key in range(500):
            store.put((number, key), key, 7)
            store.get((number, key - 1))

    threads = [threading.Thread(target=put, args=(number,)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.bytes == 7 * len(store) <= 1000


def test_packing_round_trips():
    """Packed bytes unpack to what they were; unpacked bytes stay as they are."""
    page = b"<html>" + b"x" * 10_000
    assert len(pack(page)) < 200 and unpack(pack(page)) == page and unpack(page) == page
