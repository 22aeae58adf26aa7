import re
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from markupsafe import Markup

from tests.xss_vectors import VECTORS
from wiki.domain.markdown import CODE, code_order, render, slugify, wiki_links

# Kept separate from the module's own lists on purpose: the tests state the contract.
ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
    "strong", "em", "b", "i", "del", "s", "sup", "sub", "code", "pre", "kbd", "mark",
    "blockquote", "ul", "ol", "li", "dl", "dt", "dd",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td",
    "a", "img", "div", "span", "abbr",
}
ALLOWED_ATTRIBUTES = {
    "href", "src", "alt", "title", "class", "id", "rel",
    "width", "height", "align", "colspan", "rowspan", "start",
}
SAFE_SCHEMES = {"", "http", "https", "mailto"}
CONTROL_AND_SPACE = re.compile(r"[\x00-\x20\x7f]+")


def parse(text, resolve=None):
    """Render the Markdown and parse the result."""
    return BeautifulSoup(render(text, resolve), "html.parser")


def scheme(url):
    """Return the scheme a browser would see for the URL, lowercased."""
    return urlsplit(CONTROL_AND_SPACE.sub("", url).lower()).scheme


@pytest.mark.parametrize("text", [None, "", "   \n"])
def test_render_empty(text):
    html = render(text)
    assert isinstance(html, Markup)
    assert html.strip() == ""


def test_render_returns_markup():
    assert isinstance(render("*hallo*"), Markup)


@pytest.mark.parametrize("column, align", [(0, "left"), (1, "center"), (2, "right"), (3, None)])
def test_table_alignment(column, align):
    soup = parse("| L | C | R | N |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |")
    header = soup.select("table > thead > tr > th")[column]
    cell = soup.select("table > tbody > tr > td")[column]
    assert header.get("align") == align
    assert cell.get("align") == align
    assert not header.has_attr("style") and not cell.has_attr("style")


@pytest.mark.parametrize("language, code", [
    ("", '<b>fett</b> & "zitiert"'),
    ("python", 'print("<script>alert(1)</script>")'),
    ("html", "<a href='javascript:alert(1)'>[[Seite]]</a>"),
])
def test_fenced_code_is_escaped(language, code):
    soup = parse(f"```{language}\n{code}\n```")
    block = soup.select_one("pre > code")
    assert block.get_text() == code + "\n"
    assert block.find() is None
    assert block.get("class") == ([f"language-{language}"] if language else None)


def test_code_class_only_keeps_language():
    soup = parse('<pre><code class="language-py evil wikilink">x</code></pre>')
    assert soup.code["class"] == ["language-py"]


def test_footnotes_link_both_ways():
    soup = parse("Satz mit Fußnote[^quelle].\n\n[^quelle]: Die Quelle.")
    ref = soup.select_one("sup > a.footnote-ref")
    note = soup.select_one("div.footnote li")
    backref = note.select_one("a.footnote-backref")
    assert ref["href"] == f"#{note['id']}"
    assert backref["href"] == f"#{ref.parent['id']}"
    assert note["id"].startswith("fn:") and ref.parent["id"].startswith("fnref:")
    assert "Die Quelle." in note.get_text()


@pytest.mark.parametrize("text, ids", [
    ("# Übersicht", ["h-uebersicht"]),
    ("## Maßnahmen & Ziele", ["h-massnahmen-ziele"]),
    ("### Café Öffnungszeiten", ["h-cafe-oeffnungszeiten"]),
    ("# main\n\n# main", ["h-main", "h-main_1"]),
    ("# ???", ["h-seite"]),
    ("## Siehe [[M07]]", ["h-siehe-m07"]),
])
def test_heading_ids_are_prefixed(text, ids):
    soup = parse(text)
    assert [heading["id"] for heading in soup.select("h1, h2, h3")] == ids


def test_toc_marker_links_every_heading():
    soup = parse("[TOC]\n\n# Ziele\n\n## Überblick\n\n## Umsetzung")
    toc = soup.select_one("div.toc")
    targets = [a["href"] for a in toc.select("a")]
    assert targets == [f"#{h['id']}" for h in soup.select("h1, h2")]
    assert soup.find("p", string="[TOC]") is None


