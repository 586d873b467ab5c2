"""The GitHub Action's case: every job a fresh clone, with vaultbot's cache folder carried over.

One committing run on the committed vault leaves the cache (`VAULTBOT_CACHE_DIR`, which the
Action restores with actions/cache); each measurement then restores that folder and runs on a
fresh clone, of the vault unchanged and of the vault with 10 daily notes edited and committed
upstream. Each run's `-v` log must show it took the path measured (a memo recognised by
content; the edited notes rechecked), or the benchmark stops.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable

from git_runs import Measure, git, git_copy

Runs = dict[str, list[tuple[float, float, float]]]


def fresh_clones(
    vault: Path,
    repeat: int,
    work: Path,
    measure: Measure,
    command: Callable[..., list[str]],
    touch: Callable[[Path, int], None],
    touched: int,
) -> Runs:
    """(wall, CPU, peak MB) per round of a committing run on a fresh clone with the carried cache, of the
    vault unchanged and with `touched` notes edited upstream (by `touch`). `command(vault, *flags)` is the run."""
    origin, carried, kept, upstream, clone = (work / name for name in ("origin", "carried", "carried-after-first-job", "upstream", "clone"))
    for folder in (carried, kept, upstream, clone):  # a run stopped midway leaves them
        shutil.rmtree(folder, ignore_errors=True)
    git_copy(vault, origin)
    env = {**os.environ, "VAULTBOT_CACHE_DIR": str(carried)}
    measure(command(origin), env)  # the first job: commits what the rules change, leaves the cache
    shutil.copytree(carried, kept)
    unchanged, edited = "fresh clone, carried cache", f"fresh clone, {touched} edited upstream"
    expected = {
        unchanged: "the vault is as the last clean run left it (recognised by content)",
        edited: f"{touched} notes edited since the last clean run",
    }
    results: Runs = {unchanged: [], edited: []}
    for round_ in range(repeat):
        for name in (unchanged, edited):
            source = origin
            if name == edited:
                shutil.rmtree(upstream, ignore_errors=True)
                git(work, "clone", "-q", str(origin), str(upstream))
                touch(upstream, round_)
                git(upstream, "commit", "-q", "-am", "a day's edits")
                source = upstream
            shutil.rmtree(clone, ignore_errors=True)
            git(work, "clone", "-q", str(source), str(clone))
            shutil.rmtree(carried)
            shutil.copytree(kept, carried)
            results[name].append(measure(command(clone, "-v"), env, expect=expected[name]))
    for folder in (origin, carried, kept, upstream, clone):
        shutil.rmtree(folder, ignore_errors=True)
    return results
