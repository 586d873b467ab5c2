"""The Action keeps vaultbot's parse cache between jobs: a second job, on a fresh clone, reads its
notes from the cache the first job left (restored by actions/cache; here, the same runner folder)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from bot.cache import CACHE_DIR_VARIABLE, CONTENT_KEYS_FROM, ParseCache
from bot.config import load_config
from bot.runner import plan_run
from tests.test_action import ACTION, ON_A_RUNNER, fresh_job, outputs, run_action, runner, workspace  # noqa: F401 (fixtures)
from tests.vaults import TODAY, git, write_vault

MEETINGS = CONTENT_KEYS_FROM + 10  # enough that a clone's misses by stat make the cache ask git


def hits_and_parsed(vault: Path, cache_folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(cache_folder))
    cache = ParseCache(vault, print)
    plan_run(vault, load_config(vault), TODAY, loader=cache.load_notes)
    monkeypatch.delenv(CACHE_DIR_VARIABLE)
    return cache.hits, cache.parsed


@ON_A_RUNNER
def test_a_second_job_on_a_fresh_clone_finds_every_note_in_the_carried_cache(
    workspace: Path, runner: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_vault(
        workspace / "notes",
        {
            f"Meetings/2026-11-{1 + i % 20:02d} Sync {i}.md": f"---\ntype: meeting\ndate: 2026-11-{1 + i % 20:02d}\n---\nSync with [[Ann]].\n"
            for i in range(MEETINGS)
        },
    )
    git(workspace, "add", "-A")
    git(workspace, "-c", "user.name=Ann", "-c", "user.email=ann@example.org", "commit", "-q", "-m", "meetings")
    git(workspace, "push", "-q", "origin", "main")
    tree = git(workspace, "rev-parse", "HEAD:notes").strip()
    first = run_action(workspace, runner, {"vault-path": "notes"})
    assert first.returncode == 0, first.stderr
    step = dict(line.split("=", 1) for line in (runner / "output-parse-cache").read_text().splitlines())
    assert step == {"dir": str(runner / "vaultbot-parse-cache"), "prefix": "vaultbot-parse-Linux-", "key": f"vaultbot-parse-Linux-{tree}"}
    assert outputs(runner)["commit"]  # it wrote and committed notes, which the next job's clone holds

    cache_folder = runner / "vaultbot-parse-cache"
    second_job = fresh_job(tmp_path, "second-job")
    notes = len(list((second_job / "notes").rglob("*.md")))
    assert hits_and_parsed(second_job / "notes", cache_folder, monkeypatch) == (notes, 0)
    second = run_action(second_job, runner, {"vault-path": "notes"})
    assert second.returncode == 0, second.stderr
    assert outputs(runner) == {"changed": "0", "commit": "", "pull-request": ""}


def test_the_cache_step_is_keyed_on_the_vaults_tree_and_restores_by_prefix() -> None:
    steps = ACTION["runs"]["steps"]
    restore = next(step for step in steps if step.get("uses", "").startswith("actions/cache@") and "parse-cache" in step["with"]["path"])
    assert restore["with"] == {
        "path": "${{ steps.parse-cache.outputs.dir }}",
        "key": "${{ steps.parse-cache.outputs.key }}",
        "restore-keys": "${{ steps.parse-cache.outputs.prefix }}",
    }
    run_step = next(step for step in steps if step.get("id") == "run")
    assert run_step["env"][CACHE_DIR_VARIABLE] == "${{ steps.parse-cache.outputs.dir }}"
    assert steps.index(restore) < steps.index(run_step)


# -- the clean-run memo travels with the cache: a fresh clone of an unchanged vault is a scan ----------

REMEMBERED = "the vault is as the last clean run left it (recognised by content)"


def stages(result: subprocess.CompletedProcess) -> list[str]:
    """The `--verbose` stage lines of a run (the Action runs verbose when RUNNER_DEBUG=1), without their times."""
    return [line.split("s ", 1)[1] for line in result.stderr.splitlines() if re.match(r"vaultbot: +[0-9.]+s ", line)]


def reported(result: subprocess.CompletedProcess) -> list[str]:
    """What the step printed for the notes: each change and each `::warning::`, in order."""
    return [line for line in result.stdout.splitlines() if not line.startswith("vaultbot: ")]


def meetings_vault(workspace: Path) -> None:
    """Enough meetings that a clone's misses by stat make the parse cache ask git, and a note that warns."""
    notes = {
        f"Meetings/2026-11-{1 + i % 20:02d} Sync {i}.md": f"---\ntype: meeting\ndate: 2026-11-{1 + i % 20:02d}\n---\nSync with [[Ann]].\n"
        for i in range(MEETINGS)
    }
    write_vault(workspace / "notes", {**notes, "Broken.md": "---\n: [unclosed\n---\nbody\n"})
    git(workspace, "add", "-A")
    git(workspace, "commit", "-q", "-m", "meetings")
    git(workspace, "push", "-q", "origin", "main")


