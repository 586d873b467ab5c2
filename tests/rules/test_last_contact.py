"""last-contact: latest related date not after today; never backwards; unquoted ISO.

Cases run in memory (tests/rules/memory.py): notes in, the changed texts and the warnings out,
exactly; one end-to-end run of the CLI on disk.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rules import last_contact
from tests.rules.memory import config, twice
from tests.vaults import TODAY, run_cli, write_vault


def _calls(*days: str) -> dict[str, str]:
    return {f"Acme/{day} call.md": f"---\ntype: call\ndate: {day}\n---\nCall.\n" for day in days}


def _acme(value: str) -> str:
    return f"---\ntype: customer\n{value}---\n# Acme\n"


# (label, the value in Acme's frontmatter, its calls' dates, what the value becomes or None)
CASES = [
    ("unknown replaced", "last_contact: unknown\n", ("2026-10-01", "2026-11-02"), "last_contact: 2026-11-02\n"),
    ("empty replaced", "last_contact:\n", ("2026-10-01",), "last_contact: 2026-10-01\n"),
    ("earlier date moved forward", "last_contact: 2026-09-30\n", ("2026-10-01",), "last_contact: 2026-10-01\n"),
    ("later date kept", "last_contact: 2026-11-20\n", ("2026-10-01",), None),
    ("same date, quoted: left as written", "last_contact: '2026-10-01'\n", ("2026-10-01",), None),
    ("future notes ignored", "last_contact: unknown\n", ("2026-10-01", "2027-01-01"), "last_contact: 2026-10-01\n"),
    ("no dated notes: left alone", "last_contact: unknown\n", (), None),
    ("key missing: not created by default", "", ("2026-10-01",), None),
    ("a comment beside the value is kept", "last_contact: unknown  # kept\n", ("2026-10-01",), "last_contact: 2026-10-01  # kept\n"),
]


@pytest.mark.parametrize(("label", "value", "meetings", "expected"), CASES, ids=[c[0] for c in CASES])
def test_last_contact(label: str, value: str, meetings: tuple[str, ...], expected: str | None) -> None:
    first, second = twice([last_contact], {"Acme/Acme.md": _acme(value), **_calls(*meetings)}, today=TODAY)
    assert first.changed == ({} if expected is None else {"Acme/Acme.md": _acme(expected)})
    assert first.warnings == []
    assert second == ({}, [])


# (notes, last-contact options, what the run writes, its warnings)
VAULTS = [
    pytest.param(
        {"Acme/Acme.md": _acme(""), **_calls("2026-10-01")},
        {"create_missing": True},
        {"Acme/Acme.md": _acme("last_contact: 2026-10-01\n")},
        [],
        id="create-missing-adds-the-key",
    ),
    pytest.param(
        {"Acme/Acme.md": "---\ntype: customer\nlast_contact: unknown\n---\n", "Acme/2026-11 - tasks.md": "todo\n"},
        {},
        {},
        [],
        id="month-only-dates-are-not-contact",
    ),
    pytest.param(
        {
            "Acme.md": "---\ntype: customer\nlast_contact: unknown\n---\n",
            "Notes/2026-10-05 mention.md": "Talked about [[Acme]].\n",
            "Notes/2026-11-01 copy.md": "---\nduplicate_of: '[[x]]'\n---\n[[Acme]]\n",
            "Notes/x.md": "The note the copy duplicates (a mark naming no note would hide nothing).\n",
        },
        {},
        {"Acme.md": "---\ntype: customer\nlast_contact: 2026-10-05\n---\n"},
        [],
        id="linking-notes-count-and-duplicates-do-not",
    ),
    pytest.param(
        {"Acme/Acme.md": "---\r\ntype: customer\r\nlast_contact: unknown\r\n---\r\n# Acme", **_calls("2026-10-01")},
        {},
        {"Acme/Acme.md": "---\r\ntype: customer\r\nlast_contact: 2026-10-01\r\n---\r\n# Acme"},
        [],
        id="crlf-and-no-final-newline-kept",
    ),
    pytest.param(
        {"Acme/Acme.md": "\ufeff---\ntype: customer\nlast_contact: unknown\n---", **_calls("2026-10-01")},
        {},
        {"Acme/Acme.md": "\ufeff---\ntype: customer\nlast_contact: 2026-10-01\n---"},
        [],
        id="bom-and-a-closing-fence-without-newline-kept",
    ),
    pytest.param(
        {"Acme/Acme.md": "---\ntype: customer\nlast_contact: unknown\n", **_calls("2026-10-01")},
        {},
        {},
        ["Acme/Acme.md: skipped: frontmatter opened with '---' on line 1 is never closed"],
        id="frontmatter-never-closed-is-reported-and-left",
    ),
    pytest.param(
        {"Acme/Acme.md": _acme("last_contact: unknown\nvaultbot: {skip: [last-contact]}\n"), **_calls("2026-10-01")},
        {},
        {},
        [],
        id="an-entity-that-opts-out-is-left-alone",
    ),
]


@pytest.mark.parametrize(("notes", "options", "expected", "warnings"), VAULTS)
def test_last_contact_in_a_vault(notes: dict[str, str], options: dict[str, Any], expected: dict[str, str], warnings: list[str]) -> None:
    first, second = twice([last_contact], notes, config({"rules": {"last-contact": options}}), TODAY)
    assert first == (expected, warnings)
    assert second == ({}, warnings)


def test_last_contact_end_to_end(tmp_path: Path) -> None:
    write_vault(tmp_path, {"Acme/Acme.md": _acme("last_contact: unknown  # kept comment\n"), **_calls("2026-10-01")})
    result = run_cli("run", tmp_path, "--rule", "last-contact", "--no-commit", "--today", "2026-11-24")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "Acme/Acme.md").read_text(encoding="utf-8") == _acme("last_contact: 2026-10-01  # kept comment\n")
