"""The start page at a glance: counts by status, legal deadlines, risks, milestones, news, round."""
from collections import Counter
from datetime import date, datetime
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from playhouse.test_utils import count_queries

from tests.conftest import make_user
from wiki.domain import dashboard, programme
from wiki.domain.asof import measures_as_of
from wiki.domain.metadata import clean_measure, from_snapshot
from wiki.domain.revisions import save_measure
from wiki.domain.vocabulary import DEFAULT_STATUSES
from wiki.models import (
    Comment,
    CommentVersion,
    Measure,
    ReportRound,
    ReportVersion,
    StatusReport,
)

pytestmark = pytest.mark.postgres

DAY = date(2026, 12, 1)  # the demo's "now": just after the round 2026/III was due
LABELS = {"planned": "geplant", "preparing": "in Vorbereitung", "active": "in Umsetzung",
          "operating": "in Betrieb / Roll-out", "done": "abgeschlossen",
          "paused": "zurückgestellt", "dropped": "eingestellt"}


@pytest.fixture
def today(monkeypatch):
    """Fix the day the dashboard counts from; return a function that sets another one."""
    def set_day(day):
        monkeypatch.setattr(programme, "today", lambda: day)
        return day
    set_day(DAY)
    return set_day


def text(node):
    """Return a node's text with whitespace collapsed."""
    return " ".join(node.get_text().split())


def start(client, url="/", status=200):
    """Return the parsed start page."""
    response = client.get(url)
    assert response.status_code == status, response.text
    return BeautifulSoup(response.text, "html.parser")


def panel(page, name):
    """Return one panel of the dashboard."""
    return page.find(id=f"dashboard-{name}")


def row_texts(table, prefix):
    """Return {id without prefix: row text} of a table's body rows."""
    return {tr["id"].removeprefix(prefix): text(tr) for tr in table.select("tbody tr")}


def values_of(measure):
    """Return a measure's current typed values, ready to save again."""
    values, errors = clean_measure(from_snapshot(measure.page.latest().meta))
    assert not errors
    return values


def replan(code, **changes):
    """Save a new revision of a measure with some values changed."""
    measure = Measure.by_code(code)
    save_measure(measure, values=dict(values_of(measure), **changes),
                 body=measure.page.latest().body, author=make_user("k.becker"),
                 summary="Neuplanung")


# Counts by status

def test_each_field_counts_its_measures_by_status_in_words(demo, client, today):
    """Per field the statuses come as "number label", in status order, with the sum."""
    expected = {}
    for measure in Measure.listing():
        expected.setdefault(measure.field.code, Counter())[measure.status] += 1
    table = panel(start(client), "fields").find("table")
    shown = {tr["id"].removeprefix("status-"): tr for tr in table.select("tbody tr, tfoot tr")}
    assert list(shown) == ["HF1", "HF2", "HF3", "HF4", "HF5", "HF6", "all"]
    for code, counts in expected.items():
        words = [text(li) for li in shown[code].select(".status-counts li")]
        keys = [status.key for status in DEFAULT_STATUSES]
        assert words == [f"{counts[s]} {LABELS[s]}" for s in keys if counts[s]]
        assert text(shown[code].select("td.number")[0]) == str(sum(counts.values()))
        bar = shown[code].find("svg")
        assert bar["aria-hidden"] == "true"  # the words carry the meaning, not the colours
        assert len(bar.find_all("rect")) == len(words)
    assert text(shown["all"].select("td.number")[0]) == "14"


def test_delayed_and_at_risk_are_counted_for_open_measures_only(demo, client, today):
    """HF3: M07 is late, M08 at risk; all: M01, M05, M07, M11 late, M05 and M08 at risk."""
    table = panel(start(client), "fields").find("table")
    numbers = {tr["id"]: [text(td) for td in tr.select("td.number")]
               for tr in table.select("tr[id]")}
    assert numbers["status-HF3"] == ["3", "1", "1"]
    assert numbers["status-HF4"] == ["2", "–", "–"]
    assert numbers["status-all"] == ["14", "4", "2"]


# Legal obligations

