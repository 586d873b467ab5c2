"""Meetings written up more than once, marked as duplicates of one canonical note.

## What it does
Finds meeting notes (`type` in `meeting_types`) that record the same meeting.
Two are duplicates when they have the same day, the same owner (the entity
whose home folder holds them, or none for both), the same non-empty set of
participants (frontmatter `participants`/`attendees`, as resolved links; plain
names count as links), and times less than 30 minutes apart when both times are
known (a `time` key, the time of a datetime date, or the `HHmm` after the file
name's leading date when that is the note's date: `2026-05-21 0900 - Standup`
and `2026-05-21 1600 - Retro` are two meetings); or when both carry the same
`source` value. With `similarity` set, their summaries must also be at least
that similar. Duplicates chain: if A matches B
and B matches C, all three are one group. In each group the canonical note is
the one with the most notes linking to it (generated sections do not count),
then the longest body, then the smallest path. Every other member gets
`duplicate_of: "[[canonical]]"`; a canonical marked as a duplicate of its own
group (by an earlier run the links have since overturned, or by hand, as a
link or a plain name) loses its mark. A group whose canonical opts out
(`vaultbot: false`), or whose canonical no wikilink can open (`#`, `|`, `[`,
`]` in its name, or a twin differing only by case that a link would open
first), is left alone and reported. A `duplicate_of` that names no note,
the note itself, or a note whose marks lead back to it (A -> B -> A) hides
nothing: the note stays a related note, and the mark is reported.

In `archive` mode each duplicate is also moved under `archive_folder`, keeping
its path (`_archive/duplicates/People/X/2025-10-06 - y.md`); in git the move
is a rename, so the history follows the file. Its unchecked tasks that the
canonical lacks (compared after trimming and collapsing white space) are added
to the canonical's `## Action Items` section, created at the end of the note
when missing. Every link to it elsewhere in the vault (wikilinks, embeds,
markdown links, links in frontmatter values) is rewritten to the canonical,
keeping the `|shown text`, `#heading` and `^block` parts. Links inside code
are never touched. Nothing is deleted, and archived notes are left out of the
vault's index (they are never related notes again). When a file already sits
at a duplicate's destination, or `archive_folder` names the vault itself
(`.`), the whole group is left as it is (no marks, no moves, no tasks, no
links) and reported: half a merge would point links at a canonical while the
duplicate stays.

Notes without participants are never grouped by day alone: two different
meetings on one day with nobody listed would look the same.

`similarity` compares summaries as sets of words (case-folded): the share of
words the two have in common (Jaccard index, in percent). Word sets, not a
character diff such as difflib's ratio: two write-ups of one meeting say the
same things in a different order and with different filler, which a character
diff punishes and a word set does not; it is also linear in length. A note
without a summary is never similar enough.

## Why
AI summarisers and recording scripts write the same meeting up several times;
the copies crowd Recent Context and split the links between them.

## Example
```yaml
# People/Jai Menon/2025-10-06 - Jason shared he has a complex offer.md
type: meeting
date: 2025-10-06
participants: ["[[Jason Vallery]]", "[[Jai Menon]]"]
```

```yaml
# People/Jai Menon/2025-10-06 - Jason has a complex VAST offer.md
type: meeting
date: 2025-10-06
participants: ["[[Jason Vallery]]", "[[Jai Menon]]"]
```

Use instead:
```yaml
type: meeting
date: 2025-10-06
participants: ["[[Jason Vallery]]", "[[Jai Menon]]"]
duplicate_of: "[[2025-10-06 - Jason has a complex VAST offer]]"
```

"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator, Mapping, Sequence

from bot.edits import AppendTasks, DeleteProperty, MoveNote, NoteEdit, Report, SetProperty, WriteOnlyWith
from bot.markdown import task_key
from bot.relink import relink
from bot.scan import vault_relative
from bot.scope import GROUPS
from rules.meeting_groups import canonical, duplicate_groups, group_keys, is_meeting, why_grouped

if TYPE_CHECKING:
    from bot.delta import VaultDelta
    from bot.explain_context import ExplainContext
    from bot.vault import VaultIndex

ID = "dedupe-meetings"
KEY = "duplicate_of"
SCOPE = GROUPS
OWNED_KEYS: tuple[str, ...] = (KEY,)
DUPLICATE_MARK_KEY = KEY  # a marked duplicate is no related note
ACTION_ITEMS = "Action Items"
UNLINKABLE = (
    "canonical of a duplicate group cannot be linked to: its name holds `#`, `|`, `[`, `]` or a line break, "
    "or a link to it opens a note whose path differs only by case or Unicode normalization"
)
_LINK_BREAKERS = re.compile("[#|\\[\\]\n\r\x85\u2028\u2029]")


@dataclass(frozen=True)
class Options:
    meeting_types: tuple = field(
        default=("meeting", "call", "recording"), metadata={"type": tuple, "doc": "which note types are meetings."}
    )
    mode: str = field(
        default="mark",
        metadata={
            "choices": ("mark", "archive"),
            "doc": "`mark` only adds `duplicate_of`; `archive` also moves duplicates, carries their open tasks over and rewrites links to them.",
        },
    )
    archive_folder: str = field(
        default="_archive/duplicates",
        metadata={"vault_path": True, "doc": "where `archive` mode moves duplicates; in `archive` mode notes under it are not indexed."},
    )
    similarity: int | None = field(
        default=None,
        metadata={"type": int, "range": (0, 100), "doc": "the least summary similarity, in percent, for notes to be duplicates."},
    )


def affected(delta: VaultDelta, options: Options) -> frozenset[str] | None:
    """The meetings whose group may differ: changed meetings, meetings a changed note links to
    or linked to (which one is canonical counts links), and, repeatedly, every meeting that
    shares a day or a source with one of them, before or after the change (a removed meeting's
    too). A group is made of such chains, so the groups among these meetings are exactly the groups the edit can touch.

    Archive mode moves notes and rewrites links anywhere in the vault: everything is checked."""
    if options.mode == "archive":
        return None
    vault = delta.vault
    found = {path for path in delta.paths | delta.linked() if path in vault.notes and is_meeting(vault.notes[path], options)}
    if not found:
        return frozenset()
    by_key: dict[tuple, list[str]] = defaultdict(list)
    for path, note in vault.notes.items():
        if is_meeting(note, options):
            for key in group_keys(note):
                by_key[key].append(path)
    pending = [key for path in found for key in group_keys(vault.notes[path])]
    pending += [key for path in found & delta.before.keys() for key in group_keys(delta.before[path])]
    pending += [key for note in delta.removed.values() if is_meeting(note, options) for key in group_keys(note)]
    seen = set(pending)
    while pending:
        for path in by_key.get(pending.pop(), ()):
            if path not in found:
                found.add(path)
                fresh = [key for key in group_keys(vault.notes[path]) if key not in seen]
                seen.update(fresh)
                pending.extend(fresh)
    return frozenset(found)


def duplicates(vault: VaultIndex, options: Options) -> dict[str, str]:
    """Each duplicate the rule finds in `vault` -> its canonical note (what `vaultbot explain` calls a left-out note a duplicate of)."""
    found = {}
    for group in duplicate_groups(vault, options):
        keeper = canonical(vault, group)
        found.update({path: keeper for path in group if path != keeper})
    return found


def explain(context: ExplainContext, options: Options) -> dict[str, Any]:
    """The note's duplicate group and why its canonical won, for `vaultbot explain`."""
    vault = context.before
    group = next((group for group in duplicate_groups(vault, options) if context.path in group), None)
    if group is None:
        return {"duplicate_group": None}
    keeper = canonical(vault, group)
    members = [
        {"path": p, "backlinks": len(vault.backlinks(p)), "body_length": vault.notes[p].body_length}
        for p in sorted(group, key=lambda p: p != keeper)
    ]
    if members[0]["backlinks"] != members[1]["backlinks"]:
        decided = "it has the most notes linking to it"
    elif members[0]["body_length"] != members[1]["body_length"]:
        decided = "links tie; it has the longest body"
    else:
        decided = "links and body length tie; it has the smallest path"
    return {
        "duplicate_group": {
            "canonical": keeper,
            "matched": why_grouped(vault, group),
            "why": decided,
            "order": "most notes linking to it (generated sections excluded), then the longest body, then the smallest path",
            "members": members,
            "mode": options.mode,
        }
    }


