"""Each kept fragment's key holds everything its macro reads (wiki/caching/fragments.py).

Every fragment the pages ask for is rendered a second time with its arguments wrapped in a
recording stand-in. A macro that reads an attribute its declaration leaves out would be kept
under a key without it, and stay stale in every worker when only that attribute changes.
"""
import datetime
import decimal

from flask import get_template_attribute

from wiki.caching import fragments

# Values a macro shows or formats as they are; anything else is an object it reads attributes of.
PLAIN = (type(None), bool, int, float, str, bytes, decimal.Decimal, datetime.date,
         datetime.time, datetime.timedelta, tuple, list, dict, set, frozenset)
URLS = ["/architecture", "/timeline", "/timeline?baseline=2022-06-01", "/dependencies",
        "/measures/M07", "/measures/M07/reports", "/measures/M01", "/measures/M05"]


class Reads:
    """What a macro read of one argument: attribute paths it went through, values it used."""

    def __init__(self):
        """Start with nothing read."""
        self.passed, self.used = set(), set()

    def missing(self, declared):
        """Return the paths read that the declared paths do not cover."""
        prefixes = {path.rsplit(".", i)[0] for path in declared
                    for i in range(1, path.count(".") + 1)}
        return ({path for path in self.used if path not in declared}
                | {path for path in self.passed if path not in declared | prefixes})


class Recording:
    """Stand for an object in a macro: forward every read, and note its attribute path.

    A plain value is handed out as it is (filters and comparisons get the real date or string)
    and noted as used. An object is handed out wrapped, its path noted as passed through (a
    declared deeper path covers it; None, too, is only passed through: a path through None
    reads None into the key). An object shown, compared or iterated whole is used whole, and a
    method called is noted with "()", which no declaration can hold.
    """

    __slots__ = ("_target", "_path", "_reads")

    def __init__(self, target, path, reads):
        """Wrap target, found at path (dotted; "" for the argument itself)."""
        self._target, self._path, self._reads = target, path, reads

    def __getattr__(self, name):
        """Return the target's attribute, wrapped unless plain, and note its path."""
        value = getattr(self._target, name)
        if name.startswith("__"):
            return value
        path = f"{self._path}.{name}" if self._path else name
        if value is None or not isinstance(value, PLAIN) and not callable(value):
            self._reads.passed.add(path)
            return value if value is None else Recording(value, path, self._reads)
        self._reads.used.add(path + "()" if callable(value) else path)
        return value

    def _whole(self):
        """Note that the macro used the object itself, not only attributes of it."""
        self._reads.used.add(self._path or "(the argument itself)")
        return self._target

    def __bool__(self):
        """Tell whether the object is there (covered by the paths read through it)."""
        return bool(self._target)

    def __str__(self):
        """Return the object as text, which uses it whole."""
        return str(self._whole())

    def __eq__(self, other):
        """Compare the object itself."""
        return self._whole() == (other._whole() if isinstance(other, Recording) else other)

    def __hash__(self):
        """Hash the object itself."""
        return hash(self._whole())

    def __iter__(self):
        """Iterate over the object itself."""
        return iter(self._whole())

    def __len__(self):
        """Return the object's length."""
        return len(self._whole())


def test_every_fragment_key_holds_what_its_macro_reads(app, demo, client, login, uncached,
                                                      monkeypatch):
    """Render each fragment the pages show through the stand-in; nothing read is left out."""
    real, missing, seen = fragments.fragment, {}, set()

    def recorded(name, *args):
        html = real(name, *args)
        declared = fragments.FRAGMENTS[name]
        reads = [None if paths is fragments.VALUE or arg is None else Reads()
                 for paths, arg in zip(declared.reads, args, strict=True)]
        wrapped = [arg if read is None else Recording(arg, "", read)
                   for read, arg in zip(reads, args, strict=True)]
        again = get_template_attribute(declared.template, declared.macro)(*wrapped)
        assert again == html, f"{name}: the stand-in changed what the macro shows"
        for number, (read, paths) in enumerate(zip(reads, declared.reads, strict=True)):
            if read is not None:
                missing.setdefault(name, set()).update(
                    f"argument {number}: {path}" for path in read.missing(set(paths)))
        seen.add(name)
        return html

    monkeypatch.setattr(fragments, "fragment", recorded)
    for user in (None, "editor"):
        if user:
            login(user)
        for url in URLS:
            assert client.get(url).status_code == 200, url
    assert seen == set(fragments.FRAGMENTS)  # each declared fragment checked
    assert {name: paths for name, paths in missing.items() if paths} == {}


def test_a_read_left_out_of_the_declaration_is_found():
    """The stand-in notes attributes, paths through objects and None, and whole uses."""
    author = type("Author", (), {"display_name": "Anna"})()
    report = type("Report", (), {"id": 3, "author": author, "editor": None,
                                 "period": datetime.date(2025, 1, 1)})()
    reads = Reads()
    shown = Recording(report, "", reads)
    assert shown.id == 3 and shown.author.display_name == "Anna" and shown.editor is None
    assert str(shown.author) == str(author) and shown.period.year == 2025
    assert reads.missing({"id", "author.display_name", "period"}) == {"author", "editor"}
    assert reads.missing({"id", "author", "author.display_name", "period", "editor"}) == set()
