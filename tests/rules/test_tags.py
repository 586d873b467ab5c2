"""tags: derived tag first, stale family removed, the rest normalized, styles kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules.tags import is_valid_tag, normalize
from tests.vaults import changed_text, plan, run_cli, write_vault

CASES = [
    ("derived tag added to a block list", "type: customer\ntags:\n  - vip\n", "type: customer\ntags:\n  - type/customer\n  - vip\n"),
    ("stale family tag replaced", "type: call\ntags:\n- type/meeting\n- x\n", "type: call\ntags:\n- type/call\n- x\n"),
    ("flow style kept", "type: person\ntags: [a, type/customer]\n", "type: person\ntags: [type/person, a]\n"),
    ("string becomes a block list", "type: tasks\ntags: '#a, b  c'\n", "type: tasks\ntags:\n  - type/tasks\n  - a\n  - b\n  - c\n"),
    ("normalized and deduplicated", "type: x\ntags:\n  - ' #Follow up '\n  - follow-up\n  - ''\n  - type/x\n", "type: x\ntags:\n  - type/x\n  - Follow-up\n"),
    ("missing tags key added", "type: meeting\ndate: 2026-01-02\n", "type: meeting\ndate: 2026-01-02\ntags:\n  - type/meeting\n"),
    ("comments around the key survive", "# top\ntype: x  # kind\ntags: [b]  # mine\n# after\nz: 1\n", "# top\ntype: x  # kind\ntags: [type/x, b]  # mine\n# after\nz: 1\n"),
    ("already right: unchanged", "type: x\ntags:\n  - type/x\n  - b\n", None),
    ("no type: family tags kept", "tags:\n  - type/old\n  - b\n", None),
    ("bare tags key left alone", "title: x\ntags:\n", None),
    ("no frontmatter fields at all", "title: x\n", None),
]


@pytest.mark.parametrize(("label", "frontmatter", "expected"), CASES, ids=[c[0] for c in CASES])
def test_tags(tmp_path: Path, label: str, frontmatter: str, expected: str | None) -> None:
    write_vault(tmp_path, {"Note.md": f"---\n{frontmatter}---\nBody\n"})
    result = changed_text(tmp_path, "Note.md", "tags")
    assert result == (None if expected is None else f"---\n{expected}---\nBody\n")


def test_tags_keeps_crlf(tmp_path: Path) -> None:
    write_vault(tmp_path, {"Note.md": "---\r\ntype: x\r\ntags: a b\r\n---\r\nBody"})
    assert changed_text(tmp_path, "Note.md", "tags") == "---\r\ntype: x\r\ntags:\r\n  - type/x\r\n  - a\r\n  - b\r\n---\r\nBody"


def test_invalid_tags_are_reported_not_dropped(tmp_path: Path) -> None:
    write_vault(tmp_path, {"Note.md": "---\ntype: x\ntags: [type/x, '1984', 'a&b']\n---\n"})
    result = plan(tmp_path, "tags")
    assert result.changes == []
    messages = [tuple(p) for p in result.problems]
    assert ("Note.md", "tags: tag '1984' is not a valid Obsidian tag (needs a non-digit; only letters, digits, emoji, _ - /)") in messages
    assert ("Note.md", "tags: tag 'a&b' is not a valid Obsidian tag (needs a non-digit; only letters, digits, emoji, _ - /)") in messages


@pytest.mark.parametrize(
    ("tag", "valid"),
    [("type/customer", True), ("y1984", True), ("1984", False), ("a b", False), ("🚀launch", True), ("naïve_tag-2", True), ("a&b", False), ("", False)],
)
def test_obsidian_tag_validity(tag: str, valid: bool) -> None:
    assert is_valid_tag(tag) is valid


def test_normalize() -> None:
    assert normalize("  #Key   Account ") == "Key-Account"


def test_tags_end_to_end(tmp_path: Path) -> None:
    write_vault(tmp_path, {"Note.md": "---\ntype: call\ntags: 'a, b'\n---\n"})
    assert run_cli("run", tmp_path, "--rule", "tags", "--no-commit").returncode == 0
    assert (tmp_path / "Note.md").read_text() == "---\ntype: call\ntags:\n  - type/call\n  - a\n  - b\n---\n"
