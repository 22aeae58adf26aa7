"""Files on measures and wiki pages: the list with its upload form, downloads, versions, restore
and delete. One rule serves both places: /measures/<code>/files… and /pages/<slug>/files….

An upload is checked whole before anything is stored: its size (413), its type from the content
(415), the virus scanner and an image's readability (400); several files go in together or not
at all. Downloads stream from the database and answer range requests (wiki/domain/storage.py).
"""
import unicodedata
from urllib.parse import quote

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from wiki import fileplaces, scanning
from wiki.db import db
from wiki.domain import cleaning, files, filetext, filetypes, images, storage
from wiki.models import FileVersion, Measure, Page, StoredFile
from wiki.routing import MEGABYTE, accepts_files
from wiki.security import htmx, require

bp = Blueprint("files", __name__)

# Every file response is a sandbox: a document that slipped through runs nothing, reaches
# nothing and cannot be framed by another site.
FILE_POLICY = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; " \
              "frame-ancestors 'self'"
PLACES = (("/measures/<code>", "code"), ("/pages/<slug>", "slug"))


def route(suffix, **options):
    """Register a view under both places: measures and wiki pages."""
    def decorator(view):
        for prefix, _argument in PLACES:
            bp.add_url_rule(prefix + "/files" + suffix, view_func=view, **options)
        return view
    return decorator


def _place(code=None, slug=None):
    """Return the place of a measure (by code) or a wiki page (by slug), or raise 404."""
    if code is not None:
        return fileplaces.of_measure(Measure.by_code_or_404(code))
    page = Page.get_or_404(Page.slug == slug)
    if page.kind == "measure":  # a measure's files live under its code
        abort(404)
    return fileplaces.of_page(page)


def _file(place, name):
    """Return the (not deleted) file of this name in a place, or raise 404."""
    stored = StoredFile.named(place.key, name) if len(name) <= 200 else None
    if stored is None or stored.deleted is not None:
        abort(404)
    return stored


@route("", methods=["GET"])
def listing(code=None, slug=None):
    """Show a place's files, and to editors the form to upload more."""
    return _listing(_place(code, slug))


def _listing(place, errors=(), status=200, saved=()):
    """Render the file list with the upload form, and the upload's errors or what it saved;
    htmx gets the part below the heading (files/_area.html), which its upload form replaces."""
    template = "files/_area.html" if htmx else "files/list.html"
    beside_report = htmx and request.form.get("beside") == "report"
    return render_template(template, **fileplaces.upload_area(place, beside_report),
                           errors=list(errors), saved=list(saved)), status


@route("", methods=["POST"])
@require("edit")
@accepts_files
def upload(code=None, slug=None):
    """Take one or several files: all of them are checked, then stored together, or none."""
    place = _place(code, slug)
    uploads = [u for u in request.files.getlist("file") if u and u.filename]
    if not uploads:
        return _listing(place, [_("Bitte eine Datei wählen.")], 400)
    try:
        comment = files.clean_comment(request.form.get("comment", ""))
    except cleaning.Refused as refusal:
        return _listing(place, [str(refusal)], 400)
    checked, status, errors = [], 200, []
    for upload in uploads:
        found, refusal = _check(upload)
        if refusal is not None:
            status = max(status, refusal[0])
            errors.append(refusal[1])
        else:
            checked.append(found)
    if errors:
        return _listing(place, errors, status)
    with db.atomic():
        saved = [files.save(upload.stream, name, kind.key, current_user.id, comment,
                            page=place.page, size=size, text=text)
                 for upload, name, kind, size, text in checked]
    messages = [_("„%(name)s“ gespeichert (Version %(number)d).", name=version.file.name,
                  number=version.number) for version in saved]
    if htmx:  # the form's part of the page, with the list and what was saved
        return _listing(place, saved=messages)
    for message in messages:
        flash(message, "success")
    return redirect(url_for(".listing", **place.arguments), 303)