@pytest.mark.parametrize("html", [
    '<div id="main">x</div>',
    '<h2 id="login-form">x</h2>',
    '<a id="csrf_token" href="/x">x</a>',
    '<img id="logo" name="logo" src="/x.png" alt="">',
])
def test_user_ids_cannot_clobber_app_ids(html):
    soup = parse(html)
    assert not soup.select("[id], [name]")


@pytest.mark.parametrize("text, href, label", [
    ("[[Leitbild]]", "/pages/leitbild", "Leitbild"),
    ("[[ Ziele der Strategie ]]", "/pages/ziele-der-strategie", "Ziele der Strategie"),
    ("[[Übersicht|zur Übersicht]]", "/pages/uebersicht", "zur Übersicht"),
    ("[[M07]]", "/pages/m07", "M07"),  # which is a measure is looked up (revisions.render)
    ("[[1.2|Ziel]]", "/pages/1-2", "Ziel"),
])
def test_wiki_links_default_resolver(text, href, label):
    link = parse(text).select_one("a")
    assert link["href"] == href
    assert link["class"] == ["wikilink"]
    assert link.get_text() == label
    assert not link.has_attr("title")


@pytest.mark.parametrize("exists, classes, title", [
    (True, ["wikilink"], None),
    (False, ["wikilink", "missing"], "Seite existiert noch nicht – anlegen"),
])
def test_wiki_links_use_resolver(exists, classes, title):
    calls = []

    def resolve(target):
        calls.append(target)
        return f"/pages/new?title={target}", exists

    link = parse("Siehe [[Neue Seite|hier]].", resolve).select_one("a")
    assert calls == ["Neue Seite"]
    assert link["href"] == "/pages/new?title=Neue Seite"
    assert link["class"] == classes
    assert link.get("title") == title
    assert link.get_text() == "hier"


@pytest.mark.parametrize("text", [
    "`[[Seite]]`",
    "``a [[Seite|x]] b``",
    "```\n[[Seite]]\n```",
    "~~~\n[[M07]]\n~~~",
    "    [[Seite]]",
])
def test_wiki_links_in_code_untouched(text):
    soup = parse(text)
    assert soup.find("a") is None
    assert "[[" in soup.code.get_text()


@pytest.mark.parametrize("text", ["[[]]", "[[ ]]", "[[|x]]", "[[a\nb]]", "[[a[b]]"])
def test_malformed_wiki_links_stay_text(text):
    assert parse(text).find("a", class_="wikilink") is None


@pytest.mark.parametrize("text, targets", [
    ("", []),
    ("Kein Link, nur [Markdown](https://example.org).", []),
    ("[[A]] und [[B|b]] und [[ A ]] und [[M07]]", ["A", "B", "M07"]),
    ("`[[Code]]` und [[Text]]\n\n```\n[[Block]]\n```", ["Text"]),
    ("| a |\n|---|\n| [[Zelle]] |\n\nFußnote[^1]\n\n[^1]: [[Quelle]]", ["Zelle", "Quelle"]),
    ("# Über [[Titel]]\n\n> [[Zitat]]", ["Titel", "Zitat"]),
])
def test_wiki_links_extraction(text, targets):
    assert wiki_links(text) == targets


@pytest.mark.parametrize("title, slug", [
    ("Leitbild", "leitbild"),
    ("Übersicht", "uebersicht"),
    ("Größe & Maße", "groesse-masse"),
    ("ÄÖÜ äöü ß ẞ", "aeoeue-aeoeue-ss-ss"),
    ("Café Crème à la carte", "cafe-creme-a-la-carte"),
    ("  --Ziele 2022–2026!--  ", "ziele-2022-2026"),
    ("§ 7a EGovG NRW", "7a-egovg-nrw"),
    ("", "seite"),
    ("!!!", "seite"),
    ("日本語", "seite"),
    ("a" * 100, "a" * 80),
    ("a" * 79 + " b", "a" * 79),
])
def test_slugify(title, slug):
    assert slugify(title) == slug


