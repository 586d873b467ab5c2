"""Links as vaultbot writes them (bot/vault.py `link_text`) read back to the note and the name they were written for.

A markdown link's text is escaped as CommonMark reads it (`[a \\[b\\] c](...)`): read back by
bot/markdown.py it opens the note, and a CommonMark parser (markdown-it-py) finds one link whose
text is the note's name and whose destination is its path. Writing a link changes nothing in the index.
"""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from bot.markdown import find_links, markdown_link_text
from bot.obsidian import ObsidianSettings
from rules.recent_context import _link_label
from tests.rules.memory import index

MARKDOWN = ObsidianSettings(use_markdown_links=True)
# Characters that mean something to a markdown link (not emphasis, code, HTML or entities, which only
# change how its text is shown).
NAME_CHARACTERS = [*"ab [](){}\\!#%^|.-"]


def _commonmark_link(line: str) -> tuple[str, str]:
    """The (text, destination) of the one link CommonMark finds in `line`, destination percent-decoded."""
    [paragraph] = [token for token in MarkdownIt("commonmark").parse(line) if token.type == "inline"]
    children = paragraph.children or []
    assert [token.type for token in children if token.type.startswith("link")] == ["link_open", "link_close"], line
    types = [token.type for token in children]
    opening, closing = types.index("link_open"), types.index("link_close")
    text = "".join(token.content for token in children[opening + 1 : closing] if token.type == "text")
    return text, unquote(str(children[opening].attrs["href"]))


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("Folder/a [b] c.md", "[a \\[b\\] c](a%20[b]%20c.md)"),
        ("Folder/back\\slash.md", "[back\\\\slash](back%5Cslash.md)"),
        ("Folder/]x[.md", "[\\]x\\[](]x[.md)"),
    ],
)
def test_a_markdown_link_to_a_name_with_brackets_reads_back_to_it(path: str, expected: str) -> None:
    vault = index({path: "", "X.md": ""}, obsidian=MARKDOWN)
    written = vault.link_text(path, "X.md")
    assert written == expected
    [link] = find_links(written)
    assert (link.start, link.end) == (0, len(written))
    assert vault.resolve(link.target, "X.md") == path
    name = path.rsplit("/", 1)[1][:-3]
    assert _commonmark_link(written) == (name, name + ".md")
    assert _link_label(written) == name, "Recent Context sorts by the name as shown"


@settings(max_examples=300, deadline=None)
@given(name=st.lists(st.sampled_from(NAME_CHARACTERS), min_size=1, max_size=8).map("".join).filter(lambda name: name == name.strip()))
def test_any_markdown_link_text_reads_back_as_written(name: str) -> None:
    line = f"See [{markdown_link_text(name)}](target.md) here."
    [link] = find_links(line)
    assert (line[link.start], line[link.end - 1], link.target) == ("[", ")", "target.md")
    assert _commonmark_link(line) == (name, "target.md")


def test_writing_a_link_adds_nothing_to_the_index() -> None:
    """A link to a note the index does not hold (one a rule is about to create or move) is looked up
    by name; the lookup must not add an empty entry under that name."""
    vault = index({"Folder/Note.md": "", "X.md": ""})
    names = {name: vault.named(name) for name in ("note", "x", "new")}
    assert vault.link_text("Elsewhere/New.md", "X.md") == "[[New]]"
    assert {name: vault.named(name) for name in ("note", "x", "new")} == names
    assert "new" not in vault._by_name, "no entry made by the lookup"
