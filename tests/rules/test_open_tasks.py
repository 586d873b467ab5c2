"""open-tasks: the roll-up's lines and order, the lines a person typed, and ticking in either place."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import parse_config
from bot.note import ParseSettings, parse_note
from bot.obsidian import ObsidianSettings
from bot.runner import apply_rules
from bot.vault import VaultIndex
from rules import open_tasks
from tests.vaults import changed_text, git, plan, run_cli, write_vault

TODAY = "2026-11-24"


def _entity(*lines: str, heading: str = "Open Tasks") -> str:
    return f"---\ntype: customer\n---\n# Acme\n\n## {heading}\n\n" + "".join(f"{line}\n" for line in lines) + "\n## Notes\n\nkeep me\n"


def _run(root: Path, *rules: str) -> dict[str, str]:
    """One run in memory: each changed note's new text."""
    return {change.path: change.after.decode("utf-8") for change in plan(root, *(rules or (open_tasks.ID,))).changes}


def _write_result(root: Path, changed: dict[str, str]) -> None:
    write_vault(root, changed)


CASES = [
    pytest.param(
        {
            "Acme/2026-11-02 call.md": "- [ ] first\n  - [ ] nested, at any depth\n* [ ] star 📅 2026-12-01 ⏫ #followup\n- [x] done already\n",
            "Acme/2026-11-05 review.md": "Review.\n\n> - [ ] in a callout\n1. [ ] numbered\n",
            "Notes/undated.md": "[[Acme]]\n- [ ] from a note without a date\n",
        },
        _entity(),
        [
            "- [ ] in a callout ([[2026-11-05 review]])",
            "- [ ] numbered ([[2026-11-05 review]])",
            "- [ ] first ([[2026-11-02 call]])",
            "- [ ] nested, at any depth ([[2026-11-02 call]])",
            "- [ ] star 📅 2026-12-01 ⏫ #followup ([[2026-11-02 call]])",
            "- [ ] from a note without a date ([[undated]])",
        ],
        id="newest-source-first-written-order-metadata-verbatim",
    ),
    pytest.param(
        {"Acme/2026-11-02 call.md": "```\n- [ ] in code\n```\n<!--\n- [ ] in a comment\n-->\n    \n`- [ ] inline`\n- [ ] real\n- [ ] \n"},
        _entity(),
        ["- [ ] real ([[2026-11-02 call]])"],
        id="code-comments-and-empty-tasks-left-out",
    ),
    pytest.param(
        {"Acme/2026-11-02 call.md": "- [ ] new one\n"},
        _entity(
            "- [ ] Call Ana about the contract",
            "Some note a person wrote",
            "- [ ] gone from its source ([[2026-11-02 call]])",
            "- [ ] mine ([[Nowhere]])",
        ),
        [
            "- [ ] Call Ana about the contract",
            "Some note a person wrote",
            "- [ ] mine ([[Nowhere]])",
            "- [ ] new one ([[2026-11-02 call]])",
        ],
        id="hand-written-lines-stay-on-top-in-order",
    ),
    pytest.param(
        {
            "Acme/2026-11-02 call.md": "---\ntype: meeting\n---\n- [ ] canonical's task\n",
            "Acme/2026-11-02 call (copy).md": '---\ntype: meeting\nduplicate_of: "[[2026-11-02 call]]"\n---\n- [ ] canonical\'s task\n- [ ] only in the copy\n',
            "Acme/2026-12-24 future.md": "- [ ] not yet\n",
        },
        _entity(),
        ["- [ ] canonical's task ([[2026-11-02 call]])"],
        id="duplicates-and-future-notes-left-out",
    ),
    pytest.param(
        {"Acme/2026-11-02 call.md": "- [ ] one\n- [ ] two\n- [ ] three\n- [ ] four\n"},
        "---\ntype: customer\n---\n## Open Tasks\n- ... and 9 more open tasks\n",
        ["- [ ] one ([[2026-11-02 call]])", "- [ ] two ([[2026-11-02 call]])", "- ... and 2 more open tasks"],
        id="max-entries-then-how-many-more",
    ),
    pytest.param(
        {"Acme/2026-11-02 b.md": "- [ ] b1\n", "Acme/2026-11-02 A.md": "- [ ] a1\n- [ ] a2\n", "Acme/2026-11-03 c.md": "- [ ] c1\n"},
        "---\ntype: customer\n---\n## Open Tasks\n",
        ["- [ ] c1 ([[2026-11-03 c]])", "- [ ] a1 ([[2026-11-02 A]])", "- ... and 2 more open tasks"],
        id="max-entries-cut-across-notes-of-one-day",
    ),
]