def test_legal_obligations_show_deadline_and_verdict(demo, client, today):
    """The legal measures, by deadline: M01 is long past its deadline, the others done."""
    table = panel(start(client), "obligations").find("table")
    rows = row_texts(table, "obligation-")
    assert list(rows) == ["M01", "M02", "M03", "M04"]
    days = (DAY - date(2022, 12, 31)).days
    assert "31.12.2022" in rows["M01"]
    assert f"Frist seit {days} Tagen überschritten" in rows["M01"]
    assert "Onlinezugangsgesetz (OZG)" in rows["M01"]
    assert "keine eingetragen" in rows["M02"]
    assert rows["M02"].endswith("abgeschlossen am 24.03.2023")


@pytest.mark.parametrize("planned_end, verdict", [
    (date(2027, 3, 31), "Plan hält die Frist"),
    (date(2027, 6, 30), "Plan hält die Frist"),
    (date(2027, 7, 1), "Frist wird überschritten um 1 Tag"),
    (date(2027, 9, 30), "Frist wird überschritten um 92 Tage"),
])
def test_a_future_deadline_is_met_or_missed_by_the_plan(demo, client, today, planned_end,
                                                         verdict):
    """The planned end is compared with the deadline, in words and days."""
    replan("M01", legal_deadline=date(2027, 6, 30), planned_end=planned_end)
    rows = row_texts(panel(start(client), "obligations").find("table"), "obligation-")
    assert rows["M01"].endswith(verdict)


def test_a_deadline_puts_an_internal_measure_on_the_list(demo, client, today):
    """A measure with a legal deadline is listed whatever its marking, in deadline order."""
    replan("M14", legal_deadline=date(2027, 1, 31))
    replan("M01", legal_deadline=date(2027, 6, 30), planned_end=date(2027, 3, 31))
    rows = row_texts(panel(start(client), "obligations").find("table"), "obligation-")
    assert list(rows)[:2] == ["M14", "M01"]
    assert rows["M14"].endswith("Plan hält die Frist")


def test_a_finished_obligation_says_how_late_it_was(demo, client, today):
    """Done after the deadline: the finishing day and the days past the deadline."""
    replan("M01", status="done", actual_end=date(2023, 1, 10), progress=100)
    rows = row_texts(panel(start(client), "obligations").find("table"), "obligation-")
    assert rows["M01"].endswith("abgeschlossen am 10.01.2023 (10 Tage nach der Frist)")


# Delayed and at risk

def test_delayed_and_at_risk_measures_name_their_cause(demo, client, today):
    """Open late measures say which end passed; endangered ones the chain from the cause."""
    rows = row_texts(panel(start(client), "risks").find("table"), "risk-")
    assert set(rows) == {"M01", "M05", "M07", "M08", "M11"}  # M03 finished late: not listed
    assert "verzögert geplantes Ende 30.06.2026 überschritten" in rows["M07"]
    assert "gefährdet durch M07 → M05" in rows["M05"]
    assert "verzögert geplantes Ende 31.12.2024 überschritten" in rows["M05"]
    assert "gefährdet durch M07 → M08" in rows["M08"]
    assert "Terminkonflikt mit M07" in rows["M08"]


def test_on_time_measures_leave_the_risk_list(demo, client, today):
    """Re-planned to end in the future, M07 is neither late nor endangers M08."""
    replan("M07", planned_end=date(2027, 12, 31))
    replan("M08", planned_start=date(2028, 1, 1), planned_end=date(2029, 12, 31))
    rows = row_texts(panel(start(client), "risks").find("table"), "risk-")
    assert "M07" not in rows and "M08" not in rows


# Milestones

def test_milestones_until_the_end_of_the_next_quarter(demo, client, today):
    """From 1 August 2026: the round due in October and three ends planned for December."""
    today(date(2026, 8, 1))
    section = panel(start(client), "milestones")
    assert text(section.find("h3")) == "Termine bis zum 31.12.2026"
    rows = row_texts(section.find("table"), "milestone-")
    assert list(rows) == ["round-2026-q3-due", "measure-M08-planned-end",
                          "measure-M10-planned-end", "measure-M14-planned-end"]
    assert rows["round-2026-q3-due"] == "15.10.2026 Berichtsrunde fällig Sachstandsbericht 2026/III"
    assert rows["measure-M08-planned-end"].startswith("31.12.2026 Ende geplant M08")


def test_no_milestones_ahead_says_so(demo, client, today):
    """After the programme's end nothing is due any more."""
    today(date(2027, 6, 1))
    section = panel(start(client), "milestones")
    assert section.find("table") is None
    assert "Bis zum 30.09.2027 stehen keine Termine an." in text(section)


