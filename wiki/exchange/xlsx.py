"""Writing lists as an XLSX workbook with typed cells (pure, no database).

A column is (header, kind): "text" cells hold text, "date" cells real dates shown as
DD.MM.YYYY, "number" cells numbers (a progress is the whole number 0–100, not a percentage
format, so that it reads back as it is written). Text is never a formula: openpyxl takes any
str starting with "=" for one, so every text cell is typed as a string, and one that a
spreadsheet would read as a formula once edited is marked with Excel's quote prefix.
The normal (not write-only) mode is used: it sets widths and freezes the header, and the lists
are small (a few thousand rows at most).
"""
import io
import re
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from wiki.domain import characters

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KINDS = ("text", "date", "number")
DATE_FORMAT = "DD.MM.YYYY"
WIDTHS = (8, 60)  # narrowest and widest column, in characters
EXCEL_CELL = 32_767  # the most characters Excel shows in a cell; it "repairs" a longer one
TITLE_LIMIT = 31
NOT_IN_TITLE = re.compile(r"[\[\]:*?/\\]")
RESERVED_TITLES = ("history",)  # Excel keeps the name "History" for change tracking


def workbook(sheets):
    """Return the bytes of a workbook with one worksheet for each (title, columns, rows)."""
    book = Workbook()
    book.remove(book.active)
    titles = []
    for title, columns, rows in sheets:
        titles.append(sheet_title(title, titles))
        _fill(book.create_sheet(titles[-1]), columns, rows)
    if not titles:
        book.create_sheet("Tabelle")  # a workbook needs a sheet to open
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def sheet_title(title, taken=()):
    """Return a title Excel accepts: at most 31 characters, none of []:*?/\\, not taken."""
    cleaned = " ".join(NOT_IN_TITLE.sub(" ", characters.one_line(str(title or ""))).split())
    cleaned = cleaned.strip("' ")[:TITLE_LIMIT].strip("' ") or "Tabelle"
    used = {name.casefold() for name in taken}
    candidate, number = cleaned, 1
    while candidate.casefold() in used or candidate.casefold() in RESERVED_TITLES:
        number += 1
        suffix = f" ({number})"
        candidate = cleaned[:TITLE_LIMIT - len(suffix)] + suffix
    return candidate


def _fill(sheet, columns, rows):
    """Write a header and rows into a worksheet, typed by the columns' kinds."""
    for _, kind in columns:
        if kind not in KINDS:
            raise ValueError(f"unknown column kind {kind!r}")  # a programming error
    bold = Font(bold=True)
    widths = []
    for index, (header, _) in enumerate(columns, start=1):
        cell = _text_cell(sheet.cell(row=1, column=index), header)
        cell.font = bold
        widths.append(len(str(cell.value or "")))
    for number, row in enumerate(rows, start=2):
        for index, ((_, kind), value) in enumerate(zip(columns, row, strict=True), start=1):
            cell = _write(sheet.cell(row=number, column=index), kind, value)
            widths[index - 1] = max(widths[index - 1], _width(cell.value))
    for index, width in enumerate(widths, start=1):
        low, high = WIDTHS
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width, low), high) + 2
    if columns:
        sheet.freeze_panes = "A2"
        last = get_column_letter(len(columns))
        sheet.auto_filter.ref = f"A1:{last}{max(len(rows) + 1, 1)}"


def _write(cell, kind, value):
    """Set a cell to a value of its column's kind; anything else is written as text."""
    if value is None or value == "":
        return cell
    if kind == "date" and isinstance(value, date):
        cell.value = value.date() if isinstance(value, datetime) else value
        cell.number_format = DATE_FORMAT
        return cell
    if kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        cell.value = value
        return cell
    return _text_cell(cell, value)


def _text_cell(cell, value):
    """Set a cell to text that no spreadsheet evaluates, without characters XML refuses."""
    if isinstance(value, list | tuple):
        value = ", ".join(str(item) for item in value)
    elif isinstance(value, bool):
        value = "ja" if value else "nein"
    elif isinstance(value, date):
        value = value.strftime("%d.%m.%Y")
    text = characters.xml_text(str(value))[:EXCEL_CELL]
    cell.value = text
    cell.data_type = "s"  # set after the value: openpyxl made any "=…" a formula ("f")
    if text.startswith(characters.FORMULA_STARTS):
        cell.quotePrefix = True  # Excel keeps it text when someone edits the cell
    return cell


def _width(value):
    """Return the characters a value needs: its longest line, a date ten."""
    if isinstance(value, date):
        return 10
    return max((len(line) for line in str(value or "").split("\n")), default=0)
