"""The command line: `vaultbot run`, `vaultbot explain`, `vaultbot rules`, `vaultbot daemon`.

One `main(argv) -> int`; each command is a function returning its exit code.
Exit codes: 0 success; 1 `--check` found changes (or `--strict` warnings);
2 usage or configuration error; 3 the run failed (git, I/O).
The diff and JSON go to stdout; warnings and logs go to stderr.
"""

from __future__ import annotations

import argparse
import datetime
import inspect
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from bot import __version__, explain
from bot.config import Config, ConfigError, load_config
from bot.lock import LockBusy, hold_lock, lock_path
from bot.problem import Problem
from bot.cache import ParseCache, cache_dir, git_dir
from bot.memo import CleanRunMemo, memo_path
from bot.progress import for_run as progress_for_run
from bot.report import as_json, headline, summary_lines, unified_diff
from bot.runner import Change, collector_paused, load_notes, plan_run, remember_clean_state, selected_rules, write_changes
from rules import RULES

if TYPE_CHECKING:
    from git import Repo

EXIT_OK, EXIT_CHANGES, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3
LOCK_WAIT_SECONDS = 10.0  # a second run waits this long for the first, then skips


def _today(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {value!r}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vaultbot", description="Keeps an Obsidian vault in git tidy.")
    parser.add_argument("--version", action="version", version=f"vaultbot {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the rules once")
    run.add_argument("vault", nargs="?", default=".", type=Path, help="the vault (default: current folder)")
    mode = run.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="show the diff, write nothing")
    mode.add_argument("--check", action="store_true", help="like --dry-run; exit 1 when anything would change")
    run.add_argument("--rule", action="append", default=[], metavar="ID", help="run only this rule (repeatable)")
    run.add_argument("--no-commit", action="store_true", help="write files but do not commit")
    run.add_argument("--push", action="store_true", help="push the commit")
    run.add_argument("--commit-message", metavar="TEXT", help="first line of the commit message (default: vaultbot: N notes updated ...)")
    run.add_argument("--config", type=Path, help="config file (default: VAULT/.vaultbot.yaml)")
    run.add_argument("--no-cache", action="store_true", help="parse every note; neither read nor write the parse cache")
    run.add_argument("--format", choices=("text", "json"), default="text")
    run.add_argument("--strict", action="store_true", help="warnings fail the run (exit 1)")
    run.add_argument("--today", type=_today, help="fix today's date (YYYY-MM-DD)")
    verbosity = run.add_mutually_exclusive_group()
    verbosity.add_argument("-q", "--quiet", action="store_true", help="print only errors and the result")
    verbosity.add_argument("-v", "--verbose", action="store_true", help="print more detail")

    daemon = commands.add_parser("daemon", help="run the rules on their schedules until stopped")
    daemon.add_argument("vault", nargs="?", default=".", type=Path, help="the vault (default: current folder)")
    daemon.add_argument("--config", type=Path, help="config file (default: VAULT/.vaultbot.yaml), read again at every run")
    daemon.add_argument("--run-now", action="store_true", help="also run every schedule once at start")

    explain = commands.add_parser("explain", help="why a note looks the way it does to vaultbot, and what a run would change")
    explain.add_argument("vault", type=Path, help="the vault")
    explain.add_argument("note", help="the note: a vault path or a link text (resolved like a link)")
    explain.add_argument("--config", type=Path, help="config file (default: VAULT/.vaultbot.yaml)")
    explain.add_argument("--format", choices=("text", "json"), default="text")
    explain.add_argument("--today", type=_today, help="fix today's date (YYYY-MM-DD)")

    rules = commands.add_parser("rules", help="describe the rules")
    rules.add_argument("rule", nargs="?", help="only this rule")
    return parser


def _silent(stage: str, done: int, total: int, detail: str) -> None:
    pass


def _warn(args: argparse.Namespace, message: str) -> None:
    if not args.quiet:
        print(f"warning: {message}", file=sys.stderr)


def _vault_and_config(args: argparse.Namespace) -> tuple[Path, Config] | None:
    """The vault folder and its validated config, or None after saying what is wrong."""
    root: Path = args.vault
    if not root.is_dir():
        print(f"vaultbot: {root}: not a folder", file=sys.stderr)
        return None
    try:
        return root, load_config(root, args.config)
    except ConfigError as error:
        print(f"vaultbot: config error: {error}", file=sys.stderr)
        return None


