"""Links to a note that moves away, pointed at the note that replaces it: a service
for rules that move notes.

Obsidian offers to update links when a note is renamed; vaultbot does the same
when a rule moves a note away and names its replacement: every link to it
(wikilinks with `|shown text`, `#heading` or `#^block`, embeds, markdown links,
links in frontmatter values) is rewritten to the replacement, written the way
Obsidian writes a new link and keeping everything else of the original. Links
in code are not links and are never touched. Pure: it returns edits as data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Mapping

from bot.edits import LinkReplacement, NoteEdit, Report, RewriteLinks, SetProperty
from bot.markdown import find_wikilinks_in_value, retarget_link

if TYPE_CHECKING:
    from bot.vault import VaultIndex


def relink(vault: VaultIndex, archived: Mapping[str, str], rule_id: str, moved: str) -> Iterator[NoteEdit]:
    """Edits that point every link to a note in `archived` at its replacement instead.

    `archived` maps a note that is going away to the note that takes its place;
    `moved` names those notes in reports. A note that opts out of `rule_id` keeps
    its links (reported); the archived notes themselves keep theirs, since they
    are kept as they were.
    """
    if not archived:
        return
    for source, links in vault.outgoing.items():
        if source in archived:
            continue  # kept as it was (the rule that moves it may edit it)
        body_links = [(nl.link, target) for nl, target in links if target is not None and target in archived and nl.key is None]
        keys = sorted({nl.key for nl, target in links if target in archived and nl.key is not None})
        if not body_links and not keys:
            continue
        if vault.notes[source].opted_out(rule_id):
            yield NoteEdit(source, Report(f"links to {moved} left as they are: the note opts out of {rule_id}"))
            continue
        if body_links:  # the renderer rewrites each as written: the source's text may not be kept (bot/note.py)
            yield NoteEdit(
                source,
                RewriteLinks(tuple(LinkReplacement(link, _link_path(vault, archived[target], source)) for link, target in body_links)),
            )
        for key in keys:
            value = _retargeted_value(vault, source, vault.notes[source].get(key), archived)
            if value is None:
                yield NoteEdit(source, Report(f"links to {moved} in `{key}` are nested too deep to rewrite; left as they are"))
            else:
                yield NoteEdit(source, SetProperty(key, value))
    yield from _plain_marks(vault, archived, rule_id)


def _plain_marks(vault: VaultIndex, archived: Mapping[str, str], rule_id: str) -> Iterator[NoteEdit]:
    """A duplicate mark without brackets (`duplicate_of: Name`) is no link to Obsidian, but it marks a
    duplicate just the same (bot/duplicate_marks.py): one naming an archived note is pointed at its replacement."""
    key = vault.index.duplicate_key
    if key is None:
        return
    for source, note in vault.notes.items():
        value = note.get(key)
        if source in archived or not isinstance(value, str) or find_wikilinks_in_value(value) or note.opted_out(rule_id):
            continue
        target = vault.duplicate_target(source)
        if target is not None and target in archived:
            yield NoteEdit(source, SetProperty(key, vault.link_text(archived[target], source, wikilink=True)))


def _link_path(vault: VaultIndex, target: str, source: str) -> str:
    """The path part of the link Obsidian would write to `target` from `source`."""
    return vault.link_text(target, source, wikilink=True)[2:-2]


def _retargeted_text(vault: VaultIndex, source: str, text: str, archived: Mapping[str, str]) -> str:
    for link in reversed(find_wikilinks_in_value(text)):
        target = vault.resolve(link.target, source)
        if target is not None and target in archived:
            old = text[link.start : link.end]
            text = text[: link.start] + retarget_link(old, link, _link_path(vault, archived[target], source)) + text[link.end :]
    return text


def _retargeted_value(vault: VaultIndex, source: str, value: object, archived: Mapping[str, str]) -> str | list[str] | None:
    """The frontmatter value with its links retargeted; None when it is not a string or a list of strings."""
    if isinstance(value, str):
        return _retargeted_text(vault, source, value, archived)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return [_retargeted_text(vault, source, item, archived) for item in value]
    return None
