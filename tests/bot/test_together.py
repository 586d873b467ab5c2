"""Whole-line replacements (bot/render.py) and changes written together or not at all (bot/together.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.edits import LineReplacement, ReplaceLines, WriteOnlyWith
from bot.render import RenderError, render
from bot.runner import Change
from bot.together import untie
from bot.write_back import write_changes
from tests.vaults import write_vault

BODY = "# Call\n\n- [ ] one\n  - [ ] two\n- [ ] three"


@pytest.mark.parametrize(
    ("text", "replacements", "expected"),
    [
        (BODY, [LineReplacement(8, "- [ ] one", "- [x] one ✅ 2026-11-24")], "# Call\n\n- [x] one ✅ 2026-11-24\n  - [ ] two\n- [ ] three"),
        (
            BODY,
            [LineReplacement(18, "  - [ ] two", "  - [x] two"), LineReplacement(8, "- [ ] one", "- [x] one!")],
            "# Call\n\n- [x] one!\n  - [x] two\n- [ ] three",
        ),
        (BODY, [LineReplacement(30, "- [ ] three", "- [x] three")], "# Call\n\n- [ ] one\n  - [ ] two\n- [x] three"),
        ("a\r\n- [ ] x\r\nb\r\n", [LineReplacement(3, "- [ ] x", "- [x] x")], "a\r\n- [x] x\r\nb\r\n"),
    ],
    ids=["one-line-longer", "two-lines-any-order", "last-line-without-newline", "crlf-kept"],
)
def test_replace_lines_changes_only_those_lines(text: str, replacements: list[LineReplacement], expected: str) -> None:
    assert render(text, 0, "\n", [ReplaceLines(tuple(replacements))]) == expected


@pytest.mark.parametrize(
    "replacement",
    [
        LineReplacement(8, "- [ ] one (as it was)", "- [x] one"),
        LineReplacement(10, "[ ] one", "[x] one"),
        LineReplacement(100, "- [ ] one", "x"),
    ],
    ids=["text-changed", "not-a-line-start", "past-the-end"],
)
def test_a_line_that_no_longer_reads_as_seen_is_not_replaced(replacement: LineReplacement) -> None:
    with pytest.raises(RenderError, match="is no longer where it was"):
        render(BODY, 0, "\n", [ReplaceLines((replacement,))])


def _change(path: str, before: str, after: str, requires: tuple[str, ...] = ()) -> Change:
    return Change(path, ("open-tasks",), before.encode(), after.encode(), requires=requires)


def test_a_conflict_on_the_required_note_keeps_the_roll_up_unwritten(tmp_path: Path) -> None:
    write_vault(tmp_path, {"Roll-up.md": "- [x] t ([[Source]])\n", "Source.md": "- [ ] t\n"})
    changes = [_change("Roll-up.md", "- [x] t ([[Source]])\n", "", ("Source.md",)), _change("Source.md", "- [ ] t\n", "- [x] t\n")]
    write_vault(tmp_path, {"Source.md": "- [ ] t\nsomeone typed this meanwhile\n"})
    result = write_changes(tmp_path, changes)
    assert result.written == []
    assert (tmp_path / "Roll-up.md").read_text() == "- [x] t ([[Source]])\n", "the tick the person made is still there"
    assert [p.path for p in result.problems] == ["Source.md", "Roll-up.md"]


def test_the_required_note_is_written_first(tmp_path: Path) -> None:
    write_vault(tmp_path, {"Roll-up.md": "x\n", "Source.md": "- [ ] t\n"})
    changes = [_change("Roll-up.md", "x\n", "y\n", ("Source.md",)), _change("Source.md", "- [ ] t\n", "- [x] t\n")]
    result = write_changes(tmp_path, changes)
    assert [c.path for c in result.written] == ["Source.md", "Roll-up.md"]
    assert (tmp_path / "Roll-up.md").read_text() == "y\n"


def test_a_change_whose_required_change_could_not_be_made_is_not_made_either() -> None:
    edits = {"Roll-up.md": [WriteOnlyWith(("Source.md",))], "Other.md": [], "Chained.md": [WriteOnlyWith(("Roll-up.md",))]}
    updated: dict[str, object] = {"Roll-up.md": object(), "Other.md": object(), "Chained.md": object()}
    moving = {"Roll-up.md": "elsewhere/Roll-up.md"}
    problems = untie("open-tasks", edits, updated, moving)
    assert list(updated) == ["Other.md"] and moving == {}
    assert [(p.path, p.message) for p in problems] == [
        ("Roll-up.md", "open-tasks: not changed: it goes with a change to Source.md, which cannot be made"),
        ("Chained.md", "open-tasks: not changed: it goes with a change to Roll-up.md, which cannot be made"),
    ]
