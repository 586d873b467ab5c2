"""recent-context: the generated list, its order and format, and the bytes around it."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules import recent_context
from tests.rules.memory import run_rules
from tests.vaults import changed_text, plan, run_cli, write_vault

ENTITY = "---\ntype: customer\n---\n# Acme\n\n## Recent Context\n\n- old\n\n## Notes\n\nkeep me\n"


def _section(*lines: str) -> str:
    return "---\ntype: customer\n---\n# Acme\n\n## Recent Context\n\n" + "".join(f"{line}\n" for line in lines) + "\n## Notes\n\nkeep me\n"


def test_order_newest_first_times_then_untimed_then_name_unknown_last(tmp_path: Path) -> None:
    write_vault(
        tmp_path,
        {
            "Acme/Acme.md": ENTITY,
            "Acme/2026-11-02 0900 standup.md": "Standup.\n",
            "Acme/2026-11-02 1430 review.md": "Review.\n",
            "Acme/2026-11-02 b notes.md": "B.\n",
            "Acme/2026-11-02 A notes.md": "A.\n",
            "Acme/2026-11 - plan.md": "Plan.\n",
            "Acme/2026-11-03 later.md": "Later.\n",
            "Acme/undated.md": "Undated.\n",
            "Acme/2027-01-01 future.md": "Future.\n",
        },
    )
    assert changed_text(tmp_path, "Acme/Acme.md", "recent-context") == _section(
        "- 2026-11-03: [[2026-11-03 later]] - Later.",
        "- 2026-11-02: [[2026-11-02 1430 review]] - Review.",
        "- 2026-11-02: [[2026-11-02 0900 standup]] - Standup.",
        "- 2026-11-02: [[2026-11-02 A notes]] - A.",
        "- 2026-11-02: [[2026-11-02 b notes]] - B.",
        "- 2026-11: [[2026-11 - plan]] - Plan.",
        "- unknown: [[undated]] - Undated.",
    )


def test_via_owner_summary_cut_and_max_entries(tmp_path: Path) -> None:
    long = "word " * 40
    write_vault(
        tmp_path,
        {
            ".vaultbot.yaml": "rules:\n  recent-context:\n    max_entries: 2\n    summary_length: 20\n",
            "Acme/Acme.md": ENTITY,
            "People/Bo/Bo.md": "---\ntype: person\ntitle: Bo Li\n---\n",
            "People/Bo/2026-11-01 sync.md": f"---\nsummary: {long}\n---\n[[Acme]]\n",
            "Notes/2026-10-01 x.md": "[[Acme]] mention\n",
            "Notes/2026-09-01 y.md": "[[Acme]] older\n",
            "Notes/nosummary 2026.md": "---\ndate: 2026-08-01\n---\n",
        },
    )
    assert changed_text(tmp_path, "Acme/Acme.md", "recent-context") == _section(
        "- 2026-11-01: [[2026-11-01 sync]] - word word word word... (via Bo Li)",
        "- 2026-10-01: [[2026-10-01 x]] - Acme mention",
    )


@pytest.mark.parametrize(
    ("app_json", "line"),
    [
        ('{"newLinkFormat": "shortest"}', "- unknown: [[Dup/Same]] - One."),
        ('{"newLinkFormat": "absolute"}', "- unknown: [[Dup/Same]] - One."),
        ('{"newLinkFormat": "relative"}', "- unknown: [[../Dup/Same]] - One."),
        ('{"useMarkdownLinks": true, "newLinkFormat": "absolute"}', "- unknown: [Same](Dup/Same.md) - One."),
    ],
)
def test_links_follow_obsidians_new_link_format(tmp_path: Path, app_json: str, line: str) -> None:
    write_vault(
        tmp_path,
        {".obsidian/app.json": app_json, "Acme/Acme.md": ENTITY, "Dup/Same.md": "One. [[Acme]]\n", "Other/Deeper/Same.md": "Two.\n"},
    )
    assert changed_text(tmp_path, "Acme/Acme.md", "recent-context") == _section(line.replace("One.", "One. Acme"))


@pytest.mark.parametrize(
    ("entity", "expected"),
    [
        (
            "---\ntype: customer\n---\n# A\n\n## Recent Context\n",
            "---\ntype: customer\n---\n# A\n\n## Recent Context\n\n- unknown: [[N]] - A\n",
        ),
        (
            "---\ntype: customer\n---\n# A\n\n## Recent Context",
            "---\ntype: customer\n---\n# A\n\n## Recent Context\n\n- unknown: [[N]] - A",
        ),
        (
            "---\r\ntype: customer\r\n---\r\n## Recent Context\r\n## Next\r\n",
            "---\r\ntype: customer\r\n---\r\n## Recent Context\r\n\r\n- unknown: [[N]] - A\r\n\r\n## Next\r\n",
        ),
        (
            "---\ntype: customer\n---\n## Recent Context\n- a\n### Mine\nkept\n",
            "---\ntype: customer\n---\n## Recent Context\n\n- unknown: [[N]] - A\n\n### Mine\nkept\n",
        ),
        (
            "\ufeff---\ntype: customer\n---\n## recent context\n",
            "\ufeff---\ntype: customer\n---\n## recent context\n\n- unknown: [[N]] - A\n",
        ),
    ],
    ids=["end-with-newline", "end-without-newline", "crlf", "subheading-kept", "bom-and-case"],
)
def test_section_boundaries(entity: str, expected: str) -> None:
    changed, warnings = run_rules([recent_context], {"A.md": entity, "N.md": "[[A]]\n"})
    assert changed == {"A.md": expected}
    assert warnings == []


def test_empty_list_leaves_heading_and_one_blank_line(tmp_path: Path) -> None:
    write_vault(tmp_path, {"A.md": "---\ntype: customer\n---\n## Recent Context\n\n- gone\n\n## Next\n"})
    assert changed_text(tmp_path, "A.md", "recent-context") == "---\ntype: customer\n---\n## Recent Context\n\n## Next\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("# A\n\nIntro text.\n\n## Notes\n", "# A\n\nIntro text.\n\n## Recent Context\n\n- unknown: [[N]] - A\n\n## Notes\n"),
        ("# A\n\nIntro text.", "# A\n\nIntro text.\n\n## Recent Context\n\n- unknown: [[N]] - A"),
        ("Just text\n", "Just text\n\n## Recent Context\n\n- unknown: [[N]] - A\n"),
    ],
)
def test_create_missing_never_swallows_text(tmp_path: Path, body: str, expected: str) -> None:
    write_vault(
        tmp_path,
        {
            ".vaultbot.yaml": "rules:\n  recent-context:\n    create_missing: true\n",
            "A.md": "---\ntype: customer\n---\n" + body,
            "N.md": "[[A]]\n",
        },
    )
    first = changed_text(tmp_path, "A.md", "recent-context")
    assert first == "---\ntype: customer\n---\n" + expected
    (tmp_path / "A.md").write_text(first)
    assert changed_text(tmp_path, "A.md", "recent-context") is None


def test_links_in_generated_sections_do_not_count(tmp_path: Path) -> None:
    write_vault(
        tmp_path,
        {
            "A.md": "---\ntype: customer\n---\n## Recent Context\n\n## Notes\n",
            "B.md": "---\ntype: customer\n---\n## Recent Context\n\n- [[A]] from a generated list\n\n## Notes\n",
            "Hub.md": "## Recent Context\n\n- [[A]]\n",
        },
    )
    assert changed_text(tmp_path, "A.md", "recent-context") is None


def test_recent_context_end_to_end(tmp_path: Path) -> None:
    write_vault(tmp_path, {"Acme/Acme.md": ENTITY, "Acme/2026-11-01 call.md": "Call about pricing.\n"})
    assert run_cli("run", tmp_path, "--rule", "recent-context", "--no-commit", "--today", "2026-11-24").returncode == 0
    assert (tmp_path / "Acme/Acme.md").read_text() == _section("- 2026-11-01: [[2026-11-01 call]] - Call about pricing.")


def test_a_code_fence_inside_the_section_stops_the_rewrite(tmp_path: Path) -> None:
    """An unclosed fence would make the section seem to run to the end of the note."""
    entity = "---\ntype: customer\n---\n## Recent Context\n\n```\n- pasted\n\n## Notes\n\nprecious text\n"
    write_vault(tmp_path, {"A.md": entity, "N.md": "[[A]]\n"})
    result = plan(tmp_path, "recent-context")
    assert result.changes == []
    assert (
        "A.md",
        (
            "recent-context: not changed: the end of the '## Recent Context' section is not certain: "
            "a code fence opened in it is never closed; fix the section by hand"
        ),
    ) in [(p.path, p.message) for p in result.problems]


@pytest.mark.parametrize(
    ("title", "summary"),
    [
        ('"Bob\\n## Oops"', '"First line\\n## Not a heading"'),
        ("|\n  Bob\n  ## Oops", ">-\n  First line\n\n  ## Not a heading"),
        ('"Bob\\r\\n## Oops\\u2028"', '"First line\\r## Not a heading\\u2029"'),
    ],
    ids=["escaped-line-breaks", "block-scalars", "cr-and-unicode-separators"],
)
def test_titles_and_summaries_are_written_on_one_line(tmp_path: Path, title: str, summary: str) -> None:
    # A line break in an owner's title injected a `## Oops)` heading, one more per run.
    write_vault(
        tmp_path,
        {
            "Acme/Acme.md": ENTITY,
            "People/Bob/Bob.md": f"---\ntype: person\ntitle: {title}\n---\n",
            "People/Bob/2026-11-01 sync.md": f"---\nsummary: {summary}\n---\n[[Acme]]\n",
        },
    )
    expected = _section("- 2026-11-01: [[2026-11-01 sync]] - First line ## Not a heading (via Bob ## Oops)")
    assert changed_text(tmp_path, "Acme/Acme.md", "recent-context") == expected
    for _ in range(2):
        assert run_cli("run", tmp_path, "--rule", "recent-context", "--no-commit", "--today", "2026-11-24").returncode == 0
        assert (tmp_path / "Acme/Acme.md").read_text() == expected


def test_a_file_name_with_a_line_break_is_reported_not_listed(tmp_path: Path) -> None:
    # Its link would end at the line break, and the rest of the name would be a heading, one more per run.
    odd = "Acme/2026-11-02 a\n## Oops.md"
    write_vault(tmp_path, {"Acme/Acme.md": ENTITY, odd: "Odd.\n", "Acme/2026-11-01 call.md": "Call.\n"})
    result = plan(tmp_path, "recent-context")
    assert [c.after.decode() for c in result.changes] == [_section("- 2026-11-01: [[2026-11-01 call]] - Call.")]
    assert [(p.path, p.message) for p in result.problems] == [
        (odd, "recent-context: not listed in Recent Context of Acme/Acme.md: its path holds a line break, which no link can hold")
    ]


def test_an_owner_named_with_a_line_break_is_named_on_one_line(tmp_path: Path) -> None:
    write_vault(
        tmp_path,
        {
            "Acme/Acme.md": ENTITY,
            "People/Bob\n## Oops/Bob\n## Oops.md": "---\ntype: person\n---\n",
            "People/Bob\n## Oops/2026-11-01 sync.md": "[[Acme]]\n",
        },
    )
    assert changed_text(tmp_path, "Acme/Acme.md", "recent-context") == _section(
        "- 2026-11-01: [[2026-11-01 sync]] - Acme (via Bob ## Oops)"
    )


@pytest.mark.parametrize(
    "files",
    [
        {"People/Bob/Bob.md": "---\ntype: person\ntitle: Bob <!-- the boss\n---\n", "People/Bob/2026-11-01 sync.md": "[[Acme]]\n"},
        {"Acme/2026-11-01 html <!-- comments.md": "Sync.\n"},
    ],
    ids=["owner-title", "file-name"],
)
def test_a_comment_opener_in_a_written_line_loses_no_text_on_the_next_run(tmp_path: Path, files: dict[str, str]) -> None:
    write_vault(tmp_path, {"Acme/Acme.md": ENTITY, **files})
    for _ in range(3):
        assert run_cli("run", tmp_path, "--rule", "recent-context", "--no-commit", "--today", "2026-11-24").returncode == 0
        text = (tmp_path / "Acme/Acme.md").read_text()
        assert "<!--" in text and text.endswith("\n## Notes\n\nkeep me\n"), text


@pytest.mark.parametrize("name", ["2026-11-01 a #h", "2026-11-01 c | pipe", "2026-11-01 e ]] br", "2026-11-01 f [[ x"])
def test_a_file_name_no_wikilink_can_hold_is_reported_not_listed(tmp_path: Path, name: str) -> None:
    write_vault(tmp_path, {"Acme/Acme.md": ENTITY, f"Acme/{name}.md": "Odd.\n", "Acme/2026-11-02 call.md": "Call.\n"})
    result = plan(tmp_path, "recent-context")
    assert [c.after.decode() for c in result.changes] == [_section("- 2026-11-02: [[2026-11-02 call]] - Call.")]
    assert [p.path for p in result.problems] == [f"Acme/{name}.md"]
