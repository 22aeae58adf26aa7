"""Three-way merges of text and metadata, and word diffs."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wiki.domain.merge import Conflict, diff_words, has_markers, merge_fields, merge_text

BASE = "Ziel\nDMS einführen\nPilot: Wohngeld\nSchulung\n"

lines = st.lists(st.sampled_from(["a\n", "b\n", "c\n", "d\n", "Ä\n", "\n"]), max_size=8)
texts = lines.map("".join)


def test_changes_in_different_lines_merge():
    """Edits of different lines are both kept."""
    mine = BASE.replace("Ziel", "Ziel der Maßnahme")
    theirs = BASE.replace("Schulung", "Schulung aller Beschäftigten")
    merge = merge_text(BASE, mine, theirs)
    assert merge.clean
    assert merge.text() == ("Ziel der Maßnahme\nDMS einführen\nPilot: Wohngeld\n"
                            "Schulung aller Beschäftigten\n")


def test_same_line_changed_differently_conflicts():
    """Two different edits of one line give a conflict naming both versions."""
    mine = BASE.replace("Pilot: Wohngeld", "Pilot: Wohngeldstelle")
    theirs = BASE.replace("Pilot: Wohngeld", "Pilot: Personalentwicklung")
    merge = merge_text(BASE, mine, theirs)
    assert merge.conflicts == [Conflict("Pilot: Wohngeld\n", "Pilot: Wohngeldstelle\n",
                                        "Pilot: Personalentwicklung\n")]
    assert has_markers(merge.text())
    assert merge.text().startswith(
        "Ziel\nDMS einführen\n<<<<<<< Ihre Fassung\nPilot: Wohngeldstelle\n")


def test_same_edit_on_both_sides_is_no_conflict():
    """Both people making the same change merge cleanly."""
    mine = theirs = BASE.replace("Schulung", "Schulungen")
    assert merge_text(BASE, mine, theirs).text() == mine


def test_insertions_at_the_same_place_conflict():
    """Two different insertions at one spot need a decision."""
    merge = merge_text("a\nb\n", "a\nx\nb\n", "a\ny\nb\n")
    assert len(merge.conflicts) == 1


@given(texts, texts)
def test_one_sided_edits_win(base, edit):
    """When only one side changed, the merge is exactly that side."""
    assert merge_text(base, edit, base).text() == edit
    assert merge_text(base, base, edit).text() == edit


@given(texts, texts)
def test_identical_edits_merge_to_themselves(base, edit):
    """Both sides making the same edit merge to it without conflict."""
    merge = merge_text(base, edit, edit)
    assert merge.clean and merge.text() == edit


@given(texts, texts, texts)
def test_clean_merges_contain_every_line_either_side_added(base, mine, theirs):
    """A clean merge keeps each line that one side added and the other left alone."""
    merge = merge_text(base, mine, theirs)
    if merge.clean:
        result = merge.text().splitlines()
        for line in set(mine.splitlines()) - set(base.splitlines()) - set(theirs.splitlines()):
            assert line in result


@pytest.mark.parametrize("mine, theirs, merged, conflicts", [
    ({"status": "active", "progress": 40}, {"status": "planned", "progress": 50},
     {"status": "active", "progress": 50}, []),
    ({"status": "active", "progress": 40}, {"status": "done", "progress": 40},
     {"status": "active", "progress": 40}, ["status"]),
    ({"status": "planned", "progress": 40}, {"status": "planned", "progress": 40},
     {"status": "planned", "progress": 40}, []),
])
def test_metadata_merges_field_by_field(mine, theirs, merged, conflicts):
    """Different fields changed merge; the same field changed differently conflicts."""
    base = {"status": "planned", "progress": 40}
    assert merge_fields(base, mine, theirs) == (merged, conflicts)


@pytest.mark.parametrize("old, new, ops", [
    ("DMS in Betrieb", "DMS im Roll-out",
     [("=", "DMS "), ("-", "in Betrieb"), ("+", "im Roll-out")]),
    ("a b c", "a x c", [("=", "a "), ("-", "b"), ("+", "x"), ("=", " c")]),
    ("gleich", "gleich", [("=", "gleich")]),
    ("", "neu", [("+", "neu")]),
])
def test_word_diff(old, new, ops):
    """The inline diff works on words, keeping spaces."""
    assert diff_words(old, new) == ops


@given(st.text(max_size=60), st.text(max_size=60))
def test_word_diff_reproduces_both_texts(old, new):
    """Kept and removed parts give the old text; kept and added parts give the new one."""
    ops = diff_words(old, new)
    assert "".join(t for op, t in ops if op in "=-") == old
    assert "".join(t for op, t in ops if op in "=+") == new