def run_command(args: argparse.Namespace) -> int:
    opened = _vault_and_config(args)
    if opened is None:
        return EXIT_USAGE
    root, config = opened
    unknown = [rule for rule in args.rule if rule not in {r.ID for r in RULES}]
    if unknown:
        print(f"vaultbot: unknown rule {unknown[0]!r} (known: {', '.join(r.ID for r in RULES)})", file=sys.stderr)
        return EXIT_USAGE

    # The cyclic collector stays off until the run's objects are gone: switched back on
    # earlier (say, once planning is done) its first pass would walk all of them.
    try:
        with collector_paused():
            if args.dry_run or args.check:  # takes no lock and never needs git
                return _run(args, root, config, None)
            if git_dir(root) is None:
                with hold_lock(lock_path(root, None), LOCK_WAIT_SECONDS):
                    return _run(args, root, config, None)
            return _run_in_repository(args, root, config)
    except LockBusy as error:
        print(f"vaultbot: {error}; this run is skipped", file=sys.stderr)
        return EXIT_FAILED


# GitPython takes a tenth of a second to load, more than a warm run of a large vault;
# bot.git (which loads it) is imported only by the functions that run with a repository.


def _run_in_repository(args: argparse.Namespace, root: Path, config: Config) -> int:
    from bot import git

    try:
        with git.open_repo(root) as repo, hold_lock(lock_path(root, repo.git_dir if repo else None), LOCK_WAIT_SECONDS):
            return _run(args, root, config, repo)
    except git.GitError as error:
        print(f"vaultbot: git: {error}", file=sys.stderr)
        return EXIT_FAILED


def _leave_uncommitted(repo: Repo, root: Path, changes: list[Change]) -> tuple[list[Change], list[Problem]]:
    """Drop the changes to notes with someone's uncommitted work; report each."""
    from bot import git

    leave = git.notes_to_leave(repo, root, [change.path for change in changes])
    kept = [change for change in changes if change.path not in leave]
    return kept, [Problem(path, f"not changed: {reason}") for path, reason in sorted(leave.items())]


def _commit_and_push(args: argparse.Namespace, config: Config, repo: Repo, root: Path, changes: list[Change]) -> tuple[str | None, list[Problem], bool]:
    """(the commit's sha or None when nothing changed, git problems, whether the push failed).

    A failed commit raises GitError; a failed push keeps the local commit.
    """
    from bot import git

    listed = [(f"{c.path} -> {c.destination}" if c.destination else c.path, c.rules) for c in changes]
    message = git.commit_message(git.files_by_rule(listed), len(changes), args.commit_message)
    # A moved note: both paths, so git records the removal and the addition as one rename.
    paths = [path for change in changes for path in (change.path, change.destination) if path]
    sha = git.commit(repo, root, paths, message, config.git.author)
    if sha is None or not (args.push or config.git.push):
        return sha, [], False
    try:
        pushed = git.push(repo, config.git.author)
    except git.GitError as error:
        return repo.head.commit.hexsha, [Problem("(git)", str(error))], True
    return pushed.commit, [Problem("(git)", pushed.note)] if pushed.note else [], False


def _vault_gone(root: Path, what_happened: str) -> int:
    print(f"vaultbot: {root}: the vault folder disappeared during the run (moved or deleted); {what_happened}", file=sys.stderr)
    return EXIT_FAILED


