"""Editing in a real browser: two editors at once, merges, live preview, keyboard, axe."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import USERS, make_live_app, serving
from wiki.domain import merge
from wiki.models import Measure

pytestmark = pytest.mark.browser

EDITORS = {"katrin": "Katrin Becker", "thomas": "Thomas Schmitz"}


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """Return an app of its own for this module: these tests change M07."""
    people = {**{name: ("editor", full) for name, full in EDITORS.items()}, **USERS}
    return make_live_app(tmp_path_factory.mktemp("editing"), people, "browser-editing")


@pytest.fixture(scope="module")
def live_server(live_app):
    """Serve this module's app on a free port."""
    with serving(live_app) as url:
        yield url


def body_of(tab):
    """Return the body textarea's text."""
    return tab.locator("#f-body").input_value()


def replace_in_body(tab, old, new):
    """Change the body text in the browser like a person would (the whole text is refilled)."""
    text = body_of(tab)
    assert old in text
    tab.locator("#f-body").fill(text.replace(old, new))


def save(tab):
    """Press the save button and wait for the answer."""
    tab.get_by_role("button", name="Speichern").click()
    tab.wait_for_load_state()


def test_two_editors_merge_without_losing_either_change(open_as, axe, tmp_path_factory):
    """Katrin and Thomas edit M07 at once; Thomas gets the conflict page; both changes survive."""
    katrin, thomas = open_as("katrin"), open_as("thomas")
    katrin.goto("/measures/M07/edit")
    thomas.goto("/measures/M07/edit")
    expect(thomas.locator(".presence-note")).to_contain_text(
        "Wird gerade bearbeitet von Katrin Becker")
    replace_in_body(katrin, "Die Stadtverwaltung führt",
                    "Die Stadtverwaltung Bergisch Gladbach führt")
    katrin.get_by_label("Status").select_option(label="abgeschlossen")
    replace_in_body(thomas, "entscheidet der Verwaltungsvorstand.",
                    "entscheidet der Verwaltungsvorstand im Frühjahr.")
    thomas.get_by_label("Fortschritt (%)").fill("80")
    save(katrin)
    expect(katrin.locator("#live")).to_contain_text("gespeichert")
    save(thomas)
    expect(thomas.locator("h2#conflict-title")).to_have_text("Bearbeitungskonflikt")
    assert "Konflikt" in thomas.title()
    merged = body_of(thomas)
    assert "Bergisch Gladbach führt" in merged and "im Frühjahr." in merged
    assert not merge.has_markers(merged)
    expect(thomas.get_by_label("Status")).to_have_value("done")
    expect(thomas.get_by_label("Fortschritt (%)")).to_have_value("80")
    expect(thomas.locator(".conflict ins").first).to_contain_text("Bergisch Gladbach")
    axe(thomas)
    thomas.screenshot(path=str(tmp_path_factory.getbasetemp() / "conflict.png"), full_page=True)
    save(thomas)
    expect(thomas).to_have_url(f"{thomas.url.split('/measures')[0]}/measures/M07")
    measure = Measure.by_code("M07")
    final = measure.page.latest()
    assert "Bergisch Gladbach führt" in final.body and "im Frühjahr." in final.body
    assert (measure.status, measure.progress) == ("done", 80)
    assert final.author.username == "thomas"


def test_overlapping_edits_are_resolved_by_hand(open_as):
    """Both change the same sentence; Thomas removes the markers and saves his version."""
    katrin, thomas = open_as("katrin"), open_as("thomas")
    katrin.goto("/measures/M07/edit")
    thomas.goto("/measures/M07/edit")
    replace_in_body(katrin, "Wer umzieht, soll", "Wer umzieht, muss")
    replace_in_body(thomas, "Wer umzieht, soll", "Wer umzieht, sollte")
    save(katrin)
    save(thomas)
    expect(thomas.locator("h2#conflict-title")).to_be_visible()
    merged = body_of(thomas)
    assert merge.has_markers(merged)
    mine = merged.split(merge.MARK_MINE + "\n")[1].split(merge.MARK_SPLIT + "\n")[0]
    before = merged.split(merge.MARK_MINE + "\n")[0]
    after = merged.split(merge.MARK_THEIRS + "\n")[1]
    save(thomas)  # still marked: refused, with the message at the text
    expect(thomas.locator("#f-body-error")).to_contain_text("Konfliktmarkierungen")
    expect(thomas.locator("#f-body")).to_be_focused()
    thomas.locator("#f-body").fill(before + mine + after)
    save(thomas)
    expect(thomas.locator("#live")).to_contain_text("gespeichert")
    assert "Wer umzieht, sollte" in Measure.by_code("M07").page.latest().body


def test_live_preview_updates_while_typing(open_as, axe):
    """Typing in the body updates the preview without a reload."""
    tab = open_as("katrin")
    tab.goto("/pages/glossar/edit")
    axe(tab)
    tab.locator("#f-body").press("End")
    tab.locator("#f-body").press_sequentially("\n\n**Live-Vorschau** mit [[Neue Seite]]", delay=10)
    expect(tab.locator("#preview strong")).to_have_text("Live-Vorschau")
    expect(tab.locator("#preview a.missing")).to_have_attribute(
        "href", "/pages/new?title=Neue+Seite")
    assert tab.url.endswith("/pages/glossar/edit")


