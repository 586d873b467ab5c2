"""Frontmatter values read as Obsidian shows them (YAML 1.2 core schema)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from bot.note import BadNote, load_frontmatter, parse_note
from bot.yaml_reader import CoreSchemaLoader, scalar_text
from tests.vaults import PARSE_DEFAULTS, run_cli, write_vault

PLAIN_VALUES = [
    # YAML 1.1 reads these as booleans, base-60 numbers, underscored or octal numbers: text in 1.2.
    ("On", "On"),
    ("off", "off"),
    ("yes", "yes"),
    ("no", "no"),
    ("Y", "Y"),
    ("12:30", "12:30"),
    ("1_000", "1_000"),
    ("0755", 755),
    ("+12", 12),
    ("-3", -3),
    ("2024", 2024),
    # Core-schema numbers vaultbot keeps as the text typed (see bot/yaml_reader.py).
    ("0x1F", "0x1F"),
    ("0o17", "0o17"),
    (".inf", ".inf"),
    ("-.Inf", "-.Inf"),
    (".nan", ".nan"),
    ("1.5", 1.5),
    ("1e3", 1000.0),
    (".5", 0.5),
    ("true", True),
    ("False", False),
    ("TRUE", True),
    ("null", None),
    ("~", None),
    ("", None),
    ("2025-10-06", datetime.date(2025, 10, 6)),
    ("2025-10-06T09:30:00", datetime.datetime(2025, 10, 6, 9, 30)),
    # Impossible dates are text, never a reason to drop the note.
    ("2025-02-29", "2025-02-29"),
    ("2025-03-03T24:30:00", "2025-03-03T24:30:00"),
    ("2026-13-01", "2026-13-01"),
    ("<<", "<<"),
    ("=", "="),
]


@pytest.mark.parametrize(("plain", "value"), PLAIN_VALUES, ids=[row[0] or "empty" for row in PLAIN_VALUES])
def test_a_plain_value_reads_as_obsidian_shows_it(plain: str, value: object) -> None:
    read = load_frontmatter(f"k: {plain}\n")["k"]
    assert read == value and type(read) is type(value)


def test_the_issue_example_keeps_every_tag_as_typed() -> None:
    assert load_frontmatter('tags: [On, off, "x", 12:30]\n')["tags"] == ["On", "off", "x", "12:30"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [("n: !!int x", "invalid literal for int() with base 10: 'x'"), ("b: !!bool maybe", "'maybe'")],
)
def test_an_explicit_tag_its_value_does_not_fit_is_a_bad_note(text: str, reason: str) -> None:
    with pytest.raises(BadNote) as raised:
        load_frontmatter(text)
    assert str(raised.value) == f"invalid YAML in frontmatter: a value cannot be read as its type ({reason})"


def test_safety_stays() -> None:
    with pytest.raises(BadNote, match="not allowed"):
        load_frontmatter("x: !!python/object/apply:os.system ['true']\n")
    assert load_frontmatter("a: &a {x: 1}\nb:\n  <<: *a\n  y: 2\n")["b"] == {"x": 1, "y": 2}


# Plain scalars built from the characters YAML 1.1 and 1.2 read differently.
_PLAIN = st.text(alphabet="0123456789.-+:eExXoOtTrRuUfFaAlLsSnNyY~", min_size=1, max_size=8)
_RUAMEL = YAML(typ="safe", pure=True)  # the pure loader follows YAML 1.2


@settings(max_examples=400, deadline=None)
@given(_PLAIN)
def test_plain_values_agree_with_a_yaml_1_2_loader(plain: str) -> None:
    """ruamel.yaml (YAML 1.2) is the oracle, but for the numbers vaultbot keeps as
    text on purpose (hex, octal, .inf, .nan) and ruamel's quirks with `.2E8`."""
    try:
        expected = _RUAMEL.load(f"k: {plain}\n")["k"]
        read = yaml.load(f"k: {plain}\n", Loader=CoreSchemaLoader)["k"]
    except Exception:  # not a plain scalar at all (`- x`, `:`): nothing to compare
        return
    if isinstance(expected, (int, float)) and not isinstance(expected, bool) and isinstance(read, str):
        assert plain.lstrip("+-").lower().startswith(("0x", "0o", ".inf", ".nan"))
    elif isinstance(read, float) and isinstance(expected, str):
        assert "e" in plain.lower()
    else:
        assert read == expected or (read != read and expected != expected)  # NaN
        assert type(read) is type(expected)


def test_scalar_text() -> None:
    assert [scalar_text(v) for v in (None, "a", 2024, 1.5, True, datetime.date(2025, 1, 2))] == [
        "",
        "a",
        "2024",
        "1.5",
        "true",
        "2025-01-02",
    ]


def test_an_impossible_date_falls_through_to_the_file_name() -> None:
    for value in ("2025-02-29", "2025-03-03T24:30:00"):
        note = parse_note("2025-10-06 - Call.md", f"---\ndate: {value}\n---\n", False, None, PARSE_DEFAULTS)
        assert str(note.date.date) == "2025-10-06" and note.date.source == "file name"


def test_a_note_with_an_impossible_date_still_counts_end_to_end(tmp_path: Path) -> None:
    write_vault(
        tmp_path,
        {
            "Acme.md": "---\ntype: customer\nlast_contact: unknown\n---\n# Acme\n\n## Recent Context\n\n",
            "2025-10-06 - Call.md": "---\ndate: 2025-02-29\n---\nCall with [[Acme]] about pricing.\n",
        },
    )
    result = run_cli("run", tmp_path, "--no-commit", "--rule", "last-contact", "--rule", "recent-context", "--today", "2026-01-01")
    assert result.returncode == 0, result.stderr
    assert "skipped" not in result.stderr
    assert (tmp_path / "Acme.md").read_text() == (
        "---\ntype: customer\nlast_contact: 2025-10-06\n---\n# Acme\n\n## Recent Context\n\n"
        "- 2025-10-06: [[2025-10-06 - Call]] - Call with Acme about pricing.\n"
    )
