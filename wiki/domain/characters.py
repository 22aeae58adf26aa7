"""The characters each output can carry: XML 1.0, mail headers, plain text, spreadsheet cells.

Input is cleaned at the door, but older rows, imports and direct writes to the database can hold
anything a column takes. Every encoder that writes stored text passes it through one of these,
so no stored value can make an output invalid (pure, no database).
"""
import re

# What str.splitlines() and the e-mail policy take for a line break besides \n and \r: vertical
# tab (Word's Shift+Enter), form feed, the file, group and record separators, NEL, U+2028/9.
BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
LINE_BREAKS = re.compile(f"\r\n|[\r{BREAKS}]")
XML_BREAKS = re.compile("[\x0b\x0c\x1c-\x1e]")  # breaks XML does not allow, as \n
# XML 1.0 (section 2.2) allows tab, LF, CR and U+0020 up, but no surrogate nor U+FFFE/U+FFFF. It
# discourages DEL and the C1 controls (NEL aside), which no text needs either.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")  # not \t, \n
IN_LINE = re.compile(f"[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff{BREAKS}]")  # not \t
BLANKS = re.compile(r"\s+")
# A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def xml_text(text):
    """Return text without the characters XML 1.0 does not allow; line breaks stay breaks."""
    return NOT_XML.sub("", XML_BREAKS.sub("\n", text))


def printable(text):
    """Return text with \\n for every kind of line break and no other control but tab."""
    return CONTROLS.sub("", LINE_BREAKS.sub("\n", text))


def one_line(text):
    """Return text as one line (a mail header, a name): breaks and controls become one space."""
    return BLANKS.sub(" ", CONTROLS.sub(" ", LINE_BREAKS.sub(" ", text))).strip()


def content_line(text):
    """Return text without any line break or control but tab (a line of a line-based format)."""
    return IN_LINE.sub("", text)


def spreadsheet_cell(value):
    """Return a value as a cell no spreadsheet reads as a formula, without control characters."""
    text = printable(str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text
