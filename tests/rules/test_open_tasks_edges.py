"""open-tasks against what people and plugins really put in notes: typed lines that look generated,
comments and code, recurring tasks, in-progress tasks, the Tasks plugin's done dates, unreadable notes."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from bot.explain import explain
from rules import open_tasks
from tests.rules.test_open_tasks import SOURCE, _entity, _run, _ticked_vault, _write_result
from tests.vaults import plan, write_vault


def test_a_typed_line_ending_in_a_link_to_a_note_that_is_not_a_source_stays(tmp_path: Path) -> None:
    """`- [ ] Call Ana ([[Ana]])` has the generated form, but Ana is a person: the line is a person's, ticked or not."""
    typed = ["- [ ] Call Ana about the contract ([[Ana]])", "- [x] Read the brief ([[Brief]])"]
    write_vault(
        tmp_path,
        {
            "Acme/Acme.md": _entity(*typed),
            "People/Ana.md": "---\ntype: person\n---\n# Ana\n",
            "Brief.md": "# Brief\n\n- [ ] Read the appendix\n",
            "Acme/2026-11-02 call.md": "- [ ] Ask finance\n",
        },
    )
    result = plan(tmp_path, open_tasks.ID)
    assert {c.path: c.after.decode() for c in result.changes} == {
        "Acme/Acme.md": _entity(*typed, "- [ ] Ask finance ([[2026-11-02 call]])")
    }
    assert result.problems == [], "a person's line is nobody's problem"


def test_a_task_leaving_a_percent_comment_open_is_reported_not_listed(tmp_path: Path) -> None:
    """Copied into the section, `%%` would hide the rest of the customer note in Obsidian, and the
    next run would refuse the section as one whose end is not certain."""
    write_vault(
        tmp_path,
        {"Acme/Acme.md": _entity(), "Acme/2026-11-02 call.md": "- [ ] kept %%aside%% here\n- [ ] Ask finance\n- [ ] budget %% draft\n"},
    )
    result = plan(tmp_path, open_tasks.ID)
    changed = {c.path: c.after.decode() for c in result.changes}
    assert changed == {
        "Acme/Acme.md": _entity("- [ ] kept %%aside%% here ([[2026-11-02 call]])", "- [ ] Ask finance ([[2026-11-02 call]])")
    }
    assert [(p.path, p.message) for p in result.problems] == [
        (
            "Acme/2026-11-02 call.md",
            "open-tasks: the task 'budget %% draft' leaves a %% comment open; not listed in Open Tasks (close the comment)",
        )
    ]
    found = explain(plan(tmp_path), "Acme/Acme.md", datetime.date(2026, 11, 24))["open_tasks"]
    assert [t["left_out"] for t in found if t["task"] == "budget %% draft"] == [
        "its text leaves a %% comment open, which would hide the rest of the section"
    ]
    write_vault(tmp_path, changed)
    again = plan(tmp_path, open_tasks.ID)
    assert again.changes == [] and [p.path for p in again.problems] == ["Acme/2026-11-02 call.md"]


def test_tasks_of_a_note_no_link_can_name_are_counted_not_listed(tmp_path: Path) -> None:
    """`[[Q#2 call]]` opens `Q` at its heading `2 call`: written into the section, the line would be a
    person's line the next run and the task listed again below it, one more line every run."""
    write_vault(
        tmp_path, {"Acme/Acme.md": _entity(), "Acme/Q#2 call.md": "- [ ] Send the deck\n", "Acme/2026-11-02 call.md": "- [ ] Ask finance\n"}
    )
    result = plan(tmp_path, open_tasks.ID)
    changed = {c.path: c.after.decode() for c in result.changes}
    assert changed == {"Acme/Acme.md": _entity("- [ ] Ask finance ([[2026-11-02 call]])", "- ... and 1 more open task")}
    assert [str(p) for p in result.problems] == [
        "Acme/Q#2 call.md: open-tasks: its tasks are not listed in Open Tasks of Acme/Acme.md:"
        " its name holds # ^ | [[ or ]], which no wikilink can hold"
    ]
    found = explain(plan(tmp_path), "Acme/Acme.md", datetime.date(2026, 11, 24))["open_tasks"]
    assert [t["left_out"] for t in found if t["task"] == "Send the deck"] == [
        "its note cannot be linked: its name holds # ^ | [[ or ]], which no wikilink can hold"
    ]
    write_vault(tmp_path, changed)
    assert plan(tmp_path, open_tasks.ID).changes == [], "the next run changes nothing"


def test_a_markdown_link_to_a_note_named_with_a_hash_encodes_it(tmp_path: Path) -> None:
    """`[Q#2 call](Q#2%20call.md)` would open `Q` at its heading: `#` is written `%23`, the line's link
    opens its note, and the next run finds the section as it left it (no line listed twice)."""
    write_vault(
        tmp_path,
        {".obsidian/app.json": '{"useMarkdownLinks": true}', "Acme/Acme.md": _entity(), "Acme/Q#2 call.md": "- [ ] Send the deck\n"},
    )
    changed = {c.path: c.after.decode() for c in plan(tmp_path, open_tasks.ID).changes}
    assert changed == {"Acme/Acme.md": _entity("- [ ] Send the deck ([Q#2 call](Q%232%20call.md))")}
    write_vault(tmp_path, changed)
    again = plan(tmp_path, open_tasks.ID)
    assert again.changes == [] and again.problems == []


def test_a_tick_reaches_a_source_task_marked_in_progress_meanwhile(tmp_path: Path) -> None:
    """`[/]` is still open: the tick made in the roll-up closes it there instead of being dropped."""
    _ticked_vault(tmp_path, source=SOURCE.replace("- [ ] Send", "- [/] Send"))
    changed = _run(tmp_path)
    assert changed == {
        "Acme/Acme.md": _entity("- [ ] Ask finance ([[2026-11-02 call]])"),
        "Acme/2026-11-02 call.md": SOURCE.replace("- [ ] Send", "- [x] Send"),
    }
    _write_result(tmp_path, changed)
    assert _run(tmp_path) == {}


