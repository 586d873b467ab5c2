"""One run from start to end, for the CLI and the daemon alike: plan, then write -> cache -> memo -> commit -> push.

`run(request) -> RunResult` takes the run lock, opens the repository, finishes a
run that died (bot/journal.py), plans (on the committed view when the run
commits, bot/view.py) and, unless it is a dry run, `execute`s the plan. The
CLI only prints the result; the daemon only logs it. Every failure, whatever
the step (an OSError, a git command that fails), becomes one line in
`RunResult.errors` naming the step, never a traceback; and since vaultbot never
stages anything in the user's index before its commit is made, a failure
leaves nothing of vaultbot's staged there.

A committing run stores every new content as a blob and records the journal
before it writes the first note; the commit is then built from those blobs
(bot/git_commit.py), so a note edited after vaultbot wrote it is committed as
vaultbot wrote it and the edit stays in the work tree as the user's change.
"""

from __future__ import annotations

import datetime
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, NamedTuple, Sequence

from bot.cache import CACHE_DIR_VARIABLE, ParseCache, cache_dir, git_dir
from bot.config import Config
from bot.lock import LockBusy, hold_lock, lock_path
from bot.memo import CleanRunMemo, memo_path
from bot.problem import Problem
from bot.recheck_child import PendingRecheck
from bot.runner import Change, Progress, RunPlan, collector_paused, load_notes, plan_run, selected_rules
from bot.scan import FileStat
from bot.write_back import WriteResult, needs_recheck, pending_recheck, remember_clean_state, write_changes
from bot.writer import remove_leftovers

if TYPE_CHECKING:
    from git import Repo

    from bot.git_commit import IndexUpdate

LOCK_WAIT_SECONDS = 10.0  # a second run waits this long for the first, then skips
PAUSE_AT, PAUSE_DIR = "VAULTBOT_TEST_PAUSE_AT", "VAULTBOT_TEST_PAUSE_DIR"


@dataclass(frozen=True)
class RunRequest:
    root: Path
    config: Config
    today: datetime.date
    rule_ids: tuple[str, ...] = ()
    dry_run: bool = False
    no_commit: bool = False
    push: bool = False
    first_line: str | None = None  # of the commit message
    use_cache: bool = True
    warn: Callable[[str], None] = lambda message: None  # for the parse cache's own warnings
    progress: Progress | None = None


@dataclass
class RunResult:
    changes: list[Change] = field(default_factory=list)  # written (or, in a dry run, planned)
    problems: list[Problem] = field(default_factory=list)  # warnings
    errors: list[str] = field(default_factory=list)  # what made the run fail: one line each
    commit: str | None = None
    rules: tuple[str, ...] = ()
    dry_run: bool = False
    recovered: str | None = None  # what finishing a dead run did, for the log
    write_failed: bool = False

    @property
    def failed(self) -> bool:
        return bool(self.errors) or self.write_failed


def pause_for_tests(stage: str) -> None:
    """Test-only hook: with VAULTBOT_TEST_PAUSE_AT=<stage> and VAULTBOT_TEST_PAUSE_DIR=<folder>, the run
    creates <folder>/<stage>.reached at that stage and waits (at most a minute) for <folder>/<stage>.go,
    so a test can act at an exact point of a real run instead of racing it. Unset, it costs one lookup."""
    if os.environ.get(PAUSE_AT) != stage:
        return
    folder = Path(os.environ[PAUSE_DIR])
    (folder / f"{stage}.reached").touch()
    deadline = time.monotonic() + 60
    while not (folder / f"{stage}.go").exists() and time.monotonic() < deadline:
        time.sleep(0.01)


def _errors_of(module: str) -> tuple[type[Exception], ...]:
    """`module`'s GitError when the module is loaded, else none: a run outside git never loads
    GitPython (its import costs a tenth of a second), and a module not loaded raises nothing."""
    loaded = sys.modules.get(module)
    return (loaded.GitError,) if loaded is not None else ()


