"""vaultbot's rules, one module each, in the order a run applies them.

A rule module has:

- `ID`: the rule id used in config, `--rule` and reports;
- `SCOPE`: what the engine hands it (bot/scope.py): `ENTITY_NOTES`, `EVERY_NOTE`,
  or `GROUPS` (the rule forms its own groups of notes, among the notes given);
- `OWNED_KEYS`: the frontmatter keys it writes; the body sections it writes are
  its options marked `generated_section` (their value is the heading);
- its docstring: ruff-style documentation (`vaultbot rules` prints it with its
  options, `page`), whose first line is the one-line description;
- `Options`: a frozen dataclass declaring every option and its default
  (`bot/config.py` validates `.vaultbot.yaml` against it), each field's
  description in its metadata (`doc`), from which `page` writes the rule's
  "## Options" (so a default is written once);
- `check(vault, options, today, notes) -> Iterable[NoteEdit]`: pure; it judges
  `notes`, the notes of its scope the engine walked (in note order), with the
  vault index, and returns edits as data. It never opens a file, calls git or
  reads the clock. A partial run hands it only the notes to recheck, and its
  edits and reports must then name only them. The engine drops edits to notes
  that opt out of the rule (`vaultbot: false`, `vaultbot: {skip: [id]}`);
- `affected(delta, options) -> frozenset[str] | None`: the notes whose result
  may differ when the vault differs from a clean state by `delta`
  (bot/delta.py): the engine then hands `check` only the notes of its scope
  among them; None to check everything.

Optional declarations, read by the engine through the functions below so that
nothing in `bot/` names a rule or one of its options:

- `DUPLICATE_MARK_KEY`: the frontmatter key whose value, naming another note,
  marks a note as a duplicate (left out of related notes);
- `index_exclusions(options) -> tuple[str, ...]`: folders the rule keeps out of
  the vault's index with these options (patterns as `exclude` takes them);
- `duplicates(vault, options) -> dict[str, str]`: each note the rule takes for a
  duplicate -> the note it duplicates (`vaultbot explain` names it);
- `explain(context, options) -> dict` and `explain_text(explanation) -> list[str]`:
  what the rule would do with one note and why, for `vaultbot explain`
  (bot/explain.py): `explain` returns the fields it adds to the JSON form, given a
  `bot.explain_context.ExplainContext` (the note, the vault before and after the
  run, today, and the engine's reason a related note is left out); `explain_text`
  turns them (reading any field of the whole explanation) into lines of the text
  form, each part opening with a blank line. Both pure. The engine hands a note to
  the hook when the rule's scope holds it: an entity-notes rule explains entities
  only; any other rule explains every note.

A rule's documented example is a test (tests/rules/test_rule_docs.py runs
every rule in `RULES`): its `## Example` holds one or more fenced blocks, each
one note of a small vault, and `Use instead:` the notes the rule changes, as
one run of that rule alone leaves them; every note not shown there must stay
as it was, and the run must report nothing. A block's first line may name its
note's vault path: `# Customers/Acme.md` in a ```yaml block (the note's
frontmatter, with no body) or `<!-- Customers/Acme.md -->` in a ```markdown
block (the whole note). An unnamed Example block is `Note.md`; an unnamed
`Use instead:` block is the Example's first note. Examples run with the rule's
default options and the default configuration, on 2026-01-01.

Order matters and is deliberate: each rule sees the vault as the rules before
it left it, so `recent-context` and `last-contact` leave out the duplicates
that `dedupe-meetings` marks in the same run.

A rule may edit notes besides the ones it judges (dedupe-meetings' archive
mode, open-tasks ticking a task in its source note); `WriteOnlyWith` ties such
edits together so the engine writes them all or none.
"""

from __future__ import annotations

import dataclasses
import datetime
import inspect
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Protocol, Sequence, TypeGuard

from rules import dedupe_meetings, last_contact, open_tasks, recent_context, related, tags

if TYPE_CHECKING:
    from bot.delta import VaultDelta
    from bot.edits import NoteEdit
    from bot.explain_context import ExplainContext
    from bot.vault import VaultIndex


