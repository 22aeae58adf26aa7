"""Saving pages and measures: every save is a revision, rendered once, with links and metadata."""
from datetime import datetime

import pytest
from bs4 import BeautifulSoup

from wiki.domain import revisions, search
from wiki.domain.metadata import clean_measure
from wiki.models import (
    ActionField,
    Dependency,
    Measure,
    Page,
    PageAlias,
    PageLink,
    Revision,
    User,
)

pytestmark = pytest.mark.postgres


def links(revision):
    """Return {link text: (href, classes)} of a revision's HTML."""
    soup = BeautifulSoup(revision.html, "html.parser")
    return {a.get_text(): (a["href"], a.get("class")) for a in soup.find_all("a")}


def measure_values(code, **changes):
    """Return cleaned values for a measure in HF1."""
    values, errors = clean_measure({"code": code, "title": f"Maßnahme {code}", "field": "HF1"}
                                   | changes)
    assert not errors, errors
    return values


@pytest.fixture
def field(app):
    """Create the action field HF1."""
    return ActionField.create(code="HF1", title="Bürgerservice")


def test_save_page_creates_page_and_first_revision(app):
    """A new page gets a slug from its title and revision 1 with everything stored."""
    author = User.create(username="k.becker")
    when = datetime(2024, 3, 1, 9, 30)
    revision = revisions.save_page(None, title="Strategische Ziele", body="# Ziele\r\n\r\nText\n",
                                   author=author, summary="Erstanlage", created=when)
    page = revision.page
    assert (page.slug, page.kind) == ("strategische-ziele", "page")
    assert (page.revision_count, page.created, page.updated) == (1, when, when)
    revision = page.latest()
    assert (revision.number, revision.title, revision.summary) == (1, "Strategische Ziele",
                                                                   "Erstanlage")
    assert revision.body == "# Ziele\n\nText"
    assert revision.size == len(revision.body)
    assert (revision.author, revision.created, revision.meta) == (author, when, {})
    assert BeautifulSoup(revision.html, "html.parser").h1.get_text() == "Ziele"


def test_every_save_is_a_new_revision(app):
    """Saving again keeps the old revision and numbers the new one."""
    first = revisions.save_page(None, title="Glossar", body="alt", author=None)
    second = revisions.save_page(first.page, title="Glossar (neu)", body="neu", author=None,
                                 summary="Umbenannt")
    page = Page.get_by_id(first.page_id)
    assert (page.revision_count, page.title, page.slug) == (2, "Glossar (neu)", "glossar")
    assert [(r.number, r.body) for r in page.revisions.order_by(Revision.number)] == [
        (1, "alt"), (2, "neu")]
    assert second.number == 2


def test_slugs_stay_unique(app):
    """A taken slug (also an old name or a measure's) gets a number, unless one is given."""
    first = revisions.save_page(None, title="Glossar", body="", author=None)
    PageAlias.create(slug="glossar-2", page=first.page)
    assert revisions.save_page(None, title="Glossar", body="", author=None).page.slug == "glossar-3"
    assert revisions.save_page(None, title="Glossar", body="", author=None,
                               slug="begriffe").page.slug == "begriffe"
    # A title shaped like a code is a page's name as long as no measure has that code.
    assert revisions.save_page(None, title="M05", body="", author=None).page.slug == "m05"


def test_links_to_missing_and_existing_pages(app):
    """A link to a missing page is marked missing; links to pages and measures resolve."""
    revisions.save_page(None, title="Glossar", body="", author=None)
    revision = revisions.save_page(
        None, title="Start", author=None,
        body="[[Glossar]], [[Fehlt noch]], [[m07|die E-Akte]] und [[Glossar|noch einmal]]")
    assert links(revision) == {
        "Glossar": ("/pages/glossar", ["wikilink"]),
        "Fehlt noch": ("/pages/new?title=Fehlt+noch", ["wikilink", "missing"]),
        "die E-Akte": ("/pages/new?title=m07", ["wikilink", "missing"]),
        "noch einmal": ("/pages/glossar", ["wikilink"]),
    }
    stored = PageLink.select(PageLink.target).where(PageLink.source == revision.page)
    assert sorted(link.target for link in stored) == ["fehlt-noch", "glossar", "m07"]


