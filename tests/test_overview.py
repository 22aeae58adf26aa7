"""The start page shows schedule warnings in words: delayed, at risk (with the chain), conflicts."""
import pytest
from bs4 import BeautifulSoup

from tests.conftest import make_user
from wiki.metadata import clean_measure, from_snapshot
from wiki.models import Measure
from wiki.revisions import save_measure

pytestmark = pytest.mark.postgres


def warnings(client, code):
    """Return the warning texts on a measure's card on the start page."""
    page = BeautifulSoup(client.get("/").text, "html.parser")
    card = page.find(id=f"card-{code}").find_parent("article")
    return [li.get_text(" ", strip=True) for li in card.select("ul.warnings li")]


def test_demo_shows_delay_and_risk(demo, client):
    """M07 overran its plan; M05 and M08 depend on it and are at risk."""
    assert "◔ verzögert" in warnings(client, "M07")
    assert "⚠ gefährdet durch M07 → M05" in warnings(client, "M05")
    assert "⚠ gefährdet durch M07 → M08" in warnings(client, "M08")
    assert warnings(client, "M06") == []


def values_of(measure):
    """Return a measure's current typed values, ready to save again."""
    values, errors = clean_measure(from_snapshot(measure.page.latest().meta))
    assert not errors
    return values


def test_moving_m07_into_the_future_clears_the_risk(demo, client):
    """Re-planning M07 to end later (and M05, M08 after it) removes the warnings."""
    m07 = Measure.by_code("M07")
    values = values_of(m07)
    values["planned_end"] = values["planned_end"].replace(year=2030)
    save_measure(m07, values=values, body=m07.page.latest().body, author=make_user("k.becker"),
                 summary="Neuplanung")
    for code in ("M05", "M08"):
        measure = Measure.by_code(code)
        values = values_of(measure)
        values["planned_start"] = values["planned_start"].replace(year=2031)
        values["planned_end"] = values["planned_end"].replace(year=2032)
        save_measure(measure, values=values, body=measure.page.latest().body,
                     author=make_user("k.becker"), summary="Neuplanung")
    assert warnings(client, "M07") == []
    assert warnings(client, "M05") == []
