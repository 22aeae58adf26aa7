"""Reading a measure list from an XLSX or CSV file into a header and rows (pure, no database).

The file is recognised by its content, not by its name: a zip holding `xl/workbook.xml` is XLSX
(its first worksheet is read), readable text is CSV (UTF-8, UTF-16 with BOM, else Windows-1252;
";", tab or ","). Whatever is sent, the work stays bounded: at most MAX_BYTES in, MAX_UNZIPPED
out of the zip, MAX_TAGS and MAX_CELLS counted in its XML before openpyxl parses it, MAX_ROWS
data rows, MAX_COLUMNS columns and MAX_CELL characters a cell; reading stops at the first row
beyond the limit.

What a row holds:
- cells are str (stripped), int, float, datetime.date or None (an empty cell or "");
- a date and time becomes its date (the time is dropped: no measure field has one);
- a boolean becomes the text "ja" or "nein" (no measure field is one; the preview shows it);
- a time of day or a duration becomes its text, such as "12:30:00";
- every row has as many cells as the header; trailing empty columns and rows are trimmed and
  blank rows skipped, but a row keeps the number the spreadsheet shows (the header is the
  first non-blank row, usually row 1).
The header keeps duplicate names (the column mapping reports them); an empty header cell is
named after its column, like "Spalte C".
"""
import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import load_workbook

MAX_BYTES = 5_000_000
MAX_ROWS = 2_000
MAX_COLUMNS = 60
MAX_CELL = 10_000
MAX_UNZIPPED = 20_000_000  # 2,000 long rows unpack to about 5 MB; a zip bomb to gigabytes
MAX_ENTRIES = 500  # Excel writes about a dozen files; thousands only cost time to list
# openpyxl parses every element of a sheet, and every cell of a row however wide, before it
# yields the first row: 5 million empty cells in a 24 kB file took it 29 s. Counted first (in
# C, 0.1 s for MAX_UNZIPPED), these bound that work to about 3 s in the worst case measured
# (600,000 empty elements); 2,000 rows of 17 filled columns, Excel's way, have 300,000 tags.
MAX_TAGS = 600_000
MAX_CELLS = 150_000  # 2,001 rows of 60 cells are 120,060
CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s/>]")  # <c r="A1">, <c/>, <x:c …> (a prefixed name)
ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s/>]")
# Rows scanned in all, blank ones too: a sheet of a million empty rows must not take a minute.
MAX_SCANNED = 10 * MAX_ROWS

NOT_A_SHEET = "Die Datei ist keine Tabelle im Format XLSX oder CSV."
DAMAGED = "Die XLSX-Datei ist beschädigt und lässt sich nicht lesen."
# Magic numbers of files people pick by mistake, to say what they are instead of guessing.
KNOWN = (
    (b"\xd0\xcf\x11\xe0", "Die Datei ist eine alte Excel-Datei (.xls); bitte in Excel als "
                          "»Excel-Arbeitsmappe (.xlsx)« speichern."),
    (b"%PDF", "Die Datei ist ein PDF, keine Tabelle; bitte die Liste als XLSX oder CSV "
              "speichern."),
)
TOO_LONG = (f"Die Tabelle reicht über Zeile {MAX_SCANNED:,} hinaus (leere Zeilen zählen "
            "mit); bitte aufteilen.").replace(",", ".")
TOO_MANY = f"Die Tabelle hat mehr als {MAX_ROWS:,} Zeilen; bitte aufteilen.".replace(",", ".")
DELIMITERS = (";", "\t", ",")  # in this order on a tie: German Excel writes ";"
CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f]")


class SheetError(ValueError):
    """A file that cannot be read as a measure list, with a German message."""


@dataclass
class Row:
    """A data row: the number the spreadsheet shows and one value a column."""

    number: int
    cells: list


@dataclass
class Sheet:
    """A table read from a file: its header names and its non-blank data rows."""

    header: list[str]
    rows: list[Row]


def column_name(index):
    """Return the spreadsheet letters of a column counted from 0: A … Z, AA, AB …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def place(number, index, header=None):
    """Return where a cell is, for messages: "Zeile 5, Spalte C (Status)"."""
    name = f" ({header[index]})" if header and index < len(header) else ""
    return f"Zeile {number}, Spalte {column_name(index)}{name}"


def read_sheet(data, filename=""):
    """Read an XLSX or a CSV file's bytes into a Sheet; refuse anything else with SheetError."""
    if len(data) > MAX_BYTES:
        raise SheetError(f"Die Datei ist größer als {MAX_BYTES // 1_000_000} MB; bitte "
                         "aufteilen.")
    if not data.strip():
        raise SheetError("Die Tabelle ist leer.")
    for magic, message in KNOWN:
        if data.startswith(magic):
            raise SheetError(message)
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _table(_xlsx_rows(data))
    if filename.lower().endswith((".xls", ".ods", ".numbers")):
        raise SheetError(NOT_A_SHEET)  # a binary format that happened to decode as text
    return _table(_csv_rows(_decode(data)))


