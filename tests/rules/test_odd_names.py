"""The generated sections against notes whose names a link may not carry as they are.

A file name can start or end with white space, or hold `#`, `^`, `|`, brackets, parentheses,
`%` or a backslash; Obsidian trims a link's target, and each of the others means something inside
a link. Whatever the name, a run writes only links that open the note they name (or leaves the
note out and says why), and a second run changes nothing: open-tasks reads its own lines back, and
a line whose link opened another note (or none) would be a person's line the next run, the task
listed again below it, one more line every run.
"""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.markdown import find_links
from bot.obsidian import ObsidianSettings
from tests.rules.memory import config, index, twice
from tests.vaults import TODAY

# Characters that mean something in a link or its destination, white space links trim, case and
# Unicode normalization twins, and plain letters.
ODD = [*" \t\u00a0\u3000#^|[]()%\\<>!`*&éaA-.", "e\u0301"]
SETTINGS = [
    ObsidianSettings(),
    ObsidianSettings(new_link_format="absolute"),
    ObsidianSettings(new_link_format="relative"),
    ObsidianSettings(use_markdown_links=True),
    ObsidianSettings(new_link_format="relative", use_markdown_links=True),
]
SECTIONS = "## Recent Context\n\n## Open Tasks\n\n## Related\n\n"
CONFIG = config({"rules": {"dedupe-meetings": {"enabled": False}}})


def _name() -> st.SearchStrategy[str]:
    # Not hidden (no leading dot), never empty; `x` alone is the case twin of `Acme/X.md`.
    return st.lists(st.sampled_from(ODD), max_size=6).map(lambda characters: "x" + "".join(characters))


def _vault(meeting: str, person: str, plain: bool) -> dict[str, str]:
    """Acme's meeting (with one open task) in its home folder under the name `meeting`, attended
    by a person named `person` whose home folder holds another meeting with Acme."""
    meeting_note = "---\ntype: meeting\ndate: 2026-11-02\n---\nWith the team.\n\n- [ ] Ask finance\n"
    return {
        "Acme/Acme.md": f"---\ntype: customer\n---\n# Acme\n\n{SECTIONS}",
        f"Acme/{meeting}.md": meeting_note,
        f"People/{person}/{person}.md": f"---\ntype: person\n---\n# {person.strip()}\n\n{SECTIONS}",
        f"People/{person}/2026-11-03 sync.md": "---\ntype: meeting\ndate: 2026-11-03\n---\nSync about [[Acme]].\n\n- [ ] Send the deck\n",
        **({"Acme/X.md": meeting_note.replace("Ask finance", "Call Ana")} if plain else {}),
    }


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(meeting=_name(), person=_name(), obsidian=st.sampled_from(SETTINGS), plain=st.booleans())
@example(meeting="x - expansion ", person="x", obsidian=SETTINGS[0], plain=False)
@example(meeting=" x", person="x ", obsidian=SETTINGS[3], plain=False)
def test_a_second_run_changes_nothing_and_every_link_written_opens_its_note(
    meeting: str, person: str, obsidian: ObsidianSettings, plain: bool
) -> None:
    notes = _vault(meeting, person, plain)
    first, second = twice(None, notes, CONFIG, TODAY, obsidian)
    assert second.changed == {}, "a second run changes nothing"
    after = {**notes, **first.changed}
    vault = index(after, CONFIG, obsidian=obsidian)
    for path in ("Acme/Acme.md", f"People/{person}/{person}.md"):
        for link in find_links(after[path]):
            assert vault.resolve(link.target, path) is not None, f"{path}: {after[path][link.start : link.end]!r} opens no note"


def test_a_meeting_whose_name_ends_in_a_space_is_reported_not_listed_again_every_run() -> None:
    """The case found on a generated vault: `[[2024-08-15 - expansion ]]` opens `2024-08-15 -
    expansion.md` (Obsidian trims the target), so the roll-up's own line was a person's line the next
    run, and the task was listed again below it, one line more every run."""
    meeting = "Acme/2026-11-02 - expansion .md"
    notes = {
        "Acme/Acme.md": f"---\ntype: customer\n---\n# Acme\n\n{SECTIONS}",
        meeting: "---\ntype: meeting\ndate: 2026-11-02\n---\nWith the team.\n\n- [ ] Ask finance\n",
        "Acme/2026-11-03 call.md": "---\ntype: meeting\ndate: 2026-11-03\n---\nA call.\n\n- [ ] Send the deck\n",
    }
    first, second = twice(None, notes, CONFIG, TODAY)
    assert first.changed["Acme/Acme.md"].split("# Acme\n\n")[1] == (
        "## Recent Context\n\n- 2026-11-03: [[2026-11-03 call]] - A call.\n\n"
        "## Open Tasks\n\n- [ ] Send the deck ([[2026-11-03 call]])\n- ... and 1 more open task\n\n## Related\n"
    )
    why = "its name (or a folder's) starts or ends with white space, which a link trims"
    assert first.warnings == [
        f"{meeting}: recent-context: not listed in Recent Context of Acme/Acme.md: {why}",
        f"{meeting}: open-tasks: its tasks are not listed in Open Tasks of Acme/Acme.md: {why}",
    ]
    assert second == (
        {},
        first.warnings,
    ), "a second run changes nothing, and says the same"


def test_an_entity_whose_name_ends_in_a_space_is_reported_not_listed_in_related() -> None:
    """`[[Globex ]]` would open no note: Related leaves the entity out, as Recent Context leaves out such notes."""
    notes = {
        "Acme/Acme.md": "---\ntype: customer\n---\n# Acme\n\n## Related\n",
        "Globex /Globex .md": "---\ntype: customer\n---\n# Globex\n",
        "Ann/Ann.md": "---\ntype: person\n---\n# Ann\n",
        "Meetings/2026-11-02 call.md": "---\ntype: meeting\ndate: 2026-11-02\n---\n[[Acme]], [[Ann]] and Globex.\n",
        "Globex /2026-11-03 call.md": "---\ntype: meeting\ndate: 2026-11-03\n---\nWith [[Acme]].\n",
    }
    first, second = twice(None, notes, CONFIG, TODAY)
    assert first.changed["Acme/Acme.md"].endswith("## Related\n\n- [[Ann]] (person, 1 shared note)\n")
    assert first.warnings == [
        "Globex /Globex .md: related: not listed in Related of Acme/Acme.md:"
        " its name (or a folder's) starts or ends with white space, which a link trims"
    ]
    assert second == ({}, first.warnings)
