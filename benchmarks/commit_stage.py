"""Time vaultbot's commit stage alone: N changed notes in a git repository of R notes.

    python benchmarks/run.py --commit-stage 100 1000 10000 --repository-notes 10000 100000

The repository holds the generated vault of R notes (benchmarks/generate.py), committed once
(benchmarks/folders.py) and reset to that commit after each measurement; the changed notes are
spread over its folders, each given one more line. The stage is what a committing run adds to
a `--no-commit` run: before writing, every new content stored as a blob and the journal
recorded; after writing, the tree built in a private index, the commit made, HEAD moved and the
user's index brought in line, all through vaultbot's own functions in this process. Each row
gives wall and CPU seconds (this process and the git commands it waited for) and the number of
git commands, so a cost that grows with the repository rather than with the changed notes
shows as a row that grows down the column of one N.
"""

from __future__ import annotations

import datetime
import os
import resource
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Callable, NamedTuple

from folders import VAULTS, generated

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
TODAY = datetime.date(2026, 11, 24)
IDENTITY = {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.org"}
IDENTITY |= {"GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.org"}
READY = "bench-ready"  # a file in .git/: the repository was generated and committed completely


def git(repo: Path, *command: str) -> str:
    env = {**os.environ, **IDENTITY}
    return subprocess.run(["git", *command], cwd=repo, check=True, capture_output=True, text=True, env=env).stdout


def committed_repository(notes: int) -> tuple[Path, list[str]]:
    """A git repository holding the generated vault of `notes` notes, committed once (and kept), and its notes."""
    repo = VAULTS / f"git-{notes}"
    if not (repo / ".git" / READY).exists():
        print(f"committing the {notes:,}-note vault in {repo} ...", file=sys.stderr)
        shutil.rmtree(repo, ignore_errors=True)
        shutil.copytree(generated(notes), repo)
        git(repo, "init", "-q", "-b", "main")
        git(repo, "config", "gc.auto", "0")  # as in git_runs.git_copy: no detached gc during the measurements
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "notes")
        (repo / ".git" / READY).touch()
    listed = git(repo, "-c", "core.quotePath=false", "ls-files", "-z", "--", "*.md").split("\0")
    return repo, sorted(path for path in listed if path)


class Timed(NamedTuple):
    wall: float
    cpu: float  # this process and the git commands it waited for
    git_calls: int


class StageFigures(NamedTuple):
    repository: int
    changed: int
    prepare: Timed  # blobs and journal, before the notes are written
    commit: Timed  # private index, commit-tree, update-ref, the user's index
    slowest: list[tuple[str, float]]  # the git commands that took longest, with their wall seconds


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(work: Callable[[], object], calls: Counter) -> Timed:
    before, started, counted = _cpu(), time.perf_counter(), sum(calls.values())
    work()
    return Timed(time.perf_counter() - started, _cpu() - before, sum(calls.values()) - counted)


def commit_stage(notes: int, changed: int) -> StageFigures:
    """Commit `changed` of a `notes`-note repository's notes (spread over its folders) the way a run does."""
    from bot import git as bot_git
    from bot.change import Change
    from bot.config import load_config
    from bot.execute import RunRequest, _commit, _prepare
    from bot.write_back import write_changes

    if changed > notes:
        raise SystemExit(f"--commit-stage {changed} is more than the repository's {notes:,} notes")
    repo, paths = committed_repository(notes)
    base = git(repo, "rev-parse", "HEAD").strip()
    changes = []
    for path in paths[:: max(1, len(paths) // changed)][:changed]:  # spread over the folders
        before = (repo / path).read_bytes()
        changes.append(Change(path, ("tags",), before, before + b"\nFollow-up: call back next week.\n"))
    calls: Counter = Counter()
    durations: Counter = Counter()
    real_call = bot_git.call_git

    def counted_call(repo_: object, args: list[str], step_: str, **kwargs: object) -> subprocess.CompletedProcess:
        started = time.perf_counter()
        try:
            return real_call(repo_, args, step_, **kwargs)  # type: ignore[arg-type]
        finally:
            calls[step_] += 1
            durations[step_] += time.perf_counter() - started

    request = RunRequest(repo, load_config(repo), TODAY)
    bot_git.call_git = counted_call  # type: ignore[assignment]
    try:
        with bot_git.open_repo(repo) as git_repo:
            assert git_repo is not None
            prepared: list = []
            prepare = _timed(lambda: prepared.append(_prepare(git_repo, repo, changes, None)), calls)
            written = write_changes(repo, changes)
            assert len(written.written) == changed, written.problems
            commit = _timed(lambda: _commit(git_repo, prepared[0], written.written, request), calls)
    finally:
        bot_git.call_git = real_call  # type: ignore[assignment]
        git(repo, "reset", "-q", "--hard", base)
        shutil.rmtree(repo / ".git" / "vaultbot", ignore_errors=True)
    assert not git(repo, "status", "--porcelain", "--untracked-files=no"), "the benchmark repository did not reset cleanly"
    return StageFigures(notes, changed, prepare, commit, durations.most_common(3))


def table(rows: list[StageFigures]) -> list[str]:
    lines = [
        "| repository notes | changed notes | blobs + journal s | CPU s | commit + index s | CPU s | stage s | git commands | slowest git commands s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        slowest = ", ".join(f"{step} {seconds:.2f}" for step, seconds in row.slowest)
        lines.append(
            f"| {row.repository:,} | {row.changed:,} | {row.prepare.wall:.2f} | {row.prepare.cpu:.2f} | {row.commit.wall:.2f} | "
            f"{row.commit.cpu:.2f} | {row.prepare.wall + row.commit.wall:.2f} | {row.prepare.git_calls + row.commit.git_calls} | {slowest} |"
        )
    return lines
