"""recent-context: the generated list, its order and format, and the bytes around it.

Cases run in memory (tests/rules/memory.py): notes in, the changed texts and the warnings out,
exactly, and a second run over the result changes nothing; one end-to-end run of the CLI.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.obsidian import ObsidianSettings
from rules import recent_context
from tests.rules.memory import config, twice
from tests.vaults import run_cli, write_vault

TODAY = datetime.date(2026, 11, 24)
ENTITY = "---\ntype: customer\n---\n# Acme\n\n## Recent Context\n\n- old\n\n## Notes\n\nkeep me\n"
NO_WIKILINK = "its name holds # ^ | [[ or ]], which no wikilink can hold"


def _section(*lines: str) -> str:
    return "---\ntype: customer\n---\n# Acme\n\n## Recent Context\n\n" + "".join(f"{line}\n" for line in lines) + "\n## Notes\n\nkeep me\n"


def _acme(*lines: str) -> dict[str, str]:
    """What the run writes: Acme's section listing `lines`."""
    return {"Acme/Acme.md": _section(*lines)}


def _one_line(title: str, summary: str) -> Any:
    # A line break in an owner's title injected a `## Oops)` heading, one more per run.
    return {
        "Acme/Acme.md": ENTITY,
        "People/Bob/Bob.md": f"---\ntype: person\ntitle: {title}\n---\n",
        "People/Bob/2026-11-01 sync.md": f"---\nsummary: {summary}\n---\n[[Acme]]\n",
    }


def _new_link_format(app: dict[str, Any], line: str, label: str) -> Any:
    notes = {"Acme/Acme.md": ENTITY, "Dup/Same.md": "One. [[Acme]]\n", "Other/Deeper/Same.md": "Two.\n"}
    return pytest.param(notes, {}, ObsidianSettings(**app), _acme(line), [], id=f"new-link-format-{label}")


def _unlinkable(name: str) -> Any:
    notes = {"Acme/Acme.md": ENTITY, f"Acme/{name}.md": "Odd.\n", "Acme/2026-11-02 call.md": "Call.\n"}
    warning = f"Acme/{name}.md: recent-context: not listed in Recent Context of Acme/Acme.md: {NO_WIKILINK}"
    return pytest.param(notes, {}, None, _acme("- 2026-11-02: [[2026-11-02 call]] - Call."), [warning], id=f"unlinkable-name-{name}")


def _created(body: str, expected: str, label: str) -> Any:
    notes = {"A.md": "---\ntype: customer\n---\n" + body, "N.md": "[[A]]\n"}
    return pytest.param(notes, {"create_missing": True}, None, {"A.md": "---\ntype: customer\n---\n" + expected}, [], id=label)


def _boundary(entity: str, expected: str, label: str) -> Any:
    return pytest.param({"A.md": entity, "N.md": "[[A]]\n"}, {}, None, {"A.md": expected}, [], id=label)


ODD = "Acme/2026-11-02 a\n## Oops.md"
ONE_LINE = _acme("- 2026-11-01: [[2026-11-01 sync]] - First line ## Not a heading (via Bob ## Oops)")

