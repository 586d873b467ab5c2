"""Notes kept without their text (bot/note.py), and their text read again where a rule edits them
(bot/note_text.py): on real files, with the parse children and the parse cache in the way."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Callable

import pytest

import bot.reading
from bot.cli import main
from bot.config import load_config
from bot.note import ParseSettings, Source, TextDropped
from bot.note_text import CHANGED, GONE
from bot.runner import Loaded, RunPlan, load_notes, plan_run
from bot.scan import ScanResult
from bot.write_back import write_changes
from tests.bot.test_cache import cached_plan, private_cache_home  # noqa: F401 (a fixture)
from tests.vaults import write_vault

TODAY = datetime.date(2026, 11, 24)
ACME = "Customers/Acme.md"
MEETING = "Meetings/2026-11-20 Sync.md"
NOTES = {
    ACME: "---\ntype: customer\n---\n# Acme\n\n## Open Tasks\n\n## Recent Context\n",
    # tags adds `type/meeting`: a rule edits this note, which rules write no sections in
    MEETING: "---\ntype: meeting\ndate: 2026-11-20\n---\nMet [[Acme]] about the roll-out.\n\n- [ ] send the deck\n",
    "Notes/Idea.md": "An idea about [[Acme]].\n\n%%\n- [ ] hidden\n%%\n- [ ] shown\n",
}


def _plan(vault: Path, between: Callable[[Path], None] | None = None) -> RunPlan:
    """A dry-run plan; `between` runs once every note is parsed, before any rule."""

    def loader(root: Path, scan: ScanResult, settings: ParseSettings) -> Loaded:
        loaded = load_notes(root, scan, settings)
        if between is not None:
            between(root)
        return loaded

    return plan_run(vault, load_config(vault), TODAY, loader=loader)


def test_only_the_notes_rules_write_sections_in_keep_their_text_after_a_cold_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notes = {
        **NOTES,
        **{f"Meetings/2026-11-{n % 28 + 1:02d} Call {n}.md": f"---\ntype: meeting\n---\nAbout [[Acme]] ({n}).\n" for n in range(40)},
    }
    vault = write_vault(tmp_path / "vault", notes)
    monkeypatch.setattr(bot.reading, "PARALLEL_FROM", 1)  # the forked children parse (and pickle) some of them
    for workers in (1, 2):
        monkeypatch.setattr(bot.reading, "_workers", lambda workers=workers: workers)
        plan = _plan(vault)
        assert plan.original is not None and sorted(plan.original.notes) == sorted(notes)
        for path, note in plan.original.notes.items():
            if path == ACME:
                assert note.text == notes[path] and note.source is None
            else:
                assert note.text is None, f"{path} holds its text ({workers} workers)"
                assert note.source == Source.of(notes[path].encode())


def test_a_rule_reading_the_body_of_a_note_kept_without_text_fails_loudly(tmp_path: Path) -> None:
    plan = _plan(write_vault(tmp_path, NOTES))
    assert plan.original is not None
    note = plan.original.notes[MEETING]
    for read in (lambda: note.body, note.full_text, note.to_bytes, lambda: note.headings):
        with pytest.raises(TextDropped, match=f"{MEETING}: the note was kept without its text"):
            read()


def test_the_facts_kept_are_those_the_text_gives(tmp_path: Path) -> None:
    plan = _plan(write_vault(tmp_path, NOTES))
    assert plan.original is not None
    idea = plan.original.notes["Notes/Idea.md"]
    assert idea.summary == "An idea about Acme."
    assert [task.text for task in idea.tasks] == ["hidden", "shown"]
    assert idea.commented_tasks == (idea.tasks[0].start,), "the task between the %% marks is hidden"
    meeting = plan.original.notes[MEETING]
    assert meeting.body_length == len("Met [[Acme]] about the roll-out.\n\n- [ ] send the deck")
    assert [task.text for task in meeting.tasks] == ["send the deck"] and meeting.commented_tasks == ()


def test_a_note_kept_without_text_is_read_again_to_be_edited(tmp_path: Path) -> None:
    vault = write_vault(tmp_path, NOTES)
    plan = _plan(vault)
    assert plan.original is not None and plan.original.notes[MEETING].text is None
    change = next(change for change in plan.changes if change.path == MEETING)
    assert change.before == NOTES[MEETING].encode()
    assert change.after == NOTES[MEETING].replace("2026-11-20\n---", "2026-11-20\ntags:\n  - type/meeting\n---").encode()
    assert not plan.incomplete


@pytest.mark.parametrize(
    "person_edit, message",
    [
        (lambda path: path.write_text(NOTES[MEETING] + "Added by hand.\n"), CHANGED),
        (lambda path: path.write_text(NOTES[MEETING].replace("deck", "memo")), CHANGED),  # same size, other bytes
        (lambda path: path.unlink(), GONE),
    ],
    ids=["appended", "same-size", "removed"],
)
def test_a_note_changed_between_parse_and_render_is_not_edited_and_is_reported(
    tmp_path: Path, person_edit: Callable[[Path], None], message: str
) -> None:
    vault = write_vault(tmp_path, NOTES)
    plan = _plan(vault, between=lambda root: person_edit(root / MEETING))
    assert MEETING not in [change.path for change in plan.changes], "no edit rendered onto other bytes"
    assert [problem.message for problem in plan.problems if problem.path == MEETING] == [message]
    assert ACME in [change.path for change in plan.changes], "the other notes are edited as usual"
    assert plan.incomplete, "a run that left an edit out never records the vault as clean"
    after_edit = (vault / MEETING).read_bytes() if (vault / MEETING).exists() else None
    write_changes(vault, plan.changes)
    assert ((vault / MEETING).read_bytes() if (vault / MEETING).exists() else None) == after_edit, "the person's edit stays"


def test_the_parse_cache_keeps_no_text_for_such_notes_even_once_vaultbot_wrote_them(
    tmp_path: Path,
    private_cache_home: Path,  # noqa: F811
) -> None:
    vault = write_vault(tmp_path / "vault", NOTES)
    assert main(["run", str(vault), "--no-commit", "--today", str(TODAY), "-q"]) == 0
    assert "type/meeting" in (vault / MEETING).read_text(), "the run wrote the meeting (and the cache stored it as written)"
    plan, cache = cached_plan(vault)
    assert cache.parsed == 0 and cache.hits == len(NOTES)
    assert plan.original is not None
    assert {path for path, note in plan.original.notes.items() if note.text is not None} == {ACME}
    assert plan.original.notes[MEETING].source == Source.of((vault / MEETING).read_bytes())
    assert plan.changes == [], "read again for nothing: the warm run finds the vault as the cold one left it"
