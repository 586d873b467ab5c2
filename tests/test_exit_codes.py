"""Every way a command ends, through a real `vaultbot` subprocess: its exit code and its exact stderr.

The codes are the README's ("Command line"), mapped in one place (bot/errors.py); the CLI prints
a VaultbotError once, as `vaultbot: MESSAGE`, whichever command raised it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rules import RULES
from tests.vaults import git, run_cli, tree_state, write_vault

RULE_IDS = ", ".join(rule.ID for rule in RULES)
NOTES = {
    ".obsidian/app.json": "{}",
    "Acme.md": "---\ntype: customer\ntags: x\n---\n# Acme\n\n## Recent Context\n\n",
    "2026-11-01 Call.md": "Call with [[Acme]].\n",
    "Bad.md": "---\ndate: [\n---\n",
}
BAD_CONFIG = "rules:\n  recent-context:\n    max_entries: ten\n"
ALL_OFF = "rules:\n" + "".join(f"  {rule.ID}: {{enabled: false}}\n" for rule in RULES)


@pytest.fixture
def folders(tmp_path: Path) -> Path:
    """tmp_path holding `v` (a vault), `bad` (its config invalid), `off` (every rule disabled),
    `g` (a vault in git with a merge in progress) and `file.md`."""
    write_vault(tmp_path / "v", NOTES)
    write_vault(tmp_path / "bad", {**NOTES, ".vaultbot.yaml": BAD_CONFIG})
    write_vault(tmp_path / "off", {**NOTES, ".vaultbot.yaml": ALL_OFF})
    write_vault(tmp_path / "g", NOTES)
    git(tmp_path / "g", "init", "-q")
    git(tmp_path / "g", "add", ".")
    git(tmp_path / "g", "commit", "-qm", "notes")
    (tmp_path / "g" / ".git" / "MERGE_HEAD").write_text(git(tmp_path / "g", "rev-parse", "HEAD"))
    (tmp_path / "file.md").write_text("x")
    return tmp_path


UNKNOWN_RULE = f"vaultbot: unknown rule 'nope' (known: {RULE_IDS})\n"
CONFIG_ERROR = "vaultbot: config error: .vaultbot.yaml, line 3: rules.recent-context.max_entries: expected an integer, got 'ten'\n"
CASES = [
    # (command, exit code, stderr; TMP stands for the folder of the fixture)
    (["run", "TMP/nope", "--dry-run"], 2, "vaultbot: TMP/nope: does not exist\n"),
    (["run", "TMP/file.md", "--dry-run"], 2, "vaultbot: TMP/file.md: not a folder\n"),
    (["run", "TMP/v", "--dry-run", "--rule", "nope"], 2, UNKNOWN_RULE),
    (["rules", "nope"], 2, UNKNOWN_RULE),
    (["run", "TMP/bad", "--dry-run"], 2, CONFIG_ERROR),
    (
        ["run", "TMP/v", "--push"],
        2,
        "vaultbot: --push: TMP/v is not in a git repository, so there is nothing to push; nothing was written\n",
    ),
    (
        ["run", "TMP/v", "--commit-message", "a\nb"],
        2,
        "vaultbot: --commit-message: expected one line (the commit's first line), got 'a\\nb'\n",
    ),
    (["run", "TMP/g", "--push", "--no-commit"], 2, "vaultbot: --push: --no-commit, so there is nothing to push; nothing was written\n"),
    (["run", "TMP/v", "--check", "-q"], 1, ""),
    (["run", "TMP/v", "--dry-run", "--strict", "-q"], 1, ""),
    (["run", "TMP/g", "-q"], 3, "vaultbot: error: git: a merge is in progress in TMP/g; finish or abort it first (nothing was written)\n"),
    (["explain", "TMP/nope", "Acme"], 2, "vaultbot: TMP/nope: does not exist\n"),
    (["explain", "TMP/bad", "Acme"], 2, CONFIG_ERROR),
    (
        ["explain", "TMP/v", "No such"],
        2,
        "vaultbot: 'No such' is not a note vaultbot reads (no such note, or it is excluded, ignored or archived)\n",
    ),
    (
        ["explain", "TMP/v", "Bad"],
        2,
        "vaultbot: 'Bad' is not a note vaultbot reads: skipped: invalid YAML in frontmatter: did not find expected node content (line 3)\n",
    ),
    (["daemon", "TMP/nope"], 2, "vaultbot: TMP/nope: does not exist\n"),
    (["daemon", "TMP/v", "--watch", "0"], 2, "vaultbot: --watch 0: the quiet time must be more than 0 seconds\n"),
    (
        ["daemon", "TMP/bad"],
        2,
        "vaultbot: config error: .vaultbot.yaml: rules.recent-context.max_entries: expected an integer, got 'ten'\n",
    ),
    (["daemon", "TMP/off"], 2, "vaultbot: no rule is enabled, so there is nothing to schedule\n"),
    (["run", "TMP/v", "--dry-run", "-q"], 0, ""),
]


def _notes(folders: Path) -> dict[str, dict[str, tuple[str, int]]]:
    """The vaults' files, leaving out .git/ (where a run keeps its lock and cache)."""
    return {name: {p: s for p, s in tree_state(folders / name).items() if p.split("/")[0] != ".git"} for name in ("v", "g")}


