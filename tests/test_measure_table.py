"""The measures table: sorting, filters, htmx fragment and CSV export of what is shown."""
import csv
import io

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.postgres


def codes(response):
    """Return the measure codes in the table, in order."""
    page = BeautifulSoup(response.text, "html.parser")
    return [th.get_text(strip=True)[:3] for th in page.select("table.measure-table tbody th")]


def test_lists_every_measure_by_code(demo, client):
    """Without arguments all 14 measures appear, sorted by code."""
    assert codes(client.get("/measures")) == [f"M{i:02d}" for i in range(1, 15)]


@pytest.mark.parametrize("query, first", [
    ("sort=progress", "M08"),
    ("sort=planned_end&dir=desc", "M14"),
    ("sort=code&dir=desc", "M14"),
    ("sort=nonsense", "M01"),
])
def test_sorting(demo, client, query, first):
    """Column sorting works both ways; an unknown key falls back to the code."""
    assert codes(client.get(f"/measures?{query}"))[0] == first


def test_sorted_column_is_announced(demo, client):
    """The sorted column header carries aria-sort."""
    page = BeautifulSoup(client.get("/measures?sort=progress&dir=desc").text, "html.parser")
    assert [th.get_text(strip=True)[:11] for th in page.select("th[aria-sort]")] == ["Fortschritt"]
    assert page.select_one("th[aria-sort]")["aria-sort"] == "descending"


def test_filters_and_htmx_fragment(demo, client):
    """Filters narrow the rows; htmx gets only the table."""
    assert codes(client.get("/measures?obligation=legal")) == ["M01", "M02", "M03", "M04"]
    response = client.get("/measures?status=at_risk", headers={"HX-Request": "true",
                                                                "HX-Target": "table"})
    assert "<h1" not in response.text
    assert codes(response) == ["M05", "M08"]


def test_csv_exports_what_is_shown(demo, client):
    """The CSV holds the filtered, sorted rows with plain values."""
    response = client.get("/measures?field=HF3&sort=code&dir=desc&format=csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
    assert [r["code"] for r in rows] == ["M08", "M07", "M06"]
    assert rows[1]["planned_end"] == "2026-06-30"
    assert rows[0]["at_risk"] == "M07 → M08"
    assert rows[0]["requires"] == "M06 M07"


def test_baseline_column_names_the_shift(demo, client):
    """Against the plan of 1 June 2022 the table shows M07's end moved by 181 days."""
    page = BeautifulSoup(client.get("/measures?baseline=2022-06-01").text, "html.parser")
    row = next(tr for tr in page.select("table.measure-table tbody tr")
               if tr.th.get_text(strip=True).startswith("M07"))
    assert "Ende +181 Tage" in row.get_text(" ", strip=True)
    assert client.get("/measures?baseline=2022-13-01").status_code == 400


def test_the_sort_travels_with_the_table_and_new_columns_show(demo, client):
    """The table part carries its sort as fields of the filter form (so a filter chosen after
    sorting keeps it); owner and newest report are columns, and sort."""
    part = BeautifulSoup(client.get("/measures?sort=planned_end&dir=desc",
                                    headers={"HX-Request": "true", "HX-Target": "table"}).text,
                         "html.parser")
    assert part.select_one("input[name=sort][form=filters]")["value"] == "planned_end"
    assert part.select_one("input[name=dir][form=filters]")["value"] == "desc"
    page = BeautifulSoup(client.get("/measures").text, "html.parser")
    assert page.select_one("form#filters") and not page.select("form#filters input[name=sort]")
    heads = [th.get_text(" ", strip=True) for th in page.select("table.measure-table thead th")]
    assert "Verantwortlich" in heads and "Letzter Bericht" in heads
    by_report = codes(client.get("/measures?sort=report&dir=desc"))
    by_owner = codes(client.get("/measures?sort=owner"))
    assert len(by_report) == len(by_owner) == 14 and by_report != by_owner


def test_editors_find_new_measure_at_the_top(demo, client, login):
    """The start page offers "Neue Maßnahme" in its header, and so does the measure table."""
    login("editor")
    start = BeautifulSoup(client.get("/").text, "html.parser")
    assert "Neue Maßnahme" in start.select_one("header.page-header").get_text()
    table = BeautifulSoup(client.get("/measures").text, "html.parser")
    assert "Neue Maßnahme" in table.select_one("header.page-head").get_text()