def explain_text(explanation: Mapping[str, Any]) -> list[str]:
    group = explanation["duplicate_group"]
    if group is None:
        return ["", "Duplicate group: none"]
    return [
        "",
        f"Duplicate group (dedupe-meetings mode {group['mode']}): canonical {group['canonical']}",
        f"  one meeting because they have {group['matched']}",
        f"  chosen because {group['why']} (order: {group['order']})",
        *(f"  {m['path']}: {m['backlinks']} backlinks, body {m['body_length']} characters" for m in group["members"]),
    ]


def index_exclusions(options: Options) -> tuple[str, ...]:
    """Archived duplicates are kept, not indexed: never related notes, never grouped again."""
    return (options.archive_folder,) if options.mode == "archive" else ()


def archive_path(options: Options, path: str) -> str:
    """Where archive mode moves a duplicate: its own path under `archive_folder`."""
    return f"{vault_relative(options.archive_folder)}/{path}"


def check(vault: VaultIndex, options: Options, today: datetime.date, notes: Sequence[str]) -> Iterator[NoteEdit]:
    archived: dict[str, str] = {}  # duplicate -> canonical, in archive mode
    carried: list[NoteEdit] = []
    unmarked: set[str] = set()  # canonicals whose stale mark goes: relinking must not point it at themselves
    for group in duplicate_groups(vault, options, among=notes):
        keeper = canonical(vault, group)
        if vault.notes[keeper].opted_out(ID):
            others = ", ".join(p for p in group if p != keeper)
            yield NoteEdit(keeper, Report(f"canonical of a duplicate group opts out of {ID}; group left alone: {others}"))
            continue
        duplicates = [p for p in group if p != keeper]
        # A duplicate that opts out stays where it is, and so do the links to it.
        moving = [p for p in duplicates if not vault.notes[p].opted_out(ID)] if options.mode == "archive" else []
        if not _linkable(vault, keeper, [*duplicates, *(source for path in moving for source in vault.backlinks(path))]):
            others = ", ".join(duplicates)
            yield NoteEdit(keeper, Report(f"{UNLINKABLE}; group left alone: {others}"))
            continue
        if moving and not vault_relative(options.archive_folder):  # `.`: a move would be onto the note itself
            taken = moving
            for path in taken:
                yield NoteEdit(
                    path,
                    Report(
                        f"not archived: archive_folder {options.archive_folder!r} is the vault itself; its duplicate group is left as it is (canonical {keeper})"
                    ),
                )
        else:
            taken = [p for p in moving if vault.occupied(archive_path(options, p))]
            for path in taken:
                yield NoteEdit(
                    path,
                    Report(
                        f"not archived: {archive_path(options, path)} already exists; its duplicate group is left as it is (canonical {keeper})"
                    ),
                )
        if taken:  # a half-done group (links rewritten to a canonical while a duplicate stays) is worse than none
            continue
        if _points_into(vault, keeper, group):
            unmarked.add(keeper)
            yield NoteEdit(keeper, DeleteProperty(KEY))
        for path in duplicates:
            if vault.duplicate_target(path) == keeper:
                continue
            yield NoteEdit(path, SetProperty(KEY, vault.link_text(keeper, path, wikilink=True)))
        for path in moving:
            archived[path] = keeper
            yield NoteEdit(path, MoveNote(archive_path(options, path)))
        tasks = carried_tasks(vault, keeper, moving)
        if tasks:
            carried.append(NoteEdit(keeper, AppendTasks(ACTION_ITEMS, tasks)))
            # A duplicate moves only with its tasks copied: else they would be left in the archive alone.
            yield from (NoteEdit(path, WriteOnlyWith((keeper,))) for path in moving)
    # Links first: their offsets are in the body as it is now, before tasks are added.
    for path, edit in relink(vault, archived, ID, "archived duplicates"):
        if not (path in unmarked and isinstance(edit, SetProperty) and edit.key == KEY):
            yield NoteEdit(path, edit)
    yield from carried