def plan(code, status="active", **days):
    """Return a measure-like object for the pure milestone functions."""
    fields = dict.fromkeys(("planned_start", "planned_end", "actual_start", "actual_end",
                            "legal_deadline"))
    return SimpleNamespace(code=code, status=status, **(fields | days))


def test_only_pending_milestones_are_upcoming():
    """A start already made, an end already reached or a closed measure is no milestone ahead."""
    day = date(2026, 5, 1)
    measures = [
        plan("A", planned_start=date(2026, 5, 10), planned_end=date(2026, 6, 30),
             legal_deadline=date(2026, 6, 1)),
        plan("B", planned_start=date(2026, 5, 10), actual_start=date(2026, 4, 1),
             planned_end=date(2026, 9, 1)),
        plan("C", status="done", planned_end=date(2026, 6, 1), actual_end=date(2026, 4, 1)),
        plan("D", status="dropped", planned_end=date(2026, 6, 1)),
        plan("E", planned_end=date(2026, 10, 1)),  # after the next quarter
    ]
    rounds = [SimpleNamespace(slug="2026-q1", due_date=date(2026, 5, 1))]
    found = dashboard.upcoming(dashboard.milestones(measures, rounds), day)
    assert [m.key for m in found] == [
        "round-2026-q1-due", "measure-A-planned-start", "measure-A-legal-deadline",
        "measure-A-planned-end", "measure-B-planned-end"]


@pytest.mark.parametrize("day, last", [
    (date(2026, 1, 1), date(2026, 6, 30)),
    (date(2026, 8, 15), date(2026, 12, 31)),
    (date(2026, 12, 1), date(2027, 3, 31)),
    (date(2026, 12, 31), date(2027, 3, 31)),
])
def test_horizon_is_the_end_of_the_next_quarter(day, last):
    """The milestones look ahead to the last day of the quarter after today's."""
    assert dashboard.horizon(day) == last


# Latest reports and comments

def test_latest_five_reports_newest_first(demo, client, today):
    """The five newest status reports link to themselves on their measure's page."""
    expected = list(StatusReport.newest().limit(5))
    items = panel(start(client), "reports").select("ol.news-list > li")
    assert [li["id"] for li in items] == [f"latest-report-{r.id}" for r in expected]
    first = expected[0]
    link = items[0].find("a")
    assert link["href"] == f"/measures/{first.measure.code}#report-{first.id}"
    assert first.measure.page.title in text(items[0])


def comment_ids(client):
    """Return the ids of the comments listed on the start page."""
    items = panel(start(client), "comments").select("ol.news-list > li")
    return [int(li["id"].removeprefix("latest-comment-")) for li in items]


def test_latest_five_comments_never_deleted_or_hidden_ones(demo, client, today):
    """Deleting one and hiding another brings the next older ones in."""
    visible = [c.id for c in Comment.newest_visible()]
    assert len(visible) >= 7
    assert comment_ids(client) == visible[:5]
    Comment.update(deleted=True).where(Comment.id == visible[0]).execute()
    Comment.update(hidden=True).where(Comment.id == visible[1]).execute()
    assert comment_ids(client) == visible[2:7]


# The current report round

def test_current_round_shows_counts_and_missing_reports(demo, client, today):
    """Round 2026/III was due on 15 October; M14's report is still missing."""
    section = panel(start(client), "round")
    assert section.find("a")["href"] == "/reports/2026-q3"
    counts = [text(dd) for dd in section.select(".round-counts dd")]
    assert counts == ["11", "1", "2"]
    assert "überfällig: 1 Bericht fehlt" in text(section)
    missing = section.select(".missing-reports li")
    assert [li["id"] for li in missing] == ["missing-M14"]
    assert "Verantwortlich: Personal und Organisation" in text(missing[0])


@pytest.mark.parametrize("days, slug", [(60, "2026-q3"), (30, "2026-q4")])
def test_current_round_is_the_earliest_not_long_past(demo, client, app, today, days, slug):
    """A round stays current for CURRENT_ROUND_DAYS after its due date, then the next one."""
    app.config["CURRENT_ROUND_DAYS"] = days
    ReportRound.create(slug="2026-q4", title="Sachstandsbericht 2026/IV", period="2026-Q4",
                       due_date=date(2027, 1, 15))
    assert panel(start(client), "round").find("a")["href"] == f"/reports/{slug}"


