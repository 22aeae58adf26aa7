"""Time the sheet import at its bounds: the largest sheet it takes, and one ten times larger.

Run: .venv/bin/python bench/sheets.py [--postgres URL]   (see bench/README.md)
Builds an XLSX measure list of sheets.MAX_ROWS rows (every field mapped, prerequisites among the
rows) and imports it into a fresh database, then imports it again (no change: no revision),
then a sheet of ten times as many rows, which must be refused. Prints wall and CPU time of each
step; exits 1 when the refusal takes longer than a second or an import fails.
"""
import argparse
import io
import os
import sys
import tempfile
import time
from datetime import date

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from openpyxl import Workbook  # noqa: E402

from wiki import create_app  # noqa: E402
from wiki.db import db, migrate  # noqa: E402
from wiki.exchange import sheet_import, sheets  # noqa: E402
from wiki.models import ActionField, Revision, Strategy  # noqa: E402

HEADER = ["Kürzel", "Titel", "Handlungsfeld", "Status", "Kennzeichnung", "Verantwortlich",
          "Geplanter Beginn", "Geplantes Ende", "Fortschritt", "Voraussetzungen", "Beschreibung"]


def workbook(rows):
    """Return the bytes of an XLSX measure list with this many rows."""
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for number in range(1, rows + 1):
        # Every fourth measure requires the one seven rows up: a chain through the sheet.
        requires = f"{number - 7}.1" if number > 7 and number % 4 == 0 else ""
        sheet.append([f"{number}.1", f"Maßnahme Nummer {number} für die Bürgerinnen und Bürger",
                      f"Feld {number % 6 + 1}", "in Umsetzung", "verwaltungsintern",
                      f"Fachbereich {number % 12}", date(2025, 1 + number % 12, 1),
                      f"Q{number % 4 + 1}/2027", number % 101, requires,
                      f"Beschreibung der Maßnahme {number}."])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def fresh_postgres(url, name="fahrplan_bench_sheets"):
    """Create an empty database name on the server of url; return its URL."""
    from playhouse.db_url import connect

    admin = connect(url)
    admin.connect()
    admin.connection().autocommit = True
    admin.execute_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute_sql(f'CREATE DATABASE "{name}"')
    admin.close()
    return url.rsplit("/", 1)[0] + "/" + name


def timed(step):
    """Return (result, wall ms, CPU ms) of step()."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = step()
    return result, (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def main():
    """Build the database, import the sheets, print the table; exit 1 when a bound fails."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres", help="a PostgreSQL URL to run against instead of SQLite")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="fahrplan-sheets-")
    url = fresh_postgres(args.postgres) if args.postgres else f"sqlite:///{folder}/bench.db"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "PAGE_CACHE_MB": 0},
                     instance_path=os.path.join(folder, "instance"))
    largest, too_large = workbook(sheets.MAX_ROWS), workbook(sheets.MAX_ROWS * 10)
    failed = False
    print(f"Tabellenimport, {'PostgreSQL' if args.postgres else 'SQLite'} "
          f"(Last: {os.getloadavg()[0]:.1f})\n  {'':44}{'Wand':>9}   {'CPU':>9}")
    with app.app_context():
        db.connect(reuse_if_open=True)
        migrate()
        Strategy.create(title="Messung", period_start=date(2024, 1, 1),
                        period_end=date(2028, 12, 31))
        for number in range(1, 7):
            ActionField.create(code=f"F{number}", title=f"Feld {number}", position=number)
        steps = [
            (f"{sheets.MAX_ROWS:,} Zeilen neu anlegen", largest, "created"),
            (f"{sheets.MAX_ROWS:,} Zeilen erneut (unverändert)", largest, "unchanged"),
            (f"{sheets.MAX_ROWS * 10:,} Zeilen (abgelehnt)", too_large, None),
        ]
        for label, data, expected in steps:
            (problems, summary), wall, cpu = timed(
                lambda data=data: sheet_import.import_file(data, "bench.xlsx"))
            if expected is None:
                ok = bool(problems) and summary is None and wall < 1000
            else:
                ok = not problems and getattr(summary, expected) == sheets.MAX_ROWS
            failed |= not ok
            print(f"  {label.replace(',', '.'):44}{wall:9.0f} ms{cpu:9.0f} ms  "
                  f"{'gehalten' if ok else 'VERFEHLT'}"
                  + ("" if ok else f"  {problems[:3]} {summary}"))
        print(f"  Versionen danach: {Revision.select().count():,}".replace(",", "."))
        db.close()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
