"""The texts people write, as stored: each column with the column of its HTML, if rendered.

The HTML is rendered once, when a text is saved (wiki/domain/revisions.py). When the renderer
changes (as with the CommonMark lists of wiki/domain/markdown_blocks.py), rerender() renders every
stored text again, so that old content shows as new content does; migration 0014 runs it.
"""
from wiki.domain import revisions
from wiki.models import (
    ActionField,
    Comment,
    CommentVersion,
    FileVersion,
    ReportRound,
    ReportVersion,
    Revision,
    StatusReport,
)

# (model, [(text column, its HTML column or None)]): the texts a pseudonymisation rewrites
# (wiki/domain/privacy.py) and rerender() renders again.
TEXTS = [
    (Revision, [("body", "html"), ("summary", None)]),
    (StatusReport, [("body", "html")]),
    (ReportVersion, [("body", "html"), ("summary", None)]),
    (Comment, [("body", "html")]),
    (CommentVersion, [("body", "html")]),
    (ActionField, [("body", "html"), ("summary", None)]),
    (ReportRound, [("body", "html"), ("projects", "projects_html")]),
    (FileVersion, [("comment", None)]),
]
BATCH = 500


def rerender():
    """Render every stored Markdown text again; write the HTML that changed.

    Returns (changed, total). Reads only the key, the text and the HTML, in batches by key, so
    that it works on a database whose other columns a later migration has changed.
    """
    changed = total = 0
    for model, columns in TEXTS:
        key = model._meta.primary_key
        for text, html in columns:
            if html is None:
                continue
            source, target = getattr(model, text), getattr(model, html)
            last = 0
            while rows := list(model.select(key, source, target).where(key > last)
                               .order_by(key).limit(BATCH).tuples()):
                for row_id, body, stored in rows:
                    total += 1
                    fresh = str(revisions.render(body or ""))
                    if fresh != stored:
                        model.update({target: fresh}).where(key == row_id).execute()
                        changed += 1
                last = rows[-1][0]
    return changed, total
