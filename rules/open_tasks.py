"""The `## Open Tasks` section of entity notes: the unchecked tasks of their notes, tickable in place.

## What it does
Regenerates the `## Open Tasks` section (heading configurable) of every entity
note that has one (or every entity note with `create_missing: true`). It lists
the unchecked tasks (`- [ ]`, `* [ ]`, at any list depth, outside code, HTML
and `%%` comments) of the entity's related notes, the notes Recent Context lists
(duplicates marked by dedupe-meetings are left out: their tasks count once,
through the canonical note). One line per task, the task's text as written
(Tasks-plugin dates, priorities and `#tags` included) and a link to its note,
written the way Obsidian writes a new link; newest note first, and in each note
in the order written; at most `max_entries`, then one line saying how many more.
A task whose text leaves a `%%` comment open is reported instead: copied here,
it would hide the rest of the note in Obsidian. The tasks of a note no link can
open (its name starts or ends with white space, which a link trims, or holds
`#`, `|`, `%%`, ...) are only counted, and reported: a line linking it would be
a person's line the next run, and the task listed again below it every run.

    - [ ] Send the migration plan draft 📅 2026-12-01 ([[2026-10-14 Quarterly review]])

Lines in the section that are not of that form (in code or a comment, no
source link at the end, or a link to a note that is not one of the entity's
and has no such task, such as `- [ ] Call Ana ([[Ana]])`) are a person's: they
stay, in their order, above the generated lines. An open line of that form is
the bot's and is regenerated from its source note.

Ticking works in either place. A line ticked in the section (`- [x] ... ([[note]])`)
whose task is still open in that note is ticked there too (the one status
character; with `done_date`, the Tasks plugin's ` ✅ YYYY-MM-DD` is added, dated
as the plugin dated the roll-up line if it did; Recent Context leaves that date
out of a summary, so a tick never changes its line), and leaves the section;
the two notes are written together or not at all. A task ticked in its note
leaves the section. When the task's text is not found
exactly once among that note's tasks (edited, moved, repeated), the task
recurs (🔁, whose next occurrence only the Tasks plugin adds), the note opts
out of this rule or is not one of the entity's notes (it neither links to the
entity nor lives in its home folder), nothing is written to it: the ticked
line stays and the run reports it.

## Why
Open items are scattered over dozens of meeting notes; the customer note is
where a person looks for what is still open with that customer.

## Example
```markdown
<!-- Customers/Acme.md -->
---
type: customer
---
# Acme

## Open Tasks

- [ ] Call Ana about the contract
- [x] Send the migration plan draft ([[2025-10-14 Quarterly review]])
```

```markdown
<!-- Meetings/2025-10-14 Quarterly review.md -->
Review with [[Acme]].

- [ ] Send the migration plan draft
- [ ] Ask finance for the renewal quote
```

Use instead:
```markdown
<!-- Customers/Acme.md -->
---
type: customer
---
# Acme

## Open Tasks

- [ ] Call Ana about the contract
- [ ] Ask finance for the renewal quote ([[2025-10-14 Quarterly review]])
```

```markdown
<!-- Meetings/2025-10-14 Quarterly review.md -->
Review with [[Acme]].

- [x] Send the migration plan draft
- [ ] Ask finance for the renewal quote
```

"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, NamedTuple, Sequence

from bot.edits import LineReplacement, NoteEdit, ReplaceLines, ReplaceSection, Report, WriteOnlyWith
from bot.hidden import hidden_offsets
from bot.markdown import Task, find_links, find_section
from bot.scope import ENTITY_NOTES
from rules.recent_context import ordered_related, unlinkable, unlinkable_related

if TYPE_CHECKING:
    from bot.delta import VaultDelta
    from bot.explain_context import ExplainContext
    from bot.vault import VaultIndex

ID = "open-tasks"
SCOPE = ENTITY_NOTES
OWNED_KEYS: tuple[str, ...] = ()

# `- [ ] text (link)`: a wikilink (single brackets inside, as bot/markdown.py reads one), or a markdown
# link (backslash escapes in its text) whose destination may hold one level of parentheses.
_GENERATED = re.compile(
    r"- \[(?P<status>[^\]\n])\] (?P<text>.*?) \((?P<link>\[\[(?:[^\[\]\n]|\[(?!\[)|\](?!\]))+\]\]|\[(?:[^\[\]\n\\]|\\.)*\]\((?:[^()\s]|\([^()\s]*\))*\))\)"
    # Ticked in Obsidian, the Tasks plugin appends its done (or cancelled) date to the line, after the link.
    r"(?:[ \t]+[✅❌][ \t]*(?P<done>\d{4}-\d{2}-\d{2}))?[ \t]*"
)
_MORE = re.compile(r"- \.\.\. and \d+ more open tasks?")
# Done or cancelled: a tick in the roll-up has nothing left to do there. Any other status (`[/]` in
# progress, a theme's `[>]`) is still open work, which the tick closes.
_CLOSED = "xX-"
_RECURRING = "🔁"
_BLOCK_ID = re.compile(r"[ \t]\^[A-Za-z0-9-]+[ \t]*$")


@dataclass(frozen=True)
class Options:
    heading: str = field(
        default="Open Tasks", metadata={"heading_text": True, "generated_section": True, "doc": "the level-2 heading of the section."}
    )
    max_entries: int = field(default=50, metadata={"range": (1, 10_000), "doc": "the most tasks listed."})
    done_date: bool = field(default=False, metadata={"doc": "add ` ✅ YYYY-MM-DD` (today) to a task ticked through the section."})
    create_missing: bool = field(default=False, metadata={"doc": "add the section to entity notes without one."})


class RollupLine(NamedTuple):
    line: str  # as written
    status: str | None  # the checkbox of a generated-form line; None for a person's line
    text: str
    source: str | None  # the note its link opens
    done: str | None = None  # the done date the Tasks plugin wrote after the link, if any


def section_lines(vault: VaultIndex, entity: str, options: Options) -> list[RollupLine] | None:
    """The section's non-blank lines, classified; None when the note has no such section."""
    note = vault.notes[entity]
    body = note.body
    sections = find_section(body, options.heading, headings=note.headings) if options.heading.lower() in body.lower() else []
    if len(sections) != 1:
        return None
    heading, end = sections[0]
    found = []
    candidates: dict[str, tuple[str, ...]] | None = None
    hidden = hidden_offsets(body) if any(mark in body[heading.end : end] for mark in ("%%", "<!--", "```", "~~~")) else None
    at = heading.end
    for line in body[heading.end : end].split("\n"):
        starts, at = at, at + len(line) + 1
        line = line.rstrip("\r")  # kept as typed, trailing spaces too
        if not line.strip() or _MORE.fullmatch(line.rstrip()):
            continue
        # A line in code or a comment is shown as written or not at all: a person's, whatever it looks like.
        match = _GENERATED.fullmatch(line.rstrip()) if hidden is None or not hidden(starts) else None
        links = find_links(match.group("link")) if match else []
        source = vault.resolve(links[0].target, entity) if links else None
        if source is not None and source not in vault.notes:
            source = None  # a note that could not be read (reported): its lines stay as they are until it can
        if match is not None and source is not None:
            candidates = vault.related_candidates(entity) if candidates is None else candidates
            if source not in candidates and match.group("text") not in {task.text for task in vault.notes[source].tasks}:
                # `- [ ] Call Ana ([[Ana]])`: a link to a note that is not one of the entity's and holds no such task is a person's.
                source = None
        if match is None or source is None:
            found.append(RollupLine(line, None, line, None))
        else:
            found.append(RollupLine(line, match.group("status"), match.group("text"), source, match.group("done")))
    return found


