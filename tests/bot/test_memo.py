"""The clean-run memo: an untouched vault costs a scan; anything that could change the result runs in full."""

from __future__ import annotations

import dataclasses
import datetime
import shutil
from pathlib import Path

import pytest

from bot.memo import CleanRunMemo, CleanState, DateWindow
from bot.problem import Problem
from tests.vaults import EXAMPLE_VAULT, run_cli, tree_state


def _run(vault: Path, *extra: str, today: str = "2026-11-24"):
    return run_cli("run", vault, "-v", "--no-commit", "--today", today, *extra)


def _parsed(result) -> bool:
    """Whether the run read and parsed notes (a remembered clean run does not)."""
    return "notes parsed" in result.stderr


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = Path(shutil.copytree(EXAMPLE_VAULT, tmp_path / "vault"))
    (root / "Broken.md").write_text("---\ntype: [\n---\n")
    return root


def test_run_after_a_clean_run_skips_parsing_and_replays_warnings(vault: Path) -> None:
    first = _run(vault)
    assert _parsed(first) and "11 notes updated, 1 warning" in first.stdout
    second = _run(vault)
    assert not _parsed(second)
    assert second.stdout.splitlines()[-1] == "vaultbot: 0 notes updated, 1 warning (not a git repository: nothing committed)"
    assert "warning: Broken.md: skipped: invalid YAML in frontmatter" in second.stderr
    dry = run_cli("run", vault, "--dry-run", "-v", "--today", "2026-11-24")
    assert not _parsed(dry) and dry.stdout.splitlines()[-1].startswith("vaultbot: 0 notes would change, 1 warning")


@pytest.mark.parametrize(
    "disturb",
    [
        lambda v: (v / "People/Lena Fischer/Lena Fischer.md").write_text(
            (v / "People/Lena Fischer/Lena Fischer.md").read_text() + "\nmore\n"
        ),
        lambda v: (v / "New note.md").write_text("[[Globex]]\n"),
        lambda v: (v / "Customers/Northwind Traders/Sub").mkdir(),
        lambda v: (v / ".vaultbot.yaml").write_text("rules:\n  recent-context:\n    max_entries: 3\n"),
        lambda v: (v / ".obsidian/app.json").write_text('{"newLinkFormat": "absolute"}'),
    ],
    ids=["note-edited", "note-added", "folder-added", "config-changed", "obsidian-settings-changed"],
)
def test_anything_that_could_change_the_result_runs_in_full(vault: Path, disturb) -> None:
    _run(vault)
    assert not _parsed(_run(vault))
    disturb(vault)
    assert _parsed(_run(vault))


def test_a_new_day_runs_in_full_only_when_a_note_date_was_passed(vault: Path) -> None:
    _run(vault)
    assert not _parsed(_run(vault, today="2026-12-02")), "no note is dated 2026-11-25..2026-12-02"
    later = _run(vault, today="2026-12-03")  # the planned workshop is no longer in the future
    assert _parsed(later)
    assert "updated People/Lena Fischer/2026-12-03 - Planned workshop with Globex.md" not in later.stdout
    assert "recent-context" in later.stdout


def test_dry_run_and_no_cache_never_write_the_memo(vault: Path, private_cache_home: Path) -> None:
    before = tree_state(private_cache_home)
    run_cli("run", vault, "--dry-run", "--today", "2026-11-24")
    run_cli("run", vault, "--no-cache", "--no-commit", "--today", "2026-11-24")
    appeared = set(tree_state(private_cache_home)) - set(before)
    # A real run of a vault without git takes its lock there (bot/lock.py); no memo or cache file appears.
    assert all(path == "vaultbot" or path.startswith("vaultbot/lock-") for path in appeared), appeared
    assert _parsed(_run(vault, "--no-cache"))


def test_a_damaged_memo_is_ignored(vault: Path, private_cache_home: Path) -> None:
    _run(vault)
    (memo,) = private_cache_home.rglob("*.clean-*.json")
    memo.write_text("{not json")
    assert _parsed(_run(vault))


def test_each_set_of_rules_keeps_its_own_memo(vault: Path) -> None:
    """Daemon schedule groups run different rules; one group's run must not cost the other its memo."""
    _run(vault)
    assert _parsed(_run(vault, "--rule", "tags")), "no clean run of tags alone yet"
    assert not _parsed(_run(vault, "--rule", "tags"))
    assert not _parsed(_run(vault)), "the full set's memo is still there"


@pytest.mark.parametrize(
    ("today", "dates", "inside", "outside"),
    [
        ("2026-11-24", ["2026-11-20", "2026-12-03"], ["2026-11-20", "2026-12-02"], ["2026-11-19", "2026-12-03"]),
        ("2026-11-24", [], ["1900-01-01", "2999-01-01"], []),
        ("2026-11-24", ["2027-01-01"], ["2000-01-01"], ["2027-01-01"]),
    ],
)
def test_date_window(today: str, dates: list[str], inside: list[str], outside: list[str]) -> None:
    window = DateWindow.around(datetime.date.fromisoformat(today), map(datetime.date.fromisoformat, dates))
    assert all(window.contains(datetime.date.fromisoformat(day)) for day in inside)
    assert not any(window.contains(datetime.date.fromisoformat(day)) for day in outside)


def test_recall_returns_what_was_remembered_within_its_window(tmp_path: Path) -> None:
    memo = CleanRunMemo(tmp_path / "m.json")
    window = DateWindow.around(datetime.date(2026, 11, 24), [datetime.date(2026, 12, 3)])
    state = CleanState(
        "abc",
        [Problem("a.md", "skipped: x"), Problem("b.md", "tags: y"), Problem("c.md", "link [[d]] matches 2 notes")],
        {"tags": [Problem("b.md", "tags: y")]},
        [Problem("c.md", "link [[d]] matches 2 notes")],
    )
    memo.remember(state, window)
    assert memo.recall(datetime.date(2026, 12, 2)) == dataclasses.replace(state, window=window)
    assert memo.recall(datetime.date(2026, 12, 3)) is None
