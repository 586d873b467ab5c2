"""A note parsed again after an edit (`parse_note(..., previous=...)`) reuses what the edit left alone:
whatever it reuses, the result must be the note a fresh parse gives, for every note and every edit."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.edits import ReplaceSection, SetProperty
from bot.note import BadNote, Note, ParseSettings, parse_note
from bot.render import RenderError, render

SETTINGS = ParseSettings(generated_headings=("Recent Context", "Related"), entity_types=("person",))

frontmatter_lines = st.lists(
    st.sampled_from(
        ["type: person", "type: meeting", "date: 2026-11-02", "summary: Short", "related: '[[Acme]]'", "tags: [a, b]", "x: [[[B]]]"]
    ),
    max_size=4,
)
body_pieces = st.lists(
    st.sampled_from(
        [
            "# Title\n",
            "## Recent Context\n",
            "## Related\n",
            "## Notes\n",
            "- [[Acme]] line\n",
            "![[Embed]]\n",
            "[md](Other.md)\n",
            "- [ ] a task [[Acme]]\n",
            "- [x] done\n",
            "```\n",
            "    indented [[Code]]\n",
            "`[[inline]]`\n",
            "<!--\n",
            "-->\n",
            "%%\n",
            "$$\n",
            "Setext\n---\n",
            "text\n",
            "\n",
            "\r\n",
        ]
    ),
    max_size=14,
)
edits = st.one_of(
    st.builds(SetProperty, st.sampled_from(["tags", "last_contact", "type"]), st.sampled_from(["x", "person", "2026-11-20"])),
    st.builds(
        ReplaceSection,
        st.sampled_from(["Recent Context", "Related", "Notes"]),
        st.lists(st.sampled_from(["- [[Acme]] new", "- [ ] task", "- `code`", "```"]), max_size=3).map(tuple),
        st.booleans(),
    ),
)


def _parse(text: str, previous: Note | None = None) -> Note | str:
    try:
        return parse_note("People/Ada.md", text, False, None, SETTINGS, previous=previous)
    except BadNote as error:
        return f"bad: {error}"


@settings(max_examples=400, deadline=None)
@given(frontmatter_lines, body_pieces, st.lists(edits, min_size=1, max_size=2), st.booleans())
def test_a_parse_after_an_edit_equals_a_fresh_parse(lines: list[str], pieces: list[str], chosen: list, asked: bool) -> None:
    text = ("---\n" + "".join(line + "\n" for line in lines) + "---\n" if lines else "") + "".join(pieces)
    before = _parse(text)
    if isinstance(before, str):
        return
    if asked:  # what a rule may have asked of the note before the edit, which the parse then carries over
        _ = before.summary, before.headings
    try:
        after_text = render(before.text, before.body_start, before.newline, chosen, before.headings if asked else None)
    except RenderError:
        return
    edited, fresh = _parse(after_text, previous=before), _parse(after_text)
    assert edited == fresh
    if isinstance(edited, Note) and isinstance(fresh, Note):
        assert (edited.tasks, edited.headings, edited.summary, edited.date) == (fresh.tasks, fresh.headings, fresh.summary, fresh.date)
    # The renderer given the note's headings writes what it writes without them.
    assert after_text == render(before.text, before.body_start, before.newline, chosen)
