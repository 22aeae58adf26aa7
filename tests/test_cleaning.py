"""Input cleaned at the door: NFC, no control characters, one-line fields, ASCII codes, dates."""
import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wiki.domain import cleaning, markdown, metadata

CONTROLS = [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0))]
any_text = st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF), max_size=40)


def cleaned(clean, value):
    """Return clean(value), or None when it refuses."""
    try:
        return clean(value)
    except cleaning.Refused:
        return None


@pytest.mark.parametrize("clean", [cleaning.line, cleaning.text])
@given(value=any_text)
def test_cleaning_is_idempotent_and_leaves_no_controls(clean, value):
    """Whatever comes in: refused, or NFC without controls, and unchanged by cleaning again."""
    result = cleaned(clean, value)
    if result is None:
        return
    assert unicodedata.is_normalized("NFC", result)
    assert not cleaning.FORBIDDEN.search(result)
    assert clean(result) == result
    if clean is cleaning.line:
        assert not cleaning.LINE_BREAK.search(result) and result == result.strip()


@given(value=st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=40))
def test_text_without_controls_is_kept_apart_from_normalising(value):
    """Printable text is never refused by text(); it comes back in NFC with "\\n" line ends."""
    result = cleaning.text(value)
    assert result == unicodedata.normalize("NFC", value).strip("\n")


@pytest.mark.parametrize("char", CONTROLS + ["\ud800", "\udfff"],
                         ids=lambda char: f"U+{ord(char):04X}")
@pytest.mark.parametrize("clean", [cleaning.line, cleaning.text, cleaning.markdown_text])
def test_control_characters_and_lone_surrogates_are_refused(clean, char):
    """NUL, the other C0 controls, DEL, C1, surrogates: refused (text reads \r as a line end)."""
    if clean is not cleaning.line and char == "\r":
        assert clean(f"a{char}b") == "a\nb"
        return
    with pytest.raises(cleaning.Refused):
        clean(f"a{char}b")


def test_multi_line_text_keeps_tab_and_newline_and_unifies_line_ends():
    """Text keeps tabs and line breaks; \\r\\n and \\r become \\n; blank lines around go."""
    assert cleaning.text("\n\na\tb\r\nc\rd\n\n") == "a\tb\nc\nd"


@pytest.mark.parametrize("value", ["Titel\nmit Umbruch", "Titel\r\nzwei", "a\u2028b", "a\tb",
                                   "a\x85b"])
def test_one_line_fields_refuse_line_breaks_inside(value):
    """A line break or tab inside a title is refused with a German message."""
    with pytest.raises(cleaning.Refused, match="einzeilig|Tabulator"):
        cleaning.line(value)


def test_one_line_fields_strip_what_was_pasted_around():
    """Blanks and a line break pasted before or after a title are stripped, not refused."""
    assert cleaning.line("  Titel \r\n") == "Titel"


def test_text_comes_out_in_nfc():
    """A decomposed umlaut (e + combining diaeresis, as macOS pastes it) is composed."""
    assert cleaning.line("Gebu\u0308hren") == "Gebühren"


def test_a_label_names_the_field():
    """With a label the message begins with the field's name."""
    with pytest.raises(cleaning.Refused, match="^Titel: "):
        cleaning.line("a\x00b", "Titel")


@pytest.mark.parametrize("value", ["M０７", "M٠٧", "Ｍ07"])
def test_codes_with_other_digits_are_refused_not_folded(value):
    """A code in fullwidth or Arabic-Indic digits is refused: M０７ is no second M07."""
    with pytest.raises(ValueError, match="ASCII"):
        metadata.clean_code(value)
    assert not markdown.CODE.match(value)


@pytest.mark.parametrize("value", ["9999-Q4", "0999-Q4", "1989-12-31", "2101-01-01", "0001-01-01"])
def test_dates_outside_the_plausible_years_are_refused(value):
    """Dates and quarters before 1990 or after 2100 are typing errors."""
    with pytest.raises(cleaning.Refused, match="außerhalb"):
        cleaning.day(value)


def test_dates_inside_the_range_and_quarters():
    """A quarter gives its first day, or its last with end=True; ISO dates are read as such."""
    assert cleaning.day("2024-Q2") == date(2024, 4, 1)
    assert cleaning.day("2024-q2", end=True) == date(2024, 6, 30)
    assert cleaning.day("1990-01-01") == date(1990, 1, 1)
    assert cleaning.day("") is None
    assert cleaning.quarter("2024-q3") == "2024-Q3"


@pytest.mark.parametrize("value", ["２０２４-01-01", "2024-Q４", "0000-Q1", "2024-02-30", "morgen"])
def test_malformed_dates_are_refused_as_malformed(value):
    """Other digits, year 0 and impossible days: refused, never a 500."""
    with pytest.raises(cleaning.Refused):
        cleaning.day(value)


def test_the_year_range_is_a_setting(app):
    """DATE_MIN_YEAR and DATE_MAX_YEAR move the range."""
    app.config.update(DATE_MIN_YEAR=1900, DATE_MAX_YEAR=9999)
    with app.app_context():
        assert cleaning.day("9999-Q4", end=True) == date(9999, 12, 31)


@pytest.mark.parametrize("value", ["٣", "３", "²", "1_000", "+1", "-1", " ", "1.0",
                                   "9" * 5000, str(2**63)])
def test_whole_numbers_are_ascii_digits_within_a_bigint(value):
    """Only 0–9, no sign, nothing beyond 2^63 - 1 (and no 4300-digit ValueError)."""
    with pytest.raises(cleaning.Refused):
        cleaning.whole(value)


def test_whole_numbers_within_bounds():
    """Whole numbers come back as int; bounds are kept."""
    assert cleaning.whole(" 42 ") == 42
    assert cleaning.whole(str(2**63 - 1)) == 2**63 - 1
    with pytest.raises(cleaning.Refused):
        cleaning.whole("101", high=100)


def test_progress_with_fullwidth_digits_is_refused():
    """A progress of ５０ or ² is no number (it was a 500 on ²)."""
    for value in ("５０", "²"):
        with pytest.raises(ValueError, match="Fortschritt"):
            metadata.clean_progress(value)


def test_a_header_that_is_no_clean_line_counts_as_absent():
    """SSO: a header value with controls or line breaks is ignored, never half-read."""
    assert cleaning.header(" k.becker ") == "k.becker"
    assert cleaning.header("k.becker\r\nX-Evil: 1") == ""
    assert cleaning.header("k\x00becker") == ""


def test_markdown_asks_the_markdown_bounds_and_names_the_field(monkeypatch):
    """markdown_text refuses what check_source refuses, with the field's label before it."""
    def refuse(text):
        raise ValueError("Zu tief verschachtelt.")
    monkeypatch.setattr(markdown, "check_source", refuse)
    with pytest.raises(cleaning.Refused, match="^Kommentar: Zu tief verschachtelt.$"):
        cleaning.markdown_text("> > >", "Kommentar")