def _linkable(vault: VaultIndex, keeper: str, sources: list[str]) -> bool:
    """Every link to the canonical that the group would write (marks, relinked links) opens it:
    `[[2026-11-02 - Sync #1]]` would open a heading of a note named `2026-11-02 - Sync `, and
    `[[acme]]` the twin `Acme.md` when that comes first by path order."""
    for source in sources:
        inside = vault.link_text(keeper, source, wikilink=True)[2:-2]
        if _LINK_BREAKERS.search(inside) or vault.resolve(inside, source) != keeper:
            return False
    return True


def carried_tasks(vault: VaultIndex, keeper: str, duplicates: list[str]) -> tuple[str, ...]:
    """Unchecked tasks of the duplicates that the canonical lacks (done or not), each once."""
    # From the notes' tasks (`find_tasks`: the same task lines outside code), not their bodies, which are not kept.
    present = {task_key(task.line) for task in vault.notes[keeper].tasks}
    tasks = []
    for path in duplicates:
        for line in (task.line for task in vault.notes[path].tasks if task.status == " "):
            key = task_key(line)
            if key and key not in present:
                present.add(key)
                tasks.append(f"- [ ] {key}")
    return tuple(tasks)


def _points_into(vault: VaultIndex, source: str, group: list[str]) -> bool:
    """A canonical's stale `duplicate_of` (from an earlier run the links have since overturned,
    or by hand, as a link or a plain name): it names a note of its own group."""
    return vault.duplicate_target(source) in group
