"""Re-plans, slip and field-by-field comparison of revisions."""
from types import SimpleNamespace

import pytest

from wiki.domain.comparing import body_diff, compare_meta, replans, shown, size_changes, slip
from wiki.domain.merge import diff_words

LABELS = {"status": "Status", "planned_start": "Geplanter Beginn", "planned_end": "Geplantes Ende"}


def revision(number, summary, **meta):
    """Make a stand-in revision."""
    return SimpleNamespace(number=number, summary=summary, meta=meta)


HISTORY = [
    revision(1, "Erstanlage", planned_start="2023-01-01", planned_end="2025-12-31",
             status="planned"),
    revision(2, "Status", planned_start="2023-01-01", planned_end="2025-12-31", status="active"),
    revision(3, "Serverkapazität fehlt", planned_start="2023-04-01", planned_end="2026-06-30",
             status="active"),
    revision(4, "Vorgezogen", planned_start="2023-04-01", planned_end="2026-03-31",
             status="active"),
]


def test_replans_lists_only_changes_of_planned_dates():
    """Only revisions that moved the plan are re-plans, with the end's shift in days."""
    found = replans(HISTORY)
    assert [c["revision"].number for c in found] == [3, 4]
    assert found[0]["old"] == ("2023-01-01", "2025-12-31")
    assert found[0]["new"] == ("2023-04-01", "2026-06-30")
    assert found[0]["end_shift"] == 181
    assert found[1]["end_shift"] == -91


@pytest.mark.parametrize("first, current, days", [
    ({"planned_end": "2025-12-31"}, {"planned_end": "2026-06-30"}, 181),
    ({"planned_end": "2025-12-31"}, {"planned_end": "2025-12-31"}, 0),
    ({"planned_end": None}, {"planned_end": "2025-12-31"}, None),
])
def test_slip_against_the_first_plan(first, current, days):
    """The slip is the planned end's move since the first revision."""
    assert slip(first, current) == days


def test_compare_meta_lists_changed_fields_in_label_order():
    """Only changed fields appear, labelled, in the order of the labels."""
    assert compare_meta(HISTORY[1].meta, HISTORY[2].meta, LABELS) == [
        ("planned_start", "Geplanter Beginn", "2023-01-01", "2023-04-01"),
        ("planned_end", "Geplantes Ende", "2025-12-31", "2026-06-30"),
    ]


def test_size_changes_compare_each_row_with_the_next_older():
    """Rows are newest first; the last one compares with the row after the page (or 0)."""
    rows = [SimpleNamespace(size=size) for size in (120, 100, 100)]
    assert [change for _, change in size_changes(rows, 130)] == [20, 0, -30]
    assert [change for _, change in size_changes(rows[2:], 0)] == [100]


@pytest.mark.parametrize("name, value, text", [
    ("status", "active", "in Umsetzung"),
    ("obligation", "legal", "gesetzlich erforderlich"),
    ("planned_end", "2026-06-30", "30.06.2026 (2. Quartal 2026)"),
    ("progress", 40, "40 %"),
    ("requires", ["M06", "M07"], "M06, M07"),
    ("owner", "", ""),
    ("contact", None, ""),
])
def test_shown_values_read_as_in_the_ui(ctx, name, value, text):
    """Snapshot values appear with their German labels and dates."""
    with ctx.test_request_context():
        assert shown(name, value) == text


LONG = "".join(f"Absatz {number}: Die Maßnahme wird umgesetzt.\n\n" for number in range(200))


@pytest.mark.parametrize("old, new", [
    (LONG, LONG.replace("Absatz 120:", "Absatz 120 (neu):")),
    (LONG, LONG + "Nachtrag.\n"),
    ("Nachtrag.\n" + LONG, LONG),
    ("a\n\n  b\nc\n", "a\n\n    b\nc\n"),  # white space beyond the trimmed lines
    ("a\nb\n  \n", "a\nb\n    \n"),
    ("a\nb\n  c", "a\nb \n  c"),
    ("a\nb\n", "a\nb\n"),
    ("", "Neu.\n"),
    ("Alt.\n", ""),
    ("", ""),
])
def test_body_diff_is_the_word_diff_of_the_changed_lines(old, new):
    """Trimming unchanged lines gives the same diff as comparing the whole bodies."""
    found = body_diff(old, new)
    assert found == diff_words(old, new)
    assert "".join(text for op, text in found if op != "+") == old
    assert "".join(text for op, text in found if op != "-") == new
