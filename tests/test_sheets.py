"""Reading XLSX and CSV measure lists, guessing their columns and writing XLSX (no database)."""
import io
import time
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from wiki.domain import metadata
from wiki.exchange import columns, sheets, xlsx
from wiki.exchange.sheets import SheetError, read_sheet

MANY = 20_000


def xlsx_bytes(rows, write_only=False):
    """Return an XLSX file whose first sheet holds rows."""
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet() if write_only else book.active
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def xlsx_with_rows(markup):
    """Return an XLSX file whose sheet XML holds a header row and then markup as written."""
    plain = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["Titel"]])))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in plain.namelist():
            content = plain.read(name)
            if name == "xl/worksheets/sheet1.xml":
                content = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                           b'2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
                           b"Titel</t></is></c></row>" + markup + b"</sheetData></worksheet>")
            archive.writestr(name, content)
    return output.getvalue()


@pytest.fixture(scope="module")
def many():
    """Return a list of 20,000 measures as XLSX and as CSV, built once for the module."""
    rows = [["Kürzel", "Titel"]] + [[f"M{number:05d}", "Eine Maßnahme"] for number in
                                    range(MANY)]
    return {"xlsx": xlsx_bytes(rows, write_only=True),
            "csv": "".join(";".join(row) + "\r\n" for row in rows).encode()}


@pytest.mark.parametrize("index, name", [(0, "A"), (2, "C"), (25, "Z"), (26, "AA"),
                                         (27, "AB"), (51, "AZ"), (52, "BA"), (701, "ZZ"),
                                         (702, "AAA")])
def test_column_name(index, name):
    assert sheets.column_name(index) == name


def test_place_names_row_column_and_header():
    assert sheets.place(5, 2, ["Kürzel", "Titel", "Status"]) == "Zeile 5, Spalte C (Status)"
    assert sheets.place(5, 2) == "Zeile 5, Spalte C"


def test_xlsx_typed_cells_row_numbers_and_trimming():
    data = xlsx_bytes([
        ["Kürzel", "Titel", None, "Beginn", "Fortschritt", "Erledigt", None, None],
        ["M01", "  Radwege  ", None, datetime(2027, 1, 2), 50, True],
        [None, None, None, None],
        ["M02", "Bäume", "x", datetime(2027, 3, 4, 15, 30), 12.5, False, None],
        [None],
    ])
    sheet = read_sheet(data, "liste.xlsx")
    assert sheet.header == ["Kürzel", "Titel", "Spalte C", "Beginn", "Fortschritt", "Erledigt"]
    assert [row.number for row in sheet.rows] == [2, 4]
    assert sheet.rows[0].cells == ["M01", "Radwege", None, date(2027, 1, 2), 50, "ja"]
    assert sheet.rows[1].cells == ["M02", "Bäume", "x", date(2027, 3, 4), 12.5, "nein"]


def test_xlsx_data_wider_than_header_gets_column_names():
    sheet = read_sheet(xlsx_bytes([["Kürzel"], ["M01", None, "z"]]), "a.xlsx")
    assert sheet.header == ["Kürzel", "Spalte B", "Spalte C"]
    assert sheet.rows[0].cells == ["M01", None, "z"]


def test_xlsx_duplicate_headers_are_kept():
    sheet = read_sheet(xlsx_bytes([["Titel", "Titel"], ["a", "b"]]), "a.xlsx")
    assert sheet.header == ["Titel", "Titel"]


def test_xlsx_by_content_whatever_the_name():
    assert read_sheet(xlsx_bytes([["Kürzel"], ["M01"]]), "liste.csv").rows[0].cells == ["M01"]


@pytest.mark.parametrize("data, encoding", [
    ("Kürzel;Titel;Beginn\r\nM01; Gärten ;31.12.2027\r\n", "utf-8"),
    ("Kürzel;Titel;Beginn\r\nM01; Gärten ;31.12.2027\r\n", "utf-8-sig"),
    ("Kürzel;Titel;Beginn\r\nM01; Gärten ;31.12.2027\r\n", "cp1252"),
    ("Kürzel,Titel,Beginn\nM01,\"Gärten\",31.12.2027\n", "utf-8"),
    ("Kürzel\tTitel\tBeginn\nM01\tGärten\t31.12.2027\n", "utf-16"),
])
def test_csv_encodings_and_delimiters(data, encoding):
    sheet = read_sheet(data.encode(encoding), "liste.csv")
    assert sheet.header == ["Kürzel", "Titel", "Beginn"]
    assert sheet.rows[0].cells == ["M01", "Gärten", "31.12.2027"]


