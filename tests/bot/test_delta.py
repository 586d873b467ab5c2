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
