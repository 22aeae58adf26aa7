"""Races between two saves: the check before the write can pass for both; the write decides.

Each test lets the form's check pass as it would for the second of two simultaneous saves
(the first one's row is already there), then proves the write refuses it with the usual
answer — 400 naming the field, or 409 with the text — instead of a 500 or a duplicate.
"""
import datetime
import re

import pytest
from bs4 import BeautifulSoup

from wiki.domain import reports as reporting
from wiki.models import Comment, CommentVersion, Measure, Page, StatusReport
from wiki.views import comments, measures, pages

pytestmark = pytest.mark.postgres


def soup(response):
    """Parse a response's HTML."""
    return BeautifulSoup(response.text, "html.parser")


def error(response, field):
    """Return the error text shown beside a field."""
    found = soup(response).find(id=re.compile(rf"(^|-){field}-error$"))
    return found.get_text(" ", strip=True)


def passing_once(check):
    """Return check that finds nothing the first time, as before the other save committed."""
    calls = []

    def first_passes(*args):
        calls.append(args)
        return {} if len(calls) == 1 else check(*args)
    return first_passes


@pytest.fixture
def editor(client, demo, login):
    """Log in as an editor on the demo strategy."""
    return login("editor")


def test_two_new_measures_with_one_code(client, editor, monkeypatch):
    """The second M15 gets the code error, not a 500; the first stays alone."""
    form = {"code": "M15", "title": "Digitale Bauakte", "field": "HF3", "status": "planned",
            "obligation": "internal", "progress": "0", "body": "Erste", "action": "save"}
    assert client.post("/measures/new", data=form).status_code == 302
    monkeypatch.setattr(measures, "check", passing_once(measures.check))
    response = client.post("/measures/new", data={**form, "body": "Zweite"})
    monkeypatch.undo()
    assert response.status_code == 400
    assert "M15 ist schon vergeben" in error(response, "code")
    assert soup(response).find("textarea", attrs={"name": "body"}).get_text() == "Zweite"
    assert Measure.by_code("M15").page.latest().body == "Erste"


def test_two_new_pages_with_one_title(client, editor, monkeypatch):
    """The second page of a title gets the title error, not a 500."""
    form = {"title": "Ausblick", "body": "Erste", "action": "save"}
    assert client.post("/pages/new", data=form).status_code == 302
    monkeypatch.setattr(pages, "title_errors", passing_once(pages.title_errors))
    response = client.post("/pages/new", data={**form, "body": "Zweite"})
    monkeypatch.undo()
    assert response.status_code == 400
    assert "schon diesen Titel" in error(response, "title")
    assert soup(response).find("textarea", attrs={"name": "body"}).get_text() == "Zweite"
    assert Page.get(Page.slug == "ausblick").latest().body == "Erste"


def test_two_reports_of_one_day(client, editor, monkeypatch):
    """The second report of a measure on one day is refused beside the date, text kept."""
    today = datetime.date.today()
    form = {"period": f"{today.year}-Q{(today.month - 1) // 3 + 1}", "date": today.isoformat(),
            "status": "operating", "traffic_light": "green", "progress": "80",
            "body": "Erster Bericht", "action": "save"}
    assert client.post("/measures/M07/reports/new", data=form).status_code == 302
    count = StatusReport.select().count()
    monkeypatch.setattr(reporting, "taken", passing_once(reporting.taken))
    response = client.post("/measures/M07/reports/new", data={**form, "body": "Zweiter"})
    monkeypatch.undo()
    assert response.status_code == 400
    assert "an diesem Tag schon einen Bericht" in error(response, "date")
    assert soup(response).find("textarea", attrs={"name": "body"}).get_text() == "Zweiter"
    assert StatusReport.select().count() == count


def test_two_edits_of_one_comment_from_one_version(client, editor, monkeypatch):
    """The second edit from version 1 gets the 409 with its text, not a 500 or a lost update."""
    response = client.post("/measures/M07/comments", data={"body": "Anfang"})
    comment_id = int(response.location.rsplit("-", 1)[1])
    stale = Comment.get_by_id(comment_id)  # as the second request read it, before the first
    edit = {"body": "Erste Änderung", "base_revision": "1"}
    assert client.post(f"/comments/{comment_id}/edit", data=edit).status_code == 302
    monkeypatch.setattr(comments, "get_comment_or_404", lambda comment_id: stale)
    response = client.post(f"/comments/{comment_id}/edit",
                           data={"body": "Zweite Änderung", "base_revision": "1"})
    monkeypatch.undo()
    assert response.status_code == 409
    assert "Zweite Änderung" in soup(response).find("textarea", attrs={"name": "body"}).get_text()
    comment = Comment.get_by_id(comment_id)
    assert (comment.body, comment.version) == ("Erste Änderung", 2)
    assert [v.body for v in CommentVersion.of(comment)] == ["Erste Änderung", "Anfang"]
