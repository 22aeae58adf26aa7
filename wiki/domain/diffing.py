"""Diffs with bounded work: lines first, words only inside changed lines (pure, no database).

difflib's SequenceMatcher is worse than quadratic on repetitive input: two 1.4 kB revisions of
"a b a b …" took 6 s word by word. Here unique lines anchor the texts (as in patience diff), the
stretches between them are compared by Myers' algorithm, and every comparison draws on one
budget of steps per diff; what the budget cannot pay for is shown as whole lines replaced.
"""
import re
from bisect import bisect_left
from dataclasses import dataclass

TOKEN = re.compile(r"\s+|\w+|[^\w\s]")
# Myers steps (diagonals visited plus matching elements followed) for one whole diff, half of
# them at most for the lines: a step took 0.6–1.1 µs on the shared development machine, and
# the costliest 100 kB pair (a table of ja/nein rows, every row changed) 300 ms CPU per
# request with 150,000; one changed word in 100 kB takes 120 steps.
BUDGET = 100_000
# Steps for the words of one changed stretch: past this it is compared line by line, or shown
# as whole lines.
WORD_CAP = 20_000
# What comparing two lines costs besides Myers, in steps: a pair of one-word lines took 24 µs.
CALL_STEPS = 50


class Ops(list):
    """A diff as (op, text) pairs, op being =, - or +; `coarse` tells that lines were shown whole.

    A list, so every template and test that reads pairs keeps working.
    """

    coarse = False


@dataclass
class Budget:
    """The Myers steps a diff may still take."""

    left: int = BUDGET

    def spend(self, steps):
        """Take steps from the budget; tell whether it still held them."""
        self.left -= steps
        return self.left >= 0


def diff_text(old, new, budget=None):
    """Return the diff of two texts as Ops: whole lines where equal, words inside changed ones."""
    budget = budget or Budget()
    a, b = (old or "").splitlines(keepends=True), (new or "").splitlines(keepends=True)
    ops = Ops()
    for tag, i1, i2, j1, j2 in line_opcodes(a, b, budget):
        old_lines, new_lines = a[i1:i2], b[j1:j2]
        if tag == "equal":
            ops.append(("=", "".join(old_lines)))
            continue
        if len(old_lines) == len(new_lines):
            words = _pairs(old_lines, new_lines, budget)
        else:
            words = _words("".join(old_lines), "".join(new_lines), budget)
        if words is None or None in words:
            ops.coarse = True
        ops += [op for op in words or _whole(old_lines, new_lines) if op]
    return _merged(ops)


def _merged(ops):
    """Return the Ops with empty pairs dropped and neighbours of one kind joined."""
    kinds, parts = [], []
    for op, text in ops:
        if text and kinds and kinds[-1] == op:
            parts[-1].append(text)
        elif text:
            kinds.append(op)
            parts.append([text])
    out = Ops((op, "".join(texts)) for op, texts in zip(kinds, parts, strict=True))
    out.coarse = ops.coarse
    return out


def _pairs(old_lines, new_lines, budget):
    """Return the word diffs of lines paired one by one while the budget lasts.

    A pair it cannot afford is shown whole, marked by a None; once the budget is spent, the
    rest is one replacement, so that spent budget costs no more work per line.
    """
    ops = []
    for index, (old, new) in enumerate(zip(old_lines, new_lines, strict=True)):
        if budget.left <= 0:
            return ops + [None] + _whole(old_lines[index:], new_lines[index:])
        words = _words(old, new, budget)
        ops += words if words is not None else [None] + _whole([old], [new])
    return ops


def _whole(old_lines, new_lines):
    """Return lines shown as removed and added whole."""
    return [(op, "".join(lines)) for op, lines in (("-", old_lines), ("+", new_lines)) if lines]


