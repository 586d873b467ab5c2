"""open-tasks: the roll-up's lines and order, the lines a person typed, and ticking in either place.

Each case is a small vault in memory (tests/rules/memory.py): the notes, the texts the run
changes and its warnings, exactly, and a second run over the result changes nothing. Two
tests run the CLI on a git vault: one commit holding both halves of a tick, and a tick held
back by a source with uncommitted edits.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules import open_tasks
from tests.rules.memory import config, run, twice
from tests.vaults import git, run_cli, write_vault

TODAY = datetime.date(2026, 11, 24)
CALL = "Acme/2026-11-02 call.md"


def _entity(*lines: str, heading: str = "Open Tasks") -> str:
    return f"---\ntype: customer\n---\n# Acme\n\n## {heading}\n\n" + "".join(f"{line}\n" for line in lines) + "\n## Notes\n\nkeep me\n"


def _options(**options: Any) -> dict[str, Any]:
    return {"rules": {"open-tasks": options}}


SOURCE = "---\ntype: meeting\n---\n# Call\n\n- [ ] Send the plan 📅 2026-12-01\n- [ ] Ask finance\n"
TICKED = "- [x] Send the plan 📅 2026-12-01 ([[2026-11-02 call]])"
ASK = "- [ ] Ask finance ([[2026-11-02 call]])"
LEFT = _entity(ASK)  # the roll-up once the ticked line has left
EMPTY = "---\ntype: customer\n---\n# Acme\n\n## Open Tasks\n\n## Notes\n\nkeep me\n"


def ticked(source: str = SOURCE, rollup: str = "x", **more: str) -> dict[str, str]:
    """Acme's roll-up lists the call's two tasks, the first marked `rollup` (x: ticked there)."""
    return {"Acme/Acme.md": _entity(f"- [{rollup}] Send the plan 📅 2026-12-01 ([[2026-11-02 call]])", ASK), CALL: source, **more}


def check_case(notes: dict[str, str], options: dict[str, Any] | None, expected: dict[str, str], warnings: list[str]) -> None:
    """One run gives exactly `expected` and `warnings`; a second one over its result changes nothing."""
    first, second = twice([open_tasks], notes, config(options), TODAY)
    assert first.changed == expected
    assert first.warnings == warnings
    assert second.changed == {}, "a second run changes nothing"
    assert second.warnings == warnings, "and reports the same"


BARE = "---\ntype: customer\n---\n## Open Tasks\n"


def _bare(*lines: str) -> str:
    return BARE + "\n" + "".join(f"{line}\n" for line in lines)


# (source notes, Acme/Acme.md, open-tasks options, what Acme/Acme.md becomes)
ROLL_UP = [
    pytest.param(
        {
            "Acme/2026-11-02 call.md": "- [ ] first\n  - [ ] nested, at any depth\n* [ ] star 📅 2026-12-01 ⏫ #followup\n- [x] done already\n",
            "Acme/2026-11-05 review.md": "Review.\n\n> - [ ] in a callout\n1. [ ] numbered\n",
            "Notes/undated.md": "[[Acme]]\n- [ ] from a note without a date\n",
        },
        _entity(),
        {},
        _entity(
            "- [ ] in a callout ([[2026-11-05 review]])",
            "- [ ] numbered ([[2026-11-05 review]])",
            "- [ ] first ([[2026-11-02 call]])",
            "- [ ] nested, at any depth ([[2026-11-02 call]])",
            "- [ ] star 📅 2026-12-01 ⏫ #followup ([[2026-11-02 call]])",
            "- [ ] from a note without a date ([[undated]])",
        ),
        id="newest-source-first-written-order-metadata-verbatim",
    ),
    pytest.param(
        {"Acme/2026-11-02 call.md": "```\n- [ ] in code\n```\n<!--\n- [ ] in a comment\n-->\n    \n`- [ ] inline`\n- [ ] real\n- [ ] \n"},
        _entity(),
        {},
        _entity("- [ ] real ([[2026-11-02 call]])"),
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
        {},
        _entity(
            "- [ ] Call Ana about the contract",
            "Some note a person wrote",
            "- [ ] mine ([[Nowhere]])",
            "- [ ] new one ([[2026-11-02 call]])",
        ),
        id="hand-written-lines-stay-on-top-in-order",
    ),
    pytest.param(
        {
            "Acme/2026-11-02 call.md": "---\ntype: meeting\n---\n- [ ] canonical's task\n",
            "Acme/2026-11-02 call (copy).md": '---\ntype: meeting\nduplicate_of: "[[2026-11-02 call]]"\n---\n- [ ] canonical\'s task\n- [ ] only in the copy\n',
            "Acme/2026-12-24 future.md": "- [ ] not yet\n",
        },
        _entity(),
        {},
        _entity("- [ ] canonical's task ([[2026-11-02 call]])"),
        id="duplicates-and-future-notes-left-out",
    ),
    pytest.param(
        {"Acme/2026-11-02 call.md": "- [ ] one\n- [ ] two\n- [ ] three\n- [ ] four\n"},
        "---\ntype: customer\n---\n## Open Tasks\n- ... and 9 more open tasks\n",
        {"max_entries": 2},
        _bare("- [ ] one ([[2026-11-02 call]])", "- [ ] two ([[2026-11-02 call]])", "- ... and 2 more open tasks"),
        id="max-entries-then-how-many-more",
    ),
    pytest.param(
        {"Acme/2026-11-02 b.md": "- [ ] b1\n", "Acme/2026-11-02 A.md": "- [ ] a1\n- [ ] a2\n", "Acme/2026-11-03 c.md": "- [ ] c1\n"},
        BARE,
        {"max_entries": 2},
        _bare("- [ ] c1 ([[2026-11-03 c]])", "- [ ] a1 ([[2026-11-02 A]])", "- ... and 2 more open tasks"),
        id="max-entries-cut-across-notes-of-one-day",
    ),
    pytest.param(
        {"Acme/2026-11-02 call.md": "- [ ] one\n- [ ] two\n[[Globex]]\n", "Globex/Globex.md": "---\ntype: customer\n---\n# Globex\n"},
        _entity(),
        {"max_entries": 1},
        _entity("- [ ] one ([[2026-11-02 call]])", "- ... and 1 more open task"),
        id="one-more-is-singular-and-an-entity-without-the-section-is-left-alone",
    ),
    pytest.param(
        {"Acme/2026-11-02 call.md": "- [ ] one\n"},
        "---\ntype: customer\n---\n# Acme\n\n## Todo\n\n## Notes\n\nkeep me\n",
        {"heading": "Todo"},
        _entity("- [ ] one ([[2026-11-02 call]])", heading="Todo"),
        id="heading-configurable",
    ),
]


@pytest.mark.parametrize(("notes", "entity", "options", "expected"), ROLL_UP)
def test_roll_up_lines(notes: dict[str, str], entity: str, options: dict[str, Any], expected: str) -> None:
    check_case({"Acme/Acme.md": entity, **notes}, _options(**options), {"Acme/Acme.md": expected}, [])


GLOBEX = "---\ntype: customer\n---\n# Globex\n\n## Open Tasks\n\n- [ ] Send the plan 📅 2026-12-01 ([[2026-11-02 call]])\n- [ ] Ask finance ([[2026-11-02 call]])\n"
CRLF_SOURCE = "---\r\ntype: meeting\r\n---\r\n- [ ] Send the plan 📅 2026-12-01 ^plan-1\r\n- [ ] Ask finance\r\n"


def _not_once(times: int) -> str:
    return (
        f"Acme/Acme.md: open-tasks: the ticked task 'Send the plan 📅 2026-12-01' is found {times} times in {CALL}, not once;"
        " nothing written there, the line is left as it is"
    )


# (notes, open-tasks options, what the run writes, its warnings)
TICKS = [
    pytest.param(ticked(), {}, {"Acme/Acme.md": LEFT, CALL: SOURCE.replace("- [ ] Send", "- [x] Send")}, [], id="tick-reaches-the-source"),
    pytest.param(
        ticked(),
        {"done_date": True},
        {"Acme/Acme.md": LEFT, CALL: SOURCE.replace("2026-12-01\n", "2026-12-01 ✅ 2026-11-24\n").replace("- [ ] Send", "- [x] Send")},
        [],
        id="tick-with-done-date",
    ),
    pytest.param(
        {
            "Acme/Acme.md": _entity("- [x] Send the plan 📅 2026-12-01 ^plan-1 ([[2026-11-02 call]])", ASK),
            CALL: CRLF_SOURCE,
        },
        {"done_date": True},
        {
            "Acme/Acme.md": LEFT,
            CALL: CRLF_SOURCE.replace(
                "- [ ] Send the plan 📅 2026-12-01 ^plan-1", "- [x] Send the plan 📅 2026-12-01 ✅ 2026-11-24 ^plan-1"
            ),
        },
        [],
        id="tick-keeps-the-sources-line-ends-and-block-id",
    ),
    pytest.param(
        ticked(SOURCE.replace("- [ ] Send", "- [x] Send"), rollup=" "),
        {},
        {"Acme/Acme.md": LEFT},
        [],
        id="ticked-in-its-source-leaves-the-roll-up",
    ),
    pytest.param(
        ticked(SOURCE.replace("- [ ] Send", "- [x] Send")),
        {},
        {"Acme/Acme.md": LEFT},
        [],
        id="ticked-in-both-places-writes-nothing-to-the-source",
    ),
    pytest.param(
        ticked(SOURCE.replace("Send the plan", "Send the revised plan")),
        {},
        {"Acme/Acme.md": _entity(TICKED, "- [ ] Send the revised plan 📅 2026-12-01 ([[2026-11-02 call]])", ASK)},
        [_not_once(0)],
        id="tick-on-a-task-edited-in-its-source-stays-reported",
    ),
    pytest.param(
        ticked(SOURCE + "- [ ] Send the plan 📅 2026-12-01\n"),
        {},
        {
            "Acme/Acme.md": _entity(
                TICKED,
                "- [ ] Send the plan 📅 2026-12-01 ([[2026-11-02 call]])",
                ASK,
                "- [ ] Send the plan 📅 2026-12-01 ([[2026-11-02 call]])",
            )
        },
        [_not_once(2)],
        id="tick-on-a-task-repeated-in-its-source-stays-reported",
    ),
    pytest.param(
        ticked(SOURCE.replace("type: meeting", "type: meeting\nvaultbot: {skip: [open-tasks]}")),
        {},
        {"Acme/Acme.md": _entity(TICKED, "- [ ] Send the plan 📅 2026-12-01 ([[2026-11-02 call]])", ASK)},
        [
            "Acme/Acme.md: open-tasks: the ticked task 'Send the plan 📅 2026-12-01' is not ticked in Acme/2026-11-02 call.md,"
            " which opts out of open-tasks; left as it is"
        ],
        id="tick-on-a-source-that-opts-out-stays-reported",
    ),
    pytest.param(
        {"Acme/Acme.md": ticked()["Acme/Acme.md"], "Other/2026-11-02 call.md": SOURCE},
        {},
        {"Acme/Acme.md": _entity(TICKED)},
        [
            "Acme/Acme.md: open-tasks: the ticked task 'Send the plan 📅 2026-12-01' links to Other/2026-11-02 call.md,"
            " which is not one of this entity's notes; left as it is"
        ],
        id="tick-naming-a-note-that-is-not-the-entitys-stays-reported",
    ),
    pytest.param(
        ticked(SOURCE + "With [[Globex]].\n", **{"Globex.md": GLOBEX}),
        {},
        {
            "Acme/Acme.md": LEFT,
            CALL: (SOURCE + "With [[Globex]].\n").replace("- [ ] Send", "- [x] Send"),
            "Globex.md": GLOBEX.replace("- [ ] Send the plan 📅 2026-12-01 ([[2026-11-02 call]])\n", ""),
        },
        [],
        id="one-task-in-two-roll-ups-is-ticked-once-and-leaves-both",
    ),
    pytest.param(
        {"Acme/Acme.md": _entity("- [x] Book the room ([[2026-12-24 planned]])"), "Acme/2026-12-24 planned.md": "- [ ] Book the room\n"},
        {},
        {"Acme/Acme.md": EMPTY, "Acme/2026-12-24 planned.md": "- [x] Book the room\n"},
        [],
        id="tick-in-a-note-the-roll-up-does-not-list-reaches-it",  # a planned meeting, dated after today
    ),
    pytest.param(
        ticked(**{"Acme/Acme.md": ticked()["Acme/Acme.md"].replace("type: customer", "type: customer\nvaultbot: false")}),
        {},
        {},
        [],
        id="an-opted-out-entity-ticks-nothing",
    ),
]


# Notes a rule author forgets: other line ends, no final newline, a BOM, frontmatter never
# closed, the heading only inside a code block. (notes, what the run writes, its warnings)
ONE = {CALL: "- [ ] one\n"}
HOSTILE = [
    pytest.param(
        {"Acme/Acme.md": "---\r\ntype: customer\r\n---\r\n# Acme\r\n\r\n## Open Tasks\r\n\r\n## Notes\r\n", **ONE},
        {
            "Acme/Acme.md": "---\r\ntype: customer\r\n---\r\n# Acme\r\n\r\n## Open Tasks\r\n\r\n- [ ] one ([[2026-11-02 call]])\r\n\r\n## Notes\r\n"
        },
        [],
        id="crlf-kept",
    ),
    pytest.param(
        {"Acme/Acme.md": "---\ntype: customer\n---\n# Acme\n\n## Open Tasks", **ONE},
        {"Acme/Acme.md": "---\ntype: customer\n---\n# Acme\n\n## Open Tasks\n\n- [ ] one ([[2026-11-02 call]])"},
        [],
        id="no-final-newline-stays-missing",
    ),
    pytest.param(
        {"Acme/Acme.md": "\ufeff" + BARE, **ONE}, {"Acme/Acme.md": "\ufeff" + _bare("- [ ] one ([[2026-11-02 call]])")}, [], id="bom-kept"
    ),
    pytest.param(
        {"Acme/Acme.md": "---\ntype: customer\n# Acme\n\n## Open Tasks\n", **ONE},
        {},
        ["Acme/Acme.md: skipped: frontmatter opened with '---' on line 1 is never closed"],
        id="frontmatter-never-closed-is-reported-and-left",
    ),
    pytest.param(
        {"Acme/Acme.md": "---\ntype: customer\n---\n# Acme\n\n```\n## Open Tasks\n```\n", **ONE},
        {},
        [],
        id="heading-in-a-code-block-is-no-section",
    ),
    pytest.param(
        {"Acme/Acme.md": BARE, CALL: "- [ ] one\r\n- [ ] two"},
        {"Acme/Acme.md": _bare("- [ ] one ([[2026-11-02 call]])", "- [ ] two ([[2026-11-02 call]])")},
        [],
        id="a-sources-crlf-and-missing-final-newline-stay-out-of-the-lines",
    ),
]


@pytest.mark.parametrize(("notes", "expected", "warnings"), HOSTILE)
def test_notes_a_rule_author_forgets(notes: dict[str, str], expected: dict[str, str], warnings: list[str]) -> None:
    check_case(notes, None, expected, warnings)


@pytest.mark.parametrize(("notes", "options", "expected", "warnings"), TICKS)
def test_ticks(notes: dict[str, str], options: dict[str, Any], expected: dict[str, str], warnings: list[str]) -> None:
    check_case(notes, _options(**options), expected, warnings)


@pytest.mark.parametrize(
    ("notes", "requires"),
    [
        (ticked(SOURCE + "With [[Globex]].\n", **{"Globex.md": GLOBEX}), {"Acme/Acme.md": (CALL,), "Globex.md": (CALL,)}),
        (
            {
                "Acme/Acme.md": _entity("- [x] Book the room ([[2026-12-24 planned]])"),
                "Acme/2026-12-24 planned.md": "- [ ] Book the room\n",
            },
            {"Acme/Acme.md": ("Acme/2026-12-24 planned.md",)},
        ),
    ],
    ids=["two-roll-ups", "unlisted-source"],
)
def test_a_roll_up_that_ticks_is_written_only_with_the_tick(notes: dict[str, str], requires: dict[str, tuple[str, ...]]) -> None:
    assert run([open_tasks], notes, today=TODAY).requires == requires


def test_ticking_end_to_end_in_a_git_vault_is_one_commit(tmp_path: Path) -> None:
    write_vault(tmp_path, ticked())
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "seed")
    result = run_cli("run", tmp_path, "--today", str(TODAY), "--rule", "open-tasks")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / CALL).read_text(encoding="utf-8") == SOURCE.replace("- [ ] Send", "- [x] Send")
    assert (tmp_path / "Acme/Acme.md").read_text(encoding="utf-8") == LEFT
    files = git(tmp_path, "show", "--name-only", "--format=", "HEAD").splitlines()
    assert sorted(files) == [CALL, "Acme/Acme.md"]
    assert git(tmp_path, "status", "--porcelain") == ""
    again = run_cli("run", tmp_path, "--today", str(TODAY), "--rule", "open-tasks")
    assert again.returncode == 0 and "vaultbot: 0 notes updated" in again.stdout


def test_a_source_with_uncommitted_edits_holds_the_roll_up_back(tmp_path: Path) -> None:
    """Writing the roll-up without the tick would lose the tick: neither is written."""
    write_vault(tmp_path, ticked())
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "seed")
    write_vault(tmp_path, {CALL: SOURCE + "A line someone is still writing.\n"})
    result = run_cli("run", tmp_path, "--today", str(TODAY), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "Acme/Acme.md").read_text(encoding="utf-8") == ticked()["Acme/Acme.md"]
    warnings = {w["path"]: w["message"] for w in json.loads(result.stdout)["warnings"]}
    assert "uncommitted changes" in warnings[CALL]
    assert warnings["Acme/Acme.md"].startswith(f"not changed: its change goes with the change to {CALL}")
    assert git(tmp_path, "log", "--format=%s") == "seed\n"


# -- for any section and any notes: nothing typed is dropped, and a second run changes nothing --

_TEXT = st.text(alphabet="abc xyz-*[]()!?📅", min_size=1, max_size=18).filter(lambda text: text.strip() != "")


def _section(text: str) -> list[str]:
    return [line for line in text.split("## Open Tasks\n", 1)[1].split("## Notes", 1)[0].split("\n") if line]


@settings(max_examples=300, deadline=None)
@given(
    hand=st.lists(_TEXT, max_size=4),
    tasks=st.lists(st.lists(_TEXT, max_size=3), min_size=1, max_size=3),
    ticked_at=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), max_size=3),
    done=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), max_size=2),
)
def test_hand_written_lines_survive_and_a_second_run_changes_nothing(hand, tasks, ticked_at, done) -> None:
    sources = {}
    for day, texts in enumerate(tasks, start=1):
        lines = [f"- [{'x' if (day - 1, i) in done else ' '}] {text}" for i, text in enumerate(texts)]
        sources[f"Acme/2026-11-0{day} call.md"] = "# Call\n\n" + "".join(f"{line}\n" for line in lines)
    rollup = [f"- [x] {tasks[d][i].strip()} ([[2026-11-0{d + 1} call]])" for d, i in ticked_at if d < len(tasks) and i < len(tasks[d])]
    # A heading would end the section: an ATX one, or a setext underline (`-` under a line of text).
    typed = [line for line in hand if not line.lstrip().startswith("#") and set(line.strip()) - {"-", "="}]
    entity = "---\ntype: customer\n---\n# Acme\n\n## Open Tasks\n\n" + "".join(f"{line}\n" for line in typed + rollup) + "\n## Notes\n"
    notes = {"Acme/Acme.md": entity, **sources}
    first, second = twice([open_tasks], notes, today=TODAY)
    section = _section(first.changed.get("Acme/Acme.md", entity))
    assert [line for line in section if line in typed] == typed, "every line a person typed stays, in order"
    assert section[: len(typed)] == typed, "above the generated lines"
    assert second.changed == {}, "a second run changes nothing"
