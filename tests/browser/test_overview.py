"""The overviews as management sees and prints them."""
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_architecture_prints_on_one_a4_landscape_page(page):
    """The 14 demo measures fit one A4 landscape page when printed."""
    page.goto("/architecture")
    pdf = page.pdf(prefer_css_page_size=True)
    pages = re.findall(rb"/Type\s*/Page[^s]", pdf)
    assert len(pages) == 1
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    width, height = float(box[1]), float(box[2])
    assert width > height  # landscape


def test_architecture_cards_carry_words_not_only_colour(page):
    """Markings and warnings are readable as text; each card links to its measure."""
    page.goto("/architecture")
    card = page.locator("article.measure-card").filter(has_text="M05")
    expect(card).to_contain_text("verwaltungsintern")
    expect(card).to_contain_text("gefährdet durch M07 → M05")
    page.locator("#card-M07").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("M07")


def test_timeline_filters_update_in_place_and_keep_the_url(page, axe):
    """Choosing an action field narrows the chart without a reload; the URL is bookmarkable."""
    page.goto("/timeline")
    expect(page.locator("a.bar-link")).to_have_count(14)
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Handlungsfeld").select_option("HF3")
    expect(page.locator("a.bar-link")).to_have_count(3)
    expect(page).to_have_url(re.compile(r"field=HF3"))
    assert page.evaluate("window.notReloaded") is True
    expect(page.locator("#live")).to_contain_text("3 Maßnahmen angezeigt")
    axe(page)
    page.reload()
    expect(page.locator("a.bar-link")).to_have_count(3)


def test_timeline_bar_links_to_the_measure(page):
    """A bar is a link to its measure page."""
    page.goto("/timeline")
    page.locator('a.bar-link[href="/measures/M08"]').click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("M08")


def test_measure_table_sorts_and_filters_in_place(page, axe):
    """Clicking a column header sorts without a reload; a filter narrows the rows."""
    page.goto("/measures")
    page.evaluate("window.notReloaded = true")
    page.get_by_role("link", name="Fortschritt").click()
    expect(page).to_have_url(re.compile(r"sort=progress"))
    expect(page.locator("table.measure-table tbody th").first).to_contain_text("M08")
    page.get_by_label("Kennzeichnung").select_option("standard")
    expect(page.locator("table.measure-table tbody tr")).to_have_count(2)
    assert page.evaluate("window.notReloaded") is True
    axe(page)


def test_timeline_prints_landscape(page):
    """The timeline prints on A4 landscape pages (chart and table side by side need width)."""
    page.goto("/timeline")
    pdf = page.pdf(prefer_css_page_size=True)
    box = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert float(box[1]) > float(box[2])


@pytest.mark.parametrize("width", [1366, 390])
def test_a_measure_page_tells_its_own_state(page, axe, width):
    """M07's page says "verzögert" with its days near the title, M05's names the chain and its
    cause, M03's says it finished late and never "verzögert"; wide and narrow, axe-clean."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/measures/M07")
    verdicts = page.locator("header ul.verdicts")
    expect(verdicts).to_contain_text("verzögert")
    expect(verdicts).to_contain_text(re.compile(r"seit \d+ Tagen überschritten"))
    axe(page)
    page.goto("/measures/M05")
    expect(page.locator("header ul.verdicts")).to_contain_text(
        re.compile(r"gefährdet durch M07 → M05.*M07 ist um \d+ Tage verzögert", re.S))
    page.goto("/measures/M03")
    verdicts = page.locator("header ul.verdicts")
    expect(verdicts).to_contain_text(re.compile(r"abgeschlossen \(\d+ Tage später als geplant\)"))
    expect(verdicts).not_to_contain_text("verzögert")
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_filtering_after_sorting_keeps_the_sort(page, axe):
    """Sorted by planned end, newest first, then filtered by status: still sorted so; the new
    columns (owner, last report) are there, and an editor finds "Neue Maßnahme" at the top."""
    page.goto("/measures")
    page.get_by_role("link", name="Geplantes Ende").click()
    expect(page).to_have_url(re.compile(r"sort=planned_end&dir=asc"))
    page.get_by_role("link", name="Geplantes Ende").click()
    expect(page).to_have_url(re.compile(r"dir=desc"))
    page.get_by_label("Status", exact=True).select_option("active")
    expect(page).to_have_url(re.compile(r"status=active"))
    expect(page).to_have_url(re.compile(r"sort=planned_end"))
    ends = page.locator("table.measure-table tbody tr td:nth-child(6)").all_inner_texts()
    assert ends and ends == sorted(ends, reverse=True)
    expect(page.locator("table.measure-table thead")).to_contain_text("Verantwortlich")
    expect(page.locator("table.measure-table thead")).to_contain_text("Letzter Bericht")
    axe(page)