def test_csv_delimiter_counts_outside_quotes_only():
    data = '"Titel, lang";"Kürzel, kurz";Status\n"a, b";M01;offen\n'.encode()
    sheet = read_sheet(data, "x.csv")
    assert sheet.header == ["Titel, lang", "Kürzel, kurz", "Status"]
    assert sheet.rows[0].cells == ["a, b", "M01", "offen"]


def test_csv_blank_rows_skipped_numbers_kept_and_empty_is_none():
    data = b"Kuerzel;Titel;Status\n\n;;\nM01;;offen\n\"M02\";\"Zwei\nZeilen\";\nM03;x;y\n"
    sheet = read_sheet(data, "x.csv")
    assert [row.number for row in sheet.rows] == [4, 5, 6]
    assert sheet.rows[0].cells == ["M01", None, "offen"]
    assert sheet.rows[1].cells == ["M02", "Zwei\nZeilen", None]


def test_csv_broken_quote_is_a_sheet_error():
    data = b'Titel;Status\n"a;b\n' + b"x" * 140_000 + b"\n"
    with pytest.raises(SheetError, match="CSV-Datei ist fehlerhaft"):
        read_sheet(data, "x.csv")


@pytest.mark.parametrize("data, filename", [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "liste.pdf"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01", "bild.png"),
    (bytes(range(256)) * 20, "zufall.bin"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "alt.xls"),
    (b"PK\x03\x04" + b"kaputt" * 50, "kaputt.xlsx"),
    (b"<html><table><tr><td>a</td></tr></table></html>", "export.xls"),
])
def test_not_a_spreadsheet(data, filename):
    with pytest.raises(SheetError) as error:
        read_sheet(data, filename)
    assert "xlsx" in str(error.value).lower()


def test_zip_without_workbook_is_not_a_spreadsheet():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(SheetError, match="keine Tabelle"):
        read_sheet(output.getvalue(), "brief.docx")


def test_zip_bomb_refused_before_unpacking():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (sheets.MAX_UNZIPPED + 1))
    data = output.getvalue()
    assert len(data) < 100_000
    with pytest.raises(SheetError, match="entpackt zu groß"):
        read_sheet(data, "bombe.xlsx")


def test_zip_with_too_many_entries():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for number in range(sheets.MAX_ENTRIES):
            archive.writestr(f"xl/media/{number}.xml", "")
    with pytest.raises(SheetError, match="entpackt zu groß"):
        read_sheet(output.getvalue(), "a.xlsx")


def test_hand_written_sheet_xml_is_read():
    data = xlsx_with_rows(b'<row r="3"><c r="B3" t="inlineStr"><is><t>M01</t></is></c></row>')
    sheet = read_sheet(data, "a.xlsx")
    assert (sheet.header, sheet.rows) == (["Titel", "Spalte B"], [sheets.Row(3, [None, "M01"])])


@pytest.mark.parametrize("markup, message", [
    (b'<row r="2">' + b"<c/>" * (sheets.MAX_CELLS + 1) + b"</row>", "zu viele Zellen"),
    (b'<row r="2"><x:c r="A2" t="n"><x:v>1</x:v></x:c></row>' + b"<c/>" * sheets.MAX_CELLS,
     "zu viele Zellen"),
    (b"<x/>" * sheets.MAX_TAGS, "zu viele Zellen"),
    (b"".join(b'<row r="%d"/>' % number for number in range(2, sheets.MAX_SCANNED + 2)),
     r"mehr als 2\.000 Zeilen"),
])
def test_xlsx_markup_counted_before_openpyxl_parses_it(markup, message):
    started = time.perf_counter()
    with pytest.raises(SheetError, match=message):
        read_sheet(xlsx_with_rows(markup), "a.xlsx")
    assert time.perf_counter() - started < 1  # openpyxl took 29 s for 5 million empty cells


