"""The `## Recent Context` section of entity notes: their latest notes, newest first.

## What it does
Regenerates the `## Recent Context` section (heading configurable) of every
entity note that has one (or every entity note with `create_missing: true`).
It lists the entity's related notes: every non-entity note that links to it
(links in generated sections do not count) or lives in its home folder,
leaving out duplicates marked by dedupe-meetings and notes dated after today.
One line each, newest first (same day: later time first, notes without a time
after those with one, then link text A-Z; a month-only date sorts as the 1st of
its month; unknown dates last), at most `max_entries`:

    - 2025-10-06: [[Note name]] - Summary cut at a word... (via Owner)

The link is written the way Obsidian writes a new link (`.obsidian/app.json`
`newLinkFormat` and `useMarkdownLinks`). The summary is the note's `summary`
(or `description`) property, else the first paragraph of its `## Summary`
section, else its first paragraph, as plain text, without the Tasks plugin's
done and cancelled dates (` ✅ 2026-11-24`): like the checkbox, which it leaves
out too, they only say that a task is done, so ticking a task (in its note, or
through Open Tasks with `done_date`, which runs after this rule and would
otherwise change the line again the next run) leaves the line as it was.
A note no such link can open (its name
starts or ends with white space, which a link trims, or holds `#`, `|`, `%%`,
...) is left out and reported. `(via Owner)` names the folder owner when it is
another entity. The section is the heading, one blank line, the
list, one blank line, then the next heading; the rest of the note is left byte
for byte. A new section (`create_missing`) goes after the H1 title's own text,
right before the next heading, so it never swallows text that follows it.

## Why
A hand-kept list of recent meetings goes stale, out of order and full of
repeats within weeks.

## Example
```markdown
<!-- Customers/OpenAI/OpenAI.md -->
---
type: customer
---
# OpenAI

## Recent Context

- 2025-10-06: [[Weekly 1-1 (old copy)]] - ...

## Notes
```

```markdown
<!-- Customers/OpenAI/2025-10 - OpenAI Tasks.md -->
Task list for coordinating with OpenAI.
```

```markdown
<!-- People/Jai Menon/2025-10-06 - Weekly 1-1.md -->
Weekly 1:1 with [[OpenAI]] about the storage roadmap.
```

```yaml
# People/Jai Menon/Jai Menon.md
type: person
```

Use instead:
```markdown
<!-- Customers/OpenAI/OpenAI.md -->
---
type: customer
---
# OpenAI

## Recent Context

- 2025-10-06: [[2025-10-06 - Weekly 1-1]] - Weekly 1:1 with OpenAI about the storage roadmap. (via Jai Menon)
- 2025-10: [[2025-10 - OpenAI Tasks]] - Task list for coordinating with OpenAI.

## Notes
```

"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

from bot.edits import NoteEdit, ReplaceSection, Report
from bot.markdown import find_links
from bot.scope import ENTITY_NOTES
from bot.summary import cut_summary

if TYPE_CHECKING:
    from bot.delta import VaultDelta
    from bot.explain_context import ExplainContext
    from bot.vault import VaultIndex

ID = "recent-context"
SCOPE = ENTITY_NOTES
OWNED_KEYS: tuple[str, ...] = ()
# What can stop a written link from opening its note (checked only when the path holds one): characters
# a link may not carry as they are, white space at the start or end of the name or of a folder's.
_MAYBE_UNLINKABLE = re.compile(r"[\n\r#^|\[\]()%\\<>`]|(?:^|/)\s|\s(?:/|\.md$)")
_EDGE_SPACE = re.compile(r"(?:^|/)\s|\s(?:/|\.md$)")
_WIKILINK_BREAKERS = re.compile(r"[#^|]|\[\[|\]\]")
_MARKDOWN_TEXT = re.compile(r"\[((?:[^\\\]]|\\.)*)\]")
_ESCAPED = re.compile(r"\\(.)")
_STATUS_DATE = re.compile(r"(?:^|\s)[✅❌]\s*\d{4}-\d{2}-\d{2}(?=\s|$)")


@dataclass(frozen=True)
class Options:
    heading: str = field(
        default="Recent Context", metadata={"heading_text": True, "generated_section": True, "doc": "the level-2 heading of the section."}
    )
    max_entries: int = field(default=15, metadata={"range": (1, 1000), "doc": "the most lines listed."})
    summary_length: int = field(default=100, metadata={"range": (10, 10_000), "doc": "summaries are cut to this many characters."})
    create_missing: bool = field(default=False, metadata={"doc": "add the section to entity notes without one."})


def _date_key(vault: VaultIndex, path: str) -> tuple:
    """Newest first: later day, then later time, then no time; unknown dates last."""
    info = vault.notes[path].date
    if info.date is None:
        return (1, 0, 0, 0)
    time = info.time
    minutes = time[0] * 60 + time[1] if time else 0
    return (0, -info.date.first_day().toordinal(), 0 if time else 1, -minutes)


def entry(vault: VaultIndex, entity: str, path: str, options: Options) -> str:
    note = vault.notes[path]
    line = f"- {note.date.date or 'unknown'}: {vault.link_text(path, entity)}"
    summary = _without_status_dates(note.summary) if note.summary else None
    if summary:
        line += f" - {cut_summary(summary, options.summary_length)}"
    owner = vault.owner(path)
    if owner is not None and owner != entity:
        line += f" (via {vault.notes[owner].title})"
    return line


def _without_status_dates(summary: str) -> str:
    """The summary without the Tasks plugin's done and cancelled dates, which ticking a task adds."""
    if "✅" not in summary and "❌" not in summary:
        return summary
    return " ".join(_STATUS_DATE.sub(" ", summary).split())


