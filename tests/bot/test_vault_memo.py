"""What `with_notes` (bot/vault_update.py) carries over from the index before an edit (resolution, links, backlinks,
related notes and their order) must equal what a fresh index of the same notes works out, for any edit
that keeps paths, types and aliases: links added and removed, dates moved, duplicate marks set, moved,
removed, chained and looped (a mark changes the status of every note whose marks lead through it)."""

from __future__ import annotations

import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import parse_config
from bot.note import Note, parse_note
from bot.obsidian import ObsidianSettings
from bot.runner import parse_settings
from bot.vault import VaultIndex
from bot.vault_update import with_notes
from rules.recent_context import ordered_related, unlinkable_related

TODAY = datetime.date(2026, 11, 24)
ENTITIES = ("Customers/Acme/Acme.md", "Customers/Globex.md", "People/Ana.md")
MEETINGS = tuple(f"{folder}/M{n}.md" for folder, n in zip(("Customers/Acme", "Meetings", "Meetings", "Customers/Acme", "Daily"), range(5)))
FOLDERS = ("Customers", "Customers/Acme", "People", "Meetings", "Daily")
NAMES = tuple(path.rsplit("/", 1)[-1][:-3] for path in ENTITIES + MEETINGS)
MEETING_NAMES = NAMES[len(ENTITIES) :]
CONFIG = parse_config(None)
SETTINGS = parse_settings(CONFIG, ObsidianSettings())


def entity_text(path: str) -> str:
    return f"---\ntype: {'person' if path.startswith('People') else 'customer'}\n---\n# {path}\n"


def meeting_text(links: list[str], day: int | None, mark: str | None, title: str | None) -> str:
    lines = ["type: meeting"]
    if day is not None:
        lines.append(f"date: 2026-11-{day:02d}")
    if mark is not None:
        lines.append(f'duplicate_of: "[[{mark}]]"')
    if title is not None:
        lines.append(f"title: {title}")
    return "---\n" + "\n".join(lines) + "\n---\n" + " ".join(f"[[{name}]]" for name in links) + "\n"


meeting = st.builds(
    meeting_text,
    st.lists(st.sampled_from(NAMES), max_size=3),
    st.one_of(st.none(), st.integers(1, 30)),  # after the 24th: dated after today
    # Mostly another meeting (chains and loops); now and then an entity or no note at all.
    st.one_of(st.none(), st.sampled_from(MEETING_NAMES), st.sampled_from(MEETING_NAMES), st.sampled_from((*NAMES, "Nobody"))),
    st.one_of(st.none(), st.sampled_from(("Kickoff", "Sync"))),
)


def parsed(path: str, text: str, previous: Note | None = None) -> Note:
    return parse_note(path, text, False, None, SETTINGS, previous=previous)


def index(texts: dict[str, str]) -> VaultIndex:
    notes = {path: parsed(path, text) for path, text in texts.items()}
    return VaultIndex(notes, FOLDERS, ObsidianSettings(), CONFIG.index)


def assert_same(carried: VaultIndex, fresh: VaultIndex) -> None:
    for entity in fresh.entities:
        assert carried.related(entity, TODAY) == fresh.related(entity, TODAY), entity
        assert ordered_related(carried, entity, TODAY) == ordered_related(fresh, entity, TODAY), entity
        assert unlinkable_related(carried, entity, TODAY) == unlinkable_related(fresh, entity, TODAY), entity
    for path in fresh.notes:
        assert carried.backlinks(path) == fresh.backlinks(path), path
        assert carried.is_marked_duplicate(path) == fresh.is_marked_duplicate(path), path
        assert carried.duplicate_target(path) == fresh.duplicate_target(path), path
        assert carried.entities_of(path) == fresh.entities_of(path), path
    assert carried.outgoing == fresh.outgoing


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    before=st.lists(meeting, min_size=len(MEETINGS), max_size=len(MEETINGS)),
    edits=st.lists(st.dictionaries(st.sampled_from(MEETINGS), meeting, max_size=3), min_size=1, max_size=3),
    asked=st.booleans(),
)
def test_an_index_carried_through_edits_equals_a_fresh_one(before: list[str], edits: list[dict[str, str]], asked: bool) -> None:
    texts = {**{path: entity_text(path) for path in ENTITIES}, **dict(zip(MEETINGS, before))}
    vault = index(texts)
    for edit in edits:
        if asked:  # memoised as the rules leave them: what with_notes must carry or drop
            assert_same(vault, vault)
        vault = with_notes(vault, {path: parsed(path, text, vault.notes[path]) for path, text in edit.items()})
        texts.update(edit)
    assert_same(vault, index(texts))


