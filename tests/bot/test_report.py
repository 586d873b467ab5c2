"""bot/report.py: diffs, counts, the headline and the JSON a run prints."""

from __future__ import annotations

import json

from bot.change import Change
from bot.problem import Problem, rule_problem
from bot.report import as_json, headline, rule_counts, summary_lines, unified_diff

CHANGE = Change("Acme.md", ("tags", "last-contact"), b"---\ntags: [a]\n---\n", b"---\ntags: [a, b]\n---\n")


def test_a_diff_reads_as_git_shows_it() -> None:
    assert unified_diff(CHANGE) == "--- a/Acme.md\n+++ b/Acme.md\n@@ -1,3 +1,3 @@\n ---\n-tags: [a]\n+tags: [a, b]\n ---\n"


def test_a_missing_final_newline_is_shown_and_a_move_is_a_rename() -> None:
    moved = Change("M/a.md", ("dedupe-meetings",), b"x", b"y", destination="_archive/M/a.md")
    assert unified_diff(moved) == (
        "diff --git a/M/a.md b/_archive/M/a.md\nrename from M/a.md\nrename to _archive/M/a.md\n"
        "--- a/M/a.md\n+++ b/_archive/M/a.md\n@@ -1 +1 @@\n-x\n\\ No newline at end of file\n+y\n\\ No newline at end of file\n"
    )


def test_counts_per_rule_in_the_order_run() -> None:
    assert rule_counts([CHANGE], ("last-contact", "tags", "related")) == {"last-contact": 1, "tags": 1, "related": 0}
    assert summary_lines([CHANGE], ("tags", "related")) == ["tags: 1 note", "related: 0 notes"]


def test_headline() -> None:
    assert headline(1, 2, dry_run=True) == "vaultbot: 1 note would change, 2 warnings (dry run, nothing written)"
    assert headline(3, 1, dry_run=False, commit="1a2b3c4d5e6f7a8b") == "vaultbot: 3 notes updated, 1 warning, commit 1a2b3c4d5e6f"


def test_json_warnings_name_the_rule_that_found_them_or_null() -> None:
    problems = [rule_problem("Note.md", "tags", "tag '1984' is not a valid Obsidian tag"), Problem("Broken.md", "skipped: invalid YAML")]
    data = json.loads(as_json([CHANGE], problems, None))
    assert data == {
        "changed": [{"path": "Acme.md", "rules": ["tags", "last-contact"]}],
        "warnings": [
            {"path": "Note.md", "rule": "tags", "message": "tags: tag '1984' is not a valid Obsidian tag"},
            {"path": "Broken.md", "rule": None, "message": "skipped: invalid YAML"},
        ],
        "commit": None,
    }
    assert "errors" not in data
    assert json.loads(as_json([], [], "abc", ["git: no"]))["errors"] == ["git: no"]