def _link_label(link: str) -> str:
    """The text inside a written link, which is what lines are sorted by (a markdown link's as shown:
    its text ends at the first `]` not escaped, bot/markdown.py `markdown_link_text`)."""
    if link.startswith("[["):
        return link[2:-2]
    found = _MARKDOWN_TEXT.match(link)
    return _ESCAPED.sub(r"\1", found.group(1)) if found else link


def unlinkable(vault: VaultIndex, entity: str, path: str) -> str | None:
    """Why the link written to `path` would not open it, or None: a line break ends the line inside
    the link (the rest of the name would start a block of its own); in a wikilink, `#`, `^` or `|`
    would start a heading, a block or shown text, and `[[` or `]]` another link's edge. Obsidian
    trims a link's target, so `[[Sync ]]` opens `Sync.md` (or a new note), never `Sync .md`: a name
    starting or ending with white space cannot be linked either. Whatever else a name holds, the
    link is read back as a run reads it, and must open the note it was written for: a line of
    open-tasks whose link opened another note would be a person's line the next run, and the task
    listed again below it, one more line every run."""
    if not _MAYBE_UNLINKABLE.search(path):  # nearly always: the link is made of the path's parts
        return None
    link = vault.link_text(path, entity)
    if "\n" in link or "\r" in link:
        return "its path holds a line break, which no link can hold"
    if link.startswith("[[") and _WIKILINK_BREAKERS.search(link[2:-2]):
        return "its name holds # ^ | [[ or ]], which no wikilink can hold"
    if "%%" in link:
        return "its name holds %%, which starts an Obsidian comment"
    if "`" in link:
        # With another backtick on the line (a task's or a summary's text), inline code would hide the link.
        return "its name holds a backtick, which can start inline code around the link"
    found = find_links(link)
    whole = len(found) == 1 and (found[0].start, found[0].end) == (0, len(link))
    opened = vault.resolve(found[0].target, entity) if whole else None
    if opened == path:
        return None
    if _EDGE_SPACE.search(path):
        return "its name (or a folder's) starts or ends with white space, which a link trims"
    return f"the link {link} would open {opened if opened else 'no note'}"


def unlinkable_related(vault: VaultIndex, entity: str, today: datetime.date) -> dict[str, str]:
    """The entity's related notes that no link written in it can open, each with `unlinkable`'s reason
    (worked out once per vault state: open-tasks asks too)."""

    def reasons() -> dict[str, str]:
        found = {path: unlinkable(vault, entity, path) for path in vault.related(entity, today)}
        return {path: reason for path, reason in found.items() if reason is not None}

    return vault.per_entity(f"{ID} unlinkable", entity, today, reasons)


def linkable(vault: VaultIndex, entity: str, path: str) -> bool:
    return unlinkable(vault, entity, path) is None


