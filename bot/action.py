"""The GitHub Action's step: `python -m bot.action`, configured only by environment.

`action.yml` hands every input over as an `INPUT_*` environment variable, never
by `${{ inputs.* }}` inside a script, so an input like `"; touch pwned #` stays
a string. This module turns those variables into a `vaultbot run` argument list
(run without a shell), then writes `changed=`/`commit=` to `$GITHUB_OUTPUT` and
a Markdown summary to `$GITHUB_STEP_SUMMARY`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Mapping

TRUE = {"true", "yes", "1", "on"}


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name, "").strip().lower()
    return default if not value else value in TRUE


def vaultbot_args(env: Mapping[str, str]) -> list[str]:
    """The `vaultbot run` arguments for the action's inputs."""
    workspace = Path(env.get("GITHUB_WORKSPACE") or ".")
    vault = workspace / (env.get("INPUT_VAULT_PATH") or ".")
    args = ["run", str(vault), "--format", "json"]
    for rule in re.split(r"[\s,]+", env.get("INPUT_RULES", "").strip()):
        if rule:
            args.append(f"--rule={rule}")
    if _flag(env, "INPUT_DRY_RUN", False):
        args.append("--dry-run")
    elif _flag(env, "INPUT_PUSH", True):
        args.append("--push")
    if env.get("INPUT_COMMIT_MESSAGE", "").strip():
        args.append(f"--commit-message={env['INPUT_COMMIT_MESSAGE']}")
    if env.get("INPUT_CONFIG", "").strip():
        args.append(f"--config={workspace / env['INPUT_CONFIG']}")
    return args


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
            lines.append(f"| {_cell(rule)} ({len(paths)}) | {'<br>'.join(f'`{_cell(p)}`' for p in paths)} |")
        lines.append("")
    if result["warnings"]:
        lines += [f"### Warnings ({len(result['warnings'])})", ""]
        lines += [f"- `{_cell(w['path'])}`: {_cell(w['message'])}" for w in result["warnings"]]
        lines.append("")
    if code:
        lines += [f"The run failed (exit {code}).", ""]
    return "\n".join(lines)


def _append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)


def _command_data(text: str) -> str:
    """Text for a `::warning::` line: GitHub's escapes, so a note cannot start a command of its own."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def main(env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    args = vaultbot_args(env)
    process = subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True)
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
    _append(env.get("GITHUB_OUTPUT"), f"changed={changed}\ncommit={commit}\n")
    _append(env.get("GITHUB_STEP_SUMMARY"), summary(result, dry_run, process.returncode, process.stderr))
    print(f"vaultbot: {changed} note{'s' if changed != 1 else ''} {'would change' if dry_run else 'updated'}" + (f", commit {commit[:12]}" if commit else ""))
    return process.returncode


if __name__ == "__main__":
    sys.exit(main())
