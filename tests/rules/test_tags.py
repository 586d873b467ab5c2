"""tags: derived tag first, stale family removed, the rest normalized, styles kept.

Cases run in memory (tests/rules/memory.py): a note in, its new text and the warnings out,
exactly, and a second run changes nothing; one end-to-end run of the CLI, and one over a
5,000-note vault of template placeholders.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rules import tags
from rules.tags import is_valid_tag, normalize
from tests.rules.memory import config, twice
from tests.vaults import run_cli, write_vault


def _invalid(tag: str, path: str = "Note.md") -> str:
    return f"{path}: tags: tag {tag!r} is not a valid Obsidian tag (needs a non-digit; only letters, digits, emoji, _ - /)"


WARNS = {  # the cases below that warn: label -> their warnings
    "kept items keep their quoting": [_invalid("2024")],
    "YAML 1.1 words stay as typed": [_invalid("12:30")],
    "a number tag is not quoted just for that": [_invalid("2024")],
}

CASES = [
    ("derived tag added to a block list", "type: customer\ntags:\n  - vip\n", "type: customer\ntags:\n  - type/customer\n  - vip\n"),
    ("stale family tag replaced", "type: call\ntags:\n- type/meeting\n- x\n", "type: call\ntags:\n- type/call\n- x\n"),
    ("flow style kept", "type: person\ntags: [a, type/customer]\n", "type: person\ntags: [type/person, a]\n"),
    (
        "comma string becomes a block list, inner spaces a -",
        "type: tasks\ntags: '#a, b  c'\n",
        "type: tasks\ntags:\n  - type/tasks\n  - a\n  - b-c\n",
    ),
    ("space string becomes a block list", "type: tasks\ntags: '#a b'\n", "type: tasks\ntags:\n  - type/tasks\n  - a\n  - b\n"),
    ("placeholder item replaced", "type: x\ntags:\n- \n", "type: x\ntags:\n- type/x\n"),
    ("kept items keep their quoting", "type: x\ntags: [2024, \"a\", 'b']\n", "type: x\ntags: [type/x, 2024, \"a\", 'b']\n"),
    ("YAML 1.1 words stay as typed", 'type: x\ntags: [On, off, "x", 12:30]\n', 'type: x\ntags: [type/x, On, off, "x", 12:30]\n'),
    (
        "comments in and after a block list kept",
        "type: meeting\ntags:\n  - project  # main project\n  # - old-tag\n  - '#x'\n# after\nz: 1\n",
        "type: meeting\ntags:\n  - type/meeting\n  - project  # main project\n  # - old-tag\n  - x\n# after\nz: 1\n",
    ),
    (
        "comments in a multi-line flow list kept",
        "type: x\ntags: [\n  a,  # first\n  type/y,  # old type\n  c\n]\n",
        "type: x\ntags: [\n  type/x, a,  # first\n  # old type\n  c\n]\n",
    ),
    (
        "normalized and deduplicated",
        "type: x\ntags:\n  - ' #Follow up '\n  - follow-up\n  - ''\n  - type/x\n",
        "type: x\ntags:\n  - type/x\n  - Follow-up\n",
    ),
    ("missing tags key added", "type: meeting\ndate: 2026-01-02\n", "type: meeting\ndate: 2026-01-02\ntags:\n  - type/meeting\n"),
    (
        "comments around the key survive",
        "# top\ntype: x  # kind\ntags: [b]  # mine\n# after\nz: 1\n",
        "# top\ntype: x  # kind\ntags: [type/x, b]  # mine\n# after\nz: 1\n",
    ),
    ("already right: unchanged", "type: x\ntags:\n  - type/x\n  - b\n", None),
    ("no type: family tags kept", "tags:\n  - type/old\n  - b\n", None),
    ("bare tags key left alone", "title: x\ntags:\n", None),
    ("empty placeholder item left alone", "title: x\ntags:\n- \n", None),
    ("empty flow list left alone", "title: x\ntags: []\n", None),
    ("a number tag is not quoted just for that", "tags: [type/note, 2024, ok]\n", None),
    ("quoting alone is no change", 'tags: ["a"]\n', None),
    ("empty items among tags are no change", "tags:\n  - a\n  -\n  - b\n", None),
    ("one tag as a string is no change", "tags: project\n", None),
    ("no frontmatter fields at all", "title: x\n", None),
]


@pytest.mark.parametrize(("label", "frontmatter", "expected"), CASES, ids=[c[0] for c in CASES])
def test_tags(label: str, frontmatter: str, expected: str | None) -> None:
    first, second = twice([tags], {"Note.md": f"---\n{frontmatter}---\nBody\n"})
    assert first.changed == ({} if expected is None else {"Note.md": f"---\n{expected}---\nBody\n"})
    assert first.warnings == WARNS.get(label, [])
    assert second == ({}, first.warnings)


# (notes, tags options, what the run writes, its warnings)
VAULTS = [
    pytest.param(
        {"Note.md": "---\r\ntype: x\r\ntags: a b\r\n---\r\nBody"},
        {},
        {"Note.md": "---\r\ntype: x\r\ntags:\r\n  - type/x\r\n  - a\r\n  - b\r\n---\r\nBody"},
        [],
        id="crlf-kept",
    ),
    pytest.param(
        {"Note.md": "\ufeff---\r\ntype: x\r\n---"},
        {},
        {"Note.md": "\ufeff---\r\ntype: x\r\ntags:\r\n  - type/x\r\n---"},
        [],
        id="bom-crlf-and-no-final-newline-kept",
    ),
    pytest.param(
        {"Note.md": "---\ntype: x\ntags: a\n"},
        {},
        {},
        ["Note.md: skipped: frontmatter opened with '---' on line 1 is never closed"],
        id="frontmatter-never-closed-is-reported-and-left",
    ),
    pytest.param({"Note.md": "```\n---\ntype: x\n---\n```\n"}, {}, {}, [], id="frontmatter-in-a-code-block-is-no-frontmatter"),
    pytest.param(
        {"Note.md": "---\ntype: x\ntags: [type/x, '1984', 'a&b']\n---\n"},
        {},
        {},
        [_invalid("1984"), _invalid("a&b")],
        id="invalid-tags-are-reported-not-dropped",
    ),
    *(
        pytest.param(
            {"Note.md": f"---\ntype: call\n{key}: [a]\n---\n"},
            {},
            {},
            [f"Note.md: tags: '{key}' {why}; tags left as they are (merge_tag_keys: true moves it into 'tags')"],
            id=f"a-{key}-key-is-reported-never-a-silent-second-key",
        )
        for key, why in [
            ("tag", "is deprecated (Obsidian 1.9 no longer reads it)"),
            ("TAG", "is deprecated (Obsidian 1.9 no longer reads it)"),
            ("Tags", "is 'tags' in another case"),
        ]
    ),
    pytest.param(
        {"Note.md": "---\ntype: call\ntags: [a]\ntag: b, c\nTags:\n  - a\n  - d\n---\n", "Other.md": "---\ntag: x\n---\n"},
        {"merge_tag_keys": True},
        {"Note.md": "---\ntype: call\ntags: [type/call, a, b, c, d]\n---\n", "Other.md": "---\ntags:\n  - x\n---\n"},
        [],
        id="merge-tag-keys-moves-them-into-tags",
    ),
]


@pytest.mark.parametrize(("notes", "options", "expected", "warnings"), VAULTS)
def test_tags_in_a_vault(notes: dict[str, str], options: dict[str, Any], expected: dict[str, str], warnings: list[str]) -> None:
    first, second = twice([tags], notes, config({"rules": {"tags": options}}))
    assert first == (expected, warnings)
    assert second == ({}, warnings)


@pytest.mark.parametrize(
    ("tag", "valid"),
    [
        ("type/customer", True),
        ("y1984", True),
        ("1984", False),
        ("a b", False),
        ("🚀launch", True),
        ("naïve_tag-2", True),
        ("a&b", False),
        ("", False),
    ],
)
def test_obsidian_tag_validity(tag: str, valid: bool) -> None:
    assert is_valid_tag(tag) is valid


def test_normalize() -> None:
    assert normalize("  #Key   Account ") == "Key-Account"


def test_tags_end_to_end(tmp_path: Path) -> None:
    write_vault(tmp_path, {"Note.md": "---\ntype: call\ntags: 'a, b'\n---\n"})
    assert run_cli("run", tmp_path, "--rule", "tags", "--no-commit").returncode == 0
    assert (tmp_path / "Note.md").read_text() == "---\ntype: call\ntags:\n  - type/call\n  - a\n  - b\n---\n"


def test_a_placeholder_vault_of_5000_notes_is_left_alone_end_to_end(tmp_path: Path) -> None:
    """A template's empty `tags:` placeholders and quoting never cause a write."""
    shapes = ["tags:\n- \n", "tags:\n-\n", "tags:\n", "tags: []\n", "tags: [2024]\n", 'tags: ["a"]\n', "tags:\n  - \n  - b\n"]
    write_vault(
        tmp_path,
        {
            f"Notes/{n:04d} - Note.md": f"---\ncreated: 2024-01-{n % 28 + 1:02d}\n{shapes[n % len(shapes)]}---\nText {n}.\n"
            for n in range(5000)
        },
    )
    result = run_cli("run", tmp_path, "--no-commit", "--format", "json", "--today", "2026-11-24")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["changed"] == []
    assert {w["message"] for w in report["warnings"]} == {
        "tags: tag '2024' is not a valid Obsidian tag (needs a non-digit; only letters, digits, emoji, _ - /)"
    }
