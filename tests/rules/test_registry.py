"""The registry: what rules declare to the engine, and the pages `vaultbot rules` prints from it."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from bot.scope import SCOPES
from rules import RULES, default_generated_headings, duplicate_mark_key, get_rule, index_exclusions, owned_keys, page
from tests.rules.memory import config

BOT = Path(__file__).resolve().parents[2] / "bot"


@pytest.mark.parametrize("rule", RULES, ids=[rule.ID for rule in RULES])
def test_every_rule_declares_a_scope_and_what_it_owns(rule) -> None:
    assert rule.SCOPE in SCOPES
    assert isinstance(rule.OWNED_KEYS, tuple)
    assert all(isinstance(key, str) and key for key in rule.OWNED_KEYS)


@pytest.mark.parametrize("rule", RULES, ids=[rule.ID for rule in RULES])
def test_every_option_documents_itself_and_the_page_lists_it_once_with_its_default(rule) -> None:
    text = page(rule)
    assert text.count("\n## Options\n") == 1, "the options part comes from the fields, not the docstring"
    for spec in dataclasses.fields(rule.Options):
        assert spec.metadata.get("doc"), f"{rule.ID}.{spec.name} has no doc"
        line = next(line for line in text.splitlines() if line.startswith(f"- `{spec.name}` ("))
        assert line.endswith(spec.metadata["doc"])


def test_a_page_spells_defaults_as_the_config_file_would() -> None:
    pages = {rule.ID: page(rule) for rule in RULES}
    assert "- `meeting_types` (default `[meeting, call, recording]`): which note types are meetings." in pages["dedupe-meetings"]
    assert "- `similarity` (0-100, default off): " in pages["dedupe-meetings"]
    assert "- `create_missing` (default `false`): " in pages["last-contact"]
    assert '- `derive` (default `{type: "type/{value}"}`): ' in pages["tags"]
    assert "- `max_entries` (default `15`): the most lines listed." in pages["recent-context"]


# What each built-in rule declares; a rule added later declares its own, and nothing here names it.
BUILT_IN = {
    "dedupe-meetings": (("duplicate_of",), ()),
    "last-contact": (("last_contact",), ()),
    "tags": (("tags",), ()),
    "recent-context": ((), ("Recent Context",)),
    "open-tasks": ((), ("Open Tasks",)),
    "related": ((), ("Related",)),
}


def _sections(rule) -> tuple[str, ...]:
    return tuple(getattr(rule.Options(), spec.name) for spec in dataclasses.fields(rule.Options) if spec.metadata.get("generated_section"))


@pytest.mark.parametrize(("rule_id", "owned"), BUILT_IN.items(), ids=list(BUILT_IN))
def test_a_built_in_rule_declares_what_it_owns(rule_id: str, owned: tuple[tuple[str, ...], tuple[str, ...]]) -> None:
    rule = get_rule(rule_id)
    assert (rule.OWNED_KEYS, _sections(rule)) == owned


def test_the_declarations_the_engine_reads_are_every_registered_rules() -> None:
    assert owned_keys() == {key for rule in RULES for key in rule.OWNED_KEYS}
    assert default_generated_headings() == tuple(heading for rule in RULES for heading in _sections(rule)), "in registry order"
    assert duplicate_mark_key() == "duplicate_of"
    archive = config({"rules": {"dedupe-meetings": {"mode": "archive", "archive_folder": "Old"}}})
    assert index_exclusions({rule: archive.rule_options(rule) for rule in archive.rules}) == ("Old",)
    assert archive.scan_exclude == ("Old",)
    assert config({"exclude": ["Private"]}).scan_exclude == ("Private",)
    renamed = config({"rules": {"related": {"heading": "See also"}}})
    assert renamed.generated_headings == tuple("See also" if heading == "Related" else heading for heading in default_generated_headings())


def _names_in(path: Path) -> set[str]:
    return {
        node.value
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


@pytest.mark.parametrize("module", ["config.py", "runner.py", "vault.py", "scope.py", "index_settings.py", "relink.py"])
def test_the_engine_names_no_rule_option_or_owned_key(module: str) -> None:
    """Rule ids, owned keys and option names reach the engine through the registry only."""
    leaks = {rule.ID for rule in RULES} | owned_keys() | {"archive_folder", "mode", *default_generated_headings()}
    code_strings = _names_in(BOT / module)
    assert not leaks & code_strings, f"bot/{module} names {sorted(leaks & code_strings)}"