@pytest.mark.parametrize(("notes", "entity", "expected"), CASES)
def test_roll_up_lines(tmp_path: Path, notes: dict[str, str], entity: str, expected: list[str]) -> None:
    config = "rules:\n  open-tasks:\n    max_entries: 2\n" if "more open tasks" in expected[-1] else ""
    write_vault(tmp_path, {".vaultbot.yaml": config, "Acme/Acme.md": entity, **notes})
    result = changed_text(tmp_path, "Acme/Acme.md", open_tasks.ID)
    if entity.startswith("---\ntype: customer\n---\n# Acme"):
        assert result == _entity(*expected)
    else:
        assert result == "---\ntype: customer\n---\n## Open Tasks\n\n" + "".join(f"{line}\n" for line in expected)
    write_vault(tmp_path, {"Acme/Acme.md": result})
    assert changed_text(tmp_path, "Acme/Acme.md", open_tasks.ID) is None, "a second run changes nothing"


def test_one_more_is_singular_and_notes_without_the_section_are_left_alone(tmp_path: Path) -> None:
    write_vault(
        tmp_path,
        {
            ".vaultbot.yaml": "rules:\n  open-tasks:\n    max_entries: 1\n",
            "Acme/Acme.md": _entity(),
            "Globex/Globex.md": "---\ntype: customer\n---\n# Globex\n",
            "Acme/2026-11-02 call.md": "- [ ] one\n- [ ] two\n[[Globex]]\n",
        },
    )
    changed = _run(tmp_path)
    assert set(changed) == {"Acme/Acme.md"}
    assert changed["Acme/Acme.md"] == _entity("- [ ] one ([[2026-11-02 call]])", "- ... and 1 more open task")


SOURCE = "---\ntype: meeting\n---\n# Call\n\n- [ ] Send the plan 📅 2026-12-01\n- [ ] Ask finance\n"


def _ticked_vault(root: Path, source: str = SOURCE, config: str = "", rollup: str = "x") -> None:
    write_vault(
        root,
        {
            ".vaultbot.yaml": config,
            "Acme/Acme.md": _entity(
                f"- [{rollup}] Send the plan 📅 2026-12-01 ([[2026-11-02 call]])", "- [ ] Ask finance ([[2026-11-02 call]])"
            ),
            "Acme/2026-11-02 call.md": source,
        },
    )


@pytest.mark.parametrize(
    ("config", "ticked_line"),
    [
        ("", "- [x] Send the plan 📅 2026-12-01"),
        ("rules:\n  open-tasks:\n    done_date: true\n", "- [x] Send the plan 📅 2026-12-01 ✅ 2026-11-24"),
    ],
    ids=["tick", "tick-with-done-date"],
)
def test_a_task_ticked_in_the_roll_up_is_ticked_in_its_source_then_leaves(tmp_path: Path, config: str, ticked_line: str) -> None:
    _ticked_vault(tmp_path, config=config)
    changed = _run(tmp_path)
    assert changed == {
        "Acme/Acme.md": _entity("- [ ] Ask finance ([[2026-11-02 call]])"),
        "Acme/2026-11-02 call.md": SOURCE.replace("- [ ] Send the plan 📅 2026-12-01", ticked_line),
    }
    _write_result(tmp_path, changed)
    assert _run(tmp_path) == {}


