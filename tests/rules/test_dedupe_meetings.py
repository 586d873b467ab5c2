"""dedupe-meetings (mark mode): who is a duplicate, which note is canonical.

Cases run in memory (tests/rules/memory.py): notes in, the changed texts and the warnings out,
exactly, and a second run changes nothing; one end-to-end run of the CLI.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rules import dedupe_meetings
from tests.rules.memory import twice
from tests.vaults import run_cli, write_vault


def meeting(
    day: str = "2026-11-02", time: str | None = None, people: str = '["[[Ann]]", "[[Bo]]"]', extra: str = "", body: str = "Notes.\n"
) -> str:
    clock = f'time: "{time}"\n' if time else ""
    return f"---\ntype: meeting\ndate: {day}\n{clock}participants: {people}\n{extra}---\n{body}"


def _marked(files: dict[str, str], marks: dict[str, str]) -> dict[str, str]:
    """The texts a mark run writes: each note of `marks` with `duplicate_of: VALUE` as its last key."""
    return {path: files[path].replace("\n---\n", f"\nduplicate_of: {value}\n---\n", 1) for path, value in marks.items()}


CASES = [
    ("same day and people, no times", {"M/a.md": meeting(), "M/b.md": meeting(body="Longer notes here.\n")}, {"M/a.md": '"[[b]]"'}),
    (
        "times 29 minutes apart",
        {"M/a.md": meeting(time="10:00"), "M/b.md": meeting(time="10:29", body="Longer body.\n")},
        {"M/a.md": '"[[b]]"'},
    ),
    ("times 30 minutes apart are different meetings", {"M/a.md": meeting(time="10:00"), "M/b.md": meeting(time="10:30")}, {}),
    ("different people", {"M/a.md": meeting(), "M/b.md": meeting(people='["[[Ann]]"]')}, {}),
    ("different day", {"M/a.md": meeting(), "M/b.md": meeting(day="2026-11-03")}, {}),
    ("no participants never grouped by day", {"M/a.md": meeting(people="[]"), "M/b.md": meeting(people="[]")}, {}),
    (
        "same source groups any day",
        {
            "M/a.md": meeting(extra="source: rec-1\n"),
            "M/b.md": meeting(day="2026-10-01", people="[]", extra="source: rec-1\n", body="Longest body of all.\n"),
        },
        {"M/a.md": '"[[b]]"'},
    ),
    ("not a meeting type", {"M/a.md": meeting().replace("type: meeting", "type: note"), "M/b.md": meeting()}, {}),
    ("ties go to the smallest path", {"M/a.md": meeting(), "M/b.md": meeting()}, {"M/b.md": '"[[a]]"'}),
    (
        "chains join one group",
        {
            "M/a.md": meeting(time="10:00"),
            "M/b.md": meeting(time="10:20"),
            "M/c.md": meeting(time="10:40", body="The longest body wins.\n"),
        },
        {"M/a.md": '"[[c]]"', "M/b.md": '"[[c]]"'},
    ),
    (
        "most backlinks wins over body length",
        {"M/a.md": meeting(), "M/b.md": meeting(body="Much longer body text.\n"), "Hub.md": "[[a]]\n"},
        {"M/b.md": '"[[a]]"'},
    ),
    (
        "plain-name participants count",
        {"M/a.md": meeting(people="[Ann, Bo]"), "M/b.md": meeting(people='["[[Ann]]", "[[bo]]"]', body="Long body.\n")},
        {"M/a.md": '"[[b]]"'},
    ),
]


@pytest.mark.parametrize(("label", "files", "expected"), CASES, ids=[c[0] for c in CASES])
def test_duplicates(label: str, files: dict[str, str], expected: dict[str, str]) -> None:
    first, second = twice([dedupe_meetings], files)
    assert first == (_marked(files, expected), [])
    assert second == ({}, [])


FLIPPED = {"M/a.md": meeting(extra='duplicate_of: "[[b]]"\n'), "M/b.md": meeting(), "Hub.md": "[[a]] [[a|again]]\n", "Hub2.md": "[[a]]\n"}
OPTED_OUT = {"M/a.md": meeting(), "M/b.md": meeting(extra="vaultbot: false\n", body="Longer notes here.\n")}

# (notes, what the run writes, its warnings)
VAULTS = [
    pytest.param(
        {"C/X/X.md": "---\ntype: customer\n---\n", "C/Y/Y.md": "---\ntype: customer\n---\n", "C/X/m.md": meeting(), "C/Y/m2.md": meeting()},
        {},
        [],
        id="different-owners-are-different-meetings",
    ),
    pytest.param(
        {"M/a.md": meeting(), "M/b.md": meeting(body="Longer notes here.\n")},
        {"M/a.md": meeting().replace("---\nNotes", 'duplicate_of: "[[b]]"\n---\nNotes')},
        [],
        id="only-duplicate-of-is-added",
    ),
    pytest.param(
        FLIPPED,
        {"M/a.md": meeting(), "M/b.md": meeting(extra='duplicate_of: "[[a]]"\n')},
        [],
        id="flipped-canonical-drops-its-stale-mark",
    ),
    pytest.param(
        OPTED_OUT,
        {},
        ["M/b.md: dedupe-meetings: canonical of a duplicate group opts out of dedupe-meetings; group left alone: M/a.md"],
        id="opted-out-canonical-leaves-the-group-alone",
    ),
]


CRLF = meeting().replace("\n", "\r\n")
VAULTS += [
    pytest.param(
        {"M/a.md": CRLF, "M/b.md": meeting(body="Longer notes here.\n")},
        {"M/a.md": CRLF.replace("---\r\nNotes", 'duplicate_of: "[[b]]"\r\n---\r\nNotes')},
        [],
        id="crlf-kept",
    ),
    pytest.param(
        {"M/a.md": "\ufeff" + meeting(body=""), "M/b.md": meeting(body="Longer notes here.\n")},
        {"M/a.md": "\ufeff" + meeting(extra='duplicate_of: "[[b]]"\n', body="")},
        [],
        id="bom-and-frontmatter-only-kept",
    ),
    pytest.param(
        {"M/a.md": meeting(body="").removesuffix("\n"), "M/b.md": meeting(body="Longer notes here.\n")},
        {"M/a.md": meeting(extra='duplicate_of: "[[b]]"\n', body="").removesuffix("\n")},
        [],
        id="a-closing-fence-without-newline-kept",
    ),
    pytest.param(
        {"M/a.md": meeting().replace("---\nNotes", "Notes"), "M/b.md": meeting(body="Longer notes here.\n")},
        {},
        ["M/a.md: skipped: frontmatter opened with '---' on line 1 is never closed"],
        id="frontmatter-never-closed-is-reported-and-left",
    ),
]


@pytest.mark.parametrize(("notes", "expected", "warnings"), VAULTS)
def test_dedupe_in_a_vault(notes: dict[str, str], expected: dict[str, str], warnings: list[str]) -> None:
    first, second = twice([dedupe_meetings], notes)
    assert first == (expected, warnings)
    assert second == ({}, warnings)


def test_dedupe_end_to_end_and_idempotent(tmp_path: Path) -> None:
    write_vault(tmp_path, {"M/a.md": meeting(), "M/b.md": meeting(body="Longer notes here.\n")})
    for _ in range(2):
        result = run_cli("run", tmp_path, "--rule", "dedupe-meetings", "--no-commit")
        assert result.returncode == 0, result.stderr
        assert (tmp_path / "M/a.md").read_text(encoding="utf-8") == meeting(extra='duplicate_of: "[[b]]"\n')
    assert "vaultbot: 0 notes updated" in result.stdout


def _meeting(participants: str = '["[[Ann]]", "[[Bo]]"]', extra: str = "", body: str = "Notes.\n") -> str:
    return f"---\ntype: meeting\ndate: 2026-11-02\nparticipants: {participants}\n{extra}---\n{body}"


MARKED = '---\ntype: meeting\ndate: 2026-11-02\nparticipants: ["[[Ann]]", "[[Bo]]"]\nduplicate_of: "[[b]]"\n---\nNotes.\n'
# (label, M/a.md, M/b.md, what M/a.md becomes or None): b has the longer body, so b is canonical of a group.
GROUP_CASES = [
    ("same day, same participants: one meeting, the longer body canonical", _meeting(), _meeting(body="Longer notes.\n"), MARKED),
    ("other participants: two meetings", _meeting(), _meeting('["[[Ann]]", "[[Cy]]"]', body="Longer notes.\n"), None),
    ("nobody listed: never grouped by day alone", _meeting("[]"), _meeting("[]", body="Longer notes.\n"), None),
    (
        "times 30 minutes or more apart: two meetings",
        _meeting(extra="time: '09:00'\n"),
        _meeting(extra="time: '10:00'\n", body="Longer notes.\n"),
        None,
    ),
    (
        "the same source, other participants: one meeting",
        _meeting(extra="source: rec-1\n"),
        _meeting('["[[Cy]]"]', extra="source: rec-1\n", body="Longer notes.\n"),
        _meeting(extra='source: rec-1\nduplicate_of: "[[b]]"\n'),
    ),
    (
        "not a meeting type",
        _meeting().replace("type: meeting", "type: note"),
        _meeting(body="Longer notes.\n").replace("type: meeting", "type: note"),
        None,
    ),
]


@pytest.mark.parametrize(("label", "a", "b", "expected"), GROUP_CASES, ids=[case[0] for case in GROUP_CASES])
def test_groups_in_memory(label: str, a: str, b: str, expected: str | None) -> None:
    first, second = twice([dedupe_meetings], {"M/a.md": a, "M/b.md": b})
    assert first == ({} if expected is None else {"M/a.md": expected}, [])
    assert second == ({}, [])
