"""The GitHub Action's step: `python -m bot.action`, configured only by environment.

`action.yml` hands every input over as an `INPUT_*` environment variable, never
by `${{ inputs.* }}` inside a script, so an input like `"; touch pwned #` stays
a string. This module turns those variables into a `vaultbot run` argument list
(run without a shell), then writes `changed=`/`commit=` to `$GITHUB_OUTPUT` and
a Markdown summary to `$GITHUB_STEP_SUMMARY`.

"Today" is decided here when the `timezone` input or the config's `timezone`
names a zone (the runner's clock is UTC) and passed on as `--today`. A job
re-run with debug logging (`RUNNER_DEBUG=1`) runs `--verbose`: the log shows
each stage's time and whether the carried clean-run memo held. In
pull-request mode (bot/pull_request.py) the run commits to a branch of its own
and that branch's pull request is opened or updated.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Mapping

from bot import pull_request
from bot.config import ConfigError, load_config
from bot.errors import UsageError, exit_code
from bot.today import UnknownTimezone, today, zone

TRUE, FALSE = {"true", "yes", "1", "on"}, {"false", "no", "0", "off"}
# GitHub drops a job summary over 1 MiB whole; these keep a first run on a large vault well under it.
SUMMARY_FILES, SUMMARY_WARNINGS = 100, 200


class InputError(UsageError):
    """An Action input that cannot be used; the message names the input."""


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    """A yes/no input; anything else is an InputError, so `dry-run: ture` never means a real run."""
    value = env.get(name, "").strip()
    if value.lower() in TRUE | FALSE:
        return value.lower() in TRUE
    if not value:
        return default
    raise InputError(f"{name.removeprefix('INPUT_').lower().replace('_', '-')}: expected true or false, got {value!r}")


def _vault(env: Mapping[str, str]) -> Path:
    return Path(env.get("GITHUB_WORKSPACE") or ".") / (env.get("INPUT_VAULT_PATH") or ".")


def _config_file(env: Mapping[str, str]) -> Path | None:
    name = env.get("INPUT_CONFIG", "").strip()
    return Path(env.get("GITHUB_WORKSPACE") or ".") / name if name else None


def _today(env: Mapping[str, str], now: datetime.datetime | None) -> datetime.date | None:
    """Today in the `timezone` input's zone, else in the config's; None (the runner's date) without either."""
    name = env.get("INPUT_TIMEZONE", "").strip()
    if name:
        try:
            zone(name)
        except UnknownTimezone as error:
            raise InputError(f"timezone: {error}") from None
    else:
        try:
            name = load_config(_vault(env), _config_file(env)).timezone or ""
        except ConfigError:  # the run itself reports it, naming the file and key
            return None
    return today(name, now=now) if name else None


def pull_request_mode(env: Mapping[str, str]) -> bool:
    return _flag(env, "INPUT_PULL_REQUEST", False) and not _flag(env, "INPUT_DRY_RUN", False)


def vaultbot_args(env: Mapping[str, str], now: datetime.datetime | None = None) -> list[str]:
    """The `vaultbot run` arguments for the action's inputs; InputError for an input that cannot be used."""
    vault = _vault(env)
    args = ["run", str(vault), "--format", "json"]
    for rule in re.split(r"[\s,]+", env.get("INPUT_RULES", "").strip()):
        if rule:
            args.append(f"--rule={rule}")
    if _flag(env, "INPUT_DRY_RUN", False):
        args.append("--dry-run")
    elif _flag(env, "INPUT_PUSH", True) and not pull_request_mode(env):  # that mode pushes its own branch
        args.append("--push")
    if env.get("INPUT_COMMIT_MESSAGE", "").strip():
        args.append(f"--commit-message={env['INPUT_COMMIT_MESSAGE']}")
    config_file = _config_file(env)
    if config_file is not None:
        args.append(f"--config={config_file}")
    date = _today(env, now)
    if date is not None:
        args.append(f"--today={date.isoformat()}")
    if env.get("RUNNER_DEBUG") == "1":  # a job re-run with debug logging: each stage's time in the step's log
        args.append("--verbose")
    return args


def _more(left_out: int) -> list[str]:
    return [f"and {left_out} more (the step's log lists them all)"] if left_out > 0 else []


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("`", "'").replace("\n", " ")


def summary(result: dict | None, dry_run: bool, code: int, stderr: str) -> str:
    """The Markdown job summary: a table of rules and files, then warnings."""
    lines = ["## vaultbot", ""]
    if result is None:
        return "\n".join(lines + [f"The run failed (exit {code}).", "", "```", stderr.strip().replace("```", "'''"), "```", ""])
    changed, commit = result["changed"], result["commit"]
    verb = "would change" if dry_run else "updated"
    head = f"**{len(changed)} note{'s' if len(changed) != 1 else ''} {verb}**"
    lines.append(head + (f", commit `{commit[:12]}`" if commit else "") + (" (dry run)" if dry_run else ""))
    lines.append("")
    if changed:
        lines += ["| Rule | Files |", "| --- | --- |"]
        by_rule: dict[str, list[str]] = {}
        for change in changed:
            for rule in change["rules"]:
                by_rule.setdefault(rule, []).append(change["path"])
        for rule, paths in by_rule.items():
            cells = [f"`{_cell(p)}`" for p in paths[:SUMMARY_FILES]] + _more(len(paths) - SUMMARY_FILES)
            lines.append(f"| {_cell(rule)} ({len(paths)}) | {'<br>'.join(cells)} |")
        lines.append("")
    if result["warnings"]:
        lines += [f"### Warnings ({len(result['warnings'])})", ""]
        lines += [f"- `{_cell(w['path'])}`: {_cell(w['message'])}" for w in result["warnings"][:SUMMARY_WARNINGS]]
        lines += [f"- {more}" for more in _more(len(result["warnings"]) - SUMMARY_WARNINGS)]
        lines.append("")
    if code:
        # Why it failed (a rejected push, a note that could not be written): the commit above is not the whole story.
        errors = [f"- {_cell(error)}" for error in result.get("errors", [])]
        lines += [f"The run failed (exit {code}).", ""] + (errors + [""] if errors else [])
    return "\n".join(lines)


def _append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)


