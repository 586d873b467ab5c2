"""`vaultbot explain`: why a note looks the way it does to vaultbot, and what a run would do to it.

It reads a dry-run plan (bot/runner.py `plan_run`) and touches the disk only to
read the note's text again when parsing kept the note without it (bot/note.py,
bot/note_text.py), for its links as written and its summary. The note is
described as it is now (`plan.original`): its date, links, backlinks and
summary, then what each rule that declares an `explain` hook
(rules/__init__.py) would do with it and why, in registry order, then the diff a
run would make. A rule reads what it would list from the vault as the rules
leave it (`plan.vault`), where duplicates are already marked or archived,
exactly as a run computes it.

The JSON form gives the note's facts and the parts of the rules that judge every
note (or groups among them), `today`, then, for an entity, the parts of the
rules that judge entity notes. The text form puts an entity's parts (what its
sections would list, which is what explaining an entity is for) before the
others (the groups the note is in).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from typing import Any

from bot.dates import skipped_date_keys
from bot.explain_context import ExplainContext
from bot.markdown import find_links, find_wikilinks_in_value
from bot.note import Note
from bot.note_text import ChangedWhileRunning, with_text
from bot.report import unified_diff
from bot.runner import RunPlan
from bot.scope import ENTITY_NOTES
from bot.sections import find_section
from bot.summary import note_summary
from bot.vault import VaultIndex
from rules import RULES, Explainer, duplicates, explainers


def _vaults(plan: RunPlan) -> tuple[VaultIndex, VaultIndex]:
    """The vault as read and as the rules leave it."""
    assert plan.original is not None and plan.vault is not None, "explain reads a plan made by plan_run from parsed notes"
    return plan.original, plan.vault


def _options(plan: RunPlan) -> dict[str, Any]:
    """Each rule's options by rule id."""
    assert plan.config is not None, "explain reads a plan made by plan_run"
    return {rule.ID: plan.config.rule_options(rule.ID) for rule in RULES}


def _explainers(entity: bool) -> tuple[list[Explainer], list[Explainer]]:
    """The rules whose scope holds the note, with an `explain` hook: those judging every note
    (or groups among them), and, for an entity, those judging entity notes."""
    every_note = [rule for rule in explainers() if rule.SCOPE != ENTITY_NOTES]
    return every_note, [rule for rule in explainers() if rule.SCOPE == ENTITY_NOTES] if entity else []


def find_note(vault: VaultIndex, name: str) -> str | None:
    """The note `name` means: a vault path (with or without `.md`), else a link text resolved from the vault root."""
    text = name.strip().replace("\\", "/")
    for candidate in (text, text + ".md"):
        if candidate in vault.notes:
            return candidate
    links = find_wikilinks_in_value(text) or find_links(text)
    target = links[0].target if links else text.split("|", 1)[0].split("#", 1)[0]
    return vault.resolve(target, "")


def _date(vault: VaultIndex, path: str, date_keys: Sequence[str]) -> dict[str, Any]:
    note = vault.notes[path]
    info = note.date
    time = f"{info.time[0]:02d}:{info.time[1]:02d}" if info.time else None
    return {
        "date": str(info.date) if info.date else None,
        "date_source": info.source or None,
        # A key holding `TBD` or `2026-13-45` is passed over for the next source; say so, or it looks missing.
        "date_skipped": [{"key": key, "value": str(value)} for key, value in skipped_date_keys(note.frontmatter, date_keys)],
        "time": time,
        "time_source": info.time_source or None,
    }


def _links(vault: VaultIndex, note: Note) -> list[dict[str, Any]]:
    path = note.path
    found = []
    for note_link, target in vault.outgoing[path]:
        link = note_link.link
        written = note.body[link.start : link.end] if note_link.key is None else f"[[{link.target}{link.subpath}]]"
        found.append({"link": written, "where": f"frontmatter `{note_link.key}`" if note_link.key else "body", "resolves_to": target})
    return found


