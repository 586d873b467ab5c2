"""`vaultbot explain`: why a note looks the way it does to vaultbot, and what a run would do to it.

Pure: it reads a dry-run plan (bot/runner.py `plan_run`) and never touches the
disk. The note is described as it is now (`plan.original`); what Recent Context
would list is read from the vault as the rules leave it (`plan.vault`), where
duplicates are already marked or archived, exactly as a run computes it; so
are the tasks Open Tasks lists and the entities Related lists.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from typing import Any

from bot.dates import skipped_date_keys
from bot.markdown import find_links, find_tasks, find_wikilinks_in_value
from bot.note import Note
from bot.report import unified_diff
from bot.runner import RunPlan
from bot.sections import find_section
from bot.summary import note_summary
from bot.vault import VaultIndex
from rules import dedupe_meetings, open_tasks, recent_context, related


def _vaults(plan: RunPlan) -> tuple[VaultIndex, VaultIndex]:
    """The vault as read and as the rules leave it."""
    assert plan.original is not None and plan.vault is not None, "explain reads a plan made by plan_run from parsed notes"
    return plan.original, plan.vault


def _options(plan: RunPlan, rule_id: str) -> Any:
    assert plan.config is not None, "explain reads a plan made by plan_run"
    return plan.config.rule_options(rule_id)


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


def _links(vault: VaultIndex, path: str) -> list[dict[str, Any]]:
    note = vault.notes[path]
    found = []
    for note_link, target in vault.outgoing[path]:
        link = note_link.link
        written = note.body[link.start : link.end] if note_link.key is None else f"[[{link.target}{link.subpath}]]"
        found.append({"link": written, "where": f"frontmatter `{note_link.key}`" if note_link.key else "body", "resolves_to": target})
    return found


def _duplicate_group(plan: RunPlan, path: str) -> dict[str, Any] | None:
    vault = _vaults(plan)[0]
    options = _options(plan, dedupe_meetings.ID)
    for group in dedupe_meetings.duplicate_groups(vault, options):
        if path in group:
            keeper = dedupe_meetings.canonical(vault, group)
            members = [
                {"path": p, "backlinks": len(vault.backlinks(p)), "body_length": len(vault.notes[p].body.strip())}
                for p in sorted(group, key=lambda p: p != keeper)
            ]
            runner_up = members[1]
            if members[0]["backlinks"] != runner_up["backlinks"]:
                decided = "it has the most notes linking to it"
            elif members[0]["body_length"] != runner_up["body_length"]:
                decided = "links tie; it has the longest body"
            else:
                decided = "links and body length tie; it has the smallest path"
            return {
                "canonical": keeper,
                "matched": dedupe_meetings.why_grouped(vault, group),
                "why": decided,
                "order": "most notes linking to it (generated sections excluded), then the longest body, then the smallest path",
                "members": members,
                "mode": options.mode,
            }
    return None


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


def _link_reasons(vault: VaultIndex, source: str, entity: str) -> list[str]:
    keys = [nl.key for nl, target in vault.outgoing[source] if target == entity]
    return [f"links here from its frontmatter `{key}`" if key else "links here from its body" for key in dict.fromkeys(keys)]


def _left_out(plan: RunPlan, path: str, today: datetime.date, groups: dict[str, str]) -> str | None:
    final = _vaults(plan)[1]
    if path not in final.notes:
        return f"duplicate of {groups.get(path, '?')} (archived by dedupe-meetings)"
    key = final.index.duplicate_key
    if key is not None and final.is_marked_duplicate(path):  # a mark that names no other note hides nothing
        return f"duplicate of {groups.get(path) or final.notes[path].get(key)}"
    date = final.notes[path].date.date
    if date is not None and date.first_day() > today:
        return f"dated {date}, after today ({today})"
    return None


def _related(plan: RunPlan, entity: str, today: datetime.date) -> list[dict[str, Any]]:
    original, final = _vaults(plan)
    options = _options(plan, recent_context.ID)
    groups = _duplicates(plan, original)
    order = recent_context.ordered_related(final, entity, today) if entity in final.notes else []
    related = []
    for path, kinds in original.related_candidates(entity).items():
        reasons = _link_reasons(original, path, entity) if "link" in kinds else []
        if "owner" in kinds:
            reasons.append(f"lives in the home folder {original.home_folder(entity)}/")
        left_out = _left_out(plan, path, today, groups)
        position = order.index(path) + 1 if left_out is None and path in order else None
        if left_out is None and position is not None and position > options.max_entries:
            left_out = f"beyond max_entries ({options.max_entries}): it would be number {position}"
            position = None
        date = original.notes[path].date.date
        related.append({"path": path, "date": str(date) if date else None, "reasons": reasons, "listed_at": position, "left_out": left_out})
    return sorted(related, key=lambda r: (r["listed_at"] is None, r["listed_at"] or 0, r["path"]))


def _duplicates(plan: RunPlan, vault: VaultIndex) -> dict[str, str]:
    """Each duplicate dedupe-meetings finds -> its canonical note."""
    groups = {}
    for group in dedupe_meetings.duplicate_groups(vault, _options(plan, dedupe_meetings.ID)):
        keeper = dedupe_meetings.canonical(vault, group)
        groups.update({p: keeper for p in group if p != keeper})
    return groups


def _open_tasks(plan: RunPlan, entity: str, today: datetime.date) -> list[dict[str, Any]]:
    """Every task of the entity's related-note candidates: listed where, or left out why (after the run)."""
    original, final = _vaults(plan)
    options = _options(plan, open_tasks.ID)
    groups = _duplicates(plan, original)
    listed = [
        (source, task.start)
        for source in recent_context.ordered_related(final, entity, today)
        for task in open_tasks.open_tasks(final, source)
    ]
    found = []
    for source in original.related_candidates(entity):
        left_out = _left_out(plan, source, today, groups)
        for task in find_tasks((final.notes.get(source) or original.notes[source]).body):
            why = left_out and f"its note is left out: {left_out}"
            position = listed.index((source, task.start)) + 1 if (source, task.start) in listed else None
            if why is None and task.status != " ":
                why = f"done in its note ([{task.status}])"
            elif why is None and not task.text:
                why = "an empty task"
            elif why is None and open_tasks.opens_comment(task):
                why = "its text leaves a %% comment open, which would hide the rest of the section"
            elif why is None and task.status == " " and task not in open_tasks.open_tasks(final, source):
                why = "in a %% comment: Obsidian does not show it"
            elif why is None and position is not None and position > options.max_entries:
                why, position = f"beyond max_entries ({options.max_entries}): it would be number {position}", None
            found.append({"source": source, "task": task.text, "listed_at": None if why else position, "left_out": why})
    return sorted(found, key=lambda t: (t["listed_at"] is None, t["listed_at"] or 0, t["source"]))