def _ticked(task: Task, status: str, options: Options, day: str) -> str:
    line = task.line[: task.box] + status + task.line[task.box + 1 :]
    if options.done_date and status in "xX" and "✅" not in line:
        block = _BLOCK_ID.search(line)
        at = block.start() if block else len(line.rstrip())
        line = f"{line[:at]} ✅ {day}{line[at:]}"
    return line


def tick(vault: VaultIndex, entity: str, line: RollupLine, options: Options, today: datetime.date) -> LineReplacement | str | None:
    """What a line ticked in the section asks of its source: the replacement that ticks it there;
    None when it is done (or cancelled) there already; a message when it cannot be done."""
    source = line.source
    assert source is not None
    if source not in vault.related_candidates(entity):
        # Only the entity's own notes: what a tick does then depends on nothing an edit elsewhere changes.
        return f"the ticked task {line.text!r} links to {source}, which is not one of this entity's notes; left as it is"
    same = [task for task in vault.notes[source].tasks if task.text == line.text]
    if len(same) != 1:
        return f"the ticked task {line.text!r} is found {len(same)} times in {source}, not once; nothing written there, the line is left as it is"
    task = same[0]
    if task.status in _CLOSED or task.status == line.status:
        return None
    if vault.notes[source].opted_out(ID):
        return f"the ticked task {line.text!r} is not ticked in {source}, which opts out of {ID}; left as it is"
    if _RECURRING in task.text:
        # Done in Obsidian, the Tasks plugin adds the next occurrence; one character written here would end the series.
        return f"the ticked task {line.text!r} recurs (🔁): tick it in {source}, where the Tasks plugin adds the next one; left as it is"
    return LineReplacement(task.start, task.line, _ticked(task, line.status or "x", options, line.done or today.isoformat()))