def _summary(note: Note, plan: RunPlan) -> str | None:
    """The note's summary as a person would write it: without the sections vaultbot generates
    (an entity's first paragraph is often its Recent Context list)."""
    assert plan.config is not None, "explain reads a plan made by plan_run"
    headings = plan.config.generated_headings
    body = note.body
    if not any(heading.lower() in body.lower() for heading in headings):
        return note.summary
    spans = sorted((found.start, end) for heading in headings for found, end in find_section(body, heading))
    kept, at = [], 0
    for start, end in spans:
        kept.append(body[at:start])
        at = max(at, end)
    kept.append(body[at:])
    return note_summary(note.frontmatter, "".join(kept))


def explain(plan: RunPlan, path: str, today: datetime.date) -> dict[str, Any]:
    """Everything vaultbot knows and would do about the note at `path` (a note of `plan.original`)."""
    before, after = _vaults(plan)
    try:
        note = with_text(plan.root, before.notes[path])
    except ChangedWhileRunning:
        raise ChangedWhileRunning(f"{path} changed while vaultbot read the vault; explain it again") from None
    options = _options(plan)
    context = ExplainContext(path, before, after, today, duplicates(before, options))
    every_note, entity_notes = _explainers(before.is_entity(path))
    result: dict[str, Any] = {
        "path": path,
        "type": note.type,
        "entity": before.is_entity(path),
        **_date(before, path, plan.config.date_keys if plan.config else ()),
        "owner": before.owner(path),
        "summary": _summary(note, plan),
        "links": _links(before, note),
        "backlinks": list(before.backlinks(path)),
    }
    for rule in every_note:
        result.update(rule.explain(context, options[rule.ID]))
    result["today"] = str(today)
    for rule in entity_notes:
        result.update(rule.explain(context, options[rule.ID]))
    result["changes"] = [
        {"rules": list(change.rules), "moved_to": change.destination, "diff": unified_diff(change)}
        for change in plan.changes
        if change.path == path
    ]
    result["warnings"] = [problem.message for problem in plan.problems if problem.path == path]
    return result


def as_json(explanation: dict[str, Any]) -> str:
    return json.dumps(explanation, ensure_ascii=False, indent=2)


def _or_none(value: object, source: object = None) -> str:
    if value is None:
        return "none"
    return f"{value} (from {source})" if source else str(value)


def _date_text(e: dict[str, Any]) -> str:
    skipped = "; ".join(f"{s['key']}: {s['value']!r} is not a date" for s in e["date_skipped"])
    if e["date"]:
        return f"{e['date']} (from {e['date_source']}{'; ' + skipped if skipped else ''})"
    return f"none ({skipped + '; ' if skipped else 'no date key, '}no date in the file name, not a daily note)"


def as_text(explanation: dict[str, Any]) -> str:
    e = explanation
    lines = [
        e["path"],
        f"  type:     {_or_none(e['type'])}{' (an entity)' if e['entity'] else ''}",
        f"  date:     {_date_text(e)}",
        f"  time:     {_or_none(e['time'], e['time_source'])}",
        f"  owner:    {_or_none(e['owner'])}",
        f"  summary:  {_or_none(e['summary'])}",
        "",
        f"Links out ({len(e['links'])}; links in generated sections do not count):",
    ]
    lines += [f"  {link['link']} ({link['where']}) -> {link['resolves_to'] or 'unresolved'}" for link in e["links"]]
    lines += ["", f"Backlinks ({len(e['backlinks'])}; notes linking here outside generated sections):"] + [
        f"  {path}" for path in e["backlinks"]
    ]
    every_note, entity_notes = _explainers(e["entity"])
    for rule in entity_notes + every_note:
        lines += rule.explain_text(e)
    lines.append("")
    if not e["changes"]:
        lines.append("What a run would change: nothing")
    for change in e["changes"]:
        moved = f", moved to {change['moved_to']}" if change["moved_to"] else ""
        lines.append(f"What a run would change ({', '.join(change['rules'])}{moved}):")
        lines.append(change["diff"].rstrip("\n"))
    if e["warnings"]:
        lines += ["", "Warnings:"] + [f"  {message}" for message in e["warnings"]]
    return "\n".join(lines) + "\n"
