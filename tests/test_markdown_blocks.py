"""Markdown as staff type it: a corpus of the ways people write lists, headings, line breaks and
tables in status reports, each with the structure CommonMark gives it; and what must not change."""
import pathlib

import markdown as python_markdown
import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from wiki.domain import markdown, markdown_blocks

DEMO = pathlib.Path(__file__).resolve().parent.parent / "wiki" / "demo"


def shape(html):
    """Return the block structure of HTML as nested (tag, text or children) tuples, so that a
    corpus entry says what it means without the renderer's whitespace."""
    def walk(node):
        children = [child for child in node.children if getattr(child, "name", None)]
        blocks = [child for child in children if child.name in BLOCKS]
        if not blocks:
            return (node.name, " ".join(node.get_text(" ").split()))
        text = " ".join("".join(str(c) for c in node.children
                                if not getattr(c, "name", None) or c.name not in BLOCKS).split())
        return (node.name, *([text] if text else []), *(walk(child) for child in blocks))
    soup = BeautifulSoup(str(html), "html.parser")
    return [walk(child) for child in soup.children if getattr(child, "name", None)]


BLOCKS = {"p", "ul", "ol", "li", "h1", "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th",
          "td", "pre", "blockquote", "hr"}

CORPUS = [
    ("a list right under its paragraph",
     "Erledigt im 4. Quartal:\n- Ausschreibung veröffentlicht\n- Zuschlag erteilt",
     [("p", "Erledigt im 4. Quartal:"),
      ("ul", ("li", "Ausschreibung veröffentlicht"), ("li", "Zuschlag erteilt"))]),
    ("stars as bullets, under bold words",
     "**Nächste Schritte:**\n* Schulung der Poststelle\n* Pilotbetrieb",
     [("p", "Nächste Schritte:"),
      ("ul", ("li", "Schulung der Poststelle"), ("li", "Pilotbetrieb"))]),
    ("plus signs as bullets",
     "Risiken:\n+ Personal\n+ Haushalt",
     [("p", "Risiken:"), ("ul", ("li", "Personal"), ("li", "Haushalt"))]),
    ("bullets pasted from Word",
     "Ergebnisse:\n• Konzept abgestimmt\n• Pilot gestartet",
     [("p", "Ergebnisse:"), ("ul", ("li", "Konzept abgestimmt"), ("li", "Pilot gestartet"))]),
    ("numbers under a paragraph",
     "Ablauf:\n1. Bedarf erheben\n2. Angebote einholen\n3. Vergabe",
     [("p", "Ablauf:"),
      ("ol", ("li", "Bedarf erheben"), ("li", "Angebote einholen"), ("li", "Vergabe"))]),
    ("numbers with a parenthesis",
     "Schritte:\n1) Antrag\n2) Prüfung",
     [("p", "Schritte:"), ("ol", ("li", "Antrag"), ("li", "Prüfung"))]),
    ("nested by two spaces",
     "Stand:\n- Vergabe\n  - Los 1 vergeben\n  - Los 2 offen\n- Schulung",
     [("p", "Stand:"),
      ("ul", ("li", "Vergabe", ("ul", ("li", "Los 1 vergeben"), ("li", "Los 2 offen"))),
       ("li", "Schulung"))]),
    ("nested by three spaces under a number, three levels",
     "1. Technik\n   - Server\n     - Speicher\n2. Organisation",
     [("ol", ("li", "Technik", ("ul", ("li", "Server", ("ul", ("li", "Speicher"))))),
       ("li", "Organisation"))]),
    ("nested by four spaces, as before",
     "- Technik\n    - Server\n- Organisation",
     [("ul", ("li", "Technik", ("ul", ("li", "Server"))), ("li", "Organisation"))]),
    ("nested by a tab",
     "- Technik\n\t- Server\n- Organisation",
     [("ul", ("li", "Technik", ("ul", ("li", "Server"))), ("li", "Organisation"))]),
    ("numbers nested in bullets",
     "- Vergabe\n  1. Markterkundung\n  2. Ausschreibung",
     [("ul", ("li", "Vergabe", ("ol", ("li", "Markterkundung"), ("li", "Ausschreibung"))))]),
    ("bullets after numbers start a new list",
     "1. Antrag\n2. Prüfung\n- Hinweis",
     [("ol", ("li", "Antrag"), ("li", "Prüfung")), ("ul", ("li", "Hinweis"))]),
    ("a list that starts at 3 keeps its number",
     "Fortsetzung:\n\n3. Abnahme\n4. Betrieb",
     [("p", "Fortsetzung:"), ("ol", ("li", "Abnahme"), ("li", "Betrieb"))]),
    ("a second paragraph in an item, by the item's indentation",
     "- Vergabe\n\n  Der Zuschlag ging an die Firma.\n- Schulung",
     [("ul", ("li", ("p", "Vergabe"), ("p", "Der Zuschlag ging an die Firma.")),
       ("li", ("p", "Schulung")))]),
    ("a line that wraps on in an item",
     "- Vergabe vorbereitet,\nLeistungsverzeichnis fertig\n- Schulung",
     [("ul", ("li", "Vergabe vorbereitet, Leistungsverzeichnis fertig"), ("li", "Schulung"))]),
    ("a paragraph after the list",
     "- eins\n- zwei\n\nDanach geht es weiter.",
     [("ul", ("li", "eins"), ("li", "zwei")), ("p", "Danach geht es weiter.")]),
    ("headings without blank lines",
     "## Stand\nDie Vergabe läuft.\n### Nächste Schritte\n- Zuschlag",
     [("h2", "Stand"), ("p", "Die Vergabe läuft."), ("h3", "Nächste Schritte"),
      ("ul", ("li", "Zuschlag"))]),
    ("a line break by two spaces",
     "Ansprechpartnerin: Frau Schmitz  \nTelefon: 1234",
     [("p", "Ansprechpartnerin: Frau Schmitz Telefon: 1234")]),
    ("a line break by a backslash",
     "Ansprechpartnerin: Frau Schmitz\\\nTelefon: 1234",
     [("p", "Ansprechpartnerin: Frau Schmitz Telefon: 1234")]),
    ("a single line end joins the lines",
     "Die Vergabe läuft\nseit März.",
     [("p", "Die Vergabe läuft seit März.")]),
    ("a table right under its paragraph",
     "Kosten:\n| Jahr | Betrag |\n|---|---:|\n| 2026 | 10.000 € |",
     [("p", "Kosten:"),
      ("table", ("thead", ("tr", ("th", "Jahr"), ("th", "Betrag"))),
       ("tbody", ("tr", ("td", "2026"), ("td", "10.000 €"))))]),
    ("a year at the start of a line stays text",
     "Abschluss geplant im Jahr\n2027. Danach Betrieb.",
     [("p", "Abschluss geplant im Jahr 2027. Danach Betrieb.")]),
    ("a number in an item's text stays text",
     "- Roll-out ab\n  2024) bis Mitte 2025",
     [("ul", ("li", "Roll-out ab 2024) bis Mitte 2025"))]),
    ("a minus sign is no bullet",
     "Temperatur im Serverraum:\n-5 Grad",
     [("p", "Temperatur im Serverraum: -5 Grad")]),
    ("a rule stays a rule",
     "Teil eins\n\n- - -\n\nTeil zwei",
     [("p", "Teil eins"), ("hr", ""), ("p", "Teil zwei")]),
    ("list-like lines in fenced code stay code",
     "Beispiel:\n\n```\n- kein Punkt\n  - auch nicht\n```",
     [("p", "Beispiel:"), ("pre", "- kein Punkt - auch nicht")]),
    ("list-like lines in indented code stay code",
     "Beispiel:\n\n    - kein Punkt\n      - auch nicht",
     [("p", "Beispiel:"), ("pre", "- kein Punkt - auch nicht")]),
]


