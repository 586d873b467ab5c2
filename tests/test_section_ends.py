"""A generated section ends where CommonMark (and Obsidian) end it.

Each case runs `vaultbot run` in a real subprocess and compares the note's bytes after
the run: either the section was regenerated and everything after it kept, or the note
was reported with the reason and left byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.edits import AppendTasks
from bot.render import RenderError, render
from bot.sections import find_section, section_doubt
from tests.vaults import run_cli, write_vault

FRONT = "---\ntype: customer\n---\n"
ENTRY = "- 2026-11-01: [[2026-11-01 call]] - Call about pricing."
AFTER = "## Contacts\n\nJane Doe, CFO\n"


def _run(tmp_path: Path, entity: str, *config: str) -> tuple[str, str]:
    """(the entity note's text after one run, the run's output)."""
    files = {"Acme/Acme.md": entity, "Acme/2026-11-01 call.md": "Call about pricing.\n"}
    if config:
        files[".vaultbot.yaml"] = "".join(config)
    write_vault(tmp_path, files)
    result = run_cli("run", tmp_path, "--rule", "recent-context", "--no-commit", "--today", "2026-11-24")
    assert result.returncode == 0, result.stderr
    return (tmp_path / "Acme/Acme.md").read_bytes().decode("utf-8"), result.stdout + result.stderr


# The section's old body (after "## Recent Context\n\n"): CommonMark ends each before "## Contacts".
REGENERATED = (
    # Item 1: a `<!--` in the middle of a list line is text, not a comment.
    "- tip: comments start with <!-- in markdown\n\n",
    "- tip: comments start with <!-- in markdown\n- second item\n\n",
    # Item 2: a fence inside a list item ends with the item.
    "- item\n    ```\n    code\n\n",
    "- item\n\t```\n\tcode\n\n",
    "1. step\n    ~~~\n    code\n\n",
    # A closed comment, math block and fence inside the section go with it.
    "- old\n\n<!-- note to self -->\n\n",
    "- old\n\n%%\nhidden\n%%\n\n",
    "- old\n\n$$\nx = 1\n$$\n\n",
)


@pytest.mark.parametrize("old_body", REGENERATED)
def test_the_section_is_regenerated_and_the_text_after_it_kept(tmp_path: Path, old_body: str) -> None:
    text, _ = _run(tmp_path, FRONT + "## Recent Context\n\n" + old_body + AFTER)
    assert text == FRONT + "## Recent Context\n\n" + ENTRY + "\n\n" + AFTER


# (the section's old body, the reason reported): the note must stay byte for byte.
REPORTED = (
    # Item 1: an HTML comment left open at a line start runs to the end of the note.
    ("<!-- left open\n\n", "an HTML comment opened in it is never closed"),
    ("- old\n\n<!--\n", "an HTML comment opened in it is never closed"),
    # An unclosed fence at the top level hides every heading after it.
    ("```\n- pasted\n\n", "a code fence opened in it is never closed"),
    # Item 3: a `%%` or `$$` block holding a heading; another reader would end the section there.
    ("- old\n\n%%\n## Hidden\n%%\n\n", "a %% comment in it holds a heading line ('## Hidden')"),
    ("- old\n\n$$\n## Hidden\n$$\n\n", "a $$ math block in it holds a heading line ('## Hidden')"),
    ("- old\n\n<!--\n## Hidden\n-->\n\n", "an HTML comment in it holds a heading line ('## Hidden')"),
    ("- old\n\n~~~\n# Hidden\n~~~\n\n", "a code fence in it holds a heading line ('# Hidden')"),
    # Obsidian hides text from a `%%` to the next one, across headings.
    ("- old %% a comment that goes on\n\n", "a %% comment opened in it is not closed"),
    ("- old\n\n%% left open\n\n", "a %% comment opened in it is never closed"),
    ("- old\n\n$$\nx = 1\n\n", "a $$ math block opened in it is not closed"),
    # HTML blocks 1-5 run to their closing marker, across headings: one never closed hides
    # every heading after it (and, in a note without fences, the line scan must not miss it).
    ("<pre>\n- pasted\n\n", "an HTML block opened in it is never closed"),
    ("- old\n\n<script>\n", "an HTML block opened in it is never closed"),
    ("<?php echo 1;\n\n", "an HTML block opened in it is never closed"),
    ("<![CDATA[\n\n", "an HTML block opened in it is never closed"),
)


@pytest.mark.parametrize(("old_body", "reason"), REPORTED)
def test_a_section_whose_end_is_not_certain_is_reported_and_left_alone(tmp_path: Path, old_body: str, reason: str) -> None:
    before = FRONT + "## Recent Context\n\n" + old_body + AFTER
    text, output = _run(tmp_path, before)
    assert text == before
    assert (
        f"Acme/Acme.md: recent-context: not changed: the end of the '## Recent Context' section is not certain: "
        f"{reason}; fix the section by hand"
    ) in output


def test_crlf_note_with_a_fence_in_a_list_item(tmp_path: Path) -> None:
    before = (FRONT + "## Recent Context\n\n- item\n    ```\n    code\n\n" + AFTER).replace("\n", "\r\n")
    text, _ = _run(tmp_path, before)
    assert text == (FRONT + "## Recent Context\n\n" + ENTRY + "\n\n" + AFTER).replace("\n", "\r\n")


CREATE = "rules:\n  recent-context:\n    create_missing: true\n"


def test_create_missing_never_inserts_into_a_comment(tmp_path: Path) -> None:
    """Item 3: the `## Draft` inside `%%` is no heading, so the section goes after the comment."""
    before = FRONT + "# Acme\n\nIntro\n\n%%\n## Draft\nsecret\n%%\n"
    text, _ = _run(tmp_path, before, CREATE)
    assert text == before + "\n## Recent Context\n\n" + ENTRY + "\n"


@pytest.mark.parametrize(
    ("opened", "reason"),
    (
        ("%%\n## Draft\nsecret\n", "it would go inside a %% comment"),
        ("```\n## not a heading\n", "it would go inside a code fence"),
        ("<!--\n## not a heading\n", "it would go inside an HTML comment"),
        ("<pre>\n## not a heading\n", "it would go inside an HTML block"),
        ("$$\nx = 1\n## after math\n", "a $$ math block opened before it is not closed"),
        ("Text %% an open comment\n\n## Later\n", "a %% comment opened before it is not closed"),
    ),
)
def test_create_missing_reports_a_note_that_ends_inside_a_block(tmp_path: Path, opened: str, reason: str) -> None:
    before = FRONT + "# Acme\n\nIntro\n\n" + opened
    text, output = _run(tmp_path, before, CREATE)
    assert text == before
    assert f"Acme/Acme.md: recent-context: not changed: no '## Recent Context' section added: {reason}" in output


def test_tasks_are_not_appended_inside_an_open_comment() -> None:
    body = "# Meeting\n\n%%\ndraft\n"
    with pytest.raises(RenderError, match="it would go inside a %% comment"):
        render(body, 0, "\n", [AppendTasks("Tasks", ("- [ ] call back",))])


@pytest.mark.parametrize("ending", ("", "\n", "  ", "\n\n  \t"))
def test_a_fence_left_open_at_the_end_is_doubted_whatever_white_space_follows(ending: str) -> None:
    body = "## Recent Context\n\n```\n- pasted" + ending
    ((heading, end),) = find_section(body, "Recent Context")
    assert end == len(body)
    assert section_doubt(body, heading, end) == "a code fence opened in it is never closed"
