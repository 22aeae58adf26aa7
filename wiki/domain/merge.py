"""Diffs and three-way merges of page text and metadata (pure functions, no database)."""
from dataclasses import dataclass, field

from wiki.domain.diffing import Ops, diff_text, line_opcodes

MARK_MINE = "<<<<<<< Ihre Fassung"
MARK_SPLIT = "======="
MARK_THEIRS = ">>>>>>> Gespeicherte Fassung"


def diff_words(old, new):
    """Return the word-level diff of two texts as Ops of (op, text) pairs; op is =, - or +.

    Words are compared only inside changed lines and within a bounded number of steps; when
    that is not enough, lines are shown whole and the Ops are `coarse`.
    """
    found = diff_text(old, new)
    ops = Ops(_coalesce(found))
    ops.coarse = found.coarse
    return ops


def _coalesce(ops):
    """Join changes separated only by a space into one, so a diff reads phrase by phrase."""
    out, removed, added = [], "", ""
    for i, (op, text) in enumerate(ops):
        bridge = (op == "=" and text.isspace() and (removed or added)
                  and i + 1 < len(ops) and ops[i + 1][0] != "=")
        if op == "=" and not bridge:
            out += [(o, t) for o, t in (("-", removed), ("+", added)) if t]
            removed = added = ""
            out.append((op, text))
        else:
            removed += text if op in "=-" else ""
            added += text if op in "=+" else ""
    return out + [(o, t) for o, t in (("-", removed), ("+", added)) if t]


@dataclass
class Conflict:
    """Lines both sides changed differently: the base and each side's version."""

    base: str
    mine: str
    theirs: str


@dataclass
class Merge:
    """A merged text as segments: strings where the sides agree, Conflicts where they don't."""

    segments: list = field(default_factory=list)

    @property
    def conflicts(self):
        """Return the conflicts."""
        return [s for s in self.segments if isinstance(s, Conflict)]

    @property
    def clean(self):
        """Tell whether the merge needs no decision."""
        return not self.conflicts

    def text(self):
        """Return the merged text, with conflict markers around every conflict."""
        out = []
        for s in self.segments:
            if isinstance(s, Conflict):
                out += [MARK_MINE, "\n", _line(s.mine), MARK_SPLIT, "\n",
                        _line(s.theirs), MARK_THEIRS, "\n"]
            else:
                out.append(s)
        return "".join(out)


def _line(text):
    """Return text ending in a newline (if not empty)."""
    return text if not text or text.endswith("\n") else text + "\n"


def has_markers(text):
    """Tell whether a text still holds unresolved conflict markers."""
    return any(line.startswith((MARK_MINE, MARK_THEIRS)) for line in (text or "").splitlines())


def _hunks(base, other, side):
    """Return the changes from base to other as (start, end, side, lines) over base lines."""
    return [(i1, i2, side, other[j1:j2])
            for tag, i1, i2, j1, j2 in line_opcodes(base, other) if tag != "equal"]


def _apply(base, start, end, hunks):
    """Return base[start:end] with the given hunks (all inside that range) applied."""
    out, pos = [], start
    for h_start, h_end, _side, lines in hunks:
        out += base[pos:h_start] + lines
        pos = h_end
    return out + base[pos:end]


def merge_text(base, mine, theirs):
    """Merge two edits of base line by line; changes that touch the same lines conflict."""
    b, m, t = (s.splitlines(keepends=True) for s in (base or "", mine or "", theirs or ""))
    hunks = sorted(_hunks(b, m, "mine") + _hunks(b, t, "theirs"), key=lambda h: (h[0], h[1]))
    merge, pos, i = Merge(), 0, 0
    while i < len(hunks):
        group, start, end = [hunks[i]], hunks[i][0], hunks[i][1]
        i += 1
        while i < len(hunks) and hunks[i][0] <= end:  # touching or overlapping: decide together
            group.append(hunks[i])
            end = max(end, hunks[i][1])
            i += 1
        merge.segments.append("".join(b[pos:start]))
        mine_part = _apply(b, start, end, [h for h in group if h[2] == "mine"])
        theirs_part = _apply(b, start, end, [h for h in group if h[2] == "theirs"])
        sides = {h[2] for h in group}
        if sides == {"mine"} or mine_part == theirs_part:
            merge.segments.append("".join(mine_part))
        elif sides == {"theirs"}:
            merge.segments.append("".join(theirs_part))
        else:
            merge.segments.append(Conflict("".join(b[start:end]), "".join(mine_part),
                                           "".join(theirs_part)))
        pos = end
    merge.segments.append("".join(b[pos:]))
    merge.segments = [s for s in merge.segments if s != ""]
    return merge


def merge_fields(base, mine, theirs):
    """Merge two edits of a metadata dict field by field; return (merged, conflicting names)."""
    merged, conflicts = {}, []
    for name in sorted(set(base) | set(mine) | set(theirs)):
        b, m, t = base.get(name), mine.get(name), theirs.get(name)
        if m == t or t == b:
            merged[name] = m
        elif m == b:
            merged[name] = t
        else:
            merged[name] = m
            conflicts.append(name)
    return merged, conflicts
