"""Kept fragments (measure cards, reports) are never stale: not in another worker, not for
another reader, not in another language."""
import datetime

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.postgres


def soup(response):
    """Parse a response's HTML."""
    return BeautifulSoup(response.text, "html.parser")


def card(client, code):
    """Return the text of a measure's card on the architecture."""
    found = soup(client.get("/architecture")).find(id=f"card-{code}").find_parent("article")
    return " ".join(found.get_text().split())


def report(client, code="M07"):
    """Return the newest report of a measure as its page shows it."""
    article = soup(client.get(f"/measures/{code}")).select_one("article.report")
    return article


def test_a_card_changed_in_another_worker_shows_at_once(workers):
    """Worker 1 keeps M07's card; a report written through worker 2 changes it in worker 1."""
    first, second = workers
    before = card(first, "M07")
    kept = first.application.extensions["fahrplan_caches"]["fragments"]
    assert len(kept) and card(first, "M07") == before  # kept, and given again
    today = datetime.date.today()
    response = second.post("/measures/M07/reports/new", data={
        "period": f"{today.year}-Q{(today.month - 1) // 3 + 1}", "date": today.isoformat(),
        "status": "active", "traffic_light": "red", "progress": "7",
        "body": "Neu geplant.", "action": "save"})
    assert response.status_code == 302
    after = card(first, "M07")
    assert "Ampel: rot" in after and "7 %" in after and "in Umsetzung" in after
    assert after != before


def test_an_edited_report_shows_in_the_other_worker(workers):
    """Editing a report's text through worker 2 changes what worker 1 shows."""
    first, second = workers
    shown = report(first)
    report_id = shown["id"].removeprefix("report-")
    edit = soup(second.get(f"/measures/M07/reports/{report_id}/edit"))
    form = {field["name"]: field.get("value", "") for field in edit.select("form.editor input")
            if field.get("name") and field.get("type") not in ("radio", "submit")}
    form.update(traffic_light=edit.select_one("input[name=traffic_light][checked]")["value"],
                status=edit.select_one("select[name=status] option[selected]")["value"],
                body="Ganz **neuer** Text.", action="save")
    assert second.post(f"/measures/M07/reports/{report_id}/edit", data=form).status_code == 302
    changed = report(first)
    assert changed.select_one(".content strong").get_text() == "neuer"
    assert "bearbeitet am" in changed.get_text()


def test_readers_do_not_get_the_editors_report(workers, app):
    """The same report shows edit links to an editor and none to an anonymous reader."""
    first, _ = workers
    assert report(first).select_one("a[href$='/edit']")
    assert report(app.test_client()).select_one("a[href$='/edit']") is None


def test_cards_follow_the_language(workers):
    """A card kept in German is not given to an English reader."""
    first, _ = workers
    assert "in Betrieb" in card(first, "M07") or "in Umsetzung" in card(first, "M07")
    english = soup(first.get("/architecture", headers={"Accept-Language": "en"}))
    german = soup(first.get("/architecture", headers={"Accept-Language": "de"}))
    english_card = english.find(id="card-M07").find_parent("article").get_text()
    german_card = german.find(id="card-M07").find_parent("article").get_text()
    assert english_card != german_card
    assert "Ampel" in german_card and "Ampel" not in english_card
