"""A page's re-plans (wiki/views/history.py), kept per worker until it has a new revision.

Revisions never change, so a page's re-plans change only with its revision count; reading the
plans of 500 revisions took 3–4 ms. The key holds the page's times, too, in case a deleted
page's id is given to a new page. Kept in the re-plans' share of the one budget
(wiki/caching/store.py).
"""
from wiki.caching import store

# Bytes counted per kept page and per re-plan in it, as tracemalloc measured the Python objects
# (key, list, dicts, dates): 1,000 pages took 0.32 MB without re-plans, 0.62 MB with one each,
# 1.42 MB with three. So the 1 MB share holds about 1,500 pages with one re-plan (2,000 pages
# of any size were kept before).
ENTRY_BYTES = 320
REPLAN_BYTES = 370


def _key(page):
    """Return what a page's re-plans depend on."""
    return (page.id, page.created, page.updated, page.revision_count)


def kept_replans(page):
    """Return ([re-plans, newest first], slip) kept for a page, or None."""
    kept = store.of("replans")
    return None if kept is None else kept.get(_key(page))


def keep_replans(page, found):
    """Keep ([re-plans, newest first], slip) of a page and return them."""
    kept = store.of("replans")
    if kept is not None:
        kept.put(_key(page), found, ENTRY_BYTES + REPLAN_BYTES * len(found[0]))
    return found
