"""Diffs with bounded work: any two revisions compare quickly, coarsely when they must."""
import random
import time

import pytest
from bs4 import BeautifulSoup

from wiki.domain import revisions
from wiki.domain.merge import diff_words, merge_text
from wiki.models import Page, User

SIZE = 100_000
RANDOM = random.Random(14)
PROSE = "".join(f"Absatz {n}: Die Maßnahme wird im Jahr {2024 + n % 3} umgesetzt.\n"
                for n in range(SIZE // 50))[:SIZE]


def shuffled(text, sep):
    """Return the text's parts between sep in a fixed random order."""
    parts = text.split(sep)
    RANDOM.shuffle(parts)
    return sep.join(parts)


# (old, new) of the worst shapes found: repetitive words and lines, one giant line, every
# line changed, texts with nothing in common.
SHAPES = {
    "issue_1_4_kb": ("a " * 700, "a b " * 350),  # took seconds to minutes with difflib
    "words_shuffled": ("a b " * (SIZE // 4), shuffled("a b " * (SIZE // 4), " ")),
    "words_aa_ab": ("a " * (SIZE // 2), "a b " * (SIZE // 4)),
    "lines_shuffled": ("a\nb\n" * (SIZE // 4), shuffled("a\nb\n" * (SIZE // 4), "\n")),
    "lines_a_ab": ("a\n" * (SIZE // 2), "a\nb\n" * (SIZE // 4)),
    "every_line": (PROSE, "".join(shuffled(line, " ") + "\n" for line in PROSE.splitlines())),
    "giant_line": (PROSE.replace("\n", " "), shuffled(PROSE.replace("\n", " "), " ")),
    "table": ("| ja | nein |\n" * (SIZE // 14), "| nein | ja |\n" * (SIZE // 14)),
    "reversed": (PROSE, "".join(PROSE.splitlines(keepends=True)[::-1])),
}


def soup(response):
    """Parse a response's HTML."""
    return BeautifulSoup(response.text, "html.parser")


@pytest.mark.parametrize("name", SHAPES)
def test_diffs_of_the_worst_shapes_are_quick_and_complete(name):
    """Each diff takes well under 2 s and still gives both texts back."""
    old, new = SHAPES[name]
    start = time.perf_counter()
    ops = diff_words(old, new)
    assert time.perf_counter() - start < 2
    assert "".join(text for op, text in ops if op != "+") == old
    assert "".join(text for op, text in ops if op != "-") == new


def test_a_small_change_in_a_large_text_is_shown_word_by_word():
    """One changed word in 100 kB is found exactly, without the coarse note."""
    new = PROSE.replace("Absatz 1000:", "Absatz 1000 (neu):")
    ops = diff_words(PROSE, new)
    assert [op for op in ops if op[0] != "="] == [("+", " (neu)")]
    assert not ops.coarse


def test_a_rewrite_beyond_the_budget_is_shown_line_by_line_and_says_so():
    """Past the budget changed lines are shown whole, and the diff is marked coarse."""
    old, new = SHAPES["words_shuffled"]
    ops = diff_words(old, new)
    assert ops.coarse
    assert ops == [("-", old), ("+", new)]


@pytest.mark.parametrize("name", ["lines_shuffled", "lines_a_ab"])
def test_merging_repetitive_lines_is_quick(name):
    """A three-way merge over repetitive lines is bounded too."""
    old, new = SHAPES[name]
    start = time.perf_counter()
    merged = merge_text(old, new, old + "Nachtrag\n")
    assert time.perf_counter() - start < 2
    assert not merged.clean or merged.text().endswith("Nachtrag\n")


@pytest.fixture
def repetitive(app):
    """Save a page whose second revision shuffles 100 kB of "a b a b …"."""
    old, new = SHAPES["words_shuffled"]
    author = User.create(username="l.wagner", name="Lena Wagner")
    page = revisions.save_page(None, title="Muster", body=old, author=author).page
    revisions.save_page(page, title="Muster", body=new, author=author)
    return Page.get_by_id(page.id)


@pytest.mark.postgres
def test_anyone_gets_the_diff_of_huge_repetitive_revisions_quickly(client, repetitive):
    """Anonymous visitors get the diff at once, with the note that lines are shown whole."""
    start = time.perf_counter()
    response = client.get("/pages/muster/diff?from=1&to=2")
    assert time.perf_counter() - start < 2
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one(".diff-coarse").get_text().startswith(
        "Unterschiede nur zeilenweise gezeigt")
    assert len(page.select(".diff-body del")) == len(page.select(".diff-body ins")) == 1


@pytest.mark.postgres
def test_the_issues_small_case_answers_quickly(client, app):
    """The issue's two 1.4 kB revisions (6 s before) compare in well under 2 s."""
    old, new = SHAPES["issue_1_4_kb"]
    author = User.create(username="l.wagner", name="Lena Wagner")
    page = revisions.save_page(None, title="Klein", body=old, author=author).page
    revisions.save_page(page, title="Klein", body=new, author=author)
    start = time.perf_counter()
    response = client.get("/pages/klein/diff?from=1&to=2")
    assert time.perf_counter() - start < 2
    assert response.status_code == 200


def test_ordinary_diffs_have_no_coarse_note(client, app):
    """A diff that fits the budget says nothing about lines shown whole."""
    author = User.create(username="l.wagner", name="Lena Wagner")
    page = revisions.save_page(None, title="Normal", body=PROSE[:2000], author=author).page
    revisions.save_page(page, title="Normal", body=PROSE[:2000].replace("Jahr", "Jahre"),
                        author=author)
    page = soup(client.get("/pages/normal/diff?from=1&to=2"))
    assert page.select(".diff-body ins") and not page.select(".diff-coarse")