def open_tasks(vault: VaultIndex, path: str) -> list[Task]:
    """The note's unchecked tasks that say something."""
    note = vault.notes[path]  # its facts: the bodies of the notes an entity relates are not kept (bot/note.py)
    return [
        task
        for task in note.tasks
        if task.status == " " and task.text and not opens_comment(task) and task.start not in note.commented_tasks
    ]


def opens_comment(task: Task) -> bool:
    """Whether the task's text leaves a `%%` comment open: copied into the section, it would hide
    the rest of the section and of the note in Obsidian (up to the next `%%`), and the bot could no
    longer tell where the section ends."""
    return task.text.count("%%") % 2 == 1


def _unlisted(vault: VaultIndex, path: str) -> Iterator[NoteEdit]:
    for task in vault.notes[path].tasks:
        if task.status == " " and opens_comment(task):
            yield NoteEdit(path, Report(f"the task {task.text!r} leaves a %% comment open; not listed in Open Tasks (close the comment)"))


def judged(vault: VaultIndex, options: Options, notes: Iterable[str]) -> Iterator[tuple[str, list[RollupLine]]]:
    """The entity notes this rule regenerates, with their section's current lines."""
    for entity in notes:
        # Also the engine's rule, but here before ticks are judged: an entity that opts out ticks nothing.
        if vault.notes[entity].opted_out(ID):
            continue
        lines = section_lines(vault, entity, options)
        if lines is None and options.create_missing:
            lines = []
        if lines is not None:
            yield entity, lines


def _explain_tasks(context: ExplainContext, options: Options) -> list[dict[str, Any]]:
    """Every task of the entity's related-note candidates: listed where, or left out why (after the run)."""
    before, after, entity = context.before, context.after, context.path
    listed = [(source, task.start) for source in ordered_related(after, entity, context.today) for task in open_tasks(after, source)]
    found = []
    for source in before.related_candidates(entity):
        left_out = context.left_out(source)
        for task in (after.notes.get(source) or before.notes[source]).tasks:
            why = left_out and f"its note is left out: {left_out}"
            position = listed.index((source, task.start)) + 1 if (source, task.start) in listed else None
            if why is None and task.status != " ":
                why = f"done in its note ([{task.status}])"
            elif why is None and not task.text:
                why = "an empty task"
            elif why is None and opens_comment(task):
                why = "its text leaves a %% comment open, which would hide the rest of the section"
            elif why is None and task.status == " " and task not in open_tasks(after, source):
                why = "in a %% comment: Obsidian does not show it"
            elif why is None and (unnamed := unlinkable(after, entity, source)) is not None:
                why = f"its note cannot be linked: {unnamed}"
            elif why is None and position is not None and position > options.max_entries:
                why, position = f"beyond max_entries ({options.max_entries}): it would be number {position}", None
            found.append({"source": source, "task": task.text, "listed_at": None if why else position, "left_out": why})
    return sorted(found, key=lambda t: (t["listed_at"] is None, t["listed_at"] or 0, t["source"]))


def _explain_section(context: ExplainContext, options: Options) -> list[dict[str, str]]:
    """What a run does with each line now in the entity's section."""
    found = []
    for line in section_lines(context.before, context.path, options) or ():
        if line.status is None:
            what = "typed by hand (no link to a note it came from): kept, on top"
        elif line.status == " ":
            what = f"generated from {line.source}: listed again while the task is open there"
        else:
            outcome = tick(context.before, context.path, line, options, context.today)
            if isinstance(outcome, str):
                what = f"ticked, but {outcome}"
            elif outcome is None:
                what = f"ticked, and done in {line.source} already: leaves the section"
            else:
                what = f"ticked: the task is ticked in {line.source} too, then leaves the section"
        found.append({"line": line.line, "what": what})
    return found


def explain(context: ExplainContext, options: Options) -> dict[str, Any]:
    """The tasks of the entity's related notes and the lines of its section, and what a run does with each, for `vaultbot explain`."""
    tasks, section = _explain_tasks(context, options), _explain_section(context, options)
    return {"open_tasks": tasks, "open_tasks_section": section, "open_tasks_max_entries": options.max_entries}