def _order(vault: VaultIndex, entity: str, today: datetime.date) -> tuple[str, ...]:
    """The entity's linkable related notes in the section's order: by `_date_key`, then by link text
    (any case), then as `related` lists them."""
    left_out = unlinkable_related(vault, entity, today)
    same_date: dict[tuple, list[str]] = {}  # date key -> its notes, as `related` lists them
    for path in vault.related(entity, today):
        if path not in left_out:
            same_date.setdefault(_date_key(vault, path), []).append(path)
    # Link texts are worked out only where a date is shared: a stable sort by them within each date
    # gives the order of one sort by (date, link text).
    order: list[str] = []
    for key in sorted(same_date):
        paths = same_date[key]
        order += sorted(paths, key=lambda p: _link_label(vault.link_text(p, entity)).lower()) if len(paths) > 1 else paths
    return tuple(order)


def ordered_related(
    vault: VaultIndex, entity: str, today: datetime.date, limit: int | None = None, among: Iterable[str] | None = None
) -> list[str]:
    """The entity's related notes (or those of them in `among`, which are related notes) in the section's
    order; with `limit`, the first `limit` of them. The whole order is worked out once per vault state
    and carried while the related notes keep their dates (`VaultIndex.per_entity`): recent-context and
    open-tasks both ask, and a sort that stops early saves less than that."""
    order = vault.per_entity(f"{ID} order", entity, today, lambda: _order(vault, entity, today))
    if among is not None:
        wanted = set(among)
        order = tuple(path for path in order if path in wanted)
    return list(order if limit is None else order[:limit])


def entries(vault: VaultIndex, entity: str, options: Options, today: datetime.date) -> list[str]:
    """The section's lines for `entity`, newest first."""
    return [entry(vault, entity, path, options) for path in ordered_related(vault, entity, today, options.max_entries)]


def _link_reasons(vault: VaultIndex, source: str, entity: str) -> list[str]:
    keys = [link.key for link, target in vault.outgoing[source] if target == entity]
    return [f"links here from its frontmatter `{key}`" if key else "links here from its body" for key in dict.fromkeys(keys)]


def explain(context: ExplainContext, options: Options) -> dict[str, Any]:
    """Each related-note candidate of the entity: listed where, or left out why (after the run), for `vaultbot explain`."""
    before, after, entity, today = context.before, context.after, context.path, context.today
    order = ordered_related(after, entity, today) if entity in after.notes else []
    found = []
    for path, kinds in before.related_candidates(entity).items():
        reasons = _link_reasons(before, path, entity) if "link" in kinds else []
        if "owner" in kinds:
            reasons.append(f"lives in the home folder {before.home_folder(entity)}/")
        left_out = context.left_out(path)
        position = order.index(path) + 1 if left_out is None and path in order else None
        if left_out is None and position is not None and position > options.max_entries:
            left_out = f"beyond max_entries ({options.max_entries}): it would be number {position}"
            position = None
        date = before.notes[path].date.date
        found.append({"path": path, "date": str(date) if date else None, "reasons": reasons, "listed_at": position, "left_out": left_out})
    return {
        "related": sorted(found, key=lambda r: (r["listed_at"] is None, r["listed_at"] or 0, r["path"])),
        "max_entries": options.max_entries,
    }


def explain_text(explanation: Mapping[str, Any]) -> list[str]:
    lines = ["", f"Related notes (Recent Context lists at most {explanation['max_entries']}, today {explanation['today']}):"]
    for related in explanation["related"]:
        status = f"listed #{related['listed_at']}" if related["listed_at"] else f"left out: {related['left_out']}"
        lines.append(f"  {related['path']} ({related['date'] or 'no date'}): {status}")
        lines += [f"      {reason}" for reason in related["reasons"]]
    return lines


def affected(delta: VaultDelta, options: Options) -> frozenset[str]:
    """An entity's section depends on its own note and its related notes (their owners' titles cannot
    change in a delta, and a related note whose link is now written differently is in the delta)."""
    return delta.entities()


def check(vault: VaultIndex, options: Options, today: datetime.date, notes: Sequence[str]) -> Iterator[NoteEdit]:
    heading = options.heading.lower()
    for entity in notes:
        note = vault.notes[entity]
        if not options.create_missing and heading not in note.body.lower():
            continue  # cheap test first; the renderer finds the heading exactly
        for path, reason in unlinkable_related(vault, entity, today).items():
            yield NoteEdit(path, Report(f"not listed in {options.heading} of {entity}: {reason}"))
        yield NoteEdit(entity, ReplaceSection(options.heading, tuple(entries(vault, entity, options, today)), options.create_missing))
