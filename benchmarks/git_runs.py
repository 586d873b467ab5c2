"""Runs that commit: a vault copied into a git repository of its own, committed first, reset after each run.

`git_copy` makes the repository (the source is only read); `cold_commit_run` times a cold
`vaultbot run -v` there, which commits, and reads the commit stage's own wall and CPU time
from the `-v` log; `reset` puts the copy back to its first commit with no cache, for the
next round.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Callable

IDENTITY = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.org",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.org",
}
# `vaultbot: 12.345s 1,065 notes committed; the commit stage took 0.412s, CPU 0.300s`
STAGE = re.compile(r"notes committed; the commit stage took ([0-9.]+)s, CPU ([0-9.]+)s")

Measure = Callable[..., tuple[float, float, float]]


def git(repo: Path, *command: str) -> str:
    return subprocess.run(["git", *command], cwd=repo, check=True, capture_output=True, text=True, env={**os.environ, **IDENTITY}).stdout


def git_copy(source: Path, copy: Path) -> str:
    """Copy `source` to `copy`, make it a git repository with everything committed; the commit's id."""
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns(".git"))
    git(copy, "init", "-q", "-b", "main")
    # No automatic gc: after committing 10,000 loose objects git would pack them in a detached
    # process, which deletes files under .git while the benchmark times runs or removes the copy.
    git(copy, "config", "gc.auto", "0")
    git(copy, "add", "-A")
    git(copy, "commit", "-q", "-m", "notes")
    return git(copy, "rev-parse", "HEAD").strip()


def reset(copy: Path, base: str) -> None:
    """Back to the first commit, work tree and index included, and no cache (it lives in .git/vaultbot/)."""
    git(copy, "reset", "-q", "--hard", base)
    shutil.rmtree(copy / ".git" / "vaultbot", ignore_errors=True)


def cold_commit_run(
    command: list[str], copy: Path, base: str, env: dict[str, str], measure: Measure
) -> tuple[tuple[float, float, float], tuple[float, float]]:
    """((wall, CPU, peak MB) of the whole cold run, (wall, CPU) of its commit stage), on `copy` reset to `base`."""
    reset(copy, base)
    log: list[str] = []
    whole = measure([*command, "-v"], {**env, **IDENTITY}, log)
    stage = STAGE.search(log[0])
    if stage is None:
        raise SystemExit(f"the run made no commit:\n{log[0]}")
    if git(copy, "rev-parse", "HEAD").strip() == base:
        raise SystemExit("the run said it committed, but HEAD did not move")
    return whole, (float(stage.group(1)), float(stage.group(2)))
