"""A run from a clean state (bot/delta.py) must recheck the entities whose Open Tasks lines link to
a note added or removed under that name, or to a note whose tasks changed, as a full run would.

Links in a generated section are in no note's `links`, so no note counts as relinked for them; yet
open-tasks reads them: a line whose link opens a note holding its task is the rule's (dropped and
regenerated), otherwise a person's (kept), and a ticked line's warning names the note it opens.
"""

from __future__ import annotations

from pathlib import Path

from tests.test_incremental import outcome, planned, real_run, write_model

ACME = "Customers/Acme/Acme.md"


def _clean(root: Path, roll_up: str, extra: dict) -> dict[str, tuple[dict | None, str]]:
    model = {
        ACME: ({"type": "customer", "tags": ["type/customer"]}, f"# Acme\n\n## Open Tasks\n\n{roll_up}\n"),
        "Customers/Acme/2026-11-10 - Sync.md": ({"type": "meeting", "date": "2026-11-10"}, "Kickoff.\n"),
        "Daily/2026-11-11.md": (None, "Nothing yet.\n"),
        **extra,
    }
    write_model(root, model)
    real_run(root)
    assert real_run(root).changes == [], "a clean state"
    assert (root / ACME).read_text().endswith(f"## Open Tasks\n\n{roll_up}\n")
    return model


def test_a_note_added_under_a_roll_up_lines_link_makes_the_line_the_rules(tmp_path: Path) -> None:
    """`- [ ] Foo ([[Xeno]])` opens nothing: a person's line, kept. Once `Xeno` exists and holds
    `Foo`, the line is the rule's, and the regenerated section drops it (Xeno is no note of Acme's)."""
    model = _clean(tmp_path, "- [ ] Foo ([[Xeno]])", {})
    write_model(tmp_path, {**model, "Daily/Xeno.md": (None, "- [ ] Foo\n")}, model)

    incremental, full = planned(tmp_path, cached=True)[0], planned(tmp_path, cached=False)[0]
    assert incremental.memo.edited_since_clean == {"Daily/Xeno.md"}
    assert [change.path for change in full.changes] == [ACME]
    assert outcome(incremental) == outcome(full)
    real_run(tmp_path)
    assert "Xeno" not in (tmp_path / ACME).read_text()
    assert planned(tmp_path, cached=False)[0].changes == []


def test_a_note_removed_under_a_ticked_lines_link_takes_its_warning_along(tmp_path: Path) -> None:
    """A ticked line linking to a note that is not Acme's is warned about while that note exists;
    once it is removed the line opens nothing (a person's line): no warning, in any run."""
    xeno = {"Daily/Xeno.md": (None, "- [ ] Foo\n")}
    model = _clean(tmp_path, "- [x] Foo ([[Xeno]])", xeno)
    warning = f"{ACME}: open-tasks: the ticked task 'Foo' links to Daily/Xeno.md, which is not one of this entity's notes; left as it is"
    assert warning in outcome(planned(tmp_path, cached=True)[0])[1]
    without = {path: note for path, note in model.items() if path not in xeno}
    write_model(tmp_path, without, model)

    incremental, full = planned(tmp_path, cached=True)[0], planned(tmp_path, cached=False)[0]
    assert incremental.memo.edited_since_clean is not None, "rechecked from the clean state"
    assert warning not in outcome(full)[1]
    assert outcome(incremental) == outcome(full)


def test_a_task_added_in_place_to_the_note_a_line_links_to_makes_the_line_the_rules(tmp_path: Path) -> None:
    """`[[Xeno]]` opens a note that is no note of Acme's and holds no `Foo`: a person's line. Once
    `Foo` is written there (an edit in place), the line is the rule's and the section drops it."""
    model = _clean(tmp_path, "- [ ] Foo ([[Xeno]])", {"Daily/Xeno.md": (None, "Nothing yet.\n")})
    write_model(tmp_path, {**model, "Daily/Xeno.md": (None, "- [ ] Foo\n")}, model)

    incremental, full = planned(tmp_path, cached=True)[0], planned(tmp_path, cached=False)[0]
    assert incremental.memo.edited_since_clean == {"Daily/Xeno.md"}
    assert [change.path for change in full.changes] == [ACME]
    assert outcome(incremental) == outcome(full)
