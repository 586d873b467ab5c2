"""last-contact: latest related date not after today; never backwards; unquoted ISO."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules import last_contact
from tests.rules.memory import run_rules
from tests.vaults import TODAY, changed_text, run_cli, write_vault


def _vault(tmp_path: Path, value: str, *meetings: str, extra: str = "") -> Path:
    files = {"Acme/Acme.md": f"---\ntype: customer\n{value}{extra}---\n# Acme\n"}
    for day in meetings:
        files[f"Acme/{day} call.md"] = f"---\ntype: call\ndate: {day}\n---\nCall.\n"
    return write_vault(tmp_path, files)


CASES = [
    ("unknown replaced", "last_contact: unknown\n", ("2026-10-01", "2026-11-02"), "last_contact: 2026-11-02\n"),
    ("empty replaced", "last_contact:\n", ("2026-10-01",), "last_contact: 2026-10-01\n"),
    ("earlier date moved forward", "last_contact: 2026-09-30\n", ("2026-10-01",), "last_contact: 2026-10-01\n"),
    ("later date kept", "last_contact: 2026-11-20\n", ("2026-10-01",), None),
    ("same date, quoted: left as written", "last_contact: '2026-10-01'\n", ("2026-10-01",), None),
    ("future notes ignored", "last_contact: unknown\n", ("2026-10-01", "2027-01-01"), "last_contact: 2026-10-01\n"),
    ("no dated notes: left alone", "last_contact: unknown\n", (), None),
    ("key missing: not created by default", "", ("2026-10-01",), None),
]


@pytest.mark.parametrize(("label", "value", "meetings", "expected"), CASES, ids=[c[0] for c in CASES])
def test_last_contact(label: str, value: str, meetings: tuple[str, ...], expected: str | None) -> None:
    notes = {"Acme/Acme.md": f"---\ntype: customer\n{value}---\n# Acme\n"}
    notes.update({f"Acme/{day} call.md": f"---\ntype: call\ndate: {day}\n---\nCall.\n" for day in meetings})
    changed, warnings = run_rules([last_contact], notes, today=TODAY)
    assert changed == ({} if expected is None else {"Acme/Acme.md": f"---\ntype: customer\n{expected}---\n# Acme\n"})
    assert warnings == []


def test_create_missing_adds_the_key(tmp_path: Path) -> None:
    _vault(tmp_path, "", "2026-10-01")
    (tmp_path / ".vaultbot.yaml").write_text("rules:\n  last-contact:\n    create_missing: true\n")
    assert changed_text(tmp_path, "Acme/Acme.md", "last-contact") == "---\ntype: customer\nlast_contact: 2026-10-01\n---\n# Acme\n"


def test_month_only_dates_are_not_contact(tmp_path: Path) -> None:
    write_vault(tmp_path, {"Acme/Acme.md": "---\ntype: customer\nlast_contact: unknown\n---\n", "Acme/2026-11 - tasks.md": "todo\n"})
    assert changed_text(tmp_path, "Acme/Acme.md", "last-contact") is None


def test_linking_notes_count_and_duplicates_do_not(tmp_path: Path) -> None:
    write_vault(
        tmp_path,
        {
            "Acme.md": "---\ntype: customer\nlast_contact: unknown\n---\n",
            "Notes/2026-10-05 mention.md": "Talked about [[Acme]].\n",
            "Notes/2026-11-01 copy.md": "---\nduplicate_of: '[[x]]'\n---\n[[Acme]]\n",
            "Notes/x.md": "The note the copy duplicates (a mark naming no note would hide nothing).\n",
        },
    )
    assert changed_text(tmp_path, "Acme.md", "last-contact") == "---\ntype: customer\nlast_contact: 2026-10-05\n---\n"


def test_last_contact_end_to_end(tmp_path: Path) -> None:
    _vault(tmp_path, "last_contact: unknown  # kept comment\n", "2026-10-01")
    assert run_cli("run", tmp_path, "--rule", "last-contact", "--no-commit", "--today", "2026-11-24").returncode == 0
    assert (tmp_path / "Acme/Acme.md").read_text() == "---\ntype: customer\nlast_contact: 2026-10-01  # kept comment\n---\n# Acme\n"
