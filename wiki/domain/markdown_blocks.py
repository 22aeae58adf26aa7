"""Blocks as people type them: CommonMark's rules for lists, breaks and tables in Python-Markdown.

Staff write status reports as they write e-mails, in Word or Teams: "Erledigt:" and on the next
line "- …", nested items indented by two spaces, "1)" as a number. Python-Markdown wants a blank
line before a list and four spaces per level, so such text became one run-on paragraph. This
extension rewrites the text's lines before the blocks are read (after fenced code and raw HTML
are stashed away, so neither is touched), following CommonMark (https://spec.commonmark.org):

- A list may interrupt a paragraph: a bullet with text, or a numbered item starting at 1
  (so that a line "2027. …" in running text stays text). A blank line is put before it.
- An item nests under the item whose text it is indented to (two spaces under "- ", three
  under "1. "), and its continuation lines after a blank line belong to the item they reach;
  each is re-indented by four spaces per level, as Python-Markdown reads it.
- An item after a continuation paragraph, or of the other kind (bullet after numbers), starts
  its own block, as CommonMark starts a new list or item there.
- "1)" is read as "1.", and "•" (as lists pasted from Word or Outlook begin) as "-".
- A backslash at the end of a line breaks the line, as two spaces do.
- A table may follow a paragraph line directly (as on GitHub).

Everything else passes unchanged, so text written for Python-Markdown renders as before. Work is
one pass over the lines, each line lengthened by at most four spaces per level of nesting.
"""
import re
from dataclasses import dataclass

from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

ITEM = re.compile(r"(?P<indent> {0,64})(?P<marker>[-*+•]|(?P<number>[0-9]{1,9})[.)])"
                  r"(?P<gap>[ ]+|$)(?P<rest>.*)")
RULE = re.compile(r" {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
TABLE_RULE = re.compile(r" {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-*:?[ \t]*)*$")
# A line ending in an odd number of backslashes ends in a hard break.
BREAK = re.compile(r"(?<!\\)(?:\\\\)*\\$")
LEVEL = 4  # spaces per level of nesting, as Python-Markdown reads lists (its tab length)


@dataclass
class _Item:
    """An open list item: the column where its text starts, and its level."""

    content: int
    level: int


def _item(line):
    """Return the match of a list item line, or None (a rule such as "- - -" is no item)."""
    found = ITEM.match(line)
    if found is None or RULE.match(line):
        return None
    return found


def _content_column(found):
    """Return the column where an item's text starts (CommonMark: one to four spaces after the
    marker; more, or none, count as one)."""
    gap = len(found["gap"])
    start = found.end("marker")
    return start + (gap if 1 <= gap <= 4 and found["rest"] else 1)


def _may_interrupt(found):
    """Tell whether an item may interrupt a paragraph: a bullet with text, or a number 1."""
    if not found["rest"].strip():
        return False
    return found["number"] is None or int(found["number"]) == 1


class _Lines:
    """The rewriting pass: reads lines in order, keeps the open items, writes the new lines."""

    def __init__(self):
        self.out = []
        self.stack = []          # open items, outermost first
        self.kinds = {}          # level: whether the last item written there was numbered
        self.blank = True        # the line before was blank (or there was none)
        self.list_block = False  # the current block (since the last blank) began with an item
        self.paragraph = False   # the line before was running text outside a list
        self.code = False        # inside an indented code block outside a list

    def add(self, line):
        """Read one line and write what Python-Markdown should read for it."""
        if not line.strip():
            self.out.append("")
            self.blank, self.paragraph = True, False
            return
        indent = len(line) - len(line.lstrip(" "))
        found = _item(line)
        if self.code and indent >= LEVEL:
            self.out.append(line)
        elif found is not None and (self.stack or indent <= 3) and self._starts(found):
            self._item(found, indent)
        elif self.stack:
            self._continuation(line, indent)
        else:
            self.out.append(line)
            self.code = self.blank and indent >= LEVEL and not self.paragraph
            self.paragraph, self.list_block = not self.code, False
        self.blank = False

    def _starts(self, found):
        """Tell whether an item line is an item here: in a list, after a blank line (or at the
        start), or interrupting a paragraph as CommonMark allows."""
        return bool(self.stack) or self.blank or (self.paragraph and _may_interrupt(found))

    def _item(self, found, indent):
        """Write an item line at its level, with a blank line before it where one is needed."""
        ordered = found["number"] is not None
        open_items = list(self.stack)
        while self.stack and indent < self.stack[-1].content:
            self.stack.pop()
        level = self.stack[-1].level + 1 if self.stack else 0
        before = self.kinds.get(level)
        if not self.blank and before != ordered and not _may_interrupt(found):
            # A new list inside a paragraph must start with a bullet or 1: "2024) bis …" in an
            # item's text stays text.
            self.stack = open_items
            self.out.append(found.string)
            return
        if not self.blank and (not self.list_block or before not in (None, ordered)):
            self.out.append("")  # a new block: after a paragraph, or a list of the other kind
        self.list_block = True
        self.kinds = {key: kind for key, kind in self.kinds.items() if key < level}
        self.kinds[level] = ordered
        marker = "-" if found["marker"] == "•" else found["marker"].replace(")", ".")
        self.out.append(" " * (LEVEL * level) + marker + " " + found["rest"].lstrip(" "))
        self.stack.append(_Item(_content_column(found), level))
        self.paragraph = self.code = False

    def _continuation(self, line, indent):
        """Write a line inside a list: after a blank line it belongs to the item it reaches
        (or ends the list); otherwise it continues the paragraph before it."""
        if not self.blank:
            self.out.append(line)  # a lazy continuation line, as Python-Markdown reads it too
            return
        while self.stack and indent < self.stack[-1].content:
            self.stack.pop()
        if not self.stack:  # not indented to any item's text: the list has ended
            self.kinds = {}
            self.out.append(line)
            self.code = indent >= LEVEL
            self.paragraph, self.list_block = not self.code, False
            return
        item = self.stack[-1]
        self.out.append(" " * (LEVEL * (item.level + 1)) + line[item.content:])
        self.list_block = False


def rewrite(lines):
    """Return the lines of a Markdown text as Python-Markdown should read them (see above)."""
    lines = [_broken(line, lines[number + 1] if number + 1 < len(lines) else "")
             for number, line in enumerate(lines)]
    lines = _tables_after_paragraphs(lines)
    rewriting = _Lines()
    for line in lines:
        rewriting.add(line.expandtabs(LEVEL) if "\t" in line[:64] else line)
    return rewriting.out


def _broken(line, following):
    """Return a line ending in a backslash (before a line of text) with two spaces instead."""
    if following.strip() and BREAK.search(line):
        return line[:-1] + "  "
    return line


def _tables_after_paragraphs(lines):
    """Return the lines with a blank line before a table header that follows running text."""
    out = []
    for number, line in enumerate(lines):
        if (number + 1 < len(lines) and "|" in line and TABLE_RULE.match(lines[number + 1])
                and out and out[-1].strip() and "|" not in out[-1]):
            out.append("")
        out.append(line)
    return out


class _Preprocessor(Preprocessor):
    """Rewrite the lines (see the module's description)."""

    def run(self, lines):
        """Return the rewritten lines."""
        return rewrite(lines)


class BlocksAsTyped(Extension):
    """The extension: register the rewriting after fenced code and raw HTML are stashed."""

    def extendMarkdown(self, md):  # noqa: N802 - Python-Markdown's name
        """Register the preprocessor below html_block (20) and fenced_code_block (25)."""
        md.preprocessors.register(_Preprocessor(md), "blocks_as_typed", 15)
