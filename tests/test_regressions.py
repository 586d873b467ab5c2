"""Regressions found by running vaultbot on real vaults (tests/test_corpus.py), each
reduced to the smallest note that shows it. They live here because the module
tests they belong beside are being written by someone else at the same time."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bot.cli import main
from tests.vaults import plan, run_cli, write_vault


def test_tags_with_a_nested_list_are_reported_in_words_that_make_sense(tmp_path: Path) -> None:
    # cypher-csrd Rules/Optional-Rules-For-Science-Fiction.md: `- - /Rules/...` was
    # reported as "tags is a list, not a list".
    note = "---\ntags:\n- a\n- - b\n---\n"
    write_vault(tmp_path, {"N.md": note})
    result = plan(tmp_path, "tags")
    assert result.changes == []
    assert [(p.path, p.message) for p in result.problems] == [
        ("N.md", "tags: tags is a list with nested items, not a list of tags; left as it is")
    ]


def test_tags_as_a_mapping_or_a_number_are_named_as_such(tmp_path: Path) -> None:
    write_vault(tmp_path, {"M.md": "---\ntags:\n  a: b\n---\n", "N.md": "---\ntags: 5\n---\n"})
    messages = {p.path: p.message for p in plan(tmp_path, "tags").problems}
    assert messages == {
        "M.md": "tags: tags is a mapping, not a list of tags; left as it is",
        "N.md": "tags: tags is 5, not a list of tags; left as it is",
    }


def test_temporary_files_left_by_a_killed_run_are_removed_by_the_next_run(tmp_path: Path) -> None:
    # tests/test_faults.py: a run killed between writing its temporary file and the rename
    # leaves one behind (`.N.md.vaultbot-PID.tmp` before, `.vaultbot-<hex>.tmp` now). The scan
    # sees them as it walks the folders, and the next real run removes them; nothing else.
    write_vault(tmp_path, {"N.md": "---\ntags: 'a, b'\n---\n", "Sub/M.md": "# M\n"})
    leftovers = [
        ".N.md.vaultbot-1.tmp",
        f".N.md.vaultbot-{os.getpid()}.tmp",
        ".vaultbot-0123456789ab.tmp",
        "Sub/.vaultbot-ba9876543210.tmp",
    ]
    for name in leftovers:
        (tmp_path / name).write_bytes(b"half a no")
    (tmp_path / ".mine.vaultbot.tmp").write_bytes(b"not vaultbot's")
    assert main(["run", str(tmp_path), "--no-commit", "--today", "2026-11-24", "-q"]) == 0
    assert (tmp_path / "N.md").read_text() == "---\ntags:\n  - a\n  - b\n---\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".mine.vaultbot.tmp", "N.md", "Sub"], (
        "the stale temporaries are gone, nothing else"
    )
    assert sorted(p.name for p in (tmp_path / "Sub").iterdir()) == ["M.md"]


# An impossible date is text now (tests/bot/test_yaml_reader.py); explicit tags still fail.
IMPOSSIBLE_VALUES = [
    ("n: !!int x", "invalid literal for int() with base 10: 'x'"),
    ("b: !!bool maybe", "'maybe'"),
]


@pytest.mark.parametrize(("line", "reason"), IMPOSSIBLE_VALUES, ids=[row[0] for row in IMPOSSIBLE_VALUES])
def test_a_value_yaml_cannot_construct_is_a_bad_note_not_a_crash(tmp_path: Path, line: str, reason: str) -> None:
    # tests/test_fuzz.py: `date: 2026-02-30` (a typo any vault may hold) made PyYAML raise
    # ValueError from its date constructor, and the whole run died with a traceback.
    write_vault(tmp_path, {"Bad.md": f"---\n{line}\n---\n[[Acme]]\n", "Acme.md": "---\ntype: customer\ntags: 'a, b'\n---\n"})
    result = run_cli("run", tmp_path, "--dry-run", "--today", "2026-11-24")
    assert result.returncode == 0, result.stderr
    assert f"warning: Bad.md: skipped: invalid YAML in frontmatter: a value cannot be read as its type ({reason})" in result.stderr
    assert "Acme.md" in result.stdout, "the run went on"


def test_an_impossible_date_in_the_config_is_a_config_error(tmp_path: Path) -> None:
    write_vault(tmp_path, {".vaultbot.yaml": "exclude: 2026-02-30\n", "N.md": "x\n"})
    result = run_cli("run", tmp_path, "--dry-run")
    assert result.returncode == 2
    assert ".vaultbot.yaml: cannot be read: day is out of range for month" in result.stderr


def test_a_merge_key_after_comments_is_no_crash(tmp_path: Path) -> None:
    """ruamel raised TypeError on comment lines before a `<<:` merge key; the run must go on.
    The editor now locates keys from ruamel's node tree, which has every position, so
    such a note is edited like any other."""
    from bot.frontmatter_edit import set_key

    assert set_key("# c\n<<:\n  inner: x\n", "tags", ["type/x"]) == "# c\n<<:\n  inner: x\ntags:\n  - type/x\n"
    write_vault(tmp_path, {"Odd.md": "---\n# c\n<<:\n  inner: x\ntype: x\n---\n", "Fine.md": "---\ntype: y\n---\n"})
    result = run_cli("run", tmp_path, "--no-commit", "--today", "2026-11-24")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "Odd.md").read_text() == "---\n# c\n<<:\n  inner: x\ntype: x\ntags:\n  - type/x\n---\n"
    assert "type/y" in (tmp_path / "Fine.md").read_text()


@pytest.mark.skipif(os.name == "nt" or os.uname().sysname == "Darwin", reason="only Linux file systems keep names that are not UTF-8")
@pytest.mark.parametrize("git_vault", [False, True])
def test_a_note_whose_name_is_not_utf8_is_reported_not_a_crash(tmp_path: Path, git_vault: bool) -> None:
    """A meeting named with a Latin-1 byte, linked from its customer: the link to it cannot be
    written as text (Obsidian cannot open such a file either), so the note is skipped and named."""
    from tests.vaults import git

    write_vault(tmp_path, {"Acme/Acme.md": "---\ntype: customer\n---\n# Acme\n\n## Recent Context\n"})
    (tmp_path / "Acme").joinpath(os.fsdecode(b"2026-11-01 - caf\xe9.md")).write_bytes(
        b"---\ntype: meeting\ndate: 2026-11-01\n---\n[[Acme]]\n"
    )
    if git_vault:
        git(tmp_path, "init", "-q", "-b", "main")
        git(tmp_path, "add", "-A")
        git(tmp_path, "commit", "-q", "-m", "notes")
    result = run_cli("run", tmp_path, "--today", "2026-11-24", env={"PYTHONIOENCODING": "utf-8"})
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert (
        "warning: Acme/2026-11-01 - caf\\xe9.md: file name is not valid UTF-8 (Obsidian cannot open or link it); skipped"
        in result.stdout + result.stderr
    )


def test_an_opt_out_vaultbot_cannot_read_leaves_the_note_alone_and_says_so(tmp_path: Path) -> None:
    # `vaultbot: {skip: 5}` crashed every run with a traceback (TypeError in Note.opted_out).
    entity = "---\ntype: person\nvaultbot:\n  skip: 5\n---\n# Ann\n"
    meeting = "---\ntype: meeting\ndate: 2025-10-01\nparticipants: ['[[Ann]]']\ntags: [type/meeting]\n---\n# M\n"
    write_vault(
        tmp_path, {".obsidian/app.json": "{}", "People/Ann.md": entity, "M.md": meeting, "Q.md": "---\nvaultbot: 'false'\n---\n# Q\n"}
    )
    result = run_cli("run", tmp_path, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "People/Ann.md").read_text() == entity
    assert (tmp_path / "Q.md").read_text() == "---\nvaultbot: 'false'\n---\n# Q\n"
    warnings = json.loads(result.stdout)["warnings"]
    assert warnings == [
        {
            "path": "People/Ann.md",
            "rule": None,
            "message": "'vaultbot: {skip: ...}' is not a rule id or a list of them; every rule leaves the note alone",
        }
    ]


def test_a_skip_naming_no_rule_is_reported(tmp_path: Path) -> None:
    # `skip: [tag]` (for `tags`) opted out of nothing and said nothing: the note's tags changed.
    write_vault(tmp_path, {".obsidian/app.json": "{}", "N.md": "---\ntype: meeting\nvaultbot: {skip: [tag]}\n---\n"})
    result = run_cli("run", tmp_path, "--dry-run", "--format", "json", "--rule", "tags")
    assert result.returncode == 0, result.stderr
    assert [(w["path"], w["rule"], w["message"].split(" (known")[0]) for w in json.loads(result.stdout)["warnings"]] == [
        ("N.md", None, "'vaultbot: {skip: ...}' names no rule called tag")
    ]