# (notes, recent-context options, Obsidian's settings, what the run writes, its warnings)
CASES = [
    pytest.param(
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
        {},
        None,
        _acme(
            "- 2026-11-03: [[2026-11-03 later]] - Later.",
            "- 2026-11-02: [[2026-11-02 1430 review]] - Review.",
            "- 2026-11-02: [[2026-11-02 0900 standup]] - Standup.",
            "- 2026-11-02: [[2026-11-02 A notes]] - A.",
            "- 2026-11-02: [[2026-11-02 b notes]] - B.",
            "- 2026-11: [[2026-11 - plan]] - Plan.",
            "- unknown: [[undated]] - Undated.",
        ),
        [],
        id="order-newest-first-times-then-untimed-then-name-unknown-last",
    ),
    pytest.param(
        {
            "Acme/Acme.md": ENTITY,
            "People/Bo/Bo.md": "---\ntype: person\ntitle: Bo Li\n---\n",
            "People/Bo/2026-11-01 sync.md": f"---\nsummary: {'word ' * 40}\n---\n[[Acme]]\n",
            "Notes/2026-10-01 x.md": "[[Acme]] mention\n",
            "Notes/2026-09-01 y.md": "[[Acme]] older\n",
            "Notes/nosummary 2026.md": "---\ndate: 2026-08-01\n---\n",
        },
        {"max_entries": 2, "summary_length": 20},
        None,
        _acme("- 2026-11-01: [[2026-11-01 sync]] - word word word word... (via Bo Li)", "- 2026-10-01: [[2026-10-01 x]] - Acme mention"),
        [],
        id="via-owner-summary-cut-and-max-entries",
    ),
    _new_link_format({"new_link_format": "shortest"}, "- unknown: [[Dup/Same]] - One. Acme", "shortest"),
    _new_link_format({"new_link_format": "absolute"}, "- unknown: [[Dup/Same]] - One. Acme", "absolute"),
    _new_link_format({"new_link_format": "relative"}, "- unknown: [[../Dup/Same]] - One. Acme", "relative"),
    _new_link_format({"use_markdown_links": True, "new_link_format": "absolute"}, "- unknown: [Same](Dup/Same.md) - One. Acme", "markdown"),
    _boundary(
        "---\ntype: customer\n---\n# A\n\n## Recent Context\n",
        "---\ntype: customer\n---\n# A\n\n## Recent Context\n\n- unknown: [[N]] - A\n",
        "end-with-newline",
    ),
    _boundary(
        "---\ntype: customer\n---\n# A\n\n## Recent Context",
        "---\ntype: customer\n---\n# A\n\n## Recent Context\n\n- unknown: [[N]] - A",
        "end-without-newline",
    ),
    _boundary(
        "---\r\ntype: customer\r\n---\r\n## Recent Context\r\n## Next\r\n",
        "---\r\ntype: customer\r\n---\r\n## Recent Context\r\n\r\n- unknown: [[N]] - A\r\n\r\n## Next\r\n",
        "crlf",
    ),
    _boundary(
        "---\ntype: customer\n---\n## Recent Context\n- a\n### Mine\nkept\n",
        "---\ntype: customer\n---\n## Recent Context\n\n- unknown: [[N]] - A\n\n### Mine\nkept\n",
        "subheading-kept",
    ),
    _boundary(
        "\ufeff---\ntype: customer\n---\n## recent context\n",
        "\ufeff---\ntype: customer\n---\n## recent context\n\n- unknown: [[N]] - A\n",
        "bom-and-case",
    ),
    pytest.param(
        {"A.md": "---\ntype: customer\n---\n```\n## Recent Context\n```\n", "N.md": "[[A]]\n"},
        {},
        None,
        {},
        [],
        id="heading-in-a-code-block-is-no-section",
    ),
    pytest.param(
        {"A.md": "---\ntype: customer\n## Recent Context\n", "N.md": "[[A]]\n"},
        {},
        None,
        {},
        ["A.md: skipped: frontmatter opened with '---' on line 1 is never closed"],
        id="frontmatter-never-closed-is-reported-and-left",
    ),
    pytest.param(
        {"A.md": "---\ntype: customer\n---\n## Recent Context\n\n- gone\n\n## Next\n"},
        {},
        None,
        {"A.md": "---\ntype: customer\n---\n## Recent Context\n\n## Next\n"},
        [],
        id="empty-list-leaves-heading-and-one-blank-line",
    ),
    _created(
        "# A\n\nIntro text.\n\n## Notes\n",
        "# A\n\nIntro text.\n\n## Recent Context\n\n- unknown: [[N]] - A\n\n## Notes\n",
        "create-after-title-text",
    ),
    _created("# A\n\nIntro text.", "# A\n\nIntro text.\n\n## Recent Context\n\n- unknown: [[N]] - A", "create-at-end-without-newline"),
    _created("Just text\n", "Just text\n\n## Recent Context\n\n- unknown: [[N]] - A\n", "create-without-a-title"),
    pytest.param(
        {
            "A.md": "---\ntype: customer\n---\n## Recent Context\n\n## Notes\n",
            "B.md": "---\ntype: customer\n---\n## Recent Context\n\n- [[A]] from a generated list\n\n## Notes\n",
            "Hub.md": "## Recent Context\n\n- [[A]]\n",
        },
        {},
        None,
        {"B.md": "---\ntype: customer\n---\n## Recent Context\n\n## Notes\n"},  # A stays: no link counts
        [],
        id="links-in-generated-sections-do-not-count",
    ),
    pytest.param(
        # An unclosed fence would make the section seem to run to the end of the note.
        {"A.md": "---\ntype: customer\n---\n## Recent Context\n\n```\n- pasted\n\n## Notes\n\nprecious text\n", "N.md": "[[A]]\n"},
        {},
        None,
        {},
        [
            "A.md: recent-context: not changed: the end of the '## Recent Context' section is not certain:"
            " a code fence opened in it is never closed; fix the section by hand"
        ],
        id="a-code-fence-inside-the-section-stops-the-rewrite",
    ),
    pytest.param(
        _one_line('"Bob\\n## Oops"', '"First line\\n## Not a heading"'), {}, None, ONE_LINE, [], id="one-line-escaped-line-breaks"
    ),
    pytest.param(
        _one_line("|\n  Bob\n  ## Oops", ">-\n  First line\n\n  ## Not a heading"), {}, None, ONE_LINE, [], id="one-line-block-scalars"
    ),
    pytest.param(
        _one_line('"Bob\\r\\n## Oops\\u2028"', '"First line\\r## Not a heading\\u2029"'),
        {},
        None,
        ONE_LINE,
        [],
        id="one-line-cr-and-unicode",
    ),
    pytest.param(
        # Its link would end at the line break, and the rest of the name would be a heading, one more per run.
        {"Acme/Acme.md": ENTITY, ODD: "Odd.\n", "Acme/2026-11-01 call.md": "Call.\n"},
        {},
        None,
        _acme("- 2026-11-01: [[2026-11-01 call]] - Call."),
        [f"{ODD}: recent-context: not listed in Recent Context of Acme/Acme.md: its path holds a line break, which no link can hold"],
        id="a-file-name-with-a-line-break-is-reported-not-listed",
    ),
    pytest.param(
        {
            "Acme/Acme.md": ENTITY,
            "People/Bob\n## Oops/Bob\n## Oops.md": "---\ntype: person\n---\n",
            "People/Bob\n## Oops/2026-11-01 sync.md": "[[Acme]]\n",
        },
        {},
        None,
        _acme("- 2026-11-01: [[2026-11-01 sync]] - Acme (via Bob ## Oops)"),
        [],
        id="an-owner-named-with-a-line-break-is-named-on-one-line",
    ),
    pytest.param(
        {
            "Acme/Acme.md": ENTITY,
            "People/Bob/Bob.md": "---\ntype: person\ntitle: Bob <!-- the boss\n---\n",
            "People/Bob/2026-11-01 sync.md": "[[Acme]]\n",
        },
        {},
        None,
        _acme("- 2026-11-01: [[2026-11-01 sync]] - Acme (via Bob <!-- the boss)"),
        [],
        id="a-comment-opener-in-an-owners-title-loses-no-text-on-the-next-run",
    ),
    pytest.param(
        {"Acme/Acme.md": ENTITY, "Acme/2026-11-01 html <!-- comments.md": "Sync.\n"},
        {},
        None,
        _acme("- 2026-11-01: [[2026-11-01 html <!-- comments]] - Sync."),
        [],
        id="a-comment-opener-in-a-file-name-loses-no-text-on-the-next-run",
    ),
    *(_unlinkable(name) for name in ["2026-11-01 a #h", "2026-11-01 c | pipe", "2026-11-01 e ]] br", "2026-11-01 f [[ x"]),
]