def test_xlsx_stops_reading_after_the_row_limit():
    rows = [["Titel"]] + [[f"M{number}"] for number in range(sheets.MAX_ROWS + 500)]
    with pytest.raises(SheetError, match=r"mehr als 2\.000 Zeilen; bitte aufteilen"):
        read_sheet(xlsx_bytes(rows, write_only=True), "a.xlsx")


def test_damaged_xlsx_is_a_sheet_error():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("xl/workbook.xml", "<kein xml")
    with pytest.raises(SheetError, match="beschädigt"):
        read_sheet(output.getvalue(), "a.xlsx")


@pytest.mark.parametrize("data, message", [
    (b"", "leer"),
    (b" \r\n \n", "leer"),
    (b";;\n;;\n", "leer"),
    (b"Titel;Status\n;\n", "keine Zeilen unter der Kopfzeile"),
])
def test_empty_tables(data, message):
    with pytest.raises(SheetError, match=message):
        read_sheet(data, "x.csv")


def test_empty_xlsx():
    with pytest.raises(SheetError, match="leer"):
        read_sheet(xlsx_bytes([]), "x.xlsx")


def test_too_many_columns():
    with pytest.raises(SheetError, match="mehr als 60 Spalten"):
        read_sheet(xlsx_bytes([[f"S{index}" for index in range(61)], ["a"]]), "x.xlsx")
    header = ";".join(f"S{index}" for index in range(60))
    assert len(read_sheet(f"{header}\na\n".encode(), "x.csv").header) == 60


def test_cell_too_long_names_row_and_column():
    data = b"Titel;Text\nM01;" + b"x" * (sheets.MAX_CELL + 1) + b"\n"
    with pytest.raises(SheetError, match=r"Zeile 2, Spalte B: mehr als 10\.000 Zeichen"):
        read_sheet(data, "x.csv")


