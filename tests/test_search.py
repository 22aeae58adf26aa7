"""Full-text search: German words, prefixes, ranking, filters, snippets, the search page."""
import pytest
from bs4 import BeautifulSoup

from wiki.domain import search

pytestmark = pytest.mark.postgres


@pytest.fixture
def entries(ctx):
    """Put a few entries into the index."""
    search.put("measure", 7, "/measures/M07", "M07 Zentrales Dokumentenmanagementsystem",
               "Die Verwaltungen digitalisieren ihre Akten; die Wohngeldstelle ist Pilot.", "HF3")
    search.put("page", 1, "/pages/glossar", "Glossar",
               "E-Akte: die elektronische Akte. Aktenplan: Ordnung der Akten.")
    search.put("report", 3, "/measures/M01#report-3", "M01 Serviceportal – 2023-Q4",
               "152 Onlinedienste identifiziert, 25 umgesetzt. <script>alert(1)</script>", "HF1")
    return ctx


def urls(hits):
    """Return the URLs of hits."""
    return [hit["url"] for hit in hits]


def test_prefix_finds_longer_words(entries):
    """A word's beginning finds it (Verwaltung → Verwaltungen, Online → Onlinedienste)."""
    assert urls(search.find("Verwaltung")[0]) == ["/measures/M07"]
    assert urls(search.find("online")[0]) == ["/measures/M01#report-3"]


def test_german_inflection_on_postgresql(entries, backend):
    """PostgreSQL's German stemmer matches other inflected forms than the prefix."""
    if backend != "postgresql":
        pytest.skip("stemming is PostgreSQL's")
    assert urls(search.find("elektronischen Akten")[0]) == ["/pages/glossar"]
    assert urls(search.find("Ämter")[0]) == []  # no "Amt" anywhere
    search.put("page", 2, "/pages/x", "X", "Die Akte des Amtes")
    assert urls(search.find("Ämter")[0]) == ["/pages/x"]


def test_all_words_must_match_and_title_ranks_first(entries):
    """Several words narrow the search; a title match ranks above a body match."""
    assert urls(search.find("Akte Wohngeldstelle")[0]) == ["/measures/M07"]
    hits, total = search.find("Akte")
    assert total == 2
    assert hits[0]["url"] in ("/pages/glossar", "/measures/M07")


def test_filters_by_kind_and_field(entries):
    """The kind and action-field filters narrow the hits."""
    assert urls(search.find("Akte", kind="page")[0]) == ["/pages/glossar"]
    assert urls(search.find("Akte", field="HF3")[0]) == ["/measures/M07"]


def test_snippets_are_escaped_and_marked(entries):
    """Snippets highlight the match with <mark> and never carry markup from the content."""
    hit = search.find("umgesetzt")[0][0]
    snippet = BeautifulSoup(str(hit["snippet"]), "html.parser")
    assert snippet.find("mark").get_text().lower().startswith("umgesetzt")
    assert snippet.find("script") is None


def test_replacing_and_removing_entries(entries):
    """Putting an entry again replaces it; removing it drops it."""
    search.put("page", 1, "/pages/glossar", "Glossar", "Nur noch Begriffe.")
    assert search.find("Aktenplan")[1] == 0
    search.remove("measure", 7)
    assert search.find("Wohngeldstelle")[1] == 0


@pytest.mark.parametrize("query", ["", "   ", "***", '"', "AND OR NOT", "a:b (c"])
def test_odd_queries_do_not_fail(entries, query):
    """Punctuation and operator words are no syntax errors."""
    hits, total = search.find(query)
    assert total == len(hits)


def test_search_page_and_htmx_fragment(entries, client):
    """The page lists hits; an htmx request gets only the result list."""
    page = BeautifulSoup(client.get("/search?q=Akte").text, "html.parser")
    assert page.find("h1").get_text() == "Suche"
    assert "2 Treffer" in page.find(id="search-count").get_text()
    fragment = client.get("/search?q=Akte&kind=page",
                          headers={"HX-Request": "true", "HX-Target": "search-results"})
    assert "<h1" not in fragment.text
    links = BeautifulSoup(fragment.text, "html.parser").select("ol.search-hits a")
    assert [a["href"] for a in links] == ["/pages/glossar"]


def test_a_measure_comes_before_its_reports_and_comments(demo, ctx):
    """Title (and code) matches first, then by kind: measures and pages, files, reports,
    comments. "Akte" finds M07 (E-Akte) among the first three; "Poststelle" gives M05 first,
    then its reports; snippets show the text as read, without Markdown."""
    search.rebuild()
    hits, _total = search.find("Akte")
    kinds = [h["kind"] for h in hits]
    assert any(str(h["title"]).startswith("M07 ") for h in hits[:3])
    assert kinds.index("report") > max(i for i, k in enumerate(kinds[:3]) if k == "measure")
    hits, _total = search.find("Poststelle")
    assert str(hits[0]["title"]).startswith("M05 ") and hits[0]["kind"] == "measure"
    kinds = [h["kind"] for h in hits]
    assert kinds.index("comment") > kinds.index("report")
    assert not any("#" in str(h["snippet"]) or "**" in str(h["snippet"]) for h in hits)
    hits, _total = search.find("Portal")
    assert [h["kind"] for h in hits[:2]] == ["measure", "measure"]


def test_hits_are_grouped_by_measure(demo, client):
    """On the search page, a measure's reports and comments stand under its hit."""
    from wiki.domain import search as searching

    with client.application.app_context():
        searching.rebuild()
    page = BeautifulSoup(client.get("/search?q=Poststelle").text, "html.parser")
    first = page.select_one("ol.search-hits > li")
    assert first.select_one("a").get_text().startswith("M05 ")
    nested = first.select("ul.search-hits-more > li a")
    assert nested and all(a.get_text().startswith("M05 ") for a in nested)
    assert all(not li.select_one("a").get_text().startswith("M05 ")
               for li in page.select("ol.search-hits > li")[1:])