def tab_to(tab, selector, limit=120):
    """Press Tab until the element matching selector has the focus."""
    for _ in range(limit):
        if tab.evaluate(f"document.activeElement.matches({selector!r})"):
            return
        tab.keyboard.press("Tab")
    raise AssertionError(f"{selector} never got the focus")


def test_editing_with_the_keyboard_alone(open_as, axe):
    """Tab to the fields, type, and save with Enter; an error puts the focus on its field."""
    tab = open_as("thomas")
    tab.goto("/measures/M03/edit")
    axe(tab)
    tab_to(tab, "#f-progress")
    tab.keyboard.press("Control+A")
    tab.keyboard.type("500")
    tab_to(tab, "button[value=save]")
    tab.keyboard.press("Enter")
    tab.wait_for_load_state()
    expect(tab.locator("#f-progress")).to_be_focused()
    expect(tab.locator(".error-summary")).to_contain_text("Fortschritt")
    axe(tab)
    tab.keyboard.press("Control+A")
    tab.keyboard.type("55")
    tab_to(tab, "#f-summary")
    tab.keyboard.type("Mit der Tastatur")
    tab_to(tab, "button[value=save]")
    tab.keyboard.press("Space")
    tab.wait_for_load_state()
    expect(tab.locator("#live")).to_contain_text("gespeichert")
    measure = Measure.by_code("M03")
    assert measure.progress == 55
    assert measure.page.latest().summary == "Mit der Tastatur"


def test_edit_form_screenshot(open_as, tmp_path_factory):
    """Keep a screenshot of the edit form for a look by eye."""
    tab = open_as("katrin")
    tab.goto("/measures/M07/edit")
    tab.screenshot(path=str(tmp_path_factory.getbasetemp() / "edit.png"), full_page=True)
    tab.get_by_label("Fortschritt (%)").fill("500")
    tab.get_by_label("Geplantes Ende").fill("2020-Q1")
    save(tab)
    tab.screenshot(path=str(tmp_path_factory.getbasetemp() / "errors.png"))


def test_a_colleague_sees_edits_and_open_editors_on_reload(open_as):
    """Katrin reads M07 (a kept page); Thomas opening the editor and saving show on her reload."""
    katrin, thomas = open_as("katrin"), open_as("thomas")
    katrin.goto("/measures/M07")
    katrin.reload()  # the second view is the page the worker keeps
    expect(katrin.locator(".presence-note")).to_have_count(0)
    thomas.goto("/measures/M07/edit")
    katrin.reload()
    expect(katrin.locator(".presence-note")).to_contain_text("Thomas Schmitz")
    thomas.get_by_label("Fortschritt (%)").fill("37")
    save(thomas)
    expect(thomas.locator("#live")).to_contain_text("gespeichert")
    katrin.reload()
    expect(katrin.locator(".facts .progress-value")).to_have_text("37 %")
    expect(katrin.locator(".presence-note")).to_have_count(0)


def test_dates_are_typed_as_the_app_shows_them(open_as, axe):
    """Katrin types the end as the page shows dates (31.12.2027) and the start as a quarter in
    words; both are taken, and a wrong one is explained with examples, not "JJJJ-MM-TT"."""
    tab = open_as("katrin")
    tab.goto("/measures/M09/edit")
    expect(tab.locator("#dates-hint")).to_contain_text("z. B. 31.12.2027, 4. Quartal 2027")
    tab.get_by_label("Geplanter Beginn").fill("1.1.2025")
    tab.get_by_label("Geplantes Ende").fill("31.12.20277")
    save(tab)
    error = tab.locator("#f-planned_end-error")
    expect(error).to_contain_text("bitte so schreiben: z. B. 31.12.2027")
    expect(error).not_to_contain_text("JJJJ")
    axe(tab)
    tab.get_by_label("Geplantes Ende").fill("4. Quartal 2027")
    save(tab)
    expect(tab.locator("#live")).to_contain_text("gespeichert")
    facts = tab.locator("section.facts")
    expect(facts).to_contain_text("01.01.2025")
    expect(facts).to_contain_text("31.12.2027")


def note_goes_away(tab):
    """Reload until the presence note is gone (a beacon arrives a moment after the tab closed)."""
    for _attempt in range(20):
        tab.reload()
        if tab.locator(".presence-note").count() == 0:
            return
        tab.wait_for_timeout(150)
    raise AssertionError("the presence note stayed")


@pytest.mark.parametrize("javascript", [True, False])
def test_leaving_the_editor_ends_the_note_at_once(open_as, javascript):
    """Thomas opens M10's editor and cancels (with and without JavaScript), then opens it and
    closes the tab: each time Katrin's reload shows no "Wird gerade bearbeitet" any more."""
    katrin, thomas = open_as("katrin"), open_as("thomas", javascript=javascript)
    thomas.goto("/measures/M10/edit")
    katrin.goto("/measures/M10")
    expect(katrin.locator(".presence-note")).to_contain_text("Thomas Schmitz")
    thomas.get_by_role("button", name="Abbrechen").click()
    thomas.wait_for_load_state()
    assert thomas.url.endswith("/measures/M10")
    note_goes_away(katrin)
    if javascript:
        thomas.goto("/measures/M10/edit")
        katrin.reload()
        expect(katrin.locator(".presence-note")).to_contain_text("Thomas Schmitz")
        thomas.close(run_before_unload=True)
        note_goes_away(katrin)
