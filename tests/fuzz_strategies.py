"""Hostile inputs for the fuzz suite: a named catalogue and Hypothesis strategies built on it.

The catalogue is what a sweep gives every field in turn; the strategies mix the same pieces
into a field's valid value, so that a generated example reads as "the valid value, plus this".
"""
from hypothesis import strategies as st

CONTROLS = [chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]]  # C0, DEL, C1
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

# Pieces that each stand for one class of hostile input; (name, text).
PIECES = [
    ("nul", "\x00"),
    ("c0", "\x01\x08\x1b"),
    ("del", "\x7f"),
    ("c1", "\x85\x9b"),
    ("newline", "\n"),
    ("crlf", "\r\n"),
    ("tab", "\t"),
    ("line-separator", "\u2028"),
    ("bidi-override", "\u202e"),
    ("bidi-isolate", "\u2066x\u2069"),
    ("zero-width", "\u200b\u200d\ufeff"),
    ("combining", "e\u0301"),
]
# Whole values; (name, text). Long ones are built once, here.
VALUES = [
    *PIECES,
    ("fullwidth-digits", "２０２４"),
    ("arabic-indic-digits", "٢٠٢٤"),
    ("2**64", str(2**64)),
    ("-2**63-1", str(-(2**63) - 1)),
    ("2**63", str(2**63)),
    ("10**100", str(10**100)),
    ("-1", "-1"),
    ("0", "0"),
    ("0001-01-01", "0001-01-01"),
    ("9999-12-31", "9999-12-31"),
    ("9999-Q4", "9999-Q4"),
    ("0999-Q4", "0999-Q4"),
    ("31.12.9999", "31.12.9999"),
    ("2024-02-30", "2024-02-30"),
    ("nested-list-1000", "\n".join("  " * depth + "- x" for depth in range(1000))),
    ("quote-1000", ">" * 1000 + " x"),
    ("brackets-10000", "[" * 10_000),
    ("link-brackets-5000", "[x](" * 5_000),
    ("emphasis-5000", "*_" * 5_000),
    ("length-300", "x" * 300),
    ("length-301", "x" * 301),
    ("length-100k", "x" * 100_000),
    ("length-1M", "Wort " * 200_000),
    ("html", "<script>alert(1)</script>"),
    ("percent", "%00%0a%ff"),
    ("sql", "' OR 1=1 --"),
]


def look_alike(valid):
    """Return the valid value with its digits fullwidth and Arabic-Indic (none: None)."""
    if not any(char.isdigit() for char in valid):
        return []
    return [valid.translate(FULLWIDTH), valid.translate(ARABIC_INDIC)]


def hostile_piece():
    """Draw a short hostile piece: any control character, or one of the classes above."""
    return st.one_of(st.sampled_from(CONTROLS), st.sampled_from([text for _, text in PIECES]))


def hostile_value(valid):
    """Draw a hostile value for a field whose valid value is `valid`."""
    inserted = st.tuples(hostile_piece(), st.integers(0, len(valid))).map(
        lambda drawn: valid[:drawn[1]] + drawn[0] + valid[drawn[1]:])
    repeated = st.tuples(hostile_piece(), st.integers(1, 500)).map(lambda d: d[0] * d[1])
    mixed = st.text(st.sampled_from([*CONTROLS, "\u202e", "\u200b", "０", "٣", "[", ">", "-",
                                     " ", "\n", "a", "9"]), max_size=60)
    return st.one_of(st.sampled_from([text for _, text in VALUES] + look_alike(valid)),
                     inserted, repeated, mixed)


def hostile_number():
    """Draw a number that a route or a query parameter should refuse or bound."""
    return st.one_of(st.sampled_from([2**64, 2**63, -(2**63) - 1, 10**100, -1, 0]),
                     st.integers(min_value=-(2**70), max_value=2**70))


def hostile_json():
    """Draw a JSON document: deep nesting, huge numbers, the wrong types."""
    deep = st.integers(100, 3_000).map(lambda n: "[" * n + "]" * n)
    deep_objects = st.integers(100, 3_000).map(lambda n: '{"a":' * n + "1" + "}" * n)
    scalars = st.one_of(st.none(), st.booleans(), hostile_number().map(str),
                        st.floats(allow_nan=False).map(repr), st.just("1e999"),
                        st.just('"\\u0000"'), st.just('"\\ud800"'))
    wrong = st.sampled_from(['{"page": "x"}', '{"page": [1]}', '{"code": {"$ne": 1}}',
                             "[1, 2, 3]", '{"a": NaN}', "{", '"', "\x00"])
    return st.one_of(deep, deep_objects, scalars.map(str), wrong)