def test_code_order_counts_numbers():
    """Codes sort as people count: 1.2 before 1.10, M9 before M10; letters ignore case."""
    codes = ["1.10", "M10", "1.2", "d-03", "M9", "D-02", "HF2.M4", "1.3"]
    assert sorted(codes, key=code_order) == ["1.2", "1.3", "1.10", "D-02", "d-03", "HF2.M4",
                                             "M9", "M10"]


@pytest.mark.parametrize("code, matches", [
    ("M07", True), ("m07", True), ("M1", True), ("1.2", True), ("D-03", True), ("HF2.M4", True),
    ("SM01", True), ("a_b", True), ("A" * 16, True),
    ("A" * 17, False), (".5", False), ("-3", False), ("_x", False), ("M 07", False),
    ("M/07", False), ("Mä", False), ("M０７", False), ("", False),
])
def test_measure_code_form(code, matches):
    """Any programme's codes: 1–16 ASCII letters, digits, ".", "-", "_", not starting with "."."""
    assert bool(CODE.match(code)) is matches


@pytest.mark.parametrize("text, selector, expected", [
    ("Die Stadtverwaltung plant Maßnahmen für Bürgerinnen und Bürger.", "p",
     "Die Stadtverwaltung plant Maßnahmen für Bürgerinnen und Bürger."),
    ('<abbr title="Onlinezugangsgesetz">OZG</abbr> umsetzen', "abbr[title=Onlinezugangsgesetz]",
     "OZG"),
    ("**fett** und *kursiv*", "strong", "fett"),
    ("> Zitat aus dem Ratsbeschluss", "blockquote p", "Zitat aus dem Ratsbeschluss"),
    ("Drücke <kbd>Strg</kbd> und <mark>wichtig</mark>", "kbd", "Strg"),
    ("H<sub>2</sub>O und x<sup>2</sup>", "sub", "2"),
    ("~~alt~~ <del>gestrichen</del>", "del", "gestrichen"),
    ("3. drei\n4. vier", "ol[start='3'] li", "drei"),
    ("<dl><dt>OZG</dt><dd>Onlinezugangsgesetz</dd></dl>", "dl dd", "Onlinezugangsgesetz"),
    ("[Mail](mailto:it@example.org)", "a[href='mailto:it@example.org']", "Mail"),
    ("[Relativ](/measures/M07#h-stand)", "a[href='/measures/M07#h-stand']", "Relativ"),
])
def test_ordinary_content_survives(text, selector, expected):
    element = parse(text).select_one(selector)
    assert element is not None
    assert element.get_text() == expected


@pytest.mark.parametrize("text, attrs", [
    ("![Logo der Stadt](/static/logo.png \"Stadtlogo\")",
     {"src": "/static/logo.png", "alt": "Logo der Stadt", "title": "Stadtlogo"}),
    ('<img src="https://example.org/a.png" alt="A" width="40" height="20">',
     {"src": "https://example.org/a.png", "alt": "A", "width": "40", "height": "20"}),
])
def test_images_survive(text, attrs):
    assert parse(text).img.attrs == attrs


@pytest.mark.parametrize("text", [
    "[extern](https://example.org)", "<https://example.org>", '<a href="http://x.example">x</a>',
])
def test_external_links_get_rel(text):
    assert parse(text).a["rel"] == ["noopener", "noreferrer"]


@pytest.mark.parametrize("text", [
    "<script>alert('geheim')</script>Rest",
    "<style>p { color: red }</style>Rest",
    "<svg><script>alert('geheim')</script></svg>Rest",
])
def test_script_and_style_content_removed(text):
    assert parse(text).get_text().strip() == "Rest"


@pytest.mark.parametrize("vector", VECTORS)
def test_xss_vector_is_harmless(vector):
    html = str(render(vector))
    soup = BeautifulSoup(html, "html.parser")
    assert "<script" not in html.lower()
    for element in soup.find_all(True):
        assert element.name in ALLOWED_TAGS
        for name, value in element.attrs.items():
            assert name in ALLOWED_ATTRIBUTES
            assert not name.startswith(("on", "hx-", "data-"))
            if name in ("href", "src"):
                assert scheme(value) in SAFE_SCHEMES, value


def test_xss_corpus_is_large_enough():
    assert len(VECTORS) >= 45
    assert len(set(VECTORS)) == len(VECTORS)
