"""dedupe-meetings (mark mode): who is a duplicate, which note is canonical."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules import dedupe_meetings
from tests.rules.memory import run_rules
from tests.vaults import plan, run_cli, write_vault


def meeting(
    day: str = "2026-11-02", time: str | None = None, people: str = '["[[Ann]]", "[[Bo]]"]', extra: str = "", body: str = "Notes.\n"
) -> str:
    clock = f'time: "{time}"\n' if time else ""
    return f"---\ntype: meeting\ndate: {day}\n{clock}participants: {people}\n{extra}---\n{body}"


def marked(tmp_path: Path) -> dict[str, str]:
    """path -> duplicate_of value each change would write."""
    found = {}
    for change in plan(tmp_path, "dedupe-meetings").changes:
        for line in change.after.decode().splitlines():
            if line.startswith("duplicate_of: "):
                found[change.path] = line.removeprefix("duplicate_of: ")
    return found


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
def test_duplicates(tmp_path: Path, label: str, files: dict[str, str], expected: dict[str, str]) -> None:
    write_vault(tmp_path, files)
    assert marked(tmp_path) == expected


def test_different_owners_are_different_meetings(tmp_path: Path) -> None:
    write_vault(
        tmp_path,
        {
            "C/X/X.md": "---\ntype: customer\n---\n",
            "C/Y/Y.md": "---\ntype: customer\n---\n",
            "C/X/m.md": meeting(),
            "C/Y/m2.md": meeting(),
        },
    )
    assert marked(tmp_path) == {}


def test_only_duplicate_of_is_added(tmp_path: Path) -> None:
    write_vault(tmp_path, {"M/a.md": meeting(), "M/b.md": meeting(body="Longer notes here.\n")})
    (change,) = plan(tmp_path, "dedupe-meetings").changes
    assert change.after.decode() == meeting().replace("---\nNotes", 'duplicate_of: "[[b]]"\n---\nNotes')


def test_flipped_canonical_drops_its_stale_mark(tmp_path: Path) -> None:
    write_vault(
        tmp_path,
        {"M/a.md": meeting(extra='duplicate_of: "[[b]]"\n'), "M/b.md": meeting(), "Hub.md": "[[a]] [[a|again]]\n", "Hub2.md": "[[a]]\n"},
    )
    changes = {c.path: c.after.decode() for c in plan(tmp_path, "dedupe-meetings").changes}
    assert "duplicate_of" not in changes["M/a.md"]
    assert 'duplicate_of: "[[a]]"' in changes["M/b.md"]


def test_opted_out_canonical_leaves_the_group_alone(tmp_path: Path) -> None:
    write_vault(tmp_path, {"M/a.md": meeting(), "M/b.md": meeting(extra="vaultbot: false\n", body="Longer notes here.\n")})
    result = plan(tmp_path, "dedupe-meetings")
    assert result.changes == []
    assert ("M/b.md", "dedupe-meetings: canonical of a duplicate group opts out of dedupe-meetings; group left alone: M/a.md") in [
        (p.path, p.message) for p in result.problems
    ]


def test_dedupe_end_to_end_and_idempotent(tmp_path: Path) -> None:
    write_vault(tmp_path, {"M/a.md": meeting(), "M/b.md": meeting(body="Longer notes here.\n")})
    assert run_cli("run", tmp_path, "--rule", "dedupe-meetings", "--no-commit").returncode == 0
    assert 'duplicate_of: "[[b]]"' in (tmp_path / "M/a.md").read_text()
    assert plan(tmp_path).changes == [] or all("dedupe-meetings" not in c.rules for c in plan(tmp_path).changes)


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
    changed, warnings = run_rules([dedupe_meetings], {"M/a.md": a, "M/b.md": b})
    assert changed == ({} if expected is None else {"M/a.md": expected})
    assert warnings == []