def test_links_follow_the_newest_revision(app):
    """A save replaces the page's links; backlinks follow."""
    target = revisions.save_page(None, title="Glossar", body="", author=None).page
    revision = revisions.save_page(None, title="Start", body="[[Glossar]]", author=None)
    assert list(Page.linking_to("glossar")) == [revision.page]
    revisions.save_page(revision.page, title="Start", body="ohne Link", author=None)
    assert list(Page.linking_to("glossar")) == []
    assert target.slug == "glossar"


@pytest.mark.parametrize("target, expected", [
    # No measure M07 here: a link is a measure's by lookup, not by its form.
    ("M07", ("/pages/new?title=M07", False)),
    ("m07", ("/pages/new?title=m07", False)),
    ("Glossar", ("/pages/glossar", True)),
    ("Alter Name", ("/pages/alter-name", True)),
    ("Über uns", ("/pages/new?title=%C3%9Cber+uns", False)),
])
def test_resolve_link(app, target, expected):
    """Measures resolve to /measures/<CODE>, pages to /pages/<slug>, missing ones to their form."""
    page = revisions.save_page(None, title="Glossar", body="", author=None).page
    PageAlias.create(slug="alter-name", page=page)
    assert revisions.resolve_link(target) == expected


def test_save_measure_creates_measure_with_metadata(field):
    """A new measure gets its page, typed row, prerequisites and a snapshot in revision 1."""
    User.create(username="t.schmitz")
    revisions.save_measure(None, values=measure_values("M06"), body="", author=None)
    values = measure_values("M07", planned_start="2023-Q1", planned_end="2026-Q2",
                            requires=["M06"], contact="t.schmitz", tags="dms e-akte",
                            status="active", progress="40")
    revision = revisions.save_measure(None, values=values, body="Siehe [[M06]].", author=None,
                                      summary="Erstanlage")
    measure = Measure.by_code("m07")
    assert (measure.page.slug, measure.page.kind, measure.title) == ("m07", "measure",
                                                                     "Maßnahme M07")
    assert (measure.status, measure.progress, measure.tags) == ("active", 40, "dms e-akte")
    assert measure.contact.username == "t.schmitz"
    assert [m.code for m in measure.prerequisites()] == ["M06"]
    assert revision.meta["planned_end"] == "2026-06-30"
    assert revision.meta["requires"] == ["M06"]
    assert links(revision) == {"M06": ("/measures/M06", ["wikilink"])}


def test_save_measure_replaces_prerequisites(field):
    """Each save makes the measure's prerequisites those of its values."""
    for code in ("M01", "M02", "M03"):
        revisions.save_measure(None, values=measure_values(code), body="", author=None)
    measure = Measure.by_code("M03")
    revisions.save_measure(measure, values=measure_values("M03", requires=["M01", "M02"]),
                           body="", author=None)
    assert sorted(Dependency.edges()) == [("M03", "M01"), ("M03", "M02")]
    revision = revisions.save_measure(measure, values=measure_values("M03", requires=["M02"],
                                                                     title="Neu"),
                                      body="", author=None)
    assert list(Dependency.edges()) == [("M03", "M02")]
    assert (revision.number, revision.title, revision.meta["requires"]) == (3, "Neu", ["M02"])
    assert Page.get(Page.slug == "m03").title == "Neu"


def test_saves_keep_the_search_index_current(field):
    """Each save replaces the page's search entry with its newest text."""
    page = revisions.save_page(None, title="Glossar", body="Posteingang", author=None).page
    revisions.save_page(page, title="Glossar", body="Rechnungseingang", author=None)
    revisions.save_measure(None, values=measure_values("M04"), body="Rechnungseingang",
                           author=None)
    hits, total = search.find("rechnungseingang")
    assert sorted((hit["kind"], hit["url"], hit["field"]) for hit in hits) == [
        ("measure", "/measures/M04", "HF1"), ("page", "/pages/glossar", "")]
    assert search.find("posteingang") == ([], 0)