def run(request: RunRequest) -> RunResult:
    """One whole run (see the module doc)."""
    root = request.root
    try:
        with collector_paused():
            if git_dir(root) is None:
                if request.dry_run:
                    return _run(request, None)
                with hold_lock(lock_path(root, None), LOCK_WAIT_SECONDS):
                    return _run(request, None)
            return _run_in_repository(request)
    except LockBusy as error:
        return RunResult(errors=[f"{error}; this run is skipped"])
    except (OSError,) + _errors_of("git.exc") as error:  # opening the repository or taking the lock
        return RunResult(errors=[f"opening the vault's repository failed: {_reason(error)}"])


def _run_in_repository(request: RunRequest) -> RunResult:
    from bot import git

    with git.open_repo(request.root) as repo:
        if request.dry_run:  # a dry run takes no lock and writes nothing
            return _run(request, repo)
        with hold_lock(lock_path(request.root, repo.git_dir if repo else None), LOCK_WAIT_SECONDS):
            return _run(request, repo)


def _committing(request: RunRequest, repo: Repo | None) -> bool:
    return repo is not None and request.config.git.commit and not request.no_commit


def _run(request: RunRequest, repo: Repo | None) -> RunResult:
    committing = _committing(request, repo)
    result = RunResult(dry_run=request.dry_run, rules=tuple(rule.ID for rule in selected_rules(request.config, request.rule_ids)))
    step = "checking the repository"
    try:
        if repo is not None and not request.dry_run:
            from bot import git

            git.check_ready(repo, committing=committing)
            if committing:
                step = "finishing the run that stopped before committing"
                _finish_dead_run(repo, request, result)
        elif repo is not None and committing:  # a dry run, in a repository a real run would commit in
            _note_dead_run(repo, result)
        step = "reading the vault"
        cache = ParseCache(request.root, request.warn) if request.use_cache else None
        # A cache folder the user names travels to other checkouts (the Action's actions/cache): key the memo by content too.
        carried = bool(os.environ.get(CACHE_DIR_VARIABLE))
        memo = CleanRunMemo(memo_path(cache_dir(request.root), list(result.rules)), carried) if request.use_cache else None
        plan = _plan(request, repo, committing, cache, memo)
    except _errors_of("bot.git") + _errors_of("git.exc") as error:
        return RunResult(
            errors=[f"git: {error}" if isinstance(error, _errors_of("bot.git")) else f"{step} failed: git: {error}"],
            problems=result.problems,
        )
    except OSError as error:
        return RunResult(errors=[f"{step} failed: {_reason(error)}"], problems=result.problems)
    if not request.root.is_dir():
        result.errors.append(f"{request.root}: the vault folder disappeared during the run (moved or deleted); nothing was written")
        return result
    result.rules = plan.rules
    if request.dry_run:
        result.changes, result.problems = plan.changes, result.problems + plan.problems
        return result
    return execute(plan, request, repo if committing else None, cache, memo, result)


def _plan(request: RunRequest, repo: Repo | None, committing: bool, cache: ParseCache | None, memo: CleanRunMemo | None) -> RunPlan:
    from bot.view import committed_view

    view_of = (lambda scan: committed_view(repo, request.root, scan)) if committing and repo is not None else None
    return plan_run(
        request.root,
        request.config,
        request.today,
        request.rule_ids,
        loader=cache.load_notes if cache else load_notes,
        progress=request.progress or _silent,
        memo=memo,
        view_of=view_of,
        keep_versions=not request.dry_run,  # what only a real run's re-check needs (bot/recheck.py)
    )


def _silent(stage: str, done: int, total: int, detail: str) -> None:
    pass


def _finish_dead_run(repo: Repo, request: RunRequest, result: RunResult) -> None:
    from bot.journal import recover

    recovery = recover(repo, request.root, request.config.git.author)
    if recovery is None:
        return
    result.problems.extend(recovery.problems)
    if recovery.committed:
        where = f" in {recovery.commit[:12]}" if recovery.commit else " (HEAD already held them)"
        count = len(recovery.committed)
        result.recovered = f"finished a run that stopped before committing: {count} note{'s' if count != 1 else ''} committed{where}"


def _note_dead_run(repo: Repo, result: RunResult) -> None:
    from bot.journal import journal_path

    if journal_path(repo).exists():
        result.problems.append(Problem("(git)", "a vaultbot run stopped before committing; the next real run commits its notes first"))


