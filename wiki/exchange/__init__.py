"""The exchange format: a programme as a folder of Markdown files with YAML front matter.

`read` parses and checks each file, `check` the references between files, `write` puts a
checked programme into the database and `export` writes the database back out;
docs/exchange-format.md describes the format.
"""
from wiki.exchange.check import check_programme
from wiki.exchange.export import export_programme
from wiki.exchange.programme import ImportProblem
from wiki.exchange.read import read_folder
from wiki.exchange.write import write_programme
from wiki.models import ActionField, Measure, Page, Strategy, User

__all__ = ["ImportProblem", "export_folder", "import_folder"]


def import_folder(folder):
    """Import a folder into a database without a programme; return the problems found.

    Every file is checked first; when anything is wrong, nothing is written.
    """
    if any(model.select().exists() for model in (Strategy, ActionField, Page, Measure)):
        return [ImportProblem(str(folder), None, "Die Datenbank enthält schon ein Programm; "
                                                 "importiert wird nur in eine leere Datenbank.")]
    programme, problems = read_folder(folder)
    problems += check_programme(programme, [user.username for user in User.select()])
    if problems:
        return problems
    write_programme(programme)
    return []


def export_folder(folder):
    """Export the whole programme into a new or empty folder."""
    export_programme(folder)