def test_a_mark_changed_far_down_a_chain_changes_the_notes_it_leads_from() -> None:
    """M0 -> M1 -> M2: marking M2 a duplicate of M0 closes a loop, and M0 and M1 are no duplicates any
    more (their marks lead back to them); M0 links to Acme, whose related notes must show it again."""
    texts = {
        **{path: entity_text(path) for path in ENTITIES},
        MEETINGS[0]: meeting_text(["Globex"], 2, "M1", None),
        MEETINGS[1]: meeting_text([], 2, "M2", None),
        MEETINGS[2]: meeting_text([], 2, None, None),
        MEETINGS[3]: meeting_text([], 3, None, None),
        MEETINGS[4]: meeting_text([], 3, None, None),
    }
    vault = index(texts)
    assert vault.related("Customers/Globex.md", TODAY) == []
    closed = meeting_text([], 2, "M0", None)
    carried = with_notes(vault, {MEETINGS[2]: parsed(MEETINGS[2], closed, vault.notes[MEETINGS[2]])})
    assert carried.related("Customers/Globex.md", TODAY) == [MEETINGS[0]]
    assert_same(carried, index({**texts, MEETINGS[2]: closed}))


PATHS = ("Acme.md", "acme.md", "People/Acme.md", "People/Ana.md", "Team/Ana.md", "Team/Sub/Ana.md", "Notes/Plan.md", "Plan.md")
TARGETS = (
    "Acme",
    "acme",
    "ACME.md",
    "People/Acme",
    "Ana",
    "Sub/Ana",
    "Team/Ana",
    "./Ana",
    "../Ana",
    "Plan",
    "The Plan",
    "Nobody",
    " Ana ",
    "",
)


@settings(max_examples=200, deadline=None)
@given(
    paths=st.sets(st.sampled_from(PATHS), min_size=1),
    asked=st.lists(st.tuples(st.sampled_from(TARGETS), st.sampled_from(PATHS)), min_size=1, max_size=20),
)
def test_resolution_memoised_by_target_alone_equals_a_fresh_lookup(paths: set[str], asked: list[tuple[str, str]]) -> None:
    """`resolve` remembers a target that opens one note from every folder by the target alone: any
    order of lookups gives what a fresh index gives for each, and the same ties are reported."""
    texts = {path: ("---\naliases: [The Plan]\n---\n" if path == "Notes/Plan.md" else "") for path in sorted(paths)}
    memoised = index_of(texts)
    ties = {}
    for target, source in asked:
        fresh = index_of(texts)
        assert memoised.resolve(target, source) == fresh.resolve(target, source), (target, source)
        ties.update(fresh._ambiguous)
    assert memoised._ambiguous == ties


def index_of(texts: dict[str, str]) -> VaultIndex:
    folders = {path.rsplit("/", 1)[0] for path in texts if "/" in path}
    return VaultIndex({path: parsed(path, text) for path, text in texts.items()}, folders, ObsidianSettings(), CONFIG.index)


@settings(max_examples=50, deadline=None)
@given(
    paths=st.sets(st.sampled_from(PATHS), min_size=2),
    style=st.sampled_from(("shortest", "absolute", "relative")),
    markdown=st.booleans(),
    asked=st.lists(st.tuples(st.integers(0, 10), st.integers(0, 10), st.booleans()), min_size=1, max_size=12),
)
def test_link_text_remembered_equals_a_fresh_one(paths: set[str], style: str, markdown: bool, asked: list[tuple[int, int, bool]]) -> None:
    """`link_text` remembers a link by target alone unless links are written relative to their note."""
    texts = dict.fromkeys(sorted(paths), "")
    obsidian = ObsidianSettings(new_link_format=style, use_markdown_links=markdown)
    folders = {path.rsplit("/", 1)[0] for path in texts if "/" in path}
    notes = {path: parsed(path, text) for path, text in texts.items()}
    memoised = VaultIndex(notes, folders, obsidian, CONFIG.index)
    listed = sorted(paths)
    for target, source, wikilink in asked:
        target_path, source_path = listed[target % len(listed)], listed[source % len(listed)]
        fresh = VaultIndex(notes, folders, obsidian, CONFIG.index)
        expected = fresh.link_text(target_path, source_path, wikilink=wikilink)
        assert memoised.link_text(target_path, source_path, wikilink=wikilink) == expected, (target_path, source_path)