class Prepared(NamedTuple):
    repo: Repo  # the repository the commit goes to
    head: str | None
    prefix: str
    updates: dict[str, list[IndexUpdate]]  # vault path -> its index updates (a move has two)


def _prepare(repo: Repo, root: Path, changes: Sequence[Change], first_line: str | None) -> Prepared:
    """Store every new content as a blob and record the journal, before any note is written."""
    from bot import git, git_commit
    from bot.git_commit import IndexUpdate
    from bot.journal import Journal, JournalNote, sha256, write_journal

    git_commit.remove_leftovers(repo)
    vault_prefix = git.prefix(repo, root)
    head = git.head_commit(repo)
    in_head = git.tree_entries(repo, head, vault_prefix, [vault_prefix + change.path for change in changes])
    blobs = git_commit.hash_contents(repo, [(vault_prefix + (c.destination or c.path), c.after) for c in changes])
    notes, updates = [], {}
    for change, blob in zip(changes, blobs):
        path = vault_prefix + change.path
        before = in_head.get(path)
        mode, replaced = (before.mode, before.blob) if before else ("100644", None)
        notes.append(
            JournalNote(change.path, change.rules, blob, sha256(change.after), mode, replaced, sha256(change.before), change.destination)
        )
        if change.destination is None:
            updates[change.path] = [IndexUpdate(path, mode, blob, replaced)]
        else:
            updates[change.path] = [
                IndexUpdate(path, mode, None, replaced),
                IndexUpdate(vault_prefix + change.destination, mode, blob, None),
            ]
    write_journal(repo, Journal(head, notes, first_line))
    return Prepared(repo, head, vault_prefix, updates)


def _commit(prepared: Prepared, written: Sequence[Change], request: RunRequest) -> str | None:
    """Commit the written notes from their blobs; move HEAD; bring the user's index in line."""
    repo = prepared.repo
    from bot import git, git_commit
    from bot.journal import clear_journal

    listed = [(f"{c.path} -> {c.destination}" if c.destination else c.path, c.rules) for c in written]
    message = git.commit_message(git.files_by_rule(listed), len(written), request.first_line)
    updates = [update for change in written for update in prepared.updates[change.path]]
    commit = git_commit.build_commit(repo, prepared.head, updates, message, request.config.git.author)
    if commit is not None:
        pause_for_tests("before-update-ref")
        # Once HEAD moves, the user's index must follow, or it would show vaultbot's change
        # staged in reverse: with the index taken by another git command, HEAD stays.
        if (Path(repo.git_dir) / "index.lock").exists():
            raise git.GitError(f"{Path(repo.git_dir) / 'index.lock'} exists: another git command is using the index")
        git_commit.advance_head(repo, commit, prepared.head)
        try:
            git_commit.sync_user_index(repo, prepared.prefix, updates)
        except git.GitError as error:
            raise git.GitError(f"the commit {commit[:12]} was made, but {error}; the next run updates the index") from None
    clear_journal(repo)
    return commit


def execute(
    plan: RunPlan, request: RunRequest, repo: Repo | None, cache: ParseCache | None, memo: CleanRunMemo | None, result: RunResult
) -> RunResult:
    """Write the plan's changes, store the cache and the memo, then (with `repo`) commit and push.

    `repo` is given only when the run commits. The re-check that may let the memo record the
    vault as clean starts now, in a child when that is worth it (bot/recheck_child.py)."""
    pending = None
    if memo is not None and needs_recheck(plan):
        pending = pending_recheck(plan, request.config, request.today)
    try:
        return _execute(plan, request, repo, cache, memo, result, pending)
    finally:
        if pending is not None:
            pending.close()


