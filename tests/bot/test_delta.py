"""bot/delta.py: which notes an in-place edit since the clean state can affect."""

from __future__ import annotations

from bot.delta import delta_since_clean
from tests.rules.memory import config, index

CLEAN = {
    "Customers/Acme/Acme.md": "---\ntype: customer\n---\n# Acme\n",
    "Customers/Acme/Kickoff.md": "Kickoff.\n",  # owned by Acme
    "Globex.md": "---\ntype: customer\n---\n# Globex\n",
    "Initech.md": "---\ntype: customer\n---\n# Initech\n",
    "Call.md": "Call with [[Globex]].\n",
}


def _delta(edited: dict[str, str]):
    before = index(CLEAN)
    now = index({**CLEAN, **edited})
    return delta_since_clean(now, {path: before.notes[path] for path in edited}, edited)


def test_an_edit_affects_the_entities_linked_before_and_after_and_its_owner() -> None:
    delta = _delta({"Call.md": "Call with [[Initech]].\n"})
    assert delta is not None
    assert delta.paths == {"Call.md"}
    assert delta.linked() == {"Globex.md", "Initech.md"}
    assert delta.entities() == {"Globex.md", "Initech.md"}
    owned = _delta({"Customers/Acme/Kickoff.md": "Kickoff, again.\n"})
    assert owned is not None and owned.entities() == {"Customers/Acme/Acme.md"}


def test_an_edit_that_changes_what_other_notes_see_is_no_delta() -> None:
    assert _delta({"Globex.md": "---\ntype: person\n---\n# Globex\n"}) is None  # a new type
    assert _delta({"Call.md": "---\naliases: [Ring]\n---\nCall.\n"}) is None  # new aliases


def test_a_note_that_could_not_be_parsed_in_the_clean_state_is_no_delta() -> None:
    now = index(CLEAN, config())
    assert delta_since_clean(now, {"Call.md": "bad YAML"}, ["Call.md"]) is None


def test_advancing_keeps_the_first_version_of_each_note() -> None:
    delta = _delta({"Call.md": "Call with [[Initech]].\n"})
    assert delta is not None
    first = delta.before["Call.md"]
    later = index({**CLEAN, "Call.md": "Call with [[Acme]].\n"})
    advanced = delta.advanced(later, {"Call.md": delta.vault.notes["Call.md"]})
    assert advanced is not None and advanced.before["Call.md"] is first


def _changed(added: dict[str, str], removed: tuple[str, ...] = (), clean: dict[str, str] | None = None):
    """The delta of the vault `clean` (CLEAN) with notes `added` and `removed`, folders kept."""
    clean = clean or CLEAN
    folders = ["Other", "Customers/Acme"]
    before = index(clean, folders=folders)
    now = index({**{p: t for p, t in clean.items() if p not in removed}, **added}, folders=folders)
    return delta_since_clean(now, {}, (), added, {path: before.notes[path] for path in removed})


def test_an_added_note_affects_what_it_links_to_and_its_owner() -> None:
    delta = _changed({"Customers/Acme/Renewal.md": "Renewal with [[Initech]].\n"})
    assert delta is not None
    assert delta.paths == {"Customers/Acme/Renewal.md"}
    assert delta.entities() == {"Customers/Acme/Acme.md", "Initech.md"}


def test_a_removed_note_affects_what_it_linked_to() -> None:
    delta = _changed({}, ("Call.md",))
    assert delta is not None
    assert delta.paths == set() and set(delta.removed) == {"Call.md"}
    assert delta.entities() == {"Globex.md"}


def test_a_moved_note_is_removed_and_added_and_affects_both_owners() -> None:
    delta = _changed({"Other/Kickoff.md": "Kickoff.\n"}, ("Customers/Acme/Kickoff.md",))
    assert delta is not None
    assert delta.paths == {"Other/Kickoff.md"}
    assert delta.entities() == {"Customers/Acme/Acme.md"}  # the note's owner before; none now


def test_a_new_name_relinks_the_notes_whose_links_name_it_as_the_clean_state_resolved_them() -> None:
    clean = {**CLEAN, "Globex.md": "---\ntype: customer\naliases: [Ring]\n---\n# Globex\n", "Log.md": "Rang [[Ring]].\n"}
    delta = _changed({"Other/Ring.md": "A ring.\n"}, clean=clean)
    assert delta is not None
    assert delta.paths == {"Other/Ring.md", "Log.md"}
    # [[Ring]] opened Globex through its alias in the clean state, and opens the new note now.
    assert delta.linked() == {"Globex.md", "Other/Ring.md"}
    assert "Globex.md" in delta.entities()


def test_a_shared_name_rechecks_the_other_note_of_that_name_and_the_links_that_now_open_another() -> None:
    clean = {**CLEAN, "Log.md": "See [[Kickoff]].\n"}
    delta = _changed({"Other/Kickoff.md": "Another kickoff.\n"}, clean=clean)
    assert delta is not None
    # Links to the kickoff are now written with its path; [[Kickoff]] opens the shorter path.
    assert delta.paths == {"Other/Kickoff.md", "Customers/Acme/Kickoff.md", "Log.md"}
    assert delta.linked() == {"Customers/Acme/Kickoff.md", "Other/Kickoff.md"}
    assert delta.entities() == {"Customers/Acme/Acme.md"}


def test_added_or_removed_notes_other_notes_see_more_of_are_no_delta() -> None:
    assert _changed({"New.md": "---\ntype: customer\n---\n"}) is None  # an entity
    assert _changed({"New.md": "---\naliases: [Ring]\n---\n"}) is None
    assert _changed({"New.md": "---\nduplicate_of: Call\n---\n"}) is None
    assert _changed({"Other/Globex.md": "A note named as an entity.\n"}) is None
    assert _changed({}, ("Initech.md",)) is None  # an entity removed
    now = index(CLEAN)
    assert delta_since_clean(now, {}, (), ["Unparsed.md"]) is None  # added, but it could not be parsed
    assert delta_since_clean(now, {}, (), (), {"Gone.md": "bad YAML"}) is None  # removed, unparsed in the clean state


def test_a_duplicate_mark_naming_an_added_or_removed_note_is_no_delta() -> None:
    clean = {**CLEAN, "Copy.md": "---\nduplicate_of: Standup\n---\nStandup.\n", "Standup.md": "Standup.\n"}
    assert _changed({"Other/Standup.md": "Another standup.\n"}, clean=clean) is None
    assert _changed({}, ("Standup.md",), clean=clean) is None
    assert _changed({"Other/Retro.md": "Retro.\n"}, clean=clean) is not None
