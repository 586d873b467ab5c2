"""Adding a rule is one rule file, one test file and one line in the registry.

A rule nobody ships, written here as its own module and registered the way the
registry line would (`RULES` gains it, in every module that reads it), must be
known to everything else at once: the configuration validates its options, `vaultbot
rules` prints its page built from its options' docs, a plain run and `--rule` run it
over its scope with the notes' opt-outs, the section it declares is one whose
links never count, and the locality oracle lets it change what it owns, nothing more.
"""

from __future__ import annotations

import sys
import textwrap
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

import rules
from bot.cli import main
from bot.config import ConfigError
from bot.runner import selected_rules
from tests.locality import locality_violations
from tests.rules.memory import config, run_rules, twice
from tests.vaults import write_vault

SOURCE = '''
"""Notes list the notes they link to.

## What it does
Sets `links_to` to the notes the note's body links to, and lists them in its
`## Links Out` section when it has one.

## Why
A note that links nowhere is easy to find once every note says where it links.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Iterator, Sequence

from bot.delta import VaultDelta
from bot.edits import NoteEdit, ReplaceSection, SetProperty
from bot.scope import EVERY_NOTE
from bot.vault import VaultIndex

ID = "links-out"
SCOPE = EVERY_NOTE
OWNED_KEYS: tuple[str, ...] = ("links_to",)


@dataclass(frozen=True)
class Options:
    heading: str = field(default="Links Out", metadata={"doc": "the section it fills.", "generated_section": True})
    min_links: int = field(default=1, metadata={"doc": "notes with fewer links are left alone."})


def check(vault: VaultIndex, options: Options, today: datetime.date, notes: Sequence[str]) -> Iterator[NoteEdit]:
    for path in notes:
        note = vault.notes[path]
        targets = [link.link.target for link in note.links if link.key is None]
        if len(targets) < options.min_links:
            continue
        if note.get("links_to") != targets:
            yield NoteEdit(path, SetProperty("links_to", targets))
        yield NoteEdit(path, ReplaceSection(options.heading, tuple(f"- [[{target}]]" for target in targets)))


def affected(delta: VaultDelta, options: Options) -> frozenset[str]:
    return delta.paths
'''


def _module() -> types.ModuleType:
    module = types.ModuleType("rules.links_out")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(textwrap.dedent(SOURCE), "rules/links_out.py", "exec"), module.__dict__)
    return module


@pytest.fixture
def links_out(monkeypatch: pytest.MonkeyPatch) -> Iterator[types.ModuleType]:
    """The rule, registered last: what `RULES = (..., links_out)` in rules/__init__.py does."""
    rule = _module()
    registry = rules.RULES
    for module in list(sys.modules.values()):  # every `from rules import RULES` holds the same tuple
        if getattr(module, "RULES", None) is registry:
            monkeypatch.setattr(module, "RULES", (*registry, rule))
    yield rule
    del sys.modules[rule.__name__]


NOTE = "---\ntype: meeting\n---\n# Call\n\nWith [[Ann]] and [[Bo]].\n\n## Links Out\n\n## Notes\n\nkeep me\n"
LISTED = "---\ntype: meeting\nlinks_to:\n  - Ann\n  - Bo\n---\n# Call\n\nWith [[Ann]] and [[Bo]].\n\n## Links Out\n\n- [[Ann]]\n- [[Bo]]\n\n## Notes\n\nkeep me\n"


def test_the_configuration_validates_its_options(links_out: types.ModuleType) -> None:
    settings = config({"rules": {"links-out": {"min_links": 3, "heading": "Out"}}})
    assert settings.rule_options("links-out") == links_out.Options(heading="Out", min_links=3)
    assert settings.generated_headings[-1] == "Out"
    assert config().rule_options("links-out") == links_out.Options()
    with pytest.raises(ConfigError, match="rules.links-out.min_link"):
        config({"rules": {"links-out": {"min_link": 3}}})
    with pytest.raises(ConfigError, match="rules.links-out.min_links"):
        config({"rules": {"links-out": {"min_links": "three"}}})


def test_vaultbot_rules_prints_its_page_from_its_options(links_out: types.ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "links-out"]) == 0
    page = capsys.readouterr().out
    assert page.startswith("# links-out\n\nNotes list the notes they link to.\n\n## What it does\n")
    assert page.endswith(
        "## Options\n- `heading` (default `Links Out`): the section it fills.\n"
        "- `min_links` (default `1`): notes with fewer links are left alone.\n"
    )
    assert main(["rules"]) == 0
    assert capsys.readouterr().out.endswith(page), "listed with the others, last as registered"


