"""Administration of attached files: what they take in the database, the largest ones, and the
deleted ones, which an admin brings back or purges for good (both audited)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from wiki import audit
from wiki.db import db
from wiki.domain import files
from wiki.models import FileVersion, Page, StoredFile
from wiki.views.admin.home import bp

LARGEST = 20  # files listed by size


@bp.route("/files")
def files_overview():
    """Show the storage: totals, the largest files and the deleted ones."""
    blobs, size = files.total_size()
    return render_template(
        "admin/files.html", blobs=blobs, size=size,
        file_count=StoredFile.select().where(StoredFile.deleted.is_null()).count(),
        version_count=FileVersion.select().count(), largest=list(StoredFile.largest(LARGEST)),
        deleted=list(StoredFile.deleted_ones()), limit=LARGEST)


def _deleted_file(file_id):
    """Return a softly deleted file of a page or measure, or raise 404."""
    stored = (StoredFile.select(StoredFile, Page).join(Page)
              .where(StoredFile.id == file_id, StoredFile.deleted.is_null(False)).first())
    if stored is None:
        abort(404)
    return stored


def _where(stored):
    """Return the place of a file in words, for the audit log: "M07" or the page's slug."""
    page = stored.page
    return page.slug.upper() if page.kind == "measure" else page.slug


@bp.route("/files/<id:file_id>/undelete", methods=["POST"])
def file_undelete(file_id):
    """Bring a deleted file back into its list."""
    stored = _deleted_file(file_id)
    with db.atomic():
        files.undelete(stored)
        audit.record("file.undelete", f"file/{stored.id}", name=stored.name, place=_where(stored))
    flash(_("„%(name)s“ ist wieder da.", name=stored.name), "success")
    return redirect(url_for(".files_overview"), 303)


@bp.route("/files/<id:file_id>/purge", methods=["GET", "POST"])
def file_purge(file_id):
    """Ask (GET), then delete a deleted file with all its versions for good (POST)."""
    stored = _deleted_file(file_id)
    versions = list(FileVersion.of(stored))
    if request.method == "GET":
        return render_template("admin/file_purge.html", stored=stored, versions=versions)
    with db.atomic():
        files.purge(stored)
        audit.record("file.purge", f"file/{stored.id}", name=stored.name, place=_where(stored),
                     versions=len(versions))
    flash(_("„%(name)s“ ist mit allen Versionen endgültig gelöscht.", name=stored.name),
          "success")
    return redirect(url_for(".files_overview"), 303)
