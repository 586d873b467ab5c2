"""The command line: `vaultbot run`, `vaultbot explain`, `vaultbot rules`, `vaultbot daemon`.

One `main(argv) -> int`; each command is a function returning its exit code.
`run` hands the whole run to bot/execute.py and only prints its RunResult.
Exit codes: 0 success; 1 `--check` found changes (or `--strict` warnings);
2 usage or configuration error (`--push` outside git, or with nothing committed, included);
3 the run failed (git, I/O). A command that cannot go on raises a VaultbotError, and `main`
prints it and ends with the exit code bot/errors.py maps it to.
The diff and JSON go to stdout; warnings and logs go to stderr. `-q` leaves the
closing line (or the JSON) and errors; a reader that stops reading stdout
(`| head`) ends the output, not the run, whose exit code stays what it was.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path
from typing import Callable, Sequence

from bot import __version__, counting, explain
from bot.cache import git_dir
from bot.config import Config, ConfigError, load_config
from bot.config_errors import describe as describe_config_error
from bot.errors import EXIT_FAILED, EXIT_FOUND, EXIT_OK, UsageError, VaultbotError, exit_code
from bot.execute import RunRequest, RunResult, run
from bot.progress import TerminalProgress
from bot.progress import for_run as progress_for_run
from bot.report import NOT_IN_GIT, as_json, headline, summary_lines, unified_diff
from bot.runner import plan_run
from bot.terminal import colour_diff, reader_gone, stdout_closed, use_utf8_off_console, wants_colour
from bot.today import today as today_in_zone
from bot.vault_root import EXPECTED, find_vault
from rules import RULES, page


def _today(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {value!r}") from None


VAULT_HELP = f"the vault (default: the nearest folder from here upward holding {EXPECTED})"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vaultbot", description="Keeps an Obsidian vault in git tidy.")
    parser.add_argument("--version", action="version", version=f"vaultbot {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the rules once")
    run.add_argument("vault", nargs="?", type=Path, help=VAULT_HELP)
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
    run.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the diff as git does (auto: on a terminal, unless NO_COLOR is set)",
    )
    run.add_argument("--strict", action="store_true", help="warnings fail the run (exit 1)")
    run.add_argument("--today", type=_today, help="fix today's date (YYYY-MM-DD)")
    verbosity = run.add_mutually_exclusive_group()
    verbosity.add_argument("-q", "--quiet", action="store_true", help="print only the closing line (or the JSON) and errors")
    verbosity.add_argument("-v", "--verbose", action="store_true", help="print more detail")

    daemon = commands.add_parser("daemon", help="run the rules on their schedules until stopped")
    daemon.add_argument("vault", nargs="?", type=Path, help=VAULT_HELP)
    daemon.add_argument("--config", type=Path, help="config file (default: VAULT/.vaultbot.yaml), read again at every run")
    daemon.add_argument("--run-now", action="store_true", help="also run every schedule once at start")
    daemon.add_argument(
        "--watch",
        nargs="?",
        const=2.0,
        type=float,
        metavar="SECONDS",
        help="also run when notes change, once no change came for SECONDS (default 2)",
    )

    explain = commands.add_parser("explain", help="why a note looks the way it does to vaultbot, and what a run would change")
    explain.add_argument("vault", nargs="?", type=Path, help=VAULT_HELP)
    explain.add_argument("note", help="the note: a vault path or a link text (resolved like a link)")
    explain.add_argument("--config", type=Path, help="config file (default: VAULT/.vaultbot.yaml)")
    explain.add_argument("--format", choices=("text", "json"), default="text")
    explain.add_argument("--today", type=_today, help="fix today's date (YYYY-MM-DD)")

    rules = commands.add_parser("rules", help="describe the rules")
    rules.add_argument("rule", nargs="?", help="only this rule")
    return parser


def _warn(args: argparse.Namespace, message: str) -> None:
    if not getattr(args, "quiet", False):
        print(f"warning: {message}", file=sys.stderr)


def _vault(args: argparse.Namespace, writes: bool = False) -> Path:
    """The vault folder (VAULT, else found upward from here); UsageError saying what is wrong."""
    found = find_vault(args.vault, Path("."))
    if found.guessed and writes and not (found.path / ".git").exists():
        # A folder nobody said was a vault, with no git to undo a run: `cd ~ && vaultbot run` would rewrite every
        # Markdown file below. The top of a repository (a vault that keeps .obsidian/ out of git) is written as before.
        here = found.path.resolve()
        raise UsageError(
            f"no {EXPECTED} in {here} or any folder above it: name the vault to run on this folder (vaultbot run .); nothing was written"
        )
    if not found.path.exists():
        raise UsageError(f"{found.path}: does not exist")
    if not found.path.is_dir():
        raise UsageError(f"{found.path}: not a folder")
    if found.warning:
        _warn(args, found.warning)
    # Absolute, so that looking for the repository goes up from the vault, not only into `./.git`.
    return found.path.absolute()


def _vault_and_config(args: argparse.Namespace, writes: bool = False) -> tuple[Path, Config]:
    """The vault folder and its validated config; UsageError saying what is wrong."""
    root = _vault(args, writes)
    try:
        return root, load_config(root, args.config)
    except ConfigError as error:
        raise UsageError(f"config error: {describe_config_error(error, root, args.config)}") from None


def _unknown_rule(rule_id: str) -> UsageError:
    return UsageError(f"unknown rule {rule_id!r} (known: {', '.join(r.ID for r in RULES)})")


def run_command(args: argparse.Namespace) -> int:
    root, config = _vault_and_config(args, writes=not (args.dry_run or args.check))
    unknown = [rule for rule in args.rule if rule not in {r.ID for r in RULES}]
    if unknown:
        raise _unknown_rule(unknown[0])
    dry_run = args.dry_run or args.check
    in_git = git_dir(root) is not None
    if args.push and not in_git:
        raise UsageError(f"--push: {root} is not in a git repository, so there is nothing to push; nothing was written")
    if args.commit_message and ("\n" in args.commit_message.strip() or "\r" in args.commit_message.strip()):
        raise UsageError(f"--commit-message: expected one line (the commit's first line), got {args.commit_message!r}")
    if args.push and (args.no_commit or not config.git.commit):
        reason = "--no-commit" if args.no_commit else "git.commit is false in the config"
        raise UsageError(f"--push: {reason}, so there is nothing to push; nothing was written")
    progress = progress_for_run(sys.stderr, quiet=args.quiet, json_output=args.format == "json", verbose=args.verbose)
    request = RunRequest(
        root,
        config,
        today_in_zone(config.timezone, args.today),
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
        with counting.reporting_to(progress.counted if isinstance(progress, TerminalProgress) else None):
            result = run(request)
    finally:
        if progress is not None:
            progress.close()
    _print_to_a_reader(lambda: _print_result(args, result, in_git))
    if result.failed:
        return EXIT_FAILED
    if args.check and result.changes:
        return EXIT_FOUND
    if args.strict and result.problems:
        return EXIT_FOUND
    return EXIT_OK


def _print_to_a_reader(output: Callable[[], object]) -> None:
    """Print with `output`; a reader gone away (`| head -3`) only ends the printing."""
    try:
        output()
        sys.stdout.flush()  # here, so that a closed pipe is found while it can still be handled
    except OSError as error:
        if not reader_gone(error):
            raise
        stdout_closed()


def _print_result(args: argparse.Namespace, result: RunResult, in_git: bool) -> None:
    """Warnings and logs to stderr; the diff, the summary or the JSON to stdout.

    With -q only the closing line (or the JSON) and errors; a failed run's warnings are shown
    even then, since one of them may be why it failed (a note that could not be written)."""
    if result.recovered and not args.quiet:
        print(f"vaultbot: {result.recovered}", file=sys.stderr)
    if args.format == "json":
        print(as_json(result.changes, result.problems, result.commit, result.errors))
    else:
        for problem in result.problems:
            if result.failed or not args.quiet:
                print(f"warning: {problem}", file=sys.stderr)
        colour = wants_colour(args.color, sys.stdout)
        if result.dry_run and not args.quiet:
            for change in result.changes:
                sys.stdout.write(colour_diff(unified_diff(change)) if colour else unified_diff(change))
        elif not result.dry_run and not args.quiet:
            for change in result.changes:
                moved = f" -> {change.destination}" if change.destination else ""
                print(f"updated {change.path}{moved} ({', '.join(change.rules)})")
        if not args.quiet and result.rules:
            for line in summary_lines(result.changes, result.rules):
                print(line)
        if result.rules:
            aside = NOT_IN_GIT if not in_git and not result.dry_run else None
            print(headline(len(result.changes), len(result.problems), dry_run=result.dry_run, commit=result.commit, aside=aside))
    for error in result.errors:
        print(f"vaultbot: error: {error}", file=sys.stderr)


def explain_command(args: argparse.Namespace) -> int:
    """A dry run of every enabled rule, described for one note; writes nothing."""
    root, config = _vault_and_config(args)
    today = today_in_zone(config.timezone, args.today)
    plan = plan_run(root, config, today)
    vault = plan.original
    assert vault is not None, "a plan made without a clean-run memo has parsed every note"
    path = explain.find_note(vault, args.note)
    if path is None:
        on_disk = Path(args.note)
        if on_disk.is_file() and on_disk.resolve().is_relative_to(root.resolve()):
            path = explain.find_note(vault, on_disk.resolve().relative_to(root.resolve()).as_posix())
    if path is None or path not in vault.notes:
        reasons = [problem.message for problem in plan.problems if path is not None and problem.path == path]
        why = f": {reasons[0]}" if reasons else " (no such note, or it is excluded, ignored or archived)"
        raise UsageError(f"{args.note!r} is not a note vaultbot reads{why}")
    explanation = explain.explain(plan, path, today)
    _print_to_a_reader(
        lambda: sys.stdout.write(explain.as_json(explanation) + "\n" if args.format == "json" else explain.as_text(explanation))
    )
    return EXIT_OK


def rules_command(args: argparse.Namespace) -> int:
    chosen = [rule for rule in RULES if args.rule in (None, rule.ID)]
    if not chosen:
        raise _unknown_rule(args.rule)
    _print_to_a_reader(lambda: print(("\n\n" + "-" * 72 + "\n\n").join(f"# {rule.ID}\n\n{page(rule)}" for rule in chosen)))
    return EXIT_OK


def daemon_command(args: argparse.Namespace) -> int:
    from bot.daemon import daemon_command as run_daemon  # APScheduler loads only for the daemon

    args.vault = _vault(args, writes=True)
    return run_daemon(args)


COMMANDS = {"run": run_command, "explain": explain_command, "rules": rules_command, "daemon": daemon_command}


def main(argv: Sequence[str] | None = None) -> int:
    use_utf8_off_console()
    args = _parser().parse_args(argv)  # argparse ends a call it cannot parse itself, with exit 2 (a usage error)
    try:
        return COMMANDS[args.command](args)
    except VaultbotError as error:
        print(f"vaultbot: {error}", file=sys.stderr)
        # A reader of the JSON (a CI step, the Action's caller) gets an object to read, not an empty stdout.
        if args.command == "run" and args.format == "json":
            output = as_json((), (), None, [str(error)])
            _print_to_a_reader(lambda: print(output))
        elif args.command == "explain" and args.format == "json":
            reason = explain.as_json({"errors": [str(error)]})
            _print_to_a_reader(lambda: print(reason))
        return exit_code(error)


if __name__ == "__main__":
    sys.exit(main())