def test_file_too_large():
    with pytest.raises(SheetError, match="größer als 5 MB"):
        read_sheet(b"a;b\n" * (sheets.MAX_BYTES // 4 + 1), "x.csv")


def test_blank_rows_beyond_the_scan_limit():
    data = b"Titel\nM01\n" + b"\n" * sheets.MAX_SCANNED + b"M02\n"
    with pytest.raises(SheetError, match="reicht über Zeile 20.000 hinaus"):
        read_sheet(data, "x.csv")


def test_row_limit_is_inclusive():
    rows = "".join(f"M{number}\n" for number in range(sheets.MAX_ROWS))
    assert len(read_sheet(f"Titel\n{rows}".encode(), "x.csv").rows) == sheets.MAX_ROWS


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_twenty_thousand_rows_refused_quickly(many, kind):
    started = time.perf_counter()
    with pytest.raises(SheetError, match=r"mehr als 2\.000 Zeilen; bitte aufteilen"):
        read_sheet(many[kind], f"viele.{kind}")
    assert time.perf_counter() - started < 1  # measured: 0.04 s (XLSX), 0.02 s (CSV)


@pytest.mark.parametrize("header, fields", [
    (["Kürzel", "Titel", "Handlungsfeld", "Status"], ["code", "title", "field", "status"]),
    (["code", "TITLE", "planned_start", "Legal Deadline"],
     ["code", "title", "planned_start", "legal_deadline"]),
    (["Nr.", "Maßnahme", "Beginn", "Ende", "Fortschritt (%)"],
     ["code", "title", "planned_start", "planned_end", "progress"]),
    (["Tatsaechlicher Beginn", "TATSÄCHLICHES ENDE", "Massnahme", "Zustaendig"],
     ["actual_start", "actual_end", "title", "owner"]),
    (["Beginn (geplant)", "Ende (tatsächlich)", "Fortschritt in %", "Schlagworte"],
     ["planned_start", "actual_end", "progress", "tags"]),
    (["Titel der Maßnahme", "Status der Umsetzung", "Frist (gesetzlich)", "Bemerkung"],
     ["title", "status", "legal_deadline", None]),
    (["Titel", "Titel", "Bezeichnung"], ["title", None, None]),
    (["Ende", "Geplantes Ende"], ["planned_end", None]),
    (["Kontext", "", "Spalte C", "Beschreibung"], [None, None, None, "body"]),
    (["Ｆｏｒｔｓｃｈｒｉｔｔ", "Federführung", "Ansprechpartner:in", "Abhängig von"],
     ["progress", "owner", "contact", "requires"]),
])
def test_guess(header, fields):
    assert columns.guess(header) == fields


def test_headers_are_guessed_back_and_match_the_form_labels():
    assert columns.guess(list(columns.HEADERS.values())) == list(columns.HEADERS)
    assert set(metadata.FIELDS) <= set(columns.FIELDS)
    for field in metadata.FIELDS:
        assert columns.HEADERS[field] == str(metadata.LABELS[field])


def test_field_names_hold_the_english_name_and_the_header():
    for field, names in columns.FIELD_NAMES.items():
        assert field in names and columns.HEADERS[field] in names


LIST = ("Maßnahmen", [("Kürzel", "text"), ("Beginn", "date"), ("Fortschritt", "number"),
                      ("Schlagwörter", "text")])


def test_workbook_round_trip_keeps_types():
    rows = [["M01", date(2027, 1, 2), 50, ["Rad", "Bus"]],
            ["M02", datetime(2027, 3, 4, 9, 0), 0, None],
            ["M03", None, None, ""]]
    data = xlsx.workbook([(*LIST, rows)])
    sheet = read_sheet(data, "export.xlsx")
    assert sheet.header == ["Kürzel", "Beginn", "Fortschritt", "Schlagwörter"]
    assert [row.cells for row in sheet.rows] == [["M01", date(2027, 1, 2), 50, "Rad, Bus"],
                                                 ["M02", date(2027, 3, 4), 0, None],
                                                 ["M03", None, None, None]]


def test_workbook_layout():
    data = xlsx.workbook([(*LIST, [["M01", date(2027, 1, 2), 50, "x" * 200]] * 3),
                          ("Leer", [("Titel", "text")], [])])
    book = load_workbook(io.BytesIO(data))
    sheet = book["Maßnahmen"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:D4"
    assert sheet["A1"].font.bold and not sheet["A2"].font.bold
    assert sheet["B2"].number_format == "DD.MM.YYYY" and sheet["B2"].is_date
    assert sheet["C2"].data_type == "n"
    widths = [sheet.column_dimensions[letter].width for letter in "ABCD"]
    assert widths == [10, 12, 13, 62]
    assert book["Leer"].auto_filter.ref == "A1:A1"


@pytest.mark.parametrize("text", ["=1+1", "=HYPERLINK(\"http://x\")", "+49 30 1234", "-5",
                                  "@SUM(A1:A2)", "=cmd|' /C calc'!A0"])
def test_formula_injection_stays_text(text):
    data = xlsx.workbook([("Liste", [("Titel", "text"), ("Zahl", "number")],
                           [[text, text]])])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()
    cell = load_workbook(io.BytesIO(data))["Liste"]["A2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
    assert read_sheet(data, "x.xlsx").rows[0].cells == [text, text]


def test_control_characters_do_not_break_writing():
    data = xlsx.workbook([("Liste", [("Titel\x00", "text")], [["a\x01b\x0bc\ud800d"]])])
    sheet = read_sheet(data, "x.xlsx")
    assert sheet.header == ["Titel"]
    assert sheet.rows[0].cells == ["ab\ncd"]


@pytest.mark.parametrize("title, taken, cleaned", [
    ("Maßnahmen: [alle]/*?", (), "Maßnahmen alle"),
    ("x" * 40, (), "x" * 31),
    ("'Liste'", (), "Liste"),
    ("", (), "Tabelle"),
    ("Liste", ("liste",), "Liste (2)"),
    ("History", (), "History (2)"),
    ("y" * 40, ("y" * 31,), "y" * 27 + " (2)"),
])
def test_sheet_title(title, taken, cleaned):
    assert xlsx.sheet_title(title, taken) == cleaned


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown column kind"):
        xlsx.workbook([("Liste", [("Titel", "percent")], [])])
