"""Report rounds in the exchange format: the intro and the cross-measure projects section."""
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.test_exchange import programme, tree, wipe, write_folder
from wiki import exchange
from wiki.cli import DEMO
from wiki.exchange.read import split_projects
from wiki.models import ReportRound

pytestmark = pytest.mark.postgres

HEADING = "## Maßnahmenübergreifende Projekte"


def round_file(text):
    """Return the small programme with this text as the body of rounds/2024-q2.md."""
    content = programme()
    content["rounds/2024-q2.md"][1] = text
    return content


def import_round(tmp_path, text):
    """Import the small programme with this round body; return the stored round."""
    assert exchange.import_folder(write_folder(tmp_path / "in", round_file(text))) == []
    return ReportRound.by_slug("2024-q2")


@pytest.mark.parametrize("body, intro, projects", [
    ("Bitte berichten.", "Bitte berichten.", ""),
    (f"Bitte berichten.\n\n{HEADING}\n\n**DIGILOG** läuft.", "Bitte berichten.",
     "**DIGILOG** läuft."),
    (f"{HEADING}\n\nNur Projekte.", "", "Nur Projekte."),
    (f"Intro.\n\n{HEADING}   \n\n\nA\n\n### Unterpunkt\n\nB\n\n{HEADING}\n\nC",
     "Intro.", f"A\n\n### Unterpunkt\n\nB\n\n{HEADING}\n\nC"),
    ("Intro.\n\n### Maßnahmenübergreifende Projekte\n\nX",
     "Intro.\n\n### Maßnahmenübergreifende Projekte\n\nX", ""),
    (f"Intro.\n\n{HEADING} und mehr\n\nX", f"Intro.\n\n{HEADING} und mehr\n\nX", ""),
    (f"Intro.\n\n{HEADING}\n", "Intro.", ""),
])
def test_split_projects(body, intro, projects):
    """The first line that is exactly the heading splits the intro from the projects."""
    assert split_projects(body) == (intro, projects)


def test_import_stores_intro_and_projects_apart(app, tmp_path):
    """The section at the end becomes the round's projects, rendered like any Markdown."""
    saved = import_round(tmp_path, f"Bitte berichten.\n\n{HEADING}\n\n**DIGILOG** und [[M01]].")
    assert (saved.body, saved.projects) == ("Bitte berichten.", "**DIGILOG** und [[M01]].")
    assert saved.html == "<p>Bitte berichten.</p>"
    projects = BeautifulSoup(saved.projects_html, "html.parser")
    assert projects.find("strong").get_text() == "DIGILOG"
    assert projects.find("a")["href"] == "/measures/M01"
    assert saved.version == 1


def test_import_without_projects(app, tmp_path):
    """A round without the section has no projects."""
    saved = import_round(tmp_path, "Bitte berichten.")
    assert (saved.body, saved.projects, saved.projects_html) == ("Bitte berichten.", "", "")


@pytest.mark.parametrize("body, written", [
    ("Bitte berichten.", "Bitte berichten."),
    (f"Bitte berichten.\n\n{HEADING}\n\nDIGILOG.", f"Bitte berichten.\n\n{HEADING}\n\nDIGILOG."),
    (f"Bitte berichten.\n\n\n{HEADING}  \nDIGILOG.", f"Bitte berichten.\n\n{HEADING}\n\nDIGILOG."),
    (f"{HEADING}\n\nDIGILOG.", f"{HEADING}\n\nDIGILOG."),
    (f"Bitte berichten.\n\n{HEADING}", "Bitte berichten."),
])
def test_export_writes_the_section_back(app, tmp_path, body, written):
    """Export writes the projects after the intro under their heading, then round-trips exactly."""
    import_round(tmp_path, body)
    exchange.export_folder(tmp_path / "A")
    text = (tmp_path / "A" / "rounds" / "2024-q2.md").read_text(encoding="utf-8")
    assert text == ("---\ntitle: Sachstand 2024/II\nperiod: 2024-Q2\ndue_date: 2024-07-15\n"
                    f"---\n\n{written}\n")
    first = [(r.body, r.projects) for r in ReportRound.select()]
    wipe()
    assert exchange.import_folder(tmp_path / "A") == []
    assert [(r.body, r.projects) for r in ReportRound.select()] == first
    exchange.export_folder(tmp_path / "B")
    assert tree(tmp_path / "A") == tree(tmp_path / "B")


def test_projects_edited_in_the_app_are_exported(app, tmp_path):
    """Projects saved through the app's form appear in the exported file."""
    import_round(tmp_path, "Bitte berichten.")
    round_ = ReportRound.by_slug("2024-q2")
    assert ReportRound.save_over(round_.id, 1, projects="Neu: **Förderung**.")
    exchange.export_folder(tmp_path / "out")
    text = (tmp_path / "out" / "rounds" / "2024-q2.md").read_text(encoding="utf-8")
    assert text.endswith(f"\nBitte berichten.\n\n{HEADING}\n\nNeu: **Förderung**.\n")


def test_demo_round_files_are_exported_byte_for_byte(app, tmp_path):
    """The demo's round files are exactly what export writes, projects section included."""
    assert exchange.import_folder(DEMO) == []
    q4 = ReportRound.by_slug("2022-q4")
    assert q4.projects.startswith("**Forschungsprojekt DIGILOG.**")
    assert HEADING not in q4.body
    assert ReportRound.by_slug("2024-q2").projects.startswith("**Forschungsprojekt DIGILOG.**")
    assert ReportRound.by_slug("2026-q3").projects == ""
    exchange.export_folder(tmp_path / "out")
    for path in sorted((Path(DEMO) / "rounds").glob("*.md")):
        exported = tmp_path / "out" / "rounds" / path.name
        assert exported.read_bytes() == path.read_bytes(), path.name