def test_a_tick_on_a_task_cancelled_in_its_source_writes_nothing_there(tmp_path: Path) -> None:
    _ticked_vault(tmp_path, source=SOURCE.replace("- [ ] Send", "- [-] Send"))
    assert _run(tmp_path) == {"Acme/Acme.md": _entity("- [ ] Ask finance ([[2026-11-02 call]])")}


def test_a_recurring_task_ticked_in_the_roll_up_stays_and_is_reported(tmp_path: Path) -> None:
    """Ticking `🔁` in its note makes the Tasks plugin add the next occurrence; a tick written by the bot would end the series."""
    source = "- [ ] Water the plants 🔁 every week 📅 2026-11-24\n"
    rollup = "- [x] Water the plants 🔁 every week 📅 2026-11-24 ([[2026-11-02 call]])"
    write_vault(tmp_path, {"Acme/Acme.md": _entity(rollup), "Acme/2026-11-02 call.md": source})
    result = plan(tmp_path, open_tasks.ID)
    changed = {c.path: c.after.decode() for c in result.changes}
    assert changed == {"Acme/Acme.md": _entity(rollup, "- [ ] Water the plants 🔁 every week 📅 2026-11-24 ([[2026-11-02 call]])")}
    assert [p.message for p in result.problems] == [
        (
            "open-tasks: the ticked task 'Water the plants 🔁 every week 📅 2026-11-24' recurs (🔁): tick it in Acme/2026-11-02 call.md,"
            " where the Tasks plugin adds the next one; left as it is"
        )
    ]


def test_tasks_obsidian_hides_in_percent_comments_are_left_out(tmp_path: Path) -> None:
    source = (
        "%%\n- [ ] in a comment block\n%%\nA note %% hidden from here\n- [ ] in an inline comment\nto here %%\n`%%` in code\n- [ ] shown\n"
    )
    write_vault(tmp_path, {"Acme/Acme.md": _entity(), "Acme/2026-11-02 call.md": source})
    assert _run(tmp_path) == {"Acme/Acme.md": _entity("- [ ] shown ([[2026-11-02 call]])")}
    found = explain(plan(tmp_path), "Acme/Acme.md", datetime.date(2026, 11, 24))["open_tasks"]
    assert {t["task"]: t["left_out"] for t in found if t["left_out"]} == dict.fromkeys(
        ["in a comment block", "in an inline comment"], "in a %% comment: Obsidian does not show it"
    )


def test_lines_in_a_comment_or_code_in_the_section_are_a_persons_and_tick_nothing(tmp_path: Path) -> None:
    typed = [
        "<!--",
        "- [x] Ask finance ([[2026-11-02 call]])",
        "-->",
        "```",
        "- [x] Send the plan 📅 2026-12-01 ([[2026-11-02 call]])",
        "```",
        "%%",
        "- [ ] old ([[2026-11-02 call]])",
        "%%",
    ]
    write_vault(tmp_path, {"Acme/Acme.md": _entity(*typed), "Acme/2026-11-02 call.md": SOURCE})
    assert _run(tmp_path) == {
        "Acme/Acme.md": _entity(
            *typed, "- [ ] Send the plan 📅 2026-12-01 ([[2026-11-02 call]])", "- [ ] Ask finance ([[2026-11-02 call]])"
        )
    }


def test_lines_from_a_note_that_cannot_be_read_stay_as_they_are(tmp_path: Path) -> None:
    lines = [
        "- [x] Send the plan 📅 2026-12-01 ([[2026-11-02 call]])",
        "- [ ] Ask finance ([[2026-11-02 call]])",
        "- [ ] mine ([[Broken]])",
    ]
    write_vault(
        tmp_path,
        {"Acme/Acme.md": _entity(*lines), "Acme/2026-11-02 call.md": "---\nx: [\n---\n" + SOURCE, "Broken.md": "---\n- a list\n---\n"},
    )
    result = plan(tmp_path, open_tasks.ID)
    assert result.changes == []
    assert sorted(p.path for p in result.problems) == ["Acme/2026-11-02 call.md", "Broken.md"], "only the unreadable notes are reported"


@pytest.mark.parametrize(
    ("config", "ticked_line"),
    [
        ("", "- [x] Send the plan 📅 2026-12-01"),
        ("rules:\n  open-tasks:\n    done_date: true\n", "- [x] Send the plan 📅 2026-12-01 ✅ 2026-11-23"),
    ],
)
def test_a_tick_the_tasks_plugin_dated_after_the_link_reaches_its_source(tmp_path: Path, config: str, ticked_line: str) -> None:
    """Clicked in Obsidian with the Tasks plugin, the roll-up line ends in the plugin's done date."""
    _ticked_vault(tmp_path, config=config)
    rollup = (
        (tmp_path / "Acme/Acme.md")
        .read_text()
        .replace("2026-12-01 ([[2026-11-02 call]])", "2026-12-01 ([[2026-11-02 call]]) ✅ 2026-11-23")
    )
    write_vault(tmp_path, {"Acme/Acme.md": rollup})
    changed = _run(tmp_path)
    assert changed == {
        "Acme/Acme.md": _entity("- [ ] Ask finance ([[2026-11-02 call]])"),
        "Acme/2026-11-02 call.md": SOURCE.replace("- [ ] Send the plan 📅 2026-12-01", ticked_line),
    }
    _write_result(tmp_path, changed)
    assert _run(tmp_path) == {}