def test_long_past_rounds_leave_the_newest_as_current(demo, client, app, today):
    """When every round is long past, the newest one is shown."""
    app.config["CURRENT_ROUND_DAYS"] = 1
    assert panel(start(client), "round").find("a")["href"] == "/reports/2026-q3"


def test_empty_sections_say_so(demo, client, today):
    """Without rounds, reports and comments each panel says there are none."""
    for model in (CommentVersion, Comment, ReportVersion, StatusReport, ReportRound):
        model.delete().execute()
    page = start(client)
    assert "Es ist noch keine Berichtsrunde angelegt." in text(panel(page, "round"))
    assert "Noch keine Sachstandsberichte." in text(panel(page, "reports"))
    assert "Noch keine Kommentare." in text(panel(page, "comments"))


# A past day, links, queries

def test_as_of_a_past_day_rebuilds_what_it_can(demo, client, today):
    """On ?as_of= counts and news are of that day; deadlines and rounds are left out, said so."""
    day = date(2023, 6, 30)
    page = start(client, f"/?as_of={day}")
    assert "Sie sehen den Stand vom 30.06.2023" in text(page.find(class_="as-of-note"))
    total = panel(page, "fields").find(id="status-all").select("td.number")[0]
    assert text(total) == str(len(measures_as_of(day)))
    assert "Für einen vergangenen Tag nicht verfügbar" in text(panel(page, "obligations"))
    assert panel(page, "obligations").find("table") is None
    assert "Für einen vergangenen Tag nicht verfügbar" in text(panel(page, "round"))
    shown = [date.fromisoformat(t["datetime"]) for t in
             panel(page, "reports").select(".news-meta time")]
    assert shown and max(shown) <= day
    written = [datetime.fromisoformat(t["datetime"].rstrip("Z")) for t in
               panel(page, "comments").select(".news-meta time")]
    assert all(moment.date() <= day for moment in written)
    assert page.select_one("#card-M07")  # the field cards are there too, as of that day


def test_measures_as_of_a_day_keep_their_own_ids(demo, ctx):
    """A measure as of a day has its row's id, as today's has: one key for cards and counts."""
    day = date(2023, 6, 30)
    past = measures_as_of(day)
    assert past
    assert any(state.id != state.page_id for state in past)  # the two used to be mixed up
    for state in past:
        assert state.id == Measure.by_code(state.code).id


def test_a_bad_as_of_answers_400_with_the_message(demo, client, today):
    """A date that is no date is refused on the page, naming the field."""
    page = start(client, "/?as_of=morgen", status=400)
    error = page.find(id="as_of-error")
    assert "Stand am" in text(error)
    assert page.find(id="as_of")["aria-invalid"] == "true"


def test_every_dashboard_link_leads_somewhere(demo, client, today):
    """Each link in the dashboard answers 200, and the programme's feeds stay linked."""
    page = start(client)
    hrefs = {a["href"] for a in page.select(".dashboard a")}
    assert len(hrefs) > 20
    for href in hrefs:
        parts = urlsplit(href)
        if not parts.path:
            continue  # a link within the page
        url = parts.path + (f"?{parts.query}" if parts.query else "")
        assert client.get(url).status_code == 200, href
    feeds = [a["href"] for a in page.select("main > .feed-links a")]
    assert feeds == ["/feeds/reports.atom", "/feeds/changes.atom"]


def test_in_page_links_have_their_targets(demo, client, today):
    """The links to the field cards further down find their anchors."""
    page = start(client)
    for a in page.select(".dashboard a[href^='#']"):
        assert page.find(id=a["href"][1:]), a["href"]


def test_start_page_queries_do_not_grow_with_reports_and_comments(demo, client, today, uncached):
    """More reports and comments cost no more queries: the news are joined, not looked up."""
    client.get("/")
    with count_queries() as few:
        client.get("/")
    author = make_user("k.becker")
    for measure in Measure.select():
        report = StatusReport.create(measure=measure, date=DAY, period="2026-Q4",
                                     status=measure.status, traffic_light="green",
                                     author=author, html="<p>neu</p>")
        Comment.create(measure=measure, report=report, author=author, html="<p>Neu!</p>")
    with count_queries() as many:
        page = BeautifulSoup(client.get("/").text, "html.parser")
    assert len(panel(page, "comments").select("li")) == 5
    assert many.count == few.count