def _check(upload):
    """Return ((upload, name, kind, image size, text), None) for a file that may come in, else
    (None, (status, German message)). The text for search is read here, before the transaction
    that stores every upload holds the database."""
    name = filetypes.clean_filename(upload.filename)
    size = upload.stream.seek(0, 2)
    upload.stream.seek(0)
    limit = current_app.config["FILE_MAX_MB"]
    if size > limit * MEGABYTE:
        return None, (413, _("„%(name)s“ ist zu groß: höchstens %(limit)d MB.", name=name,
                             limit=limit))
    kind, message = filetypes.check(upload.stream, name, fileplaces.allowed())
    if kind is None:
        return None, (415, message)
    clean, finding = scanning.scan(upload.stream, current_app.config["SCAN_COMMAND"],
                                   current_app.config["SCAN_TIMEOUT"])
    if not clean:
        return None, (400, _("„%(name)s“ wurde von der Virenprüfung abgelehnt: %(finding)s",
                             name=name, finding=finding))
    dimensions = None
    if kind.image:
        info, message = images.inspect(upload.stream)
        if info is None:
            return None, (400, f"„{name}“: {message}")
        dimensions = (info.width, info.height)
    text = filetext.extract(kind.key, upload.stream)
    return (upload, filetypes.name_for(name, kind), kind, dimensions, text), None


@route("/<name>", methods=["GET"])
def download(name, code=None, slug=None):
    """Send a file's newest version."""
    stored = _file(_place(code, slug), name)
    return _send(stored, stored.latest())


@route("/<name>/versions/<id:number>", methods=["GET"])
def version(name, number, code=None, slug=None):
    """Send one version of a file."""
    stored = _file(_place(code, slug), name)
    found = FileVersion.get_or_none(FileVersion.file == stored, FileVersion.number == number)
    if found is None:
        abort(404)
    return _send(stored, found)


@route("/<name>/variants/<id:width>", methods=["GET"])
def variant(name, width, code=None, slug=None):
    """Send the newest version of an image resized to one of its widths (made on first use)."""
    stored = _file(_place(code, slug), name)
    latest = stored.latest()
    made = files.variant_of(latest, width) if width <= images.WIDTHS[-1] else None
    if made is None:
        abort(404)
    return _send_blob(made.blob, made.mime, stored.name, True, latest.created)


def _send(stored, version):
    """Stream a version: its type, inline or as attachment, conditional and in ranges."""
    kind = filetypes.KINDS[version.kind]
    return _send_blob(version.blob, kind.mime, stored.name, kind.inline, version.created)


def _send_blob(blob, mime, name, inline, modified):
    """Stream a blob under a file's name, with the headers that make serving it safe."""
    response = Response(storage.BlobReader(blob.id, blob.size), mimetype=mime,
                        direct_passthrough=True)
    response.content_length = blob.size
    response.set_etag(blob.digest)
    response.last_modified = modified
    response.cache_control.private = True
    response.cache_control.no_cache = True  # ask again each time: a file can be deleted
    response.headers["Content-Disposition"] = _disposition(name, inline)
    response.headers["Content-Security-Policy"] = FILE_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request, accept_ranges=True, complete_length=blob.size)


def _disposition(name, inline):
    """Return a Content-Disposition with the name as uploaded (RFC 6266 with RFC 5987)."""
    simple = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    simple = "".join(c if c.isalnum() or c in " ._-()" else "_" for c in simple) or "datei"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{simple}\"; filename*=UTF-8''{quote(name, safe='')}"


@route("/<name>/versions", methods=["GET"])
def history(name, code=None, slug=None):
    """Show a file's versions: who, when, size and comment; editors may restore one."""
    place = _place(code, slug)
    stored = _file(place, name)
    return render_template("files/history.html", place=place, stored=stored,
                           versions=list(FileVersion.of(stored)))


@route("/<name>/versions/<id:number>/restore", methods=["POST"])
@require("edit")
def restore(name, number, code=None, slug=None):
    """Make an old version the newest again."""
    place = _place(code, slug)
    stored = _file(place, name)
    restored = files.restore(stored, number, current_user.id)
    if restored is None:
        abort(404)
    flash(_("Version %(old)d von „%(name)s“ wiederhergestellt (jetzt Version %(new)d).",
            old=number, name=stored.name, new=restored.number), "success")
    return redirect(url_for(".history", name=stored.name, **place.arguments), 303)


@route("/<name>/delete", methods=["POST"])
@require("edit")
def delete(name, code=None, slug=None):
    """Delete a file softly: it leaves the list; an admin can still bring it back or purge it."""
    place = _place(code, slug)
    stored = _file(place, name)
    files.delete(stored)
    flash(_("„%(name)s“ gelöscht.", name=stored.name), "success")
    return redirect(url_for(".listing", **place.arguments), 303)