class Rule(Protocol):
    ID: str
    SCOPE: str
    OWNED_KEYS: tuple[str, ...]
    Options: Any
    __doc__: str | None

    def check(self, vault: VaultIndex, options: Any, today: datetime.date, notes: Sequence[str]) -> Iterable[NoteEdit]: ...

    def affected(self, delta: VaultDelta, options: Any) -> frozenset[str] | None: ...


class Explainer(Rule, Protocol):
    """A rule with the optional `explain` hook."""

    def explain(self, context: ExplainContext, options: Any) -> dict[str, Any]: ...

    def explain_text(self, explanation: Mapping[str, Any]) -> list[str]: ...


RULES: tuple[Rule, ...] = (dedupe_meetings, last_contact, tags, recent_context, open_tasks, related)


def get_rule(rule_id: str) -> Rule:
    for rule in RULES:
        if rule.ID == rule_id:
            return rule
    raise KeyError(rule_id)


def owned_keys() -> frozenset[str]:
    """Every frontmatter key some rule writes."""
    return frozenset(key for rule in RULES for key in rule.OWNED_KEYS)


def generated_headings(options_by_rule: Mapping[str, Any]) -> tuple[str, ...]:
    """The headings of the sections rules generate (options marked `generated_section`), given each
    rule's options by rule id; enabled or not, since a note's parse must not depend on `--rule`."""
    return tuple(
        getattr(options_by_rule[rule.ID], spec.name)
        for rule in RULES
        for spec in dataclasses.fields(rule.Options)
        if spec.metadata.get("generated_section")
    )


def default_generated_headings() -> tuple[str, ...]:
    """`generated_headings` with every rule's default options."""
    return generated_headings({rule.ID: rule.Options() for rule in RULES})


def index_exclusions(options_by_rule: Mapping[str, Any]) -> tuple[str, ...]:
    """The folders rules keep out of the vault's index with these options."""
    return tuple(
        folder for rule in RULES if hasattr(rule, "index_exclusions") for folder in rule.index_exclusions(options_by_rule[rule.ID])
    )


def duplicates(vault: VaultIndex, options_by_rule: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """Each duplicate a rule finds in `vault` -> (the note it duplicates, the rule's id)."""
    return {
        duplicate: (original, rule.ID)
        for rule in RULES
        if hasattr(rule, "duplicates")
        for duplicate, original in rule.duplicates(vault, options_by_rule[rule.ID]).items()
    }


def _explains(rule: Rule) -> TypeGuard[Explainer]:
    return hasattr(rule, "explain") and hasattr(rule, "explain_text")


def explainers() -> tuple[Explainer, ...]:
    """The rules that explain what they would do with a note (`explain` and `explain_text`), in registry order."""
    return tuple(rule for rule in RULES if _explains(rule))


def duplicate_mark_key() -> str | None:
    """The frontmatter key that marks a note as a duplicate of another, if a rule declares one."""
    return next((key for rule in RULES if (key := getattr(rule, "DUPLICATE_MARK_KEY", None))), None)


def _default_text(spec: dataclasses.Field) -> str:
    """An option's default as `.vaultbot.yaml` would spell it."""
    value = spec.default_factory() if spec.default_factory is not dataclasses.MISSING else spec.default
    if value is None:
        return "off"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, tuple):
        return f"`[{', '.join(map(str, value))}]`"
    if isinstance(value, dict):
        return "`{" + ", ".join(f'{key}: "{item}"' for key, item in value.items()) + "}`"
    return f"`{value}`"


def page(rule: Rule) -> str:
    """The rule's documentation as `vaultbot rules ID` prints it: its docstring, then its options."""
    lines = [inspect.cleandoc(rule.__doc__ or ""), "", "## Options"]
    for spec in dataclasses.fields(rule.Options):
        low, high = spec.metadata.get("range", (None, None))
        bounds = f"{low}-{high}, " if spec.default is None and low is not None else ""
        lines.append(f"- `{spec.name}` ({bounds}default {_default_text(spec)}): {spec.metadata['doc']}")
    return "\n".join(lines)