def test_the_tick_keeps_the_source_lines_ending_and_block_id(tmp_path: Path) -> None:
    source = "---\r\ntype: meeting\r\n---\r\n- [ ] Send the plan 📅 2026-12-01 ^plan-1\r\n- [ ] Ask finance\r\n"
    _ticked_vault(tmp_path, source=source, config="rules:\n  open-tasks:\n    done_date: true\n")
    rollup = (tmp_path / "Acme/Acme.md").read_text().replace("2026-12-01 ([[", "2026-12-01 ^plan-1 ([[")
    write_vault(tmp_path, {"Acme/Acme.md": rollup})
    changed = _run(tmp_path)
    assert changed["Acme/2026-11-02 call.md"] == source.replace(
        "- [ ] Send the plan 📅 2026-12-01 ^plan-1", "- [x] Send the plan 📅 2026-12-01 ✅ 2026-11-24 ^plan-1"
    )


def test_a_task_ticked_in_its_source_leaves_the_roll_up(tmp_path: Path) -> None:
    _ticked_vault(tmp_path, source=SOURCE.replace("- [ ] Send", "- [x] Send"), rollup=" ")
    changed = _run(tmp_path)
    assert changed == {"Acme/Acme.md": _entity("- [ ] Ask finance ([[2026-11-02 call]])")}
    _write_result(tmp_path, changed)
    assert _run(tmp_path) == {}


def test_ticked_in_both_places_leaves_the_roll_up_and_writes_nothing_to_the_source(tmp_path: Path) -> None:
    _ticked_vault(tmp_path, source=SOURCE.replace("- [ ] Send", "- [x] Send"))
    assert _run(tmp_path) == {"Acme/Acme.md": _entity("- [ ] Ask finance ([[2026-11-02 call]])")}


@pytest.mark.parametrize(
    ("source", "listed", "reason"),
    [
        (
            SOURCE.replace("Send the plan", "Send the revised plan"),
            ["Send the revised plan 📅 2026-12-01", "Ask finance"],
            "is found 0 times in Acme/2026-11-02 call.md, not once",
        ),
        (
            SOURCE + "- [ ] Send the plan 📅 2026-12-01\n",
            ["Send the plan 📅 2026-12-01", "Ask finance", "Send the plan 📅 2026-12-01"],
            "is found 2 times in Acme/2026-11-02 call.md, not once",
        ),
        (
            SOURCE.replace("type: meeting", "type: meeting\nvaultbot: {skip: [open-tasks]}"),
            ["Send the plan 📅 2026-12-01", "Ask finance"],
            "which opts out of open-tasks",
        ),
    ],
    ids=["edited", "repeated", "source-opts-out"],
)
def test_a_tick_that_cannot_reach_its_source_stays_and_is_reported(tmp_path: Path, source: str, listed: list[str], reason: str) -> None:
    _ticked_vault(tmp_path, source=source)
    result = plan(tmp_path, open_tasks.ID)
    changes = {change.path: change.after.decode("utf-8") for change in result.changes}
    assert "Acme/2026-11-02 call.md" not in changes, "nothing is written to any source"
    kept = "- [x] Send the plan 📅 2026-12-01 ([[2026-11-02 call]])"
    expected = _entity(kept, *(f"- [ ] {task} ([[2026-11-02 call]])" for task in listed))
    assert changes.get("Acme/Acme.md", (tmp_path / "Acme/Acme.md").read_text()) == expected
    messages = [problem.message for problem in result.problems if problem.path == "Acme/Acme.md"]
    assert len(messages) == 1 and reason in messages[0] and messages[0].startswith("open-tasks: the ticked task 'Send the plan")
    write_vault(tmp_path, changes)
    again = plan(tmp_path, open_tasks.ID)
    assert again.changes == [] and [p.message for p in again.problems if p.path == "Acme/Acme.md"] == messages