def test_a_plain_run_and_rule_selection_run_it_over_its_scope_with_opt_outs(links_out: types.ModuleType) -> None:
    assert selected_rules(config(), ["links-out"]) == [links_out]
    assert selected_rules(config())[-1] is links_out
    assert links_out not in selected_rules(config({"rules": {"links-out": {"enabled": False}}}))
    notes = {
        "Call.md": NOTE,
        "Skips.md": NOTE.replace("type: meeting\n", "type: meeting\nvaultbot: {skip: [links-out]}\n"),
        "Quiet.md": NOTE.replace("type: meeting\n", "vaultbot: false\n"),
        "Lonely.md": "No links.\n",
    }
    first, second = twice([links_out], notes)
    assert first == ({"Call.md": LISTED}, []), "a skip naming it is known: no warning"
    assert second == ({}, []), "the links it writes in its own section never count"
    everything = run_rules(None, {"Call.md": NOTE})
    assert everything.changed["Call.md"].endswith("## Links Out\n\n- [[Ann]]\n- [[Bo]]\n\n## Notes\n\nkeep me\n")
    assert "links_to:\n  - Ann\n  - Bo\n" in everything.changed["Call.md"]


def test_the_locality_oracle_honours_what_it_owns(links_out: types.ModuleType) -> None:
    assert locality_violations(NOTE.encode(), LISTED.encode()) == []
    assert locality_violations(NOTE.encode(), LISTED.replace("keep me", "kept").encode()) == ["body outside the managed section changed"]


def test_unregistered_it_is_known_nowhere() -> None:
    """The counterpart of the tests above: without the registry line, nothing knows the rule."""
    assert locality_violations(NOTE.encode(), LISTED.encode()) != []
    with pytest.raises(ConfigError, match="rules.links-out"):
        config({"rules": {"links-out": {}}})
    assert "links-out" not in {rule.ID for rule in rules.RULES}


def test_a_rule_giving_a_bare_edit_is_named(links_out: types.ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    """`yield SetProperty(...)` without its NoteEdit is the rule's mistake: the error names the rule and what it gave."""
    from bot.edits import SetProperty

    monkeypatch.setattr(links_out, "check", lambda vault, options, today, notes: iter([SetProperty("links_to", "x")]))
    with pytest.raises(TypeError, match=r"^rule links-out: check\(\) gave SetProperty\(key='links_to', value='x'\), not a NoteEdit"):
        run_rules([links_out], {"A.md": "# A\n"})


def test_a_rule_that_raises_stops_the_run_naming_it_and_writes_nothing(
    links_out: types.ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A defect in a rule ends the run with exit 3 and one line naming the rule, not a traceback (exit 1
    would read as "warnings found" under --strict), before any note is written."""

    def broken(vault: object, options: object, today: object, notes: object) -> Iterator[object]:
        yield from ()
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(links_out, "check", broken)
    write_vault(tmp_path, {"A.md": "---\ntags: x\n---\n# A\n[[B]]\n", "B.md": "# B\n"})
    before = {path.name: path.read_bytes() for path in tmp_path.glob("*.md")}
    assert main(["run", str(tmp_path), "--today", "2026-11-24", "--no-commit"]) == 3
    message = "rule links-out failed: ZeroDivisionError: division by zero (a defect in the rule; please report it); nothing was written"
    assert capsys.readouterr().err.splitlines()[-1] == f"vaultbot: {message}"
    assert {path.name: path.read_bytes() for path in tmp_path.glob("*.md")} == before


def test_a_rule_editing_a_note_that_is_not_there_stops_the_run_naming_both(
    links_out: types.ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An edit to a path the index does not hold is a defect in the rule (a misspelt or stale path): it
    was once dropped without a word, with the rule's other edits made as if it had been applied."""
    from bot.edits import NoteEdit, SetProperty

    def misdirected(vault: object, options: object, today: object, notes: object) -> Iterator[object]:
        yield NoteEdit("A.md", SetProperty("links_to", "B"))
        yield NoteEdit("Gone/B.md", SetProperty("links_to", "A"))

    monkeypatch.setattr(links_out, "check", misdirected)
    write_vault(tmp_path, {"A.md": "---\ntags: x\n---\n# A\n[[B]]\n", "B.md": "# B\n"})
    before = {path.name: path.read_bytes() for path in tmp_path.glob("*.md")}
    assert main(["run", str(tmp_path), "--today", "2026-11-24", "--no-commit"]) == 3
    message = "rule links-out failed: it edits Gone/B.md, which is not a note of the vault (a defect in the rule; please report it); nothing was written"
    assert capsys.readouterr().err.splitlines()[-1] == f"vaultbot: {message}"
    assert {path.name: path.read_bytes() for path in tmp_path.glob("*.md")} == before
