"""open-tasks against what people and plugins really put in notes: typed lines that look generated,
comments and code, recurring tasks, in-progress tasks, the Tasks plugin's done dates, unreadable notes.

A table of cases in memory (see test_open_tasks.py), and one run on disk for what `vaultbot
explain` says about the tasks left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.explain import explain
from rules import open_tasks
from tests.rules.memory import config, twice
from tests.rules.test_open_tasks import ASK, CALL, LEFT, SOURCE, TODAY, _entity, _options, check_case, ticked
from tests.vaults import plan, write_vault

TYPED = ["- [ ] Call Ana about the contract ([[Ana]])", "- [x] Read the brief ([[Brief]])"]
IN_CODE_OR_COMMENTS = [
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
RECURRING = "- [x] Water the plants 🔁 every week 📅 2026-11-24 ([[2026-11-02 call]])"
UNREADABLE = ["- [x] Send the plan 📅 2026-12-01 ([[2026-11-02 call]])", ASK, "- [ ] mine ([[Broken]])"]
PLUGIN_DATED = _entity("- [x] Send the plan 📅 2026-12-01 ([[2026-11-02 call]]) ✅ 2026-11-23", ASK)
PERCENT = "- [ ] kept %%aside%% here\n- [ ] Ask finance\n- [ ] budget %% draft\n"
HIDDEN = "%%\n- [ ] in a comment block\n%%\nA note %% hidden from here\n- [ ] in an inline comment\nto here %%\n`%%` in code\n- [ ] shown\n"

# (notes, open-tasks options, what the run writes, its warnings)
CASES = [
    pytest.param(
        {
            "Acme/Acme.md": _entity(*TYPED),
            "People/Ana.md": "---\ntype: person\n---\n# Ana\n",
            "Brief.md": "# Brief\n\n- [ ] Read the appendix\n",
            CALL: "- [ ] Ask finance\n",
        },
        {},
        {"Acme/Acme.md": _entity(*TYPED, ASK)},
        [],  # a person's line is nobody's problem
        id="a-typed-line-ending-in-a-link-to-a-note-that-is-not-a-source-stays",
    ),
    pytest.param(
        # Copied into the section, `%%` would hide the rest of the customer note in Obsidian, and the
        # next run would refuse the section as one whose end is not certain.
        {"Acme/Acme.md": _entity(), CALL: PERCENT},
        {},
        {"Acme/Acme.md": _entity("- [ ] kept %%aside%% here ([[2026-11-02 call]])", ASK)},
        [f"{CALL}: open-tasks: the task 'budget %% draft' leaves a %% comment open; not listed in Open Tasks (close the comment)"],
        id="a-task-leaving-a-percent-comment-open-is-reported-not-listed",
    ),
    pytest.param(
        # `[/]` is still open: the tick made in the roll-up closes it there instead of being dropped.
        ticked(SOURCE.replace("- [ ] Send", "- [/] Send")),
        {},
        {"Acme/Acme.md": LEFT, CALL: SOURCE.replace("- [ ] Send", "- [x] Send")},
        [],
        id="a-tick-reaches-a-source-task-marked-in-progress-meanwhile",
    ),
    pytest.param(
        ticked(SOURCE.replace("- [ ] Send", "- [-] Send")),
        {},
        {"Acme/Acme.md": LEFT},
        [],
        id="a-tick-on-a-task-cancelled-in-its-source-writes-nothing-there",
    ),
    pytest.param(
        # Ticking `🔁` in its note makes the Tasks plugin add the next occurrence; a tick written by the bot would end the series.
        {"Acme/Acme.md": _entity(RECURRING), CALL: "- [ ] Water the plants 🔁 every week 📅 2026-11-24\n"},
        {},
        {"Acme/Acme.md": _entity(RECURRING, "- [ ] Water the plants 🔁 every week 📅 2026-11-24 ([[2026-11-02 call]])")},
        [
            "Acme/Acme.md: open-tasks: the ticked task 'Water the plants 🔁 every week 📅 2026-11-24' recurs (🔁):"
            f" tick it in {CALL}, where the Tasks plugin adds the next one; left as it is"
        ],
        id="a-recurring-task-ticked-in-the-roll-up-stays-and-is-reported",
    ),
    pytest.param(
        {"Acme/Acme.md": _entity(), CALL: HIDDEN},
        {},
        {"Acme/Acme.md": _entity("- [ ] shown ([[2026-11-02 call]])")},
        [],
        id="tasks-obsidian-hides-in-percent-comments-are-left-out",
    ),
    pytest.param(
        {"Acme/Acme.md": _entity(*IN_CODE_OR_COMMENTS), CALL: SOURCE},
        {},
        {"Acme/Acme.md": _entity(*IN_CODE_OR_COMMENTS, "- [ ] Send the plan 📅 2026-12-01 ([[2026-11-02 call]])", ASK)},
        [],
        id="lines-in-a-comment-or-code-in-the-section-are-a-persons-and-tick-nothing",
    ),
    pytest.param(
        {"Acme/Acme.md": _entity(*UNREADABLE), CALL: "---\nx: [\n---\n" + SOURCE, "Broken.md": "---\n- a list\n---\n"},
        {},
        {},
        [
            f"{CALL}: skipped: invalid YAML in frontmatter: did not find expected node content (line 3)",
            "Broken.md: skipped: frontmatter is a list, not a mapping of properties",
        ],  # only the unreadable notes are reported
        id="lines-from-a-note-that-cannot-be-read-stay-as-they-are",
    ),
    pytest.param(
        # Clicked in Obsidian with the Tasks plugin, the roll-up line ends in the plugin's done date.
        ticked(**{"Acme/Acme.md": PLUGIN_DATED}),
        {},
        {"Acme/Acme.md": LEFT, CALL: SOURCE.replace("- [ ] Send", "- [x] Send")},
        [],
        id="a-tick-the-tasks-plugin-dated-after-the-link-reaches-its-source",
    ),
    pytest.param(
        ticked(**{"Acme/Acme.md": PLUGIN_DATED}),
        {"done_date": True},
        {
            "Acme/Acme.md": LEFT,
            CALL: SOURCE.replace("- [ ] Send the plan 📅 2026-12-01", "- [x] Send the plan 📅 2026-12-01 ✅ 2026-11-23"),
        },
        [],
        id="a-tick-the-tasks-plugin-dated-keeps-its-date-with-done-date",
    ),
]


@pytest.mark.parametrize(("notes", "options", "expected", "warnings"), CASES)
def test_edges(notes: dict[str, str], options: dict[str, Any], expected: dict[str, str], warnings: list[str]) -> None:
    check_case(notes, _options(**options), expected, warnings)


def test_explain_says_why_a_task_is_left_out(tmp_path: Path) -> None:
    """`vaultbot explain` reads the whole plan of a run on disk."""
    write_vault(tmp_path, {"Acme/Acme.md": _entity(), CALL: PERCENT, "Acme/2026-11-03 call.md": HIDDEN})
    found = explain(plan(tmp_path, today=TODAY), "Acme/Acme.md", TODAY)["open_tasks"]
    assert {t["task"]: t["left_out"] for t in found if t["left_out"]} == {
        "budget %% draft": "its text leaves a %% comment open, which would hide the rest of the section",
        "in a comment block": "in a %% comment: Obsidian does not show it",
        "in an inline comment": "in a %% comment: Obsidian does not show it",
    }


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
    found = explain(plan(tmp_path), "Acme/Acme.md", TODAY)["open_tasks"]
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


def test_a_tick_with_done_date_leaves_the_recent_context_line_as_it_was() -> None:
    """The call's first paragraph is its tasks, so they are its summary. Recent Context runs before
    open-tasks: had the summary kept the ` ✅ date` the tick adds, the second run would rewrite the
    line. Like the checkbox, the date says only that the task is done, and is left out."""
    body = "# Acme\n\n## Recent Context\n\n{}\n## Open Tasks\n\n{}\n"
    notes = {
        "Acme/Acme.md": "---\ntype: customer\n---\n" + body.format("", "- [x] Send the plan ([[2026-11-02 call]])\n" + ASK + "\n"),
        CALL: "---\ntype: meeting\ndate: 2026-11-02\n---\n- [ ] Send the plan\n- [ ] Ask finance\n- [-] Book the room ❌ 2026-11-20\n",
    }
    first, second = twice(None, notes, config(_options(done_date=True)), TODAY)
    assert first.changed["Acme/Acme.md"].endswith(
        body.format("- 2026-11-02: [[2026-11-02 call]] - Send the plan Ask finance Book the room\n", ASK)
    )
    assert first.changed[CALL].endswith("---\n- [x] Send the plan ✅ 2026-11-24\n- [ ] Ask finance\n- [-] Book the room ❌ 2026-11-20\n")
    assert first.warnings == []
    assert second == ({}, []), "the second run changes nothing"