def _execute(
    plan: RunPlan,
    request: RunRequest,
    repo: Repo | None,
    cache: ParseCache | None,
    memo: CleanRunMemo | None,
    result: RunResult,
    pending: PendingRecheck | None,
) -> RunResult:
    root = request.root
    progress = request.progress or _silent
    result.problems.extend(plan.problems)
    prepared = None
    committing = (0.0, 0.0)  # the commit stage's own (wall, CPU) seconds for `-v`: blobs and journal, then the commit
    try:
        remove_leftovers(root, plan.scan.leftovers if plan.scan else ())
        if repo is not None and plan.changes:
            started = _clock()
            prepared = _prepare(repo, root, plan.changes, request.first_line)
            committing = _since(started)
    except _errors_of("bot.git") + (OSError,) as error:
        result.errors.append(f"preparing the commit failed: {_reason(error)}; nothing was written")
        return result
    pause_for_tests("before-write")
    written = write_changes(root, plan.changes)
    placed = {id(change) for change in written.written}  # reported in the plan's order, as a dry run lists them
    result.changes, result.write_failed = [change for change in plan.changes if id(change) in placed], written.failed
    result.problems.extend(written.problems)
    if plan.changes:  # a run with nothing to write logs no write stage (a replayed memo's log is one line)
        progress("write", len(written.written), len(plan.changes), "")
    if not root.is_dir():  # one clear error rather than a failed write per note
        result.errors.append(
            f"{root}: the vault folder disappeared during the run (moved or deleted); {len(written.written)} of {len(plan.changes)} notes were written before it did"
        )
        return result
    if cache is not None:  # only a real run stores the cache, and only after writing
        parsed = plan.vault.notes if plan.vault is not None else {}  # None: a remembered clean run, which changes nothing
        cache.record_written((parsed[c.path] for c in written.written if c.destination is None), written.stats)
        cache.save()
    if prepared is not None:
        pause_for_tests("before-commit")
        started = _clock()
        try:
            result.commit = _commit(prepared, written.written, request)
        except _errors_of("bot.git") + (OSError,) as error:
            result.errors.append(f"commit failed: {_reason(error)}; the notes are written but not committed (the next run commits them)")
        else:
            wall, cpu = (sum(pair) for pair in zip(committing, _since(started)))
            progress("commit", len(written.written), len(written.written), f"{wall:.3f}s, CPU {cpu:.3f}s")
            result.problems.extend(_edited_after_writing(root, written))
    # After the commit: checking that the written vault is clean reruns the rules where the run's edits
    # reach, which would add to the wait for the commit (a `daemon --watch` run's latency).
    if memo is not None:
        remember_clean_state(plan, written, request.config, request.today, memo, pending)
    if prepared is None or result.errors:
        return result
    if result.commit is not None and (request.push or request.config.git.push):
        _push(prepared.repo, request, result)
    return result


def _clock() -> tuple[float, float]:
    """(wall, CPU) seconds now; CPU counts this process and the git commands it waited for."""
    times = os.times()
    return time.perf_counter(), times.user + times.system + times.children_user + times.children_system


def _since(started: tuple[float, float]) -> tuple[float, float]:
    now = _clock()
    return now[0] - started[0], now[1] - started[1]


EDITED = (
    "edited while vaultbot ran, after it wrote the note: vaultbot's version is committed, your edit stays in the work tree, uncommitted"
)


def _edited_after_writing(root: Path, written: WriteResult) -> list[Problem]:
    """Notes whose file is no longer the one vaultbot placed (a stat is enough to know most are)
    and whose bytes differ from vaultbot's: someone's edit, which the commit does not hold."""
    found = []
    for change in written.written:
        path = change.destination or change.path
        try:
            if FileStat.of(os.stat(root / path)) == written.stats.get(path) or (root / path).read_bytes() == change.after:
                continue
        except OSError:
            pass  # gone: removed by someone after vaultbot wrote it
        found.append(Problem(path, EDITED))
    return found


def _push(repo: Repo, request: RunRequest, result: RunResult) -> None:
    from git.exc import GitError as GitPythonError

    from bot.git import GitError
    from bot.git_push import push

    try:
        pushed = push(repo, request.config.git.author)
    except GitError as error:
        result.errors.append(str(error))
        return
    except (GitPythonError, OSError, ValueError) as error:
        result.errors.append(f"push failed: {_reason(error)}; the commit {(result.commit or '')[:12]} is kept locally")
        return
    result.commit = pushed.commit
    if pushed.note:
        result.problems.append(Problem("(git)", pushed.note))


def _reason(error: Exception) -> str:
    return (error.strerror or str(error)) if isinstance(error, OSError) else str(error)
