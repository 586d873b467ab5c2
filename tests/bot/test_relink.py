"""bot/relink.py: links to a note that moves away, pointed at the note that replaces it."""

from __future__ import annotations

from bot.edits import Report, SetProperty
from bot.relink import relink
from bot.render import render
from tests.rules.memory import index

NOTES = {
    "M/Old.md": "Old write-up.\n",
    "M/New.md": "New write-up.\n",
    "Acme.md": '---\nsource: "[[Old]]"\n---\nSee [[Old|the call]], ![[Old#Plan]] and [x](M/Old.md). `[[Old]]` is code.\n',
    "Quiet.md": "---\nvaultbot: false\n---\n[[Old]]\n",
    "Deep.md": '---\nlinks:\n  nested: ["[[Old]]"]\n---\nbody\n',
}


def _relinked() -> tuple[dict[str, str], dict[str, list[object]]]:
    vault = index(NOTES)
    texts: dict[str, str] = {}
    others: dict[str, list[object]] = {}
    for path, edit in relink(vault, {"M/Old.md": "M/New.md"}, "some-rule", "moved notes"):
        if isinstance(edit, (Report, SetProperty)):
            others.setdefault(path, []).append(edit)
        note = vault.notes[path]
        if not isinstance(edit, Report):
            texts[path] = render(texts.get(path, NOTES[path]), note.body_start, note.newline, [edit])
    return texts, others


def test_every_kind_of_link_is_retargeted_keeping_its_shown_text_and_subpath_but_not_in_code() -> None:
    texts, _ = _relinked()
    assert texts["Acme.md"] == ('---\nsource: "[[New]]"\n---\nSee [[New|the call]], ![[New#Plan]] and [x](New.md). `[[Old]]` is code.\n')


def test_a_note_that_opts_out_keeps_its_links_and_is_reported_and_too_deep_values_are_reported() -> None:
    texts, others = _relinked()
    assert "Quiet.md" not in texts
    assert others["Quiet.md"] == [Report("links to moved notes left as they are: the note opts out of some-rule")]
    assert others["Deep.md"] == [Report("links to moved notes in `links` are nested too deep to rewrite; left as they are")]


def test_nothing_moved_nothing_to_do() -> None:
    assert list(relink(index(NOTES), {}, "some-rule", "moved notes")) == []
