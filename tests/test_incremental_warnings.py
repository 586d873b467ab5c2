"""A run from a clean state keeps the clean state's warnings for what it does not recheck
(bot/runner.py `apply_rules`). Some warnings are about a note other than the one checked:
recent-context warns on a related note it cannot link, open-tasks on a related note whose task
leaves a `%%` comment open. Such a warning must neither be reported twice when its entity is
rechecked, nor outlive the fix of the note it is about: the same warnings as a full run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_incremental import outcome, planned, real_run, write_model

ACME = "Customers/Acme/Acme.md"
DAILY = "Daily/2026-11-11.md"
UNLINKABLE = "Meetings/2026-11-10 - Q#3.md"
OPEN_COMMENT = "Meetings/2026-11-12 - Notes.md"
MEETING = {"type": "meeting", "date": "2026-11-10"}


def _clean(root: Path) -> dict[str, tuple[dict | None, str]]:
    model = {
        ACME: ({"type": "customer", "tags": ["type/customer"]}, "# Acme\n\n## Recent Context\n\n## Open Tasks\n\n"),
        UNLINKABLE: (MEETING, "With [[Acme]].\n"),
        OPEN_COMMENT: ({**MEETING, "date": "2026-11-12"}, "With [[Acme]].\n- [ ] Fix %% this\n"),
        DAILY: (None, "Nothing yet.\n"),
    }
    write_model(root, model)
    real_run(root)
    assert real_run(root).changes == [], "a clean state"
    return model


def _warnings(root: Path) -> tuple[list[str], list[str]]:
    incremental, full = planned(root, cached=True)[0], planned(root, cached=False)[0]
    assert incremental.memo.edited_since_clean is not None, "rechecked from the clean state"
    assert outcome(incremental) == outcome(full)
    return outcome(incremental)[1], outcome(full)[1]


def test_warnings_about_related_notes_are_not_repeated_when_their_entity_is_rechecked(tmp_path: Path) -> None:
    model = _clean(tmp_path)
    clean = outcome(planned(tmp_path, cached=True)[0])[1]
    assert [w.split(":")[0] for w in clean] == [UNLINKABLE, OPEN_COMMENT]
    write_model(tmp_path, {**model, DAILY: (None, "Called [[Acme]].\n")}, model)  # Acme is rechecked
    incremental, _ = _warnings(tmp_path)
    assert incremental == clean


@pytest.mark.parametrize(
    ("path", "fixed", "gone"),
    [
        (UNLINKABLE, (MEETING, "Nothing about anyone.\n"), UNLINKABLE),  # no longer one of Acme's notes
        (OPEN_COMMENT, ({**MEETING, "date": "2026-11-12"}, "With [[Acme]].\n- [ ] Fix %% this %%\n"), OPEN_COMMENT),
    ],
)
def test_a_warning_about_a_related_note_goes_once_that_note_is_fixed(tmp_path: Path, path: str, fixed: tuple[dict, str], gone: str) -> None:
    model = _clean(tmp_path)
    write_model(tmp_path, {**model, path: fixed}, model)
    incremental, full = _warnings(tmp_path)
    assert not any(warning.startswith(gone) for warning in full + incremental)
