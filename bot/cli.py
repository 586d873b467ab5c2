"""The command line: `vaultbot run`, `vaultbot explain`, `vaultbot rules`, `vaultbot daemon`.

One `main(argv) -> int`; each command is a function returning its exit code.
`run` hands the whole run to bot/execute.py and only prints its RunResult.
Exit codes: 0 success; 1 `--check` found changes (or `--strict` warnings);
2 usage or configuration error; 3 the run failed (git, I/O).
The diff and JSON go to stdout; warnings and logs go to stderr.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path
from typing import Sequence

from bot import __version__, explain
from bot.config import Config, ConfigError, load_config
from bot.execute import RunRequest, RunResult, run
from bot.progress import for_run as progress_for_run
from bot.report import as_json, headline, summary_lines, unified_diff
from bot.runner import plan_run
from rules import RULES, page

EXIT_OK, EXIT_CHANGES, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3


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
    dry_run = args.dry_run or args.check
    progress = progress_for_run(sys.stderr, quiet=args.quiet, json_output=args.format == "json", verbose=args.verbose)
    request = RunRequest(
        root,
        config,
        args.today or datetime.date.today(),
        tuple(args.rule),
        dry_run=dry_run,
        no_commit=args.no_commit,
        push=args.push,
        first_line=args.commit_message,
        use_cache=not args.no_cache,
        warn=lambda message: _warn(args, message),
        progress=progress,
    )
    try:
        result = run(request)
    finally:
        if progress is not None:
            progress.close()
    _print_result(args, result)
    if result.failed:
        return EXIT_FAILED
    if args.check and result.changes:
        return EXIT_CHANGES
    if args.strict and result.problems:
        return EXIT_CHANGES
    return EXIT_OK


def _print_result(args: argparse.Namespace, result: RunResult) -> None:
    """Warnings and logs to stderr (errors even with -q); the diff, the summary or the JSON to stdout."""
    if result.recovered and not args.quiet:
        print(f"vaultbot: {result.recovered}", file=sys.stderr)
    if args.format == "json":
        print(as_json(result.changes, result.problems, result.commit, result.errors))
    else:
        for problem in result.problems:
            _warn(args, str(problem))
        if result.dry_run:
            for change in result.changes:
                sys.stdout.write(unified_diff(change))
        elif not args.quiet:
            for change in result.changes:
                moved = f" -> {change.destination}" if change.destination else ""
                print(f"updated {change.path}{moved} ({', '.join(change.rules)})")
        if not args.quiet and result.rules:
            for line in summary_lines(result.changes, result.rules):
                print(line)
        if result.rules:
            print(headline(len(result.changes), len(result.problems), dry_run=result.dry_run, commit=result.commit))
    for error in result.errors:
        print(f"vaultbot: error: {error}", file=sys.stderr)


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
        print(page(rule))
    return EXIT_OK


def daemon_command(args: argparse.Namespace) -> int:
    from bot.daemon import daemon_command as run_daemon  # APScheduler loads only for the daemon

    return run_daemon(args)


COMMANDS = {"run": run_command, "explain": explain_command, "rules": rules_command, "daemon": daemon_command}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return COMMANDS[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
