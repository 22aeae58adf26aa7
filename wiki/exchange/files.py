"""Exchange files: Markdown with YAML front matter, and the time stamps of revisions."""
import re
from datetime import UTC, datetime, time
from pathlib import Path

import yaml

from wiki.domain import clock

CLOSING = re.compile(r"^---[ \t]*$", re.M)
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}"
                   r"([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([+-]\d{2}:\d{2}|Z)?)?$", re.ASCII)
TIMESTAMP = "tag:yaml.org,2002:timestamp"
FLOAT = "tag:yaml.org,2002:float"  # no field is a fraction; a code like 1.10 is no number 1.1
# Times in files are local times of the programme's city; the database keeps naive UTC.


def _without_timestamps(resolvers):
    """Return YAML's implicit resolvers minus those that turn dates and decimals into objects."""
    return {first: [(tag, regexp) for tag, regexp in pairs if tag not in (TIMESTAMP, FLOAT)]
            for first, pairs in resolvers.items()}


class Loader(yaml.SafeLoader):
    """Read front matter safely, keeping dates and decimals as text (each checked with a message).

    A measure code such as 1.10 stays the text "1.10": read as a number it would be 1.1.
    """

    yaml_implicit_resolvers = _without_timestamps(yaml.SafeLoader.yaml_implicit_resolvers)


class Dumper(yaml.SafeDumper):
    """Write front matter: dates and codes like 1.10 as plain text, short lists inline."""

    yaml_implicit_resolvers = _without_timestamps(yaml.SafeDumper.yaml_implicit_resolvers)

    def increase_indent(self, flow=False, indentless=False):
        """Indent lists inside mappings, as people write them."""
        return super().increase_indent(flow, False)


def _represent_str(dumper, text):
    """Write text with line breaks as a literal block."""
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def _represent_list(dumper, items):
    """Write a list of plain values inline, like [M05, M07]."""
    flow = all(not isinstance(item, dict | list) for item in items)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=flow)


Dumper.add_representer(str, _represent_str)
Dumper.add_representer(list, _represent_list)


def read_inside(folder, path):
    """Return the text of a file of the folder; refuse links and anything outside the folder."""
    _check_inside(folder, path)
    return path.read_text(encoding="utf-8")


def read_bytes_inside(folder, path, limit):
    """Return the bytes of a file of the folder (at most limit of them; more is refused);
    refuse links and anything outside the folder."""
    _check_inside(folder, path)
    if path.stat().st_size > limit:
        raise ValueError(f"Die Datei ist größer als {limit // (1024 * 1024)} MB.")
    return path.read_bytes()


def _check_inside(folder, path):
    """Raise ValueError for a link or a path outside the folder.

    A link (pages/x.md → /etc/…) or a linked folder on the way would import, and publish, a
    file from elsewhere on the server: the file itself and every folder below the import
    folder must be real, and the path must resolve inside it.
    """
    root = Path(folder).resolve()
    inside = Path(folder)
    for part in path.relative_to(folder).parts:
        inside = inside / part
        if inside.is_symlink():
            raise ValueError(f"»{inside.relative_to(folder).as_posix()}« ist ein symbolischer "
                             "Link; gelesen werden nur Dateien, die wirklich im Ordner liegen.")
    if not path.resolve().is_relative_to(root) or not path.is_file():
        raise ValueError("Die Datei liegt nicht im Ordner des Imports; sie wird nicht gelesen.")


def parse(text):
    """Return (front matter, body) of a file's text; raise ValueError with a German message."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if not text.startswith("---\n"):
        raise ValueError("Keine Kopfdaten: die Datei muss mit einer Zeile »---« beginnen.")
    closing = CLOSING.search(text, 4)
    if closing is None:
        raise ValueError("Die Kopfdaten werden nicht mit einer Zeile »---« abgeschlossen.")
    meta = _load(text[4:closing.start()])
    if not isinstance(meta, dict):
        raise ValueError("Die Kopfdaten müssen Felder der Form »name: Wert« sein.")
    return meta, text[closing.end():].strip("\n")


def _load(head):
    """Return the YAML document in head ({} when empty)."""
    loader = Loader(head)
    try:
        return loader.get_single_data() or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" in Zeile {mark.line + 2}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ValueError(f"Ungültiges YAML{where}: {problem}.") from None
    finally:
        loader.dispose()


def dump(meta, body):
    """Return the text of a file with this front matter and body."""
    head = yaml.dump(meta, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=1000,
                     default_flow_style=False)
    return f"---\n{head}---\n" + (f"\n{body}\n" if body else "")


def parse_stamp(value):
    """Return the naive UTC time of a local date or date and time (an offset may be given)."""
    text = str(value).strip()
    try:
        if not STAMP.match(text):
            raise ValueError
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"Ungültiger Zeitpunkt »{text}« (erwartet JJJJ-MM-TT oder "
                         "JJJJ-MM-TTThh:mm).") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=clock.zone())
    return moment.astimezone(UTC).replace(tzinfo=None)


def format_stamp(moment):
    """Return a stored UTC time as local text: a date at midnight, else minutes (or finer)."""
    local = moment.replace(tzinfo=UTC).astimezone(clock.zone())
    if not local.fold:  # only the second pass of a repeated hour needs its offset written
        local = local.replace(tzinfo=None)
    if local.time() == time(0) and local.tzinfo is None:
        return local.date().isoformat()
    precise = local.second or local.microsecond
    return local.isoformat(timespec="auto" if precise else "minutes")
