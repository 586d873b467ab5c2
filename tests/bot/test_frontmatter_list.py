"""A list rewritten item by item: comments and kept items stay."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.frontmatter_edit import _set_key_fast, _set_key_with_ruamel, set_key
from bot.frontmatter_list import Add, Drop, Keep, Replace, steps
from bot.yaml_reader import CoreSchemaLoader, scalar_text

CASES = [
    (
        "block: comments beside, between and after the items",
        "tags:\n  - project  # main project\n  # - old-tag\n  - x\n# after\nz: 1\n",
        ["type/m", "project", "x"],
        "tags:\n  - type/m\n  - project  # main project\n  # - old-tag\n  - x\n# after\nz: 1\n",
    ),
    (
        "block: a dropped item's comment goes, the standalone one stays",
        "tags:\n- a  # about a\n# keep me\n- b\n",
        ["b"],
        "tags:\n# keep me\n- b\n",
    ),
    ("block: an item changed in place keeps its comment and quoting", "tags:\n  - '#x'  # why\n", ["x"], "tags:\n  - 'x'  # why\n"),
    ("block: the empty placeholder becomes the item", "tags:\n- \nz: 1\n", ["a"], "tags:\n- a\nz: 1\n"),
    ("block: a dropped item takes its blank line along", "tags:\n- a\n\n- a\n\nz: 1\n", ["a"], "tags:\n- a\n\nz: 1\n"),
    ("block: added at the end, before trailing comment lines", "tags:\n  - a\n  # later\n", ["a", "b"], "tags:\n  - a\n  - b\n  # later\n"),
    (
        "flow: kept items keep their bytes",
        "tags: [2024, \"a\", 'b', c]  # note\n",
        ["t", "2024", "a", "b"],
        "tags: [t, 2024, \"a\", 'b']  # note\n",
    ),
    (
        "flow over several lines: comments stay",
        "tags: [\n  a,  # first\n  b,  # second\n  c\n]\n",
        ["a", "c", "d"],
        "tags: [\n  a,  # first\n  # second\n  c, d\n]\n",
    ),
]


@pytest.mark.parametrize(("label", "before", "value", "after"), CASES, ids=[c[0] for c in CASES])
def test_list_edits(label: str, before: str, value: list[str], after: str) -> None:
    assert set_key(before, "tags", value) == after
    assert _set_key_with_ruamel(before, "tags", value) == after


def test_steps() -> None:
    assert steps(["a", "b", "c"], ["x", "a", "c", "d"]) == [Add("x"), Keep(0), Drop(1), Keep(2), Add("d")]
    assert steps(["#a"], ["a"]) == [Replace(0, "a")]


_TAG = st.sampled_from(["a", "b", "c", "type/x", "2024", "On", "follow-up", "x y", "d#e"])
_COMMENT = st.sampled_from(["", "  # one", "  # two", "  # - old"])


@settings(max_examples=300, deadline=None)
@given(
    old=st.lists(st.tuples(_TAG, _COMMENT, st.booleans()), min_size=1, max_size=6),
    new=st.lists(_TAG, min_size=1, max_size=6, unique=True),
    flow=st.booleans(),
)
def test_any_list_edit_reads_back_and_keeps_every_standalone_comment(old: list[tuple[str, str, bool]], new: list[str], flow: bool) -> None:
    if flow:
        items = "".join(f"\n  {tag!r}," + comment for tag, comment, _ in old)
        text = f"tags: [{items}\n]\nz: 1\n"
        standalone = []
    else:
        lines = []
        for tag, comment, separate in old:
            lines.append(f"  - {tag!r}{'' if separate else comment}\n")
            if separate and comment:
                lines.append(f"  {comment.strip()}\n")
        text = "tags:\n" + "".join(lines) + "z: 1\n"
        standalone = [line for line in lines if line.lstrip().startswith("#")]
    result = set_key(text, "tags", new)
    assert result == _set_key_with_ruamel(text, "tags", new) or _fast_refused(text, new)
    data = yaml.load(result, Loader=CoreSchemaLoader)
    assert [scalar_text(item) for item in data["tags"]] == new and data["z"] == 1
    for line in standalone:
        assert line in result
    if flow:
        for _, comment, _ in old:
            if comment:
                assert comment.strip() in result


def _fast_refused(text: str, new: list[str]) -> bool:
    try:
        _set_key_fast(text, "tags", new)
    except Exception:
        return True
    return False
