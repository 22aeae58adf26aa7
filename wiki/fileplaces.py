"""Where files live, for the views that show them: a measure's or a wiki page's file list and
its upload form. The file routes (wiki/views/files.py) and the status report form, which shows
its measure's files with an upload form of their own (wiki/views/reports.py), share it.
"""
from dataclasses import dataclass

from flask import current_app, url_for

from wiki.domain import files, filetypes
from wiki.models import FileVersion, Page


@dataclass
class Place:
    """Where files live: the page (a measure's too), its name, and the URL arguments."""

    page: Page
    title: str
    url: str
    arguments: dict

    @property
    def key(self):
        """Return the place key of the files (wiki/domain/files.py)."""
        return files.place_of(self.page)


def of_measure(measure):
    """Return the place of a measure's files (under its code)."""
    return Place(measure.page, f"{measure.code} {measure.title}",
                 url_for("measures.view", code=measure.code), {"code": measure.code})


def of_page(page):
    """Return the place of a wiki page's files (under its slug)."""
    return Place(page, page.title, url_for("pages.view", slug=page.slug), {"slug": page.slug})


def allowed():
    """Return the type keys this instance accepts."""
    return tuple(current_app.config["FILE_TYPES"])


def upload_area(place, beside_report=False):
    """Return what files/_area.html shows of a place: its files and the upload form's limits.

    beside_report: the area stands below a status report's form (reports/edit.html), whose
    text must survive an upload: without JavaScript the upload opens in a new tab.
    """
    return {"place": place, "newest": list(FileVersion.newest_in(place.key)),
            "max_mb": current_app.config["FILE_MAX_MB"],
            "types": filetypes.allowed_labels(allowed()), "beside_report": beside_report}