@ON_A_RUNNER
def test_a_fresh_clone_of_an_unchanged_vault_replays_the_carried_memo(
    workspace: Path, runner: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNNER_DEBUG", "1")
    meetings_vault(workspace)
    first = run_action(workspace, runner, {"vault-path": "notes"})
    assert first.returncode == 0, first.stderr
    assert outputs(runner)["commit"] and "notes parsed" in "\n".join(stages(first))

    warm = run_action(fresh_job(tmp_path, "second-job"), runner, {"vault-path": "notes"})
    assert warm.returncode == 0, warm.stderr
    assert stages(warm)[1:] == [f"{REMEMBERED}: its warnings replayed, no note read, no rule run"]
    assert stages(warm)[0].endswith("notes scanned")
    assert outputs(runner) == {"changed": "0", "commit": "", "pull-request": ""}

    cold_runner = tmp_path / "cold-runner"  # an empty cache: the run reads and checks everything
    cold_runner.mkdir()
    cold = run_action(fresh_job(tmp_path, "cold-job"), cold_runner, {"vault-path": "notes"})
    assert cold.returncode == 0, cold.stderr
    assert "6 rules applied" in stages(cold)
    assert outputs(cold_runner) == outputs(runner)
    assert reported(warm) == reported(cold) and "::warning::Broken.md" in "\n".join(reported(warm))


@ON_A_RUNNER
def test_a_fresh_clone_of_a_vault_changed_upstream_rechecks_what_changed(
    workspace: Path, runner: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNNER_DEBUG", "1")
    meetings_vault(workspace)
    assert run_action(workspace, runner, {"vault-path": "notes"}).returncode == 0

    person = fresh_job(tmp_path, "person")  # someone moves one meeting to a later day, upstream
    meeting = person / "notes" / "Meetings/2026-11-01 Sync 0.md"
    meeting.write_text(meeting.read_text().replace("date: 2026-11-01", "date: 2026-11-29"))
    git(person, "commit", "-q", "-am", "moved a meeting")
    git(person, "push", "-q", "origin", "main")

    dry = {"vault-path": "notes", "dry-run": "true"}
    carried = run_action(fresh_job(tmp_path, "carried-job"), runner, dry)
    assert carried.returncode == 0, carried.stderr
    assert not any("last clean run left it" in stage for stage in stages(carried))
    assert "1 notes edited since the last clean run; the rules check what those affect" in stages(carried)
    changed = outputs(runner)

    cold_runner = tmp_path / "cold-runner"
    cold_runner.mkdir()
    cold = run_action(fresh_job(tmp_path, "cold-job"), cold_runner, dry)
    assert cold.returncode == 0, cold.stderr
    assert "notes edited since" not in cold.stderr
    assert changed == outputs(cold_runner) == {"changed": "1", "commit": "", "pull-request": ""}
    assert reported(carried) == reported(cold)
    assert "would change People/Ann.md (last-contact)" in reported(carried)
