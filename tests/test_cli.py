"""`vaultbot run` and `vaultbot rules` end to end, in a real subprocess."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rules import RULES, page
from tests.vaults import EXAMPLE_VAULT, REPO, run_cli, tree_state, write_vault

GOLDEN = REPO / "tests" / "golden" / "sample-vault"
# The rules the golden files and the counts below show, selected by name: a rule added later
# has its own test file, and joins these (and the golden files) only if it should show here.
GOLDEN_RULES = [
    arg for rule_id in ("dedupe-meetings", "last-contact", "tags", "recent-context", "open-tasks", "related") for arg in ("--rule", rule_id)
]


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return Path(shutil.copytree(EXAMPLE_VAULT, tmp_path / "vault"))


def test_run_turns_the_sample_vault_into_the_golden_files(vault: Path) -> None:
    before = tree_state(vault)
    result = run_cli("run", vault, "--no-commit", "--today", "2026-11-24", *GOLDEN_RULES)
    assert result.returncode == 0, result.stderr
    golden = {p.relative_to(GOLDEN).as_posix(): p.read_bytes() for p in GOLDEN.rglob("*.md")}
    for path in before:
        file = vault / path
        if not file.is_file():
            continue
        expected = golden.get(path, (EXAMPLE_VAULT / path).read_bytes())
        assert file.read_bytes() == expected, path
    assert set(tree_state(vault)) == set(before), "a run adds or removes no file"
    assert result.stdout.splitlines()[-1] == "vaultbot: 11 notes updated, 0 warnings (not a git repository: nothing committed)"


def test_second_run_changes_nothing(vault: Path) -> None:
    assert run_cli("run", vault, "--no-commit", "--today", "2026-11-24").returncode == 0
    after_first = tree_state(vault)
    second = run_cli("run", vault, "--no-commit", "--today", "2026-11-24")
    assert second.returncode == 0
    assert tree_state(vault) == after_first
    assert "vaultbot: 0 notes updated" in second.stdout


def test_dry_run_writes_nothing_and_prints_diff_and_summary(vault: Path) -> None:
    before = tree_state(vault)
    result = run_cli("run", vault, "--dry-run", "--today", "2026-11-24", *GOLDEN_RULES)
    assert result.returncode == 0
    assert tree_state(vault) == before
    lines = result.stdout.splitlines()
    assert "--- a/People/Tomás Ortega/Tomás Ortega.md" in lines
    assert "+++ b/People/Tomás Ortega/Tomás Ortega.md" in lines
    assert "-last_contact:" in lines and "+last_contact: 2026-11-20" in lines
    assert lines[-7:] == [
        "dedupe-meetings: 2 notes",
        "last-contact: 5 notes",
        "tags: 6 notes",
        "recent-context: 5 notes",
        "open-tasks: 2 notes",
        "related: 4 notes",
        "vaultbot: 11 notes would change, 0 warnings (dry run, nothing written)",
    ]


def test_check_exits_1_when_changes_are_pending_and_0_after_a_run(vault: Path) -> None:
    before = tree_state(vault)
    assert run_cli("run", vault, "--check", "--today", "2026-11-24").returncode == 1
    assert tree_state(vault) == before
    assert run_cli("run", vault, "--no-commit", "--today", "2026-11-24").returncode == 0
    assert run_cli("run", vault, "--check", "--today", "2026-11-24").returncode == 0


def test_json_output_is_the_documented_object(vault: Path) -> None:
    result = run_cli("run", vault, "--dry-run", "--format", "json", "--today", "2026-11-24", "--rule", "dedupe-meetings")
    assert result.returncode == 0
    assert json.loads(result.stdout) == {
        "changed": [
            {"path": "Customers/Northwind Traders/2026-10-14 1010 - QBR notes (AI summary).md", "rules": ["dedupe-meetings"]},
            {"path": "Meetings/2026-11-05 - Pricing sync.md", "rules": ["dedupe-meetings"]},
        ],
        "warnings": [],
        "commit": None,
    }


def test_rule_option_limits_the_run_to_named_rules(vault: Path) -> None:
    result = run_cli("run", vault, "--no-commit", "--rule", "tags", "--today", "2026-11-24")
    assert result.returncode == 0
    assert result.stdout.splitlines()[-2:] == [
        "tags: 6 notes",
        "vaultbot: 6 notes updated, 0 warnings (not a git repository: nothing committed)",
    ]
    assert "last_contact: unknown" in (vault / "People/Priya Raman/Priya Raman.md").read_text()


def test_warnings_name_the_file_and_strict_fails_the_run(tmp_path: Path) -> None:
    write_vault(tmp_path, {"Good.md": "# fine\n", "Broken.md": "---\ntype: [unclosed\n---\nbody\n"})
    result = run_cli("run", tmp_path, "--dry-run")
    assert result.returncode == 0
    assert "warning: Broken.md: skipped: invalid YAML in frontmatter" in result.stderr
    assert result.stdout.splitlines()[-1] == "vaultbot: 0 notes would change, 1 warning (dry run, nothing written)"
    assert run_cli("run", tmp_path, "--dry-run", "--strict").returncode == 1
    assert "warning" not in run_cli("run", tmp_path, "--dry-run", "-q").stderr


@pytest.mark.parametrize(
    ("config", "named"),
    [
        ("rules:\n  recent-context:\n    max_entries: ten\n", "rules.recent-context.max_entries"),
        ("rules:\n  tagz: {}\n", "rules.tagz"),
        ("colour: blue\n", "colour"),
        ("git:\n  author: nobody\n", "git.author"),
        ("schedule: '@sometimes'\n", "schedule"),
        ("rules: [", ".vaultbot.yaml"),
        (
            "rules:\n  recent-context:\n    heading: '## Context'\n",
            "rules.recent-context.heading: give the heading's text without the '#' marks",
        ),
    ],
)
def test_config_errors_exit_2_and_name_the_key(tmp_path: Path, config: str, named: str) -> None:
    write_vault(tmp_path, {".vaultbot.yaml": config, "Note.md": "# x\n"})
    before = tree_state(tmp_path)
    result = run_cli("run", tmp_path)
    assert result.returncode == 2
    assert named in result.stderr
    assert tree_state(tmp_path) == before


@pytest.mark.parametrize(
    "args",
    [("run", "--rule", "no-such-rule"), ("run", "--today", "24/11/2026"), ("run", "--dry-run", "--check"), ("frobnicate",)],
)
def test_usage_errors_exit_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    assert run_cli(*args, cwd=tmp_path).returncode == 2


def test_missing_vault_exits_2(tmp_path: Path) -> None:
    result = run_cli("run", tmp_path / "nowhere")
    assert result.returncode == 2
    assert result.stderr == f"vaultbot: {tmp_path / 'nowhere'}: does not exist\n"


def test_vault_defaults_to_the_current_folder(vault: Path) -> None:
    result = run_cli("run", "--dry-run", "--today", "2026-11-24", *GOLDEN_RULES, cwd=vault)
    assert result.stdout.splitlines()[-1].startswith("vaultbot: 11 notes would change")


def test_rules_command_prints_each_rules_documentation() -> None:
    result = run_cli("rules")
    assert result.returncode == 0
    assert result.stdout == ("\n\n" + "-" * 72 + "\n\n").join(f"# {rule.ID}\n\n{page(rule)}" for rule in RULES) + "\n"
    for heading in ("## What it does", "## Why", "## Example", "Use instead:", "## Options"):
        assert result.stdout.count(heading) >= 6, "each built-in rule's page has every part"
    one = run_cli("rules", "tags")
    assert one.stdout.startswith("# tags\n\nFrontmatter `tags` that follow the note's type")
    assert run_cli("rules", "nope").returncode == 2


def test_verbose_logs_each_stage_to_stderr_and_keeps_stdout_clean(vault: Path) -> None:
    result = run_cli("run", vault, "--dry-run", "-v", "--format", "json", "--today", "2026-11-24", *GOLDEN_RULES)
    assert result.returncode == 0
    assert len(json.loads(result.stdout)["changed"]) == 11
    stages = [line.split("s ", 1)[1] for line in result.stderr.splitlines() if line.startswith("vaultbot: ")]
    assert stages == [
        "15 notes scanned",
        "15 notes parsed",
        "rule 1/6: dedupe-meetings",
        "rule 2/6: last-contact",
        "rule 3/6: tags",
        "rule 4/6: recent-context",
        "rule 5/6: open-tasks",
        "rule 6/6: related",
        "6 rules applied",
    ]
