"""Parsing's shortcuts give what the longer way gives, for every note."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.line_scan import _MAYBE_INDENTED_CODE, blank, emptied, may_hold_indented_code, scanned_fences
from tests.bot.test_blocks_oracle import NOTES

_INDENTED = st.lists(
    st.sampled_from(
        ["", "text", "    code", "\tcode", "   \tx", "- item", "-     five", "1.\tx", ">     quoted", "> x", "```", "~~~", "    ```"]
    ),
    max_size=8,
).map("\n".join)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(NOTES, _INDENTED), st.sampled_from(["\n", "\r\n"]))
def test_indented_code_is_found_in_emptied_fences_as_in_blanked_ones(text: str, newline: str) -> None:
    """`_scanned_code` asks about the note with its fences emptied, not blanked with spaces as it
    did: the answer must be the same (the old question, asked directly, is the reference)."""
    text = text.replace("\n", newline)
    fences = scanned_fences(text)
    if fences is None:
        return
    spans = [(fence.start, fence.end) for fence in fences]
    assert may_hold_indented_code(emptied(text, spans)) == (_MAYBE_INDENTED_CODE.search("\n\n" + blank(text, spans)) is not None)