def _rollup_lines(plan: RunPlan, entity: str, today: datetime.date) -> list[dict[str, str]]:
    """What a run does with each line now in the entity's Open Tasks section."""
    vault = _vaults(plan)[0]
    options = _options(plan, open_tasks.ID)
    found = []
    for line in open_tasks.section_lines(vault, entity, options) or ():
        if line.status is None:
            what = "typed by hand (no link to a note it came from): kept, on top"
        elif line.status == " ":
            what = f"generated from {line.source}: listed again while the task is open there"
        else:
            outcome = open_tasks.tick(vault, entity, line, options, today)
            if isinstance(outcome, str):
                what = f"ticked, but {outcome}"
            elif outcome is None:
                what = f"ticked, and done in {line.source} already: leaves the section"
            else:
                what = f"ticked: the task is ticked in {line.source} too, then leaves the section"
        found.append({"line": line.line, "what": what})
    return found


def _related_entities(plan: RunPlan, entity: str, today: datetime.date) -> list[dict[str, Any]]:
    """Every entity a related-note candidate also relates to: listed where, or left out why (after the run)."""
    original, final = _vaults(plan)
    options = _options(plan, related.ID)
    shared = related.shared_notes(final, entity, today) if entity in final.notes else {}
    ranked = [other for other in related.ranked(final, shared) if len(shared[other]) >= options.min_shared]
    candidates = {other for source in original.related_candidates(entity) for other in original.entities_of(source)} - {entity}
    found = []
    for other in sorted(candidates | set(shared)):
        notes = shared.get(other, [])
        position = ranked.index(other) + 1 if other in ranked else None
        why = None
        if not notes:
            why = "shares only notes that are left out (duplicates, dated after today)"
        elif position is None:
            why = f"shares {len(notes)} notes, fewer than min_shared ({options.min_shared})"
        elif position > options.max_entries:
            why, position = f"beyond max_entries ({options.max_entries}): it would be number {position}", None
        found.append({"path": other, "type": original.notes[other].type, "shared": notes, "listed_at": position, "left_out": why})
    return sorted(found, key=lambda r: (r["listed_at"] is None, r["listed_at"] or 0, r["path"]))