def test_a_tick_naming_a_note_that_is_not_the_entitys_stays_and_is_reported(tmp_path: Path) -> None:
    _ticked_vault(tmp_path)
    write_vault(tmp_path, {"Other/2026-11-02 call.md": SOURCE})
    (tmp_path / "Acme/2026-11-02 call.md").unlink()
    result = plan(tmp_path, open_tasks.ID)
    assert [c.path for c in result.changes] == ["Acme/Acme.md"]
    assert result.changes[0].after.decode() == _entity("- [x] Send the plan 📅 2026-12-01 ([[2026-11-02 call]])")
    assert [p.message for p in result.problems] == [
        "open-tasks: the ticked task 'Send the plan 📅 2026-12-01' links to Other/2026-11-02 call.md, which is not one of this entity's notes; left as it is"
    ]


def test_one_task_in_two_roll_ups_is_ticked_once_and_leaves_both(tmp_path: Path) -> None:
    globex = "---\ntype: customer\n---\n# Globex\n\n## Open Tasks\n\n- [ ] Send the plan 📅 2026-12-01 ([[2026-11-02 call]])\n- [ ] Ask finance ([[2026-11-02 call]])\n"
    _ticked_vault(tmp_path, source=SOURCE + "With [[Globex]].\n")
    write_vault(tmp_path, {"Globex.md": globex})
    changed = _run(tmp_path)
    assert changed["Acme/2026-11-02 call.md"].count("- [x] Send the plan") == 1
    assert changed["Globex.md"] == globex.replace("- [ ] Send the plan 📅 2026-12-01 ([[2026-11-02 call]])\n", "")
    assert changed["Acme/Acme.md"] == _entity("- [ ] Ask finance ([[2026-11-02 call]])")
    changes = {c.path: c for c in plan(tmp_path, open_tasks.ID).changes}
    assert changes["Globex.md"].requires == ("Acme/2026-11-02 call.md",), "both roll-ups go only with the tick"
    _write_result(tmp_path, changed)
    assert _run(tmp_path) == {}


def test_a_tick_in_a_note_the_roll_up_does_not_list_still_goes_with_the_roll_up(tmp_path: Path) -> None:
    """A planned meeting (dated after today) lists no tasks, but a tick reaches it all the same."""
    write_vault(
        tmp_path,
        {"Acme/Acme.md": _entity("- [x] Book the room ([[2026-12-24 planned]])"), "Acme/2026-12-24 planned.md": "- [ ] Book the room\n"},
    )
    changes = {change.path: change for change in plan(tmp_path, open_tasks.ID).changes}
    assert changes["Acme/2026-12-24 planned.md"].after.decode() == "- [x] Book the room\n"
    assert changes["Acme/Acme.md"].after.decode() == "---\ntype: customer\n---\n# Acme\n\n## Open Tasks\n\n## Notes\n\nkeep me\n"
    assert changes["Acme/Acme.md"].requires == ("Acme/2026-12-24 planned.md",)


def test_an_opted_out_entity_ticks_nothing(tmp_path: Path) -> None:
    _ticked_vault(tmp_path)
    write_vault(
        tmp_path, {"Acme/Acme.md": (tmp_path / "Acme/Acme.md").read_text().replace("type: customer", "type: customer\nvaultbot: false")}
    )
    assert _run(tmp_path) == {}


def test_ticking_end_to_end_in_a_git_vault_is_one_commit(tmp_path: Path) -> None:
    _ticked_vault(tmp_path)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "seed")
    result = run_cli("run", tmp_path, "--today", TODAY, "--rule", "open-tasks")
    assert result.returncode == 0, result.stderr
    assert "- [x] Send the plan 📅 2026-12-01\n" in (tmp_path / "Acme/2026-11-02 call.md").read_text()
    assert (tmp_path / "Acme/Acme.md").read_text() == _entity("- [ ] Ask finance ([[2026-11-02 call]])")
    files = git(tmp_path, "show", "--name-only", "--format=", "HEAD").splitlines()
    assert sorted(files) == ["Acme/2026-11-02 call.md", "Acme/Acme.md"]
    assert git(tmp_path, "status", "--porcelain") == ""
    again = run_cli("run", tmp_path, "--today", TODAY, "--rule", "open-tasks")
    assert again.returncode == 0 and "vaultbot: 0 notes updated" in again.stdout