def _command_data(text: str) -> str:
    """Text for a `::warning::` line: GitHub's escapes, so a note cannot start a command of its own."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _fail(env: Mapping[str, str], code: int, message: str) -> int:
    print(f"vaultbot: {message}", file=sys.stderr)
    _append(env.get("GITHUB_OUTPUT"), "changed=0\ncommit=\npull-request=\n")
    _append(env.get("GITHUB_STEP_SUMMARY"), summary(None, False, code, message))
    return code


def main(env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    try:
        args = vaultbot_args(env)
    except InputError as error:
        return _fail(env, exit_code(error), f"input {error}")
    vault, opening = _vault(env), pull_request_mode(env)
    branch, base = env.get("INPUT_PULL_REQUEST_BRANCH", "").strip() or "vaultbot/maintenance", ""
    if opening:
        try:
            base = pull_request.base_branch(vault)
            pull_request.check_branch(vault, branch, base)
            pull_request.start_branch(vault, branch)
        except pull_request.PullRequestError as error:  # an UnusableBranch among them is a usage error
            return _fail(env, exit_code(error), str(error))
    # -I: vaultbot's own modules, never a `bot/` folder that happens to be in the workspace.
    # -X utf8: the output is UTF-8 on every runner (Windows would otherwise use its code page).
    command = [sys.executable, "-I", "-X", "utf8", "-m", "bot", *args]
    process = subprocess.run(command, capture_output=True, encoding="utf-8", errors="replace")
    sys.stderr.write(process.stderr)
    try:
        result = json.loads(process.stdout)
    except ValueError:
        result = None
    dry_run = "--dry-run" in args
    if result is not None:
        for change in result["changed"]:
            print(_command_data(f"{'would change' if dry_run else 'updated'} {change['path']} ({', '.join(change['rules'])})"))
        for warning in result["warnings"]:
            print(f"::warning::{_command_data(warning['path'] + ': ' + warning['message'])}")
    changed = len(result["changed"]) if result else 0
    commit = (result or {}).get("commit") or ""
    code, report = process.returncode, summary(result, dry_run, process.returncode, process.stderr)
    url = ""
    if opening and commit and code == 0:
        try:
            url, moved = pull_request.publish(vault, base, branch, report, env)
        except pull_request.PullRequestError as error:
            print(f"vaultbot: pull request: {error}", file=sys.stderr)
            code, report = exit_code(error), report + f"\nThe pull request could not be opened: {error}\n"
        else:
            state = f"pushed to `{branch}`" if moved else f"`{branch}` already holds these changes"
            report += f"\nPull request: {url} ({state})\n"
    _append(env.get("GITHUB_OUTPUT"), f"changed={changed}\ncommit={commit}\npull-request={url}\n")
    _append(env.get("GITHUB_STEP_SUMMARY"), report)
    print(
        f"vaultbot: {changed} note{'s' if changed != 1 else ''} {'would change' if dry_run else 'updated'}"
        + (f", commit {commit[:12]}" if commit else "")
        + (f", pull request {url}" if url else "")
    )
    return code


if __name__ == "__main__":
    sys.exit(main())