def line_opcodes(a, b, budget=None):
    """Return SequenceMatcher-style opcodes for two lists of lines, within the budget.

    Lines that occur once on each side and in the same order are kept as equal; between them
    Myers' algorithm compares, and a stretch it cannot afford becomes one replacement.
    """
    budget = budget or Budget()
    ids = {}
    x, y = ([ids.setdefault(line, len(ids)) for line in side] for side in (a, b))
    opcodes = []
    i = j = 0
    for anchor_i, anchor_j in _anchors(x, y) + [(len(x), len(y))]:
        opcodes += _compare(x, y, i, anchor_i, j, anchor_j, budget, budget.left // 2)[0]
        if anchor_i < len(x):
            opcodes.append(("equal", anchor_i, anchor_i + 1, anchor_j, anchor_j + 1))
        i, j = anchor_i + 1, anchor_j + 1
    return _join(opcodes)


def _anchors(x, y):
    """Return (i, j) of the lines unique on both sides, the longest run in the same order."""
    count = {}
    for side, items in enumerate((x, y)):
        for item in items:
            seen = count.setdefault(item, [0, 0])
            seen[side] += 1
    where_b = {item: j for j, item in enumerate(y) if count[item] == [1, 1]}
    pairs = [(i, where_b[item]) for i, item in enumerate(x) if item in where_b]
    # Longest increasing subsequence of the j's (patience sorting), O(n log n).
    tails, tail_index, previous = [], [], [None] * len(pairs)
    for index, (_i, j) in enumerate(pairs):
        place = bisect_left(tails, j)
        previous[index] = tail_index[place - 1] if place else None
        if place == len(tails):
            tails.append(j)
            tail_index.append(index)
        else:
            tails[place], tail_index[place] = j, index
    chain, index = [], tail_index[-1] if tail_index else None
    while index is not None:
        chain.append(pairs[index])
        index = previous[index]
    return chain[::-1]


def _compare(x, y, alo, ahi, blo, bhi, budget, cap):
    """Return opcodes for x[alo:ahi] against y[blo:bhi] and whether Myers could pay for them.

    The common start and end are equal; Myers compares what lies between, with at most cap
    steps, and when it cannot the middle is one replacement.
    """
    start = end = 0
    while alo + start < ahi and blo + start < bhi and x[alo + start] == y[blo + start]:
        start += 1
    while (end < min(ahi - alo, bhi - blo) - start
           and x[ahi - 1 - end] == y[bhi - 1 - end]):
        end += 1
    first_a, first_b, last_a, last_b = alo + start, blo + start, ahi - end, bhi - end
    middle = _myers(x[first_a:last_a], y[first_b:last_b], budget, cap)
    exact = middle is not None
    if not exact:
        middle = [("replace", 0, last_a - first_a, 0, last_b - first_b)]
    return ([("equal", alo, first_a, blo, first_b)]
            + [(tag, i1 + first_a, i2 + first_a, j1 + first_b, j2 + first_b)
               for tag, i1, i2, j1, j2 in middle]
            + [("equal", last_a, ahi, last_b, bhi)]), exact


def _myers(a, b, budget, cap):
    """Return the opcodes of a shortest edit of a into b, or None past cap or the budget."""
    n, m = len(a), len(b)
    if not n or not m:
        return [("replace", 0, n, 0, m)]
    limit, used = min(budget.left, cap), 0
    trace, reach = [], [0]  # reach[(k + d) // 2]: furthest x on diagonal k = x - y after d edits
    for d in range(n + m + 1):
        row = []
        for index in range(d + 1):
            k = 2 * index - d
            if d == 0:
                x_pos = 0
            elif index == 0 or (index != d and reach[index - 1] < reach[index]):
                x_pos = reach[index]  # down: one element of b inserted
            else:
                x_pos = reach[index - 1] + 1  # right: one element of a deleted
            y_pos = start = x_pos - k
            while x_pos < n and y_pos < m and a[x_pos] == b[y_pos]:
                x_pos += 1
                y_pos += 1
            used += y_pos - start + 1
            if used > limit:
                budget.spend(used)
                return None
            row.append(x_pos)
            if x_pos >= n and y_pos >= m:
                budget.spend(used)
                return _path(trace + [row], n, m)
        trace.append(row)
        reach = row
    return None  # not reached: after n + m edits the end is always reached


def _path(trace, n, m):
    """Return opcodes by walking Myers' trace back from (n, m)."""
    ops, x_pos, y_pos = [], n, m
    for d in range(len(trace) - 1, 0, -1):
        k, reach = x_pos - y_pos, trace[d - 1]
        index = (k + d) // 2
        down = k == -d or (k != d and reach[index - 1] < reach[index])
        prev_x = reach[index] if down else reach[index - 1]
        prev_y = prev_x - (k + 1 if down else k - 1)
        snake_x = prev_x if down else prev_x + 1
        ops.append(("equal", snake_x, x_pos, snake_x - k, y_pos))
        ops.append(("insert", prev_x, prev_x, prev_y, prev_y + 1) if down
                   else ("delete", prev_x, prev_x + 1, prev_y, prev_y))
        x_pos, y_pos = prev_x, prev_y
    ops.append(("equal", 0, x_pos, 0, y_pos))
    return _join(ops[::-1])


def _join(opcodes):
    """Return opcodes without empty ones and with neighbouring changes merged into one."""
    out = []
    for tag, i1, i2, j1, j2 in opcodes:
        if i1 == i2 and j1 == j2:
            continue
        if out and (out[-1][0] == "equal") == (tag == "equal"):
            i1, j1 = out.pop()[1::2]
        if tag != "equal":
            tag = "insert" if i1 == i2 else "delete" if j1 == j2 else "replace"
        out.append((tag, i1, i2, j1, j2))
    return out


def _words(old, new, budget):
    """Return the word diff of two texts as (op, text) pairs, or None past the budget."""
    if budget.left <= 0:
        return None
    a, b = TOKEN.findall(old), TOKEN.findall(new)
    budget.spend(CALL_STEPS + len(a) + len(b))  # splitting and the call cost steps too
    opcodes, exact = _compare(a, b, 0, len(a), 0, len(b), budget, WORD_CAP)
    if not exact:
        return None
    ops = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            ops.append(("=", "".join(a[i1:i2])))
            continue
        ops += [(op, text) for op, text in (("-", "".join(a[i1:i2])), ("+", "".join(b[j1:j2])))
                if text]
    return ops