def test_a_source_with_uncommitted_edits_holds_the_roll_up_back(tmp_path: Path) -> None:
    """Writing the roll-up without the tick would lose the tick: neither is written."""
    _ticked_vault(tmp_path)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "seed")
    write_vault(tmp_path, {"Acme/2026-11-02 call.md": SOURCE + "A line someone is still writing.\n"})
    rollup = (tmp_path / "Acme/Acme.md").read_text()
    result = run_cli("run", tmp_path, "--today", TODAY, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "Acme/Acme.md").read_text() == rollup
    warnings = {w["path"]: w["message"] for w in __import__("json").loads(result.stdout)["warnings"]}
    assert "uncommitted changes" in warnings["Acme/2026-11-02 call.md"]
    assert warnings["Acme/Acme.md"].startswith("not changed: its change goes with the change to Acme/2026-11-02 call.md")
    assert git(tmp_path, "log", "--format=%s") == "seed\n"


# -- for any section and any notes: nothing typed is dropped, and a second run changes nothing --

_CONFIG = parse_config(None)
_SETTINGS = ParseSettings(generated_headings=_CONFIG.generated_headings)
_TEXT = st.text(alphabet="abc xyz-*[]()!?📅", min_size=1, max_size=18).filter(lambda text: text.strip() != "")


def _vault(texts: dict[str, str]) -> VaultIndex:
    notes = {path: parse_note(path, text, False, None, _SETTINGS) for path, text in texts.items()}
    return VaultIndex(notes, {"Acme"}, ObsidianSettings(), _CONFIG.index)


def _apply(vault: VaultIndex) -> tuple[VaultIndex, dict[str, list[str]]]:
    result = apply_rules(vault, [open_tasks], _CONFIG, _SETTINGS, datetime.date(2026, 11, 24))
    return result.vault, result.changed_by


def _section(text: str) -> list[str]:
    return [line for line in text.split("## Open Tasks\n", 1)[1].split("## Notes", 1)[0].split("\n") if line]


@settings(max_examples=300, deadline=None)
@given(
    hand=st.lists(_TEXT, max_size=4),
    tasks=st.lists(st.lists(_TEXT, max_size=3), min_size=1, max_size=3),
    ticked=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), max_size=3),
    done=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), max_size=2),
)
def test_hand_written_lines_survive_and_a_second_run_changes_nothing(hand, tasks, ticked, done) -> None:
    sources = {}
    for day, texts in enumerate(tasks, start=1):
        lines = [f"- [{'x' if (day - 1, i) in done else ' '}] {text}" for i, text in enumerate(texts)]
        sources[f"Acme/2026-11-0{day} call.md"] = "# Call\n\n" + "".join(f"{line}\n" for line in lines)
    rollup = [f"- [x] {tasks[d][i].strip()} ([[2026-11-0{d + 1} call]])" for d, i in ticked if d < len(tasks) and i < len(tasks[d])]
    # A heading would end the section: an ATX one, or a setext underline (`-` under a line of text).
    typed = [line for line in hand if not line.lstrip().startswith("#") and set(line.strip()) - {"-", "="}]
    entity = "---\ntype: customer\n---\n# Acme\n\n## Open Tasks\n\n" + "".join(f"{line}\n" for line in typed + rollup) + "\n## Notes\n"
    first, _ = _apply(_vault({"Acme/Acme.md": entity, **sources}))
    section = _section(first.notes["Acme/Acme.md"].text)
    assert [line for line in section if line in typed] == typed, "every line a person typed stays, in order"
    assert section[: len(typed)] == typed, "above the generated lines"
    again, changed = _apply(_vault({path: note.text for path, note in first.notes.items()}))
    assert changed == {}, "a second run changes nothing"