def explain(plan: RunPlan, path: str, today: datetime.date) -> dict[str, Any]:
    """Everything vaultbot knows and would do about the note at `path` (a note of `plan.original`)."""
    vault = _vaults(plan)[0]
    note = vault.notes[path]
    owner = vault.owner(path)
    result: dict[str, Any] = {
        "path": path,
        "type": note.type,
        "entity": vault.is_entity(path),
        **_date(vault, path, plan.config.date_keys if plan.config else ()),
        "owner": owner,
        "summary": _summary(note, plan),
        "links": _links(vault, path),
        "backlinks": list(vault.backlinks(path)),
        "duplicate_group": _duplicate_group(plan, path),
        "today": str(today),
    }
    if vault.is_entity(path):
        result["related"] = _related(plan, path, today)
        result["max_entries"] = _options(plan, recent_context.ID).max_entries
        result["open_tasks"] = _open_tasks(plan, path, today)
        result["open_tasks_section"] = _rollup_lines(plan, path, today)
        result["open_tasks_max_entries"] = _options(plan, open_tasks.ID).max_entries
        result["related_entities"] = _related_entities(plan, path, today)
        result["related_options"] = {
            "max_entries": _options(plan, related.ID).max_entries,
            "min_shared": _options(plan, related.ID).min_shared,
        }
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
    if e["entity"]:
        lines += ["", f"Related notes (Recent Context lists at most {e['max_entries']}, today {e['today']}):"]
        for related in e["related"]:
            status = f"listed #{related['listed_at']}" if related["listed_at"] else f"left out: {related['left_out']}"
            lines.append(f"  {related['path']} ({related['date'] or 'no date'}): {status}")
            lines += [f"      {reason}" for reason in related["reasons"]]
        lines += ["", f"Tasks of those notes (Open Tasks lists at most {e['open_tasks_max_entries']} open ones, newest note first):"]
        for task in e["open_tasks"]:
            status = f"listed #{task['listed_at']}" if task["listed_at"] else f"left out: {task['left_out']}"
            lines.append(f"  {task['task'] or '(empty)'} ({task['source']}): {status}")
        if e["open_tasks_section"]:
            lines += ["", "Lines now in its Open Tasks section:"] + [f"  {r['line']}\n      {r['what']}" for r in e["open_tasks_section"]]
        limits = e["related_options"]
        lines += [
            "",
            f"Entities sharing those notes (Related lists at most {limits['max_entries']}, each sharing at least {limits['min_shared']}):",
        ]
        for other in e["related_entities"]:
            status = f"listed #{other['listed_at']}" if other["listed_at"] else f"left out: {other['left_out']}"
            lines.append(f"  {other['path']} ({other['type']}, {len(other['shared'])} shared): {status}")
            lines += [f"      {note}" for note in other["shared"]]
    group = e["duplicate_group"]
    lines.append("")
    if group is None:
        lines.append("Duplicate group: none")
    else:
        lines.append(f"Duplicate group (dedupe-meetings mode {group['mode']}): canonical {group['canonical']}")
        lines.append(f"  one meeting because they have {group['matched']}")
        lines.append(f"  chosen because {group['why']} (order: {group['order']})")
        lines += [f"  {m['path']}: {m['backlinks']} backlinks, body {m['body_length']} characters" for m in group["members"]]
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
