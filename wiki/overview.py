"""Overviews: the start page and the accessibility statement."""
import datetime
import re

from flask import Blueprint, current_app, render_template
from markupsafe import Markup

from wiki.models import ActionField, Measure, Page, Strategy

bp = Blueprint("overview", __name__)
# The filters and globals every template uses come with the blueprint every page links to.

# When the accessibility statement was last reviewed; update it with the statement's text.
STATEMENT_DATE = datetime.date(2026, 11, 24)


@bp.route("/")
def index():
    """Show the programme: Leitbild, action fields with their measures, and the wiki pages."""
    strategy = Strategy.current()
    leitbild = strategy.leitbild if strategy and strategy.leitbild_id else None
    motto, excerpt = _excerpt(leitbild.latest().html) if leitbild else ("", "")
    return render_template(
        "overview/index.html",
        strategy=strategy,
        leitbild=leitbild,
        motto=motto,
        excerpt=excerpt,
        fields=list(ActionField.ordered()),
        measures_by_field=_group_by_field(Measure.listing()),
        assessments=Measure.assessment(datetime.date.today()),
        pages=list(Page.wiki_pages()),
    )


def _excerpt(html):
    """Return the plain text of the first heading and the first paragraph of stored HTML."""
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    paragraph = re.search(r"<p>(.*?)</p>", html, re.S)
    # striptags only reads the sanitised markup; what it returns is plain text, escaped on output.
    return tuple(Markup(match[1]).striptags() if match else ""  # noqa: S704
                 for match in (heading, paragraph))


def _group_by_field(measures):
    """Return {action field id: [measures]}, keeping the measures' order."""
    grouped = {}
    for measure in measures:
        grouped.setdefault(measure.field_id, []).append(measure)
    return grouped


@bp.route("/accessibility")
def accessibility():
    """Show the accessibility statement (Erklärung zur Barrierefreiheit)."""
    return render_template("overview/accessibility.html", statement_date=STATEMENT_DATE,
                           contact=current_app.config["ACCESSIBILITY_CONTACT"])