def _xlsx_rows(data):
    """Yield the first worksheet's rows of an XLSX file as lists of raw values."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SheetError(NOT_A_SHEET) from None
    if "xl/workbook.xml" not in names:
        raise SheetError(NOT_A_SHEET)  # a Word, OpenDocument or plain zip file
    # The sizes listed are binding: zipfile stops inflating an entry at its listed size.
    if len(entries) > MAX_ENTRIES or sum(entry.file_size for entry in entries) > MAX_UNZIPPED:
        raise SheetError("Die XLSX-Datei ist entpackt zu groß; bitte nur die Liste speichern.")
    _count_markup(data, entries)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            # max_col bounds the padding openpyxl adds after a sheet's claimed dimension.
            yield from workbook.worksheets[0].iter_rows(max_col=MAX_COLUMNS + 1,
                                                        values_only=True)
        finally:
            workbook.close()
    except SheetError:
        raise
    # openpyxl raises nearly any exception type on a damaged file (KeyError, TypeError,
    # ParseError, InvalidFileException …): each means the same to the user.
    except Exception:
        raise SheetError(DAMAGED) from None


def _count_markup(data, entries):
    """Refuse an XLSX file whose XML holds more tags, cells or rows than a list needs."""
    tags = cells = rows = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for entry in entries:
                if not entry.filename.endswith(".xml") or tags > MAX_TAGS:
                    continue
                sheet = entry.filename.startswith("xl/worksheets/")
                with archive.open(entry) as source:
                    while chunk := source.read(1 << 20):  # a tag cut at the edge is missed
                        tags += chunk.count(b"<")
                        if sheet:
                            cells += len(CELL_TAG.findall(chunk))
                            rows += len(ROW_TAG.findall(chunk))
    # A wrong checksum, a broken deflate stream, a password or an unknown compression method.
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
            RuntimeError):
        raise SheetError(DAMAGED) from None
    if rows > MAX_SCANNED:  # styled blank rows count too, but so many mean a long list
        raise SheetError(TOO_MANY)
    if tags > MAX_TAGS or cells > MAX_CELLS:
        raise SheetError("Die XLSX-Datei enthält zu viele Zellen (auch leere, formatierte "
                         "zählen mit); bitte nur die Liste speichern.")


def _decode(data):
    """Return a CSV file's text: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)  # Excel's "Unicode-Text" export
    else:
        encodings = ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetError(NOT_A_SHEET)
    # Text never holds NUL; a few other controls a stray cell may, binary files hold many.
    start = text[:4096]
    if "\x00" in text or len(CONTROL.findall(start)) > len(start) // 100:
        raise SheetError(NOT_A_SHEET)
    return text


def delimiter(text):
    """Return the delimiter the header line uses most outside quotes: ";", tab or ","."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in text[:65_536]:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
        elif not quoted and char in "\r\n":
            break
    return max(DELIMITERS, key=lambda char: counts[char])  # max keeps the first on a tie


def _csv_rows(text):
    """Yield a CSV text's records as lists of strings; a broken quote is a SheetError."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text))
    try:
        yield from reader
    except csv.Error as error:  # the module's own field limit, 131,072 characters, among them
        raise SheetError(f"Die CSV-Datei ist fehlerhaft (Zeile {reader.line_num}): "
                         f"{error}.") from None


def _count(number):
    """Return a number as German text writes it: 2.000."""
    return f"{number:,}".replace(",", ".")


def _value(raw):
    """Return a cell's value as a row holds it: str, int, float, date or None."""
    if raw is None or isinstance(raw, int | float) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, bool):
        return "ja" if raw else "nein"
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    return text or None


def _cells(raw, number):
    """Return a raw row's values, refusing one too wide or with a cell too long."""
    values = [_value(item) for item in raw]
    while values and values[-1] is None:
        values.pop()
    if len(values) > MAX_COLUMNS:
        raise SheetError(f"Die Tabelle hat mehr als {MAX_COLUMNS} Spalten (Zeile {number}).")
    for index, value in enumerate(values):
        if isinstance(value, str) and len(value) > MAX_CELL:
            raise SheetError(f"{place(number, index)}: mehr als {_count(MAX_CELL)} Zeichen.")
    return values


def _table(raws):
    """Return the Sheet of raw rows: the first non-blank one is the header."""
    header, rows = None, []
    for number, raw in enumerate(raws, start=1):
        if number > MAX_SCANNED:
            raise SheetError(TOO_LONG)
        values = _cells(raw, number)
        if not values:
            continue
        if header is None:
            header = values
        elif len(rows) == MAX_ROWS:
            raise SheetError(TOO_MANY)
        else:
            rows.append(Row(number, values))
    if header is None:
        raise SheetError("Die Tabelle ist leer.")
    if not rows:
        raise SheetError("Die Tabelle enthält keine Zeilen unter der Kopfzeile.")
    width = max(len(header), *(len(row.cells) for row in rows))
    for row in rows:
        row.cells += [None] * (width - len(row.cells))
    header += [None] * (width - len(header))
    return Sheet([_name(value, index) for index, value in enumerate(header)], rows)


def _name(value, index):
    """Return a header cell as a name; an empty one is named after its column."""
    if value is None:
        return f"Spalte {column_name(index)}"
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return " ".join(str(value).split())  # a header with a line break is still one name
