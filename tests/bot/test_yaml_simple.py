"""The frontmatter fast path (bot/yaml_simple.py) gives what libyaml gives, or leaves the text to it."""

from __future__ import annotations

import datetime
import math
import time
import tracemalloc

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.note import load_frontmatter
from bot.yaml_reader import CoreSchemaLoader
from bot.yaml_simple import simple_load


def _loaded(text: str) -> object:
    """What the loader gives, or the exception type it raises."""
    try:
        return yaml.load(text, Loader=CoreSchemaLoader)
    except Exception as error:  # any failure: the fast path must not read the text at all
        return type(error)


def _same(a: object, b: object) -> bool:
    """Equal with the same types all the way down (`1 == True` and `date == datetime` do not count)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        assert isinstance(b, dict)
        return list(map(repr, a)) == list(map(repr, b)) and all(_same(x, y) for x, y in zip(a.items(), b.items()))
    if isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple))
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return a == b


# Pieces chosen to hit every boundary of the fast path's grammar: indicators at a scalar's start
# and inside it, `: ` and ` #`, quotes, brackets, the characters libyaml or str.strip treat
# specially, and values every resolver claims.
_ATOMS = [
    "a",
    "Bob",
    "x y",
    "type/doc",
    "[[Alice]]",
    "2025-10-06",
    "2025-02-29",
    "2025-10-06 09:30:00",
    "2025-10-06T09:30:00Z",
    "12",
    "-3",
    "+5",
    "007",
    "1.5",
    ".5",
    "1e3",
    "1.",
    "0x1F",
    ".inf",
    "true",
    "False",
    "TRUE",
    "yes",
    "null",
    "Null",
    "~",
    "<<",
    "=",
    "12:30",
    "1_000",
    "...",
    "---",
    "-",
    "- ",
    "?",
    ":",
    ": ",
    " :",
    "#",
    " #",
    "# x",
    "'",
    "''",
    '"',
    '\\"',
    "\\",
    "[",
    "]",
    "{",
    "}",
    ",",
    ", ",
    "&a",
    "*a",
    "!",
    "!!str",
    "|",
    ">",
    "%",
    "@",
    "`",
    "\t",
    "\r",
    "\r\n",
    "\n",
    "\n  ",
    "\n- ",
    "\n  - ",
    "\u00a0",
    "\u2028",
    "\x85",
    "\ufeff",
    "\x7f",
    "é",
    "日本",
    "😀",
    " ",
    "  ",
]
_TEXT = st.lists(st.sampled_from(_ATOMS) | st.text(max_size=3), max_size=5).map("".join)
_SCALAR = st.one_of(
    _TEXT,
    st.sampled_from(_ATOMS),
    _TEXT.map(lambda text: "'" + text.replace("'", "''") + "'"),
    _TEXT.map(lambda text: f'"{text}"'),
    st.lists(st.one_of(_TEXT, st.sampled_from(_ATOMS)), max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
)
_KEY = st.one_of(st.sampled_from(["type", "date", "tags", "meeting_date", "Created at", "1", "true", "~", "a b", "it's"]), _TEXT)


@st.composite
def _frontmatter(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 5))):
        key = draw(_KEY)
        if draw(st.booleans()):
            lines.append(f"{key}: {draw(_SCALAR)}")
        else:
            lines.append(f"{key}:")
            indent = draw(st.sampled_from(["", "  ", "    "]))
            for _ in range(draw(st.integers(0, 3))):
                lines.append(f"{indent}- {draw(_SCALAR)}")
        if draw(st.integers(0, 5)) == 0:
            lines.append(draw(st.sampled_from(["", "# a comment", "  # indented", "   ", "  more", "- stray", "---", "..."])))
    newline = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    return newline.join(lines) + draw(st.sampled_from(["", newline]))


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_frontmatter())
@example("type: doc\ntags: [type/doc, design, long]\nstatus: draft\n")
@example("participants:\n  - \"[[Hooli Data]]\"\n  - '[[Ivo Sato]]'\ntime: '10:30'\ndate: 2024-09-29\n")
@example("a: b\n\u00a0c: d\n")
@example("a: \u00a0x \u00a0\nb:\n- \u3000c\u00a0\n")
@example("...: x\n")
@example("a: [b,c]\n")
@example("a: 'x' # c\nb: [x] # c\n")
def test_the_fast_path_reads_what_libyaml_reads(text: str) -> None:
    fast = simple_load(text)
    if fast is not None:
        assert _same(fast, _loaded(text)), text


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab: -#'\"[],\n\t\r\u00a0{}&*!?.~0123")), max_size=40))
def test_the_fast_path_reads_what_libyaml_reads_for_any_text(text: str) -> None:
    fast = simple_load(text)
    if fast is not None:
        assert _same(fast, _loaded(text)), text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("type: doc\ntags: [type/doc, design]\n", {"type": "doc", "tags": ["type/doc", "design"]}),
        ("date: 2024-09-29\ntime: '10:30'\n", {"date": datetime.date(2024, 9, 29), "time": "10:30"}),
        ('tags:\n- a\n- 2024\nsummary: "Quoted: text"\n', {"tags": ["a", 2024], "summary": "Quoted: text"}),
        ("tags:\nnext: ~\n", {"tags": None, "next": None}),
        ("a: 2025-02-29\r\nb: 1.5 # comment\r\n", {"a": "2025-02-29", "b": 1.5}),
    ],
)
def test_the_usual_shapes_take_the_fast_path(text: str, value: dict[str, object]) -> None:
    fast = simple_load(text)
    assert fast is not None and _same(fast, value)
    assert _same(load_frontmatter(text), value)


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # anchors and aliases
        "a: !!str 1\n",  # tags
        "a: |\n  text\n",  # block scalars
        "a: b\n  c\n",  # a plain scalar over two lines
        "a:\n  b: c\n",  # nesting
        'a: "tab\\t"\n',  # escapes
        "a: 2025-10-06T09:30:00\n",  # datetimes: the loader's constructor reads zones and fractions
        "related: [[Alice]]\n",  # a nested list
        "a: b\rc: d\n",  # a bare carriage return
        "# only a comment\n",
        "",
    ],
)
def test_other_shapes_are_left_to_libyaml(text: str) -> None:
    assert simple_load(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "tags: [a" + " " * 60_000 + "b]\n",  # a lazy item before ` *` tried each run of spaces two ways
        "tags: [a" + " " * 60_000 + "b\n",
        "tags: [" + "b c " * 15_000 + "\n",
        "a: '" + "''" * 30_000 + " x\n",
        "a: '" + "' #" * 20_000 + "\n",
        "k" * 60_000 + ": v\n",
    ],
    ids=["spaces in an item", "spaces in an unclosed item", "words in an unclosed list", "quotes", "comments", "long key"],
)
def test_frontmatter_near_the_size_limit_is_read_in_linear_time(text: str) -> None:
    started = time.process_time()
    fast = simple_load(text)
    assert time.process_time() - started < 1, "quadratic: 60 KB took seconds"
    if fast is not None:
        assert _same(fast, _loaded(text))


def test_long_values_are_not_kept_after_their_notes() -> None:
    """What the reader keeps for the next note stays small: 2,000 notes' 20 KB summaries, each
    read once, once kept 40 MB for as long as the process ran (a daemon's whole life)."""
    simple_load("summary: warm up\n")
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for number in range(2_000):
            assert simple_load(f"summary: {number} {'x' * 20_000}\n") is not None
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept < 2_000_000, f"{kept:,} bytes kept"


# Edges a hostile note may hold, each pinned here (the generated tests reach them only by chance):
# quoting, comments, keys without a space, numbers and dates in every spelling, flow-list corners,
# block-list indentation, line ends, characters libyaml treats specially, and long keys near its limit.
_EDGES = [
    *("a: it''s\n", "a: 'it''s'\n", "a: 'b'#c\n", 'a: "x # y"\n', "a: b #c\n", "a: b#c\n", "a:b\n", "a: b :c\n", "a: b:c\n"),
    *("a: b:#c\n", "a: x: \n", "a: x:\n", "a: ''\n", 'a: ""\n', "a: ' '\n", "a: x \\\n", "a: 'x'  \n", "a: x  \n", "a:   \nb: 1\n"),
    *("a: 0x1F\n", "a: 0o17\n", "a: 0b101\n", "a: 1_000\n", "a: +1\n", "a: -0\n", "a: -0.0\n", "a: 007\n", "a: .5\n", "a: +.5\n"),
    *("a: 1.\n", "a: 1.e3\n", "a: 1e3\n", "a: 1E3\n", "a: .e3\n", "a: 1e\n", "a: 1e400\n", "a: " + "9" * 101 + "\n", "a: +\n"),
    *("a: .inf\n", "a: -.Inf\n", "a: .NaN\n", "a: 12:30\n", "a: ~\n", "a: null\nb: Null\nc: NULL\nd: nULL\n", "a: ~x\n"),
    *("a: yes\nb: on\nc: True\nd: TRUE\ne: tRue\n", "a: true false\n", "a: <<\n", "a: =\n", "a: .\n", "a: -\n", "a: -x\n"),
    *("a: 2024-1-1\n", "a: 2024-01-01T10:00\n", "a: 2024-02-30\n", "a: 0000-01-01\n", "a: 2024-13-01\n", "a: 2024-01-01 # d\n"),
    *("2024-01-01: x\n", "true: 1\n1: 2\n", "~: x\n", "1.5: x\n", "a b: c\n", "a'b: c\n", 'a"b: c\n', "a!: x\n", "...: x\n"),
    *("a: [a,]\n", "a: [ ]\n", "a: []\n", "a: [a, [b]]\n", "a: [a] b\n", "a: [a]#c\n", "a: [a]]\n", "a: [ a , b ]\n"),
    *("a: [a, 'b, c', \"d]\"]\n", "a: ['it''s']\n", "a: [it's]\n", 'a: [a"b]\n', "a: [a  b]\n", "a: [~, '', \"\"]\n"),
    *("a: [1, 2.5, true, null, 2024-01-01, 2024-02-30]\n", "a: [[L]]\n", "a: '[[L]]'\n", "a: x]\n", "a: x,y\n", "a: x{\n"),
    *("a:\n-\n- \n", "a:\n  - x\nb: 1\n", "a:\n- x\n# c\n- y\n", "a:\n- x\n\n- y\n", "a:\n\n- x\n", "a:\n - x\n  - y\n"),
    *("a:\n  - x\n- y\n", "a:\n- a\n  b\n", "a:\n- [a, b]\n- []\n", "a:\n- 'a' # c\n", "a:\n- # c\n", "a:\n- a: b\n"),
    *("a: 1\na: 2\n", "a:\n- x\na: y\n", "a: b\n...\n", "a: b\n--- \n", "a: b\r\nc: d\r\n", "a: b\r\n\r\n", "a: b"),
    *("a: x\x85y\n", "a: x\u2028y\n", "a: x\u2029\n", "a: x\x00\n", "a: \ufeffx\n", "\ufeffa: x\n", "a: \x1b\n", "a: \uffff\n"),
    *("a: \u00a0\n", "\u00a0: x\n", "a: x\u3000\n", "a: x\u200b\n", "a: \U0010ffff\n", 'a: "\\ud800"\n', 'a: "\\u00e9"\n'),
    *("? a\n: b\n", "a: &x b\nc: *x\n", "!!str a: b\n", "a: !x y\n", "%YAML 1.2\n---\na: b\n", "a: x\n\tb: y\n"),
    *("k" * 1000 + ": v\n", "k" * 1001 + ": v\n", "é" * 1000 + ": v\n", "😀" * 1000 + ": v\n", "k" * 1030 + ":\n- v\n"),
]


@pytest.mark.parametrize("text", _EDGES)
def test_an_edge_is_read_as_libyaml_reads_it(text: str) -> None:
    fast = simple_load(text)
    assert fast is None or _same(fast, _loaded(text))
