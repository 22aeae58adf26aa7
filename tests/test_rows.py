"""Kept timeline and dependency rows (wiki.caching.rows) are never stale: not in another worker,
not in another language; kept re-plans of the history follow a new revision."""
import datetime

import pytest
from bs4 import BeautifulSoup

from wiki.domain import revisions
from wiki.domain.metadata import clean_measure, from_snapshot
from wiki.models import Measure

pytestmark = pytest.mark.postgres


def soup(client, url, **headers):
    """Return the parsed page at url."""
    return BeautifulSoup(client.get(url, headers=headers).text, "html.parser")


def text(tag):
    """Return a tag's text with its white space collapsed."""
    return " ".join(tag.get_text(" ").split())


def timeline_row(client, code, **headers):
    """Return the text of a measure's row in the timeline's table."""
    page = soup(client, "/timeline", **headers)
    return text(page.select_one(f'#timeline-table a[href="/measures/{code}"]').find_parent("tr"))


def bar_title(client, code):
    """Return the title of a measure's bar in the timeline."""
    page = soup(client, "/timeline")
    return text(page.select_one(f'a.bar-link[href="/measures/{code}"] title'))


def dependency_parts(client, code):
    """Return the texts of a measure's graph node and list row on the dependencies page."""
    page = soup(client, "/dependencies")
    node = page.select_one(f'a.graph-node[href="/measures/{code}"]')
    row = page.select_one(f'.dependency-list th a[href="/measures/{code}"]').find_parent("tr")
    return text(node), text(row)


def replan(code, **changes):
    """Save a new revision of a measure with some values changed."""
    measure = Measure.by_code(code)
    values, _ = clean_measure(from_snapshot(measure.page.latest().meta))
    values.update(changes)
    revisions.save_measure(measure, values=values, body="Neu geplant.", author=None,
                           summary="Neuplanung")


def test_a_replan_shows_in_the_kept_rows_of_every_worker(workers):
    """Both workers keep M07's rows; a re-plan changes them in both, on both overviews."""
    first, second = workers
    before = {client: (timeline_row(client, "M07"), bar_title(client, "M07"),
                       dependency_parts(client, "M07")) for client in workers}
    assert before[first] == before[second]
    assert timeline_row(first, "M07") == before[first][0]  # kept, and given again
    replan("M07", title="Neu geplante Maßnahme", status="paused",
           planned_end=datetime.date(2027, 2, 1))
    for client in workers:
        row, title = timeline_row(client, "M07"), bar_title(client, "M07")
        node, listed = dependency_parts(client, "M07")
        assert "Neu geplante Maßnahme" in row and "2027-Q1" in row and "zurückgestellt" in row
        assert "+397 Tage" in row  # the first plan ended on 2025-12-31
        assert title.startswith("M07 Neu geplante Maßnahme: geplant") and "2027-Q1" in title
        assert "zurückgestellt" in node and "Neu geplante" in node
        assert "Neu geplante Maßnahme" in listed and "zurückgestellt" in listed


def test_a_new_title_alone_shows_everywhere(workers):
    """A change of title alone (same plan, same schedule warnings) gives new rows."""
    first, second = workers
    assert "Neuer Titel" not in bar_title(first, "M07") + " ".join(dependency_parts(first, "M07"))
    timeline_row(first, "M07")
    replan("M07", title="Neuer Titel")
    node, listed = dependency_parts(first, "M07")
    assert "Neuer Titel" in timeline_row(first, "M07") and "Neuer Titel" in listed
    assert bar_title(first, "M07").startswith("M07 Neuer Titel") and "Neuer Titel" in node


def test_rows_follow_the_language(workers):
    """A row kept in German is not given to an English reader."""
    first, _ = workers
    german = timeline_row(first, "M07", **{"Accept-Language": "de"})
    english = timeline_row(first, "M07", **{"Accept-Language": "en"})
    assert "Tage" in german and "Tage" not in english


def test_kept_replans_follow_a_new_revision(client, demo):
    """The history lists a re-plan saved after it was last shown (its re-plans kept)."""
    def replans():
        page = soup(client, "/measures/M07/history")
        return [text(tr) for tr in page.select(".replans-table tbody tr")]

    before = replans()
    assert replans() == before
    replan("M07", planned_end=datetime.date(2027, 2, 1))
    after = replans()
    assert len(after) == len(before) + 1
    assert "1. Quartal 2027" in after[0] and "Neuplanung" in after[0]
