"""render skips `section_doubt`'s scan of the whole note when the section it replaces holds nothing that
could open a block (bot/render.py `may_open_a_block`): that must never skip a doubt the scan would find."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.render import may_open_a_block
from bot.sections import find_headings, find_section, section_doubt

LINES = (
    "## Recent Context",
    "## Notes",
    "# Title",
    "Title",
    "---",
    "===",
    "- [[Note]] - a summary",
    "- [ ] a task ([[Note]])",
    "text",
    "",
    "```",
    "~~~",
    "    indented",
    "\tindented",
    "-     code in a list item",
    ">     code in a quote",
    "> quoted",
    "<div>",
    "<!-- a comment -->",
    "<!--",
    "-->",
    "%%",
    "a %% comment %%",
    "$$",
    "  two spaces",
    "   ## three spaces",
    "    ## four spaces",
    "\t# after a tab",
    "-     # in a list item's code",
    "1. item",
    "- item",
    "  - nested",
)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(LINES), max_size=14), st.booleans())
def test_a_section_that_can_open_no_block_has_no_doubt(lines: list[str], final_newline: bool) -> None:
    body = "\n".join(lines) + ("\n" if final_newline else "")
    headings = find_headings(body)
    for title in ("Recent Context", "Notes"):
        for heading, end in find_section(body, title, headings=headings):
            if not may_open_a_block(body[heading.end : end]):
                assert section_doubt(body, heading, end) is None, (body, title)


def test_what_can_open_a_block_is_seen() -> None:
    for line in ("```", "~~~", "    code", "\tcode", "<div>", "<!--", "%%", "$$", "-     code", ">     code"):
        assert may_open_a_block(f"\n- [[Note]]\n{line}\n")
    assert not may_open_a_block("\n- [[Note]] - a summary (via Acme)\n- [ ] a task ([[Note]])\n  - nested\n")
