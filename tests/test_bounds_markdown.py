"""Markdown within bounds: check_source refuses what renders slowly; render never hangs or fails."""
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.test_reports import report_form
from wiki.domain import markdown, revisions
from wiki.domain.markdown import check_source, render
from wiki.models import Comment, Page, StatusReport, User

DEMO = Path(markdown.__file__).resolve().parents[1] / "demo"
DEMO_TEXTS = sorted(DEMO.rglob("*.md"))
# The issue's examples: each took seconds or ended in a 500 before the bounds.
ATTACKS = {
    "brackets": "[" * 6000,
    "comment_brackets": "[" * 10_000,
    "deep_list": "".join("    " * depth + "- x\n" for depth in range(1000)),
    "lazy_list": "- " * 1000 + "x",
    "deep_quote": ">" * 5000 + " x",
    "footnotes": "[^1]" * 1000 + "\n\n[^1]: x\n",
    "setext": "a\n===\n" * 3000,
    "tags": "<a " * 3000,
    "link_parens": "[a](" * 4000,
    "quoted_list": "> - a\n" * 15_000,
    "paragraphs": "a\n\n" * 30_000,
}


def soup(response):
    """Parse a response's HTML."""
    return BeautifulSoup(response.text, "html.parser")


def demo_prose(size):
    """Return the demo's texts repeated to the given size: real prose with lists and tables."""
    text = "\n\n".join(path.read_text(encoding="utf-8") for path in DEMO_TEXTS)
    return (text * (size // len(text) + 1))[:size]


def refused(text):
    """Return check_source's message for a text, or None when it is accepted."""
    try:
        check_source(text)
    except ValueError as problem:
        return str(problem)
    return None


def timed(call, *args, **kwargs):
    """Return a call's result and the seconds it took."""
    start = time.perf_counter()
    result = call(*args, **kwargs)
    return result, time.perf_counter() - start


@pytest.mark.parametrize("path", DEMO_TEXTS, ids=lambda path: path.name)
def test_the_demo_texts_are_accepted(ctx, path):
    """Every text of the demo passes the bounds."""
    assert refused(path.read_text(encoding="utf-8")) is None


def test_a_100_kb_page_of_real_prose_is_accepted(ctx):
    """100 kB of the demo's texts, lists and tables and all, is well within the bounds."""
    assert refused(demo_prose(100_000)) is None


# (name, text of k units, k just within the bound): k passes, k + 1 is refused.
LIMITS = [
    ("size", lambda k: "a" * k, markdown.MAX_CHARS),
    ("depth", lambda k: "".join("    " * level + "- x\n" for level in range(k)),
     markdown.MAX_DEPTH),
    ("quotes", lambda k: ">" * k + " x", markdown.MAX_DEPTH),
    ("weight", lambda k: "a\n\n" * (k // 2 - 1) + "a" + "*" * (k % 2), markdown.MAX_WEIGHT),
    ("headings", lambda k: "# Kapitel\n\n" * k, markdown.MAX_HEADINGS),
    ("footnotes", lambda k: "Satz[^1]. " * (k - 1) + "\n\n[^1]: Quelle\n",
     markdown.MAX_FOOTNOTES),
    ("tags", lambda k: "<b>x</b> " * (k // 2) + "<br>" * (k % 2), markdown.MAX_TAGS),
    ("brackets", lambda k: "[" * k, 547),  # 547 · 548 / 2 = 149,878 characters read
    ("copy", lambda k: "\\" * 2000 + "a" * (k - 2000), markdown.MAX_COPY // 2000),
    ("splits", lambda k: "a\n===\n" * (k // 2) + "a\n" * (k % 2), 774),  # 774 · 387
]


@pytest.mark.parametrize("name, make, limit", LIMITS, ids=[limit[0] for limit in LIMITS])
def test_bounds_accept_just_below_and_refuse_just_above(ctx, name, make, limit):
    """The text at each bound passes; one unit more is refused with a German sentence."""
    assert refused(make(limit)) is None
    message = refused(make(limit + 1))
    assert message and message[0].isupper() and message.endswith(".")


@pytest.mark.parametrize("name", ATTACKS)
def test_the_issues_examples_are_refused_quickly(ctx, name):
    """Each example of the issue is refused, and telling so takes no time."""
    message, seconds = timed(refused, ATTACKS[name])
    assert message
    assert seconds < 2


@pytest.mark.parametrize("name", ATTACKS)
def test_render_shows_text_beyond_the_bounds_as_plain_text(ctx, name):
    """Stored text beyond the bounds renders at once as escaped text, never an error."""
    html, seconds = timed(render, ATTACKS[name] + "<script>x</script>")
    assert seconds < 2
    node = BeautifulSoup(str(html), "html.parser")
    assert node.pre and node.pre.get_text().startswith(ATTACKS[name][:50])
    assert node.find("script") is None


@pytest.mark.parametrize("name", ATTACKS)
def test_the_live_preview_answers_the_reason_quickly(client, login, name):
    """The preview of a refused text says why, in the preview area, within a second or two."""
    login("editor")
    response, seconds = timed(client.post, "/preview", data={"body": ATTACKS[name]})
    assert response.status_code == 200
    assert seconds < 2
    assert soup(response).select_one("p.field-error").get_text().startswith("Keine Vorschau: ")


# The largest accepted text of the costliest shapes found by measuring (see markdown.py).
WORST = {
    "quote_paragraphs": "> a\n\n" * (markdown.MAX_WEIGHT // 3),
    "table_rows": "|a|\n|-|\n" + "|a|\n" * (markdown.MAX_WEIGHT // 2 - 2),
    "wiki_links": "[[x]] " * (markdown.MAX_WEIGHT // 2 - 1),
    "paragraphs": "a\n\n" * (markdown.MAX_WEIGHT // 2),
    "quoted_lists": "> - a\n" * (markdown.MAX_WEIGHT // 4),
    "prose": demo_prose(markdown.MAX_CHARS // 2),
}


@pytest.mark.parametrize("name", WORST)
def test_the_costliest_accepted_texts_preview_quickly(client, login, name):
    """The worst shapes within the bounds are accepted and previewed well within 2 s."""
    login("editor")
    assert refused(WORST[name]) is None
    response, seconds = timed(client.post, "/preview", data={"body": WORST[name]})
    assert response.status_code == 200 and not soup(response).select("p.field-error")
    assert seconds < 2


@pytest.mark.postgres
@pytest.mark.parametrize("name", ["brackets", "deep_list", "setext"])
def test_saving_refuses_text_beyond_the_bounds(client, login, demo, name):
    """A page, a measure's report and a comment are not saved with such a text: 400, no row."""
    login("editor")
    text = ATTACKS[name]
    pages = Page.select().count()
    response = client.post("/pages/new", data={"title": "Zu teuer", "body": text})
    assert response.status_code == 400 and Page.select().count() == pages
    assert soup(response).select_one(".error-summary")
    reports = StatusReport.select().count()
    response = client.post("/measures/M07/reports/new", data=report_form(body=text))
    assert response.status_code == 400 and StatusReport.select().count() == reports
    comments = Comment.select().count()
    response = client.post("/measures/M07/comments", data={"body": text[:9000]})
    assert response.status_code == 400 and Comment.select().count() == comments
    assert soup(response).select_one(".field-error").get_text().startswith("Kommentar: ")


@pytest.mark.postgres
def test_a_stored_page_beyond_the_bounds_shows_as_plain_text(client, app):
    """A page saved before the bounds (here: past the form) is shown, fast, as plain text."""
    with app.app_context():
        author = User.create(username="k.becker", name="Katrin Becker")
        revisions.save_page(None, title="Alt", body=ATTACKS["deep_list"], author=author)
    response, seconds = timed(client.get, "/pages/alt")
    assert response.status_code == 200 and seconds < 2
    assert soup(response).select_one("pre").get_text().startswith("- x\n    - x")


@pytest.mark.parametrize("url", ["/preview", "/pages/new"])
def test_a_request_over_max_content_length_is_refused_in_german(client, login, url):
    """More than MAX_CONTENT_LENGTH bytes: 413 with the German error page."""
    login("editor")
    limit = client.application.config["MAX_CONTENT_LENGTH"]
    assert limit == 2 * 1024 * 1024
    response = client.post(url, data={"title": "Groß", "body": "a" * limit})
    assert response.status_code == 413
    assert "Die gesendeten Daten sind zu groß." in soup(response).get_text()