def _run(args: argparse.Namespace, root: Path, config: Config, repo: Repo | None) -> int:
    today = args.today or datetime.date.today()
    dry_run = args.dry_run or args.check
    committing = repo is not None and not dry_run and config.git.commit and not args.no_commit
    if repo is not None and not dry_run:
        from bot import git

        git.check_ready(repo, committing=committing)
    cache = None if args.no_cache else ParseCache(root, lambda message: _warn(args, message))
    memo = None if args.no_cache else CleanRunMemo(memo_path(cache_dir(root), [rule.ID for rule in selected_rules(config, args.rule)]))
    progress = progress_for_run(sys.stderr, quiet=args.quiet, json_output=args.format == "json", verbose=args.verbose)
    try:
        loader = cache.load_notes if cache else load_notes
        plan = plan_run(root, config, today, args.rule, loader=loader, progress=progress or _silent, memo=memo)
    finally:
        if progress is not None:
            progress.close()
    if not root.is_dir():
        return _vault_gone(root, "nothing was written")
    problems = list(plan.problems)
    changes = plan.changes
    failed = False
    commit = None
    if not dry_run:
        if committing:
            changes, left = _leave_uncommitted(repo, root, changes)
            problems.extend(left)
        written = write_changes(root, changes)
        if not root.is_dir():  # one clear error rather than a failed write per note
            return _vault_gone(root, f"{len(written.written)} of {len(changes)} notes were written before it did")
        if cache is not None:  # only a real run stores the cache, and only after writing
            cache.record_written((plan.vault.notes[c.path] for c in written.written if c.destination is None), written.stats)
            cache.save()
        if memo is not None:
            remember_clean_state(plan, written, config, today, memo)
        problems.extend(written.problems)
        changes = written.written
        failed = written.failed
        if committing:
            try:
                commit, git_problems, git_failed = _commit_and_push(args, config, repo, root, changes)
            except git.GitError as error:
                git_problems, git_failed = [Problem("(git)", f"{error}; the notes are written but not committed")], True
            problems.extend(git_problems)
            failed = failed or git_failed

    if args.format == "json":
        print(as_json(changes, problems, commit))
    else:
        for problem in problems:
            _warn(args, str(problem))
        if dry_run:
            for change in changes:
                sys.stdout.write(unified_diff(change))
        elif not args.quiet:
            for change in changes:
                moved = f" -> {change.destination}" if change.destination else ""
                print(f"updated {change.path}{moved} ({', '.join(change.rules)})")
        if not args.quiet:
            for line in summary_lines(changes, plan.rules):
                print(line)
        print(headline(len(changes), len(problems), dry_run=dry_run, commit=commit))

    if failed:
        return EXIT_FAILED
    if args.check and changes:
        return EXIT_CHANGES
    if args.strict and problems:
        return EXIT_CHANGES
    return EXIT_OK


def explain_command(args: argparse.Namespace) -> int:
    """A dry run of every enabled rule, described for one note; writes nothing."""
    opened = _vault_and_config(args)
    if opened is None:
        return EXIT_USAGE
    root, config = opened
    today = args.today or datetime.date.today()
    plan = plan_run(root, config, today)
    path = explain.find_note(plan.original, args.note)
    if path is None:
        on_disk = Path(args.note)
        if on_disk.is_file() and on_disk.resolve().is_relative_to(root.resolve()):
            path = explain.find_note(plan.original, on_disk.resolve().relative_to(root.resolve()).as_posix())
    if path is None or path not in plan.original.notes:
        reasons = [problem.message for problem in plan.problems if path is not None and problem.path == path]
        why = f": {reasons[0]}" if reasons else " (no such note, or it is excluded, ignored or archived)"
        print(f"vaultbot: {args.note!r} is not a note vaultbot reads{why}", file=sys.stderr)
        return EXIT_USAGE
    explanation = explain.explain(plan, path, today)
    sys.stdout.write(explain.as_json(explanation) + "\n" if args.format == "json" else explain.as_text(explanation))
    return EXIT_OK


def rules_command(args: argparse.Namespace) -> int:
    chosen = [rule for rule in RULES if args.rule in (None, rule.ID)]
    if not chosen:
        print(f"vaultbot: unknown rule {args.rule!r} (known: {', '.join(r.ID for r in RULES)})", file=sys.stderr)
        return EXIT_USAGE
    for index, rule in enumerate(chosen):
        if index:
            print("\n" + "-" * 72 + "\n")
        print(f"# {rule.ID}\n")
        print(inspect.cleandoc(rule.__doc__ or ""))
    return EXIT_OK


def daemon_command(args: argparse.Namespace) -> int:
    from bot.daemon import daemon_command as run_daemon  # bot.daemon calls back into this module

    return run_daemon(args)


COMMANDS = {"run": run_command, "explain": explain_command, "rules": rules_command, "daemon": daemon_command}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return COMMANDS[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
