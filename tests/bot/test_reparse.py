"""A note whose generated section the engine rewrote keeps its facts, offsets moved, instead of being
parsed again (bot/reparse.py): for every note and every section, the result must be the note a fresh
parse of the new text gives, and what is worked out when first asked must come out the same."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.edits import ReplaceSection, SetProperty
from bot.note import BadNote, Note, ParseSettings, parse_note
from bot.render import RenderError, render
from bot.reparse import _after_section_edit, parsed_after_edits
from bot.sections import find_headings, mask_code

SETTINGS = ParseSettings(generated_headings=("Recent Context", "Related"), entity_types=("person",))

frontmatter_lines = st.lists(
    st.sampled_from(["type: person", "type: meeting", "date: 2026-11-02", "summary: Short", "x: '[[B]]'"]), max_size=3
)
body_pieces = st.lists(
    st.sampled_from(
        [
            "# Title\n",
            "## Recent Context\n",
            "## Related\n",
            "## Notes\n",
            "### Deeper\n",
            "  ## Indented\n",
            "- [[Acme]] line\n",
            "text [[Bob|B]] and [md](Other.md)\n",
            "- [ ] a task [[Acme]]\n",
            "```\n",
            "    indented [[Code]]\n",
            "`[[inline]]`\n",
            "<!--\n",
            "-->\n",
            "<div>\n",
            "%%\n",
            "$$\n",
            "> quote [[Q]]\n",
            "Setext\n---\n",
            "Setext\n===\n",
            "***\n",
            "text\n",
            "\n",
            "\r\n",
            "no newline",
        ]
    ),
    max_size=16,
)
plain_lines = st.sampled_from(["- [[Acme]] new", "- [ ] task [[B]]", "- plain", "- [[Meeting]] (2026-11-02): short"])
odd_lines = st.sampled_from(
    ["- `code`", "```", "# Heading", "---", "===", "***", "Title", "<!--", "%%", "$$", "    - four", "\t- tab", "> q"]
)
section_lines = st.lists(st.one_of(plain_lines, plain_lines, odd_lines), max_size=4).map(tuple)
# What follows the section: nothing, an ATX heading, a setext one, or a heading that is not one (in a list item).
section_ends = st.sampled_from(
    ["", "## Notes\n", "# Top\n", "Setext\n---\n", "Setext\n===\n", "#tag\n---\n", "#tag\nmore\n===\n", "  ### Indented\n", "- item\n"]
)


def _parse(text: str, previous: Note | None = None) -> Note | str:
    try:
        return parse_note("People/Ada.md", text, False, None, SETTINGS, previous=previous)
    except BadNote as error:
        return f"bad: {error}"


def _facts(note: Note) -> tuple:
    return (note, note.headings, note.tasks, note.summary, note.body_length, note.commented_tasks, note.date)


@settings(max_examples=800, deadline=None)
@given(
    frontmatter_lines,
    body_pieces,
    st.sampled_from(["Recent Context", "Related", "Notes"]),
    body_pieces,
    section_ends,
    body_pieces,
    section_lines,
    st.booleans(),
    st.booleans(),
)
def test_a_note_with_its_facts_carried_equals_a_fresh_parse(
    lines: list[str],
    before_section: list[str],
    heading: str,
    in_section: list[str],
    section_end: str,
    after_section: list[str],
    new_lines: tuple[str, ...],
    crlf: bool,
    final_newline: bool,
) -> None:
    frontmatter = "---\n" + "".join(line + "\n" for line in lines) + "---\n" if lines else ""
    text = frontmatter + "".join(before_section) + f"## {heading}\n" + "".join(in_section) + section_end + "".join(after_section)
    if crlf:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    if not final_newline:
        text = text.rstrip("\r\n")
    before = _parse(text)
    if isinstance(before, str):
        return
    edits = [ReplaceSection(heading, new_lines)]
    try:
        after_text = render(before.full_text(), before.body_start, before.newline, edits, before.headings)
    except RenderError:
        return
    fresh = _parse(after_text)
    if isinstance(fresh, str):  # the runner reports a result that does not parse; nothing is carried then
        assert _after_section_edit(after_text, before, edits, SETTINGS) is None
        return
    assert _facts(parsed_after_edits("People/Ada.md", after_text, before, edits, SETTINGS)) == _facts(fresh)


PERSON = "---\ntype: person\n---\n# Ada\n[[Acme]] first\n\n## Recent Context\n\n- [[Old]]\n\n## Notes\n\nsee [[Bob]] and [[Cy]]\n"


def test_a_generated_section_rewritten_carries_the_facts_with_the_offsets_after_it_moved() -> None:
    """The fast path is taken for the shape the rules write (else the property above would hold trivially)."""
    before = _parse(PERSON)
    assert isinstance(before, Note)
    edits = [ReplaceSection("Recent Context", ("- [[Meeting 1]] longer than before", "- [[Meeting 2]]"))]
    after_text = render(before.full_text(), before.body_start, before.newline, edits, before.headings)
    carried = _after_section_edit(after_text, before, edits, SETTINGS)
    assert carried is not None and _facts(carried) == _facts(_parse(after_text))
    assert [nl.link.target for nl in carried.links] == ["Acme", "Bob", "Cy"]
    bob = carried.links[1].link
    assert carried.body[bob.start : bob.end] == "[[Bob]]"
    assert [h.title for h in carried.headings] == ["Ada", "Recent Context", "Notes"]


def test_other_edits_and_doubtful_sections_are_parsed_again() -> None:
    before = _parse(PERSON)
    assert isinstance(before, Note)
    for edits in (
        [SetProperty("last_contact", "2026-11-20")],
        [ReplaceSection("Notes", ("- x",))],  # not a generated section: its links count
        [ReplaceSection("Recent Context", ("```",))],  # opens a fence: the rest may read differently
        [ReplaceSection("Recent Context", ("Title", "===")), ReplaceSection("Related", (), create=True)],
    ):
        after_text = render(before.full_text(), before.body_start, before.newline, edits, before.headings)
        assert _after_section_edit(after_text, before, edits, SETTINGS) is None
        assert parsed_after_edits("People/Ada.md", after_text, before, edits, SETTINGS) == _parse(after_text)


def test_a_line_after_a_lone_carriage_return_reads_the_same_with_or_without_the_parser() -> None:
    """A lone CR is a space to the parser (bot/blocks.py), so `\\r## Related` is a heading indented one
    column. The line scan read it as no heading; the parser, asked only because an HTML block was in the
    section, read it as one: a section rewrite dropping the block then carried the heading that a fresh
    parse of the result no longer found (and the next run read the generated links as the note's own)."""
    text = "[[Note]]\n\r## Related\n<div>\nSetext\n---\n"
    before = _parse(text)
    assert isinstance(before, Note)
    assert [h.title for h in before.headings] == ["Related"]
    edits = [ReplaceSection("Related", ("- [[M]] (2026-11-02): short",))]
    after_text = render(before.full_text(), before.body_start, before.newline, edits, before.headings)
    fresh = _parse(after_text)
    assert isinstance(fresh, Note) and [h.title for h in fresh.headings] == ["Related"]
    assert _facts(parsed_after_edits("People/Ada.md", after_text, before, edits, SETTINGS)) == _facts(fresh)
    for body in ("a\n\r## H\n", "x\n\r```\n[[In code]]\n\r```\n", "p\n\r# H\n\r    code\n"):
        with_block = body + "<div>\n"  # the parser's reading, asked for by the HTML block after the text
        assert find_headings(body) == find_headings(with_block)
        assert mask_code(body) == mask_code(with_block)[: len(body)]