def explain_text(explanation: Mapping[str, Any]) -> list[str]:
    lines = ["", f"Tasks of those notes (Open Tasks lists at most {explanation['open_tasks_max_entries']} open ones, newest note first):"]
    for task in explanation["open_tasks"]:
        status = f"listed #{task['listed_at']}" if task["listed_at"] else f"left out: {task['left_out']}"
        lines.append(f"  {task['task'] or '(empty)'} ({task['source']}): {status}")
    if explanation["open_tasks_section"]:
        lines += ["", "Lines now in its Open Tasks section:"] + [
            f"  {r['line']}\n      {r['what']}" for r in explanation["open_tasks_section"]
        ]
    return lines


def affected(delta: VaultDelta, options: Options) -> frozenset[str]:
    """An entity's section depends on its own note and its related notes; a task ticked in an edited
    entity's section also changes its source note and every section that lists that note's tasks. Links
    in the section are in no note's `links`, yet a line whose link opens a note holding its task is the
    rule's (else a person's, kept): a note added or removed under a name a line links to, or whose
    tasks changed, changes the section and its warnings too."""
    found = set(delta.entities())
    vault = delta.vault
    retasked = {path for path, old in delta.before.items() if {t.text for t in old.tasks} != {t.text for t in vault.notes[path].tasks}}
    relinked = delta.section_links_reach(options.heading, retasked)
    for path in delta.paths | relinked:
        if vault.is_entity(path):
            for line in section_lines(vault, path, options) or ():
                if line.status not in (None, " ") and line.source is not None and not vault.is_entity(line.source):
                    # That note's tasks leave every roll-up listing them in the same run.
                    found |= vault.entities_of(line.source) | {line.source}
    return frozenset(found | relinked)


def check(vault: VaultIndex, options: Options, today: datetime.date, notes: Sequence[str]) -> Iterator[NoteEdit]:
    sections = dict(judged(vault, options, notes))
    ticks: dict[str, dict[int, LineReplacement]] = defaultdict(dict)  # source -> line offset -> its tick
    kept: dict[str, list[str]] = {}
    tied: dict[str, set[str]] = defaultdict(set)  # entity -> the sources its new section needs written
    for entity, lines in sections.items():
        kept[entity] = []
        for line in lines:
            if line.status is None:
                kept[entity].append(line.line)
            elif line.status != " ":
                outcome = tick(vault, entity, line, options, today)
                if isinstance(outcome, str):
                    kept[entity].append(line.line)
                    yield NoteEdit(entity, Report(outcome))
                elif outcome is not None:
                    assert line.source is not None  # tick() ticks only a line whose link opens a note
                    ticks[line.source].setdefault(outcome.start, outcome)  # two sections may tick one task
                    tied[entity].add(line.source)
    tasks_of: dict[str, list[Task]] = {}  # most notes are related to several entities: each note's tasks are found once
    for entity in sections:
        related = vault.related(entity, today)
        for path in related:
            if path not in tasks_of:
                tasks_of[path] = open_tasks(vault, path)
                yield from _unlisted(vault, path)
        among = [path for path in related if tasks_of[path]]
        # Each of these notes has an open task, so the first max_entries of them (plus one per task
        # ticked now) list all there is room for; the others only count.
        room = options.max_entries + sum(len(ticks[path]) for path in among if path in ticks)
        first = ordered_related(vault, entity, today, room, among)
        unlinked = unlinkable_related(vault, entity, today)
        generated: list[str] = []
        more = 0
        for source in first + sorted(set(among) - set(first)):
            listed = [task for task in tasks_of[source] if task.start not in ticks.get(source, {})]
            if len(listed) < len(tasks_of[source]):
                tied[entity].add(source)  # listed until now; leaves with the tick
            # A note no link can name (`#` or `|` in its name) is only counted: a line linking it would open
            # another note, be a person's line the next run, and be listed again below it, run after run.
            reason = unlinked.get(source)
            if reason is not None:
                yield NoteEdit(source, Report(f"its tasks are not listed in {options.heading} of {entity}: {reason}"))
            shown = listed[: options.max_entries - len(generated)] if reason is None else []
            if shown:
                link = vault.link_text(source, entity)
                generated += [f"- [ ] {task.text} ({link})" for task in shown]
            more += len(listed) - len(shown)
        if more:
            generated.append(f"- ... and {more} more open task{'s' if more != 1 else ''}")
        yield NoteEdit(entity, ReplaceSection(options.heading, tuple(kept[entity] + generated), options.create_missing))
        if tied[entity]:
            yield NoteEdit(entity, WriteOnlyWith(tuple(sorted(tied[entity]))))
    for source, replacements in sorted(ticks.items()):
        yield NoteEdit(source, ReplaceLines(tuple(sorted(replacements.values()))))
