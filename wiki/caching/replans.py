"""A page's re-plans (wiki/views/history.py), kept per worker until it has a new revision.

Revisions never change, so a page's re-plans change only with its revision count; reading the
plans of 500 revisions took 3–4 ms. The key holds the page's times, too, in case a deleted
page's id is given to a new page. Kept in the re-plans' share of the one budget
(wiki/caching/store.py).
"""
from wiki.caching import store

# Bytes counted per kept page and per re-plan in it: the Python objects measured with
# tracemalloc (key, list, dicts, dates).
ENTRY_BYTES = 400
REPLAN_BYTES = 700


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
