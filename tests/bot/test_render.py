"""bot/render.py: text + edits -> text, each edit touching only the bytes it owns."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from bot.edits import (
    AppendTasks,
    DeleteProperty,
    Edit,
    LineReplacement,
    LinkReplacement,
    MoveNote,
    ReplaceLines,
    ReplaceSection,
    RewriteLinks,
    SetProperty,
    WriteOnlyWith,
)
from bot.markdown import Link
from bot.note import split_frontmatter
from bot.render import RenderError, render

NOTE = "---\ntype: customer\n---\n# Acme\n\n## Recent Context\n\n- old\n\n## Notes\nSee [[Old]].\n- [ ] call\n"

CASES: list[tuple[str, str, tuple[Edit, ...], str]] = [
    (
        "set a key",
        NOTE,
        (SetProperty("last_contact", datetime.date(2026, 1, 1)),),
        NOTE.replace("customer\n", "customer\nlast_contact: 2026-01-01\n"),
    ),
    ("delete a key", NOTE.replace("customer\n", "customer\nx: 1\n"), (DeleteProperty("x"),), NOTE),
    ("delete a missing key", NOTE, (DeleteProperty("x"),), NOTE),
    ("a key on a note without frontmatter", "Body\n", (SetProperty("a", "b"),), "---\na: b\n---\nBody\n"),
    ("replace a section", NOTE, (ReplaceSection("Recent Context", ("- new",)),), NOTE.replace("- old", "- new")),
    ("a missing section, not created", "# T\n", (ReplaceSection("Recent Context", ("- new",)),), "# T\n"),
    (
        "a missing section, created",
        "# T\n",
        (ReplaceSection("Recent Context", ("- new",), create=True),),
        "# T\n\n## Recent Context\n\n- new\n",
    ),
    ("tasks appended", NOTE, (AppendTasks("Notes", ("- [ ] mail",)),), NOTE + "- [ ] mail\n"),
    (
        "a link rewritten",
        NOTE,
        (
            RewriteLinks(
                (
                    LinkReplacement(
                        Link(
                            "Old",
                            "",
                            None,
                            False,
                            False,
                            NOTE.index("[[Old]]") - NOTE.index("# Acme"),
                            NOTE.index("[[Old]]") - NOTE.index("# Acme") + 7,
                        ),
                        "New",
                    ),
                )
            ),
        ),
        NOTE.replace("[[Old]]", "[[New]]"),
    ),
    (
        "a line replaced",
        NOTE,
        (ReplaceLines((LineReplacement(NOTE.index("- [ ] call") - NOTE.index("# Acme"), "- [ ] call", "- [x] call"),)),),
        NOTE.replace("- [ ] call", "- [x] call"),
    ),
    (
        "CRLF kept",
        NOTE.replace("\n", "\r\n"),
        (ReplaceSection("Recent Context", ("- new",)),),
        NOTE.replace("- old", "- new").replace("\n", "\r\n"),
    ),
    ("a move changes no text", NOTE, (MoveNote("Archive/Acme.md"),), NOTE),
    ("a tie changes no text", NOTE, (WriteOnlyWith(("Other.md",)),), NOTE),
]


def _render(text: str, edits: tuple[Edit, ...]) -> str:
    span = split_frontmatter(text)
    newline = "\r\n" if "\r\n" in text else "\n"
    return render(text, span[2] if span else 0, newline, edits)


@pytest.mark.parametrize(("label", "text", "edits", "expected"), CASES, ids=[case[0] for case in CASES])
def test_render(label: str, text: str, edits: tuple[Edit, ...], expected: str) -> None:
    assert _render(text, edits) == expected


def test_a_link_no_longer_where_the_rule_saw_it_is_refused() -> None:
    edit = RewriteLinks((LinkReplacement(Link("Old", "", None, False, False, 0, 7), "New"),))
    with pytest.raises(RenderError, match="no longer where it was"):
        _render(NOTE, (edit,))


def test_a_duplicated_heading_is_refused() -> None:
    with pytest.raises(RenderError, match="appears 2 times"):
        _render("## Related\n\n## Related\n", (ReplaceSection("Related", ("- x",)),))


def test_an_edit_type_render_does_not_know_is_an_error_not_a_silent_no_op() -> None:
    @dataclass(frozen=True)
    class Unknown:
        key: str

    with pytest.raises(TypeError, match="no renderer for the edit"):
        _render(NOTE, (Unknown("x"),))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (5, "cannot write a int value (a property is set to text, a date or a list of text)"),
        (True, "cannot write a bool value (a property is set to text, a date or a list of text)"),
        (datetime.datetime(2026, 1, 1, 9, 30), "cannot write a datetime value (a property is set to text, a date or a list of text)"),
        (["a", 2], "a list value must hold only str items, not int"),
        ({"a": "b"}, "cannot write a dict value (a property is set to text, a date or a list of text)"),
    ],
)
def test_a_value_no_property_can_take_is_refused_where_the_rule_makes_the_edit(value: object, reason: str) -> None:
    with pytest.raises(TypeError) as refused:
        SetProperty("count", value)
    assert str(refused.value) == f"SetProperty('count'): {reason}"


@pytest.mark.parametrize("value", ["text", datetime.date(2026, 1, 1), ["a", "b"], ()])
def test_text_dates_and_lists_of_text_make_a_property_edit(value: object) -> None:
    assert SetProperty("key", value).value == value