@pytest.mark.parametrize(("command", "code", "stderr"), CASES, ids=[" ".join(c[0]).replace("TMP/", "") for c in CASES])
def test_each_way_a_command_ends(folders: Path, command: list[str], code: int, stderr: str) -> None:
    before = _notes(folders)
    result = run_cli(*(part.replace("TMP", str(folders)) for part in command), cwd=folders)
    assert (result.returncode, result.stderr.replace(str(folders), "TMP")) == (code, stderr)
    assert _notes(folders) == before, "no ending here writes a note"


def test_a_writing_run_with_no_vault_found_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("run", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        f"vaultbot: no .obsidian/ or .vaultbot.yaml in {tmp_path.resolve()} or any folder above it: "
        "name the vault to run on this folder (vaultbot run .); nothing was written\n"
    )


def test_an_argument_argparse_cannot_parse_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("run", "--format", "xml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.endswith("vaultbot run: error: argument --format: invalid choice: 'xml' (choose from 'text', 'json')\n")


@pytest.mark.parametrize(
    ("files", "vault", "error"),
    [
        ({}, "missing", "TMP/missing: does not exist"),
        (
            {".vaultbot.yaml": "rules:\n  tags:\n    schedule: '@every 0s'\n"},
            ".",
            "config error: .vaultbot.yaml, line 3: rules.tags.schedule: ",
        ),
    ],
    ids=["no-vault", "bad-config"],
)
def test_a_json_run_that_cannot_start_still_prints_json(tmp_path: Path, files: dict[str, str], vault: str, error: str) -> None:
    """A reader of `--format json` gets the run's object with the usage error in `errors`, not an empty stdout."""
    write_vault(tmp_path, files)
    result = run_cli("run", "--format", "json", "--dry-run", tmp_path / vault)
    assert result.returncode == 2
    output = json.loads(result.stdout)
    assert (output["changed"], output["warnings"], output["commit"]) == ([], [], None)
    [message] = output["errors"]
    assert message.replace(str(tmp_path), "TMP").startswith(error)
    assert result.stderr == f"vaultbot: {message}\n", "the same line, once, on stderr as ever"


def test_a_json_explain_that_cannot_explain_still_prints_json(tmp_path: Path) -> None:
    """`explain --format json` of a note vaultbot does not read: exit 2, an object with the reason in `errors`."""
    write_vault(tmp_path, {".obsidian/app.json": "{}", "Note.md": "# Note\n"})
    result = run_cli("explain", "--format", "json", tmp_path, "Missing.md")
    assert result.returncode == 2
    message = "'Missing.md' is not a note vaultbot reads (no such note, or it is excluded, ignored or archived)"
    assert json.loads(result.stdout) == {"errors": [message]}
    assert result.stderr == f"vaultbot: {message}\n"
