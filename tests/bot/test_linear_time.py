"""Summaries, links and masking take time linear in the note's size.

Each pattern once took seconds at tens of kilobytes and grew with the square of the size
(`"[[a " * n`: 25 s at 80 KB). At 1 MB a quadratic pass would take hours; the bound
here is a generous guard against that, the real figures are in benchmarks/run.py. Each
pattern runs in a child process, so one that regresses fails at the time-out instead of
hanging the suite.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.summary import note_summary
from tests.vaults import REPO

PATTERNS = ("[[a ", "*a ", " _a", "~~a", "==a", "~~a ", "**a ", "[", "![[", "`a ", "<!--", "%%", "$$", "](a ", "``a `")
MEGABYTE = 1_000_000


CHILD = """
import sys, time
from bot.markdown import find_links
from bot.sections import mask_code
from bot.summary import note_summary
pattern = sys.argv[1]
text = pattern * (int(sys.argv[2]) // len(pattern))
started = time.perf_counter()
summary = note_summary(None, text)
links = find_links(text)
masked = mask_code(text)
elapsed = time.perf_counter() - started
assert len(masked) == len(text)
assert all(text[link.start : link.end].lstrip("!").startswith("[") for link in links)
print(elapsed)
"""


@pytest.mark.parametrize("pattern", PATTERNS)
def test_a_megabyte_of_a_pathological_pattern_is_read_fast(pattern: str) -> None:
    try:
        child = subprocess.run([sys.executable, "-c", CHILD, pattern, str(MEGABYTE)], cwd=REPO, capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{pattern!r} x 1 MB still running after 30 s")
    assert child.returncode == 0, child.stderr
    elapsed = float(child.stdout)
    assert elapsed < 5, f"{pattern!r} x 1 MB took {elapsed:.1f} s"


def test_the_summary_of_nested_emphasis_and_code_is_unchanged() -> None:
    """The linear passes read ordinary markup as the regexes they replaced did."""
    body = "**Bold *and italic* text**, `a *b* c`, ~~gone~~ ==marked== snake_case_name and [[Target|shown]]\n"
    assert note_summary(None, body) == "Bold and italic text, a *b* c, gone marked snake_case_name and shown"