@pytest.mark.parametrize("name, typed, expected", CORPUS, ids=[entry[0] for entry in CORPUS])
def test_text_as_typed_renders_as_meant(name, typed, expected):
    """Each way of writing renders to the structure CommonMark gives it."""
    assert shape(markdown.render(typed)) == expected


def test_line_breaks_are_real_breaks():
    """Two spaces and a backslash at a line's end both give a <br>; a plain line end none."""
    assert markdown.render("a  \nb").count("<br") == 1
    assert markdown.render("a\\\nb").count("<br") == 1
    assert "<br" not in markdown.render("a\nb")
    assert markdown.render("a\\\\\nb").count("<br") == 0  # an escaped backslash is a backslash


def test_the_demos_texts_render_as_before():
    """Every Markdown text of the demo renders exactly as without the extension: text written
    for Python-Markdown keeps its look."""
    before = [e for e in markdown.EXTENSIONS if not isinstance(e, markdown_blocks.BlocksAsTyped)]
    changed = []
    for path in sorted(DEMO.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if text.startswith("---\n"):
            text = text[4:].split("\n---\n", 1)[-1]
        if (python_markdown.Markdown(extensions=before).convert(text)
                != python_markdown.Markdown(extensions=markdown.EXTENSIONS).convert(text)):
            changed.append(path.name)
    assert changed == []


TYPED = st.lists(st.sampled_from([
    "", "Text", "- a", "  - b", "    - c", "1. eins", "2) zwei", "* x", "  weiter", "\tTab",
    "| a | b |", "|---|---|", "```", "# Titel", "- - -", "2027. Jahr", "> Zitat", "ende\\",
    "• Punkt",
]), max_size=40)


@settings(max_examples=300, deadline=None)
@given(TYPED)
def test_any_lines_rewrite_within_bounds(lines):
    """Whatever is typed, the rewrite keeps every line's text, adds only blank lines and at most
    four spaces per level, and renders."""
    out = markdown_blocks.rewrite(lines)

    def words(line):  # the text of a line, its marker's kind of number and a break aside
        return line.strip().replace("2)", "2.").replace("•", "-").removesuffix("\\").strip()
    assert [words(line) for line in out if line.strip()] == [
        words(line) for line in lines if line.strip()]
    assert len(out) <= 2 * len(lines)
    written, typed = [x for x in out if x.strip()], [x for x in lines if x.strip()]
    assert all(len(line) <= len(original.expandtabs(4)) + 4 * 16
               for line, original in zip(written, typed, strict=True))
    markdown.render("\n".join(lines))


@pytest.mark.postgres
def test_the_migration_renders_stored_texts_again(app, demo, capsys):
    """Migration 0014 renders stored HTML again: a report stored with the old run-on paragraph
    gets its list; the demo's texts stay as they were (only the planted one changes)."""
    import markdown as python_markdown

    from wiki.db import migrate, rollback
    from wiki.models import ReportVersion, StatusReport

    typed = "Erledigt im 4. Quartal:\n- Vergabe\n  - Los 1"
    old = [e for e in markdown.EXTENSIONS if not isinstance(e, markdown_blocks.BlocksAsTyped)]
    with app.app_context():
        report = StatusReport.select().order_by(StatusReport.id).first()
        stale = python_markdown.Markdown(extensions=old).convert(typed)
        assert "<ul>" not in stale
        StatusReport.update(body=typed, html=stale).where(StatusReport.id == report.id).execute()
        rollback("0014_rerender_markdown")
        assert migrate() == ["0014_rerender_markdown"]
        html = StatusReport.get_by_id(report.id).html
        assert shape(html) == [("p", "Erledigt im 4. Quartal:"),
                               ("ul", ("li", "Vergabe", ("ul", ("li", "Los 1"))))]
        total = sum(model.select().count() for model in (StatusReport, ReportVersion))
    said = capsys.readouterr().out
    assert "Markdown neu dargestellt: 1 von" in said and total > 1
