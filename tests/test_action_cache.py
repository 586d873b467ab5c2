"""The Action keeps vaultbot's parse cache between jobs: a second job, on a fresh clone, reads its
notes from the cache the first job left (restored by actions/cache; here, the same runner folder)."""

from __future__ import annotations

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
