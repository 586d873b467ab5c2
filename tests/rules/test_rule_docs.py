"""Every rule's documented example is a test: the notes of its `## Example`, run
through the rule, become the notes of its `Use instead:` (the convention is in
rules/__init__.py's docstring)."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from rules import RULES, Rule
from tests.vaults import plan, write_vault

EXAMPLE_DAY = datetime.date(2026, 1, 1)
_BLOCK = re.compile(r"^```(yaml|markdown)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_LABEL = {"yaml": re.compile(r"# (.+\.md)\n"), "markdown": re.compile(r"<!-- (.+\.md) -->\n")}


def notes_of(section: str, unnamed: str) -> dict[str, str]:
    """Vault path -> note text for each fenced block of a doc section."""
    notes = {}
    for language, block in _BLOCK.findall(section):
        label = _LABEL[language].match(block)
        path = label[1] if label else unnamed
        content = block[label.end() :] if label else block
        notes[path] = f"---\n{content}---\n" if language == "yaml" else content
    return notes


def _until_next_heading(text: str) -> str:
    """`text` up to its first `## ` heading outside a fenced block (a note in a block may have headings)."""
    blocks = [match.span() for match in _BLOCK.finditer(text)]
    for heading in re.finditer(r"^## ", text, re.MULTILINE):
        if not any(start <= heading.start() < end for start, end in blocks):
            return text[: heading.start()]
    return text


def example(rule: Rule) -> tuple[dict[str, str], dict[str, str]]:
    """(the Example's notes, the Use instead notes) of a rule's docstring."""
    doc = rule.__doc__ or ""
    before, _, after = doc.partition("## Example\n")[2].partition("Use instead:\n")
    after = _until_next_heading(after)
    given = notes_of(before, "Note.md")
    return given, notes_of(after, next(iter(given), "Note.md"))


@pytest.mark.parametrize("rule", RULES, ids=[rule.ID for rule in RULES])
def test_the_documented_example_is_what_the_rule_does(tmp_path: Path, rule: Rule) -> None:
    given, expected = example(rule)
    assert given and expected, f"{rule.ID}: the docstring has no runnable Example / Use instead pair"
    write_vault(tmp_path, given)
    result = plan(tmp_path, rule.ID, today=EXAMPLE_DAY)
    assert {change.path: change.after.decode("utf-8") for change in result.changes} == expected
    assert [(problem.path, problem.message) for problem in result.problems] == []


def test_notes_of_reads_labels_and_defaults() -> None:
    section = "```yaml\n# A/B.md\ntype: x\n```\n\n```markdown\n<!-- C.md -->\nText\n```\n\n```yaml\nk: v\n```\n"
    assert notes_of(section, "Note.md") == {"A/B.md": "---\ntype: x\n---\n", "C.md": "Text\n", "Note.md": "---\nk: v\n---\n"}