@pytest.mark.parametrize(("notes", "options", "obsidian", "expected", "warnings"), CASES)
def test_recent_context(
    notes: dict[str, str], options: dict[str, Any], obsidian: ObsidianSettings | None, expected: dict[str, str], warnings: list[str]
) -> None:
    first, second = twice([recent_context], notes, config({"rules": {"recent-context": options}}), TODAY, obsidian)
    assert first == (expected, warnings)
    assert second == ({}, warnings), "a second run changes nothing"


def test_recent_context_end_to_end(tmp_path: Path) -> None:
    """On disk, Obsidian's own settings decide how the lines link (here: markdown links)."""
    write_vault(
        tmp_path,
        {
            ".obsidian/app.json": '{"useMarkdownLinks": true, "newLinkFormat": "absolute"}',
            "Acme/Acme.md": ENTITY,
            "Acme/2026-11-01 call.md": "Call about pricing.\n",
        },
    )
    result = run_cli("run", tmp_path, "--rule", "recent-context", "--no-commit", "--today", str(TODAY))
    assert result.returncode == 0, result.stderr
    expected = _section("- 2026-11-01: [2026-11-01 call](Acme/2026-11-01%20call.md) - Call about pricing.")
    assert (tmp_path / "Acme/Acme.md").read_text(encoding="utf-8") == expected
