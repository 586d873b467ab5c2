"""One note, parsed: frontmatter, links, date, summary, and the facts rules read of its body.

Parsing is the hot path (every note, every run): frontmatter in the usual simple shapes is read
by bot/yaml_simple.py, the rest by libyaml's safe loader, both resolving values by the YAML 1.2
core schema as Obsidian does (bot/yaml_reader.py); ruamel.yaml's slow, faithful round trip is
used only when a rule is about to change a note (bot/render.py).

A note that cannot be handled safely raises BadNote with a reason a person can act on; the
runner reports it and leaves the file alone.

Text is kept only where rules read it. A vault's text is most of what a run would hold (4 KB a
note, 40 MB at 10,000 notes, more again in the parse children's pickles and the parse cache),
yet rules read the bodies of few notes: those they write generated sections in (the entity
types, `ParseSettings.entity_types`). Every other note is kept `without_text` once parsed
(bot/reading.py, before a child pickles it; bot/cache.py, before it is cached): it holds its
facts (frontmatter, links, date, tasks, summary, the stripped body's length, the tasks a `%%`
comment hides) and `source`, the size and a digest of the bytes it was parsed from. The engine
reads the text again for the few such notes a rule edits, for the diff and for `explain`
(bot/note_text.py); a file whose bytes no longer match `source` is a note changed while
vaultbot ran: not edited this run, never an edit rendered onto other bytes. Rules never read
the disk: a rule asking a note without text for its `text` or `body` gets TextDropped, a
defect to fix with a fact, not lazy I/O behind an attribute.

The facts are worked out when first asked where the text is kept, and at parse, from the body in
hand, where it is not (the summary too, so recent-context and meeting-groups never need the text;
tests/bot/test_note_facts.py holds task lines to the old body searches). Held all run long, they
are kept small (bot/note_shared.py).
"""

from __future__ import annotations

import dataclasses
import enum
import operator
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable, Collection, Mapping

import yaml
from frontmatter.default_handlers import YAMLHandler

from bot.dates import DateInfo, note_date
from bot.errors import NoteError, RunFailed
from bot.hidden import hidden_offsets
from bot.markdown import Link, Task, find_links, find_tasks, iter_frontmatter_links, link_name
from bot.note_inputs import ParseSettings as ParseSettings
from bot.note_inputs import Source as Source
from bot.note_shared import NoteLink, shared, shared_date, shared_frontmatter, shared_tuple
from bot.opt_out import opt_out_problem, skipped_rules
from bot.scan import FileStat
from bot.sections import Heading, find_headings, mask_code, may_hold_section
from bot.summary import note_summary
from bot.yaml_reader import CoreSchemaLoader
from bot.yaml_simple import simple_load

MAX_NOTE_BYTES = 8 * 1024 * 1024
MAX_FRONTMATTER_BYTES = 64 * 1024
# Enough for any real note's properties; an alias bomb expands far beyond it.
MAX_FRONTMATTER_VALUES = 10_000
BOM = "\ufeff"

_CLOSING_FENCE = re.compile(r"^---[ \t]*\r?$", re.MULTILINE)
_YAML = YAMLHandler()


class BadNote(NoteError):
    """The note cannot be handled safely; the message says why."""


class TextDropped(RunFailed):
    """A note's text was asked for where only its facts are kept (see the module's docstring): a defect."""


class _Unknown(enum.Enum):  # a fact of a note not worked out yet; an enum member pickles as itself
    FACT = 0


UNKNOWN = _Unknown.FACT


@dataclass(frozen=True, slots=True)
class Note:
    """Slots, not a `__dict__` (a tenth of a note's size): facts worked out when first asked are fields
    (`_summary` ...) holding UNKNOWN until then, so copies (`dataclasses.replace`, pickles) carry them."""

    path: str  # vault-relative, POSIX separators
    text: str | None  # decoded, without the BOM; None once the note is kept `without_text`
    bom: bool
    frontmatter: Mapping[str, Any] | None  # None: the note has no frontmatter block
    frontmatter_span: tuple[int, int] | None  # offsets of the YAML text between the `---` lines
    body_start: int
    newline: str
    links: tuple[NoteLink, ...]
    link_names: tuple[str, ...]  # every link's `link_name` once, in order: which notes it could open, found without resolving
    date: DateInfo
    stat: FileStat | None
    source: Source | None = None  # of the bytes a note kept `without_text` was parsed from
    _summary: str | None | _Unknown = field(default=UNKNOWN, compare=False, repr=False)
    _tasks: tuple[Task, ...] | _Unknown = field(default=UNKNOWN, compare=False, repr=False)
    _body_length: int | _Unknown = field(default=UNKNOWN, compare=False, repr=False)
    _commented_tasks: tuple[int, ...] | _Unknown = field(default=UNKNOWN, compare=False, repr=False)
    _headings: tuple[Heading, ...] | _Unknown = field(default=UNKNOWN, compare=False, repr=False)

    def __reduce__(self) -> tuple[type[Note], tuple[Any, ...]]:
        return Note, _FIELD_VALUES(self)  # its fields, for __init__: parse children's answers, the parse cache

    @property
    def body(self) -> str:
        return self.full_text()[self.body_start :]

    def full_text(self) -> str:
        """The text; TextDropped when the note was kept without it."""
        if self.text is None:
            raise TextDropped(f"{self.path}: the note was kept without its text; read the facts it keeps (bot/note.py)")
        return self.text

    def _fact(self, name: str, work_out: Callable[[], Any]) -> Any:
        value = getattr(self, name)
        if value is UNKNOWN:
            object.__setattr__(self, name, value := work_out())
        return value

    @property
    def summary(self) -> str | None:
        """Worked out when first asked: only the notes a Recent Context lists (and meetings compared
        with `similarity`) need one, and it costs a tenth of parsing."""
        return self._fact("_summary", lambda: note_summary(self.frontmatter, self.body))

    @property
    def tasks(self) -> tuple[Task, ...]:
        """The body's task lines (`find_tasks`), found when first asked (parsing from disk finds them with the
        links, masking code once); carried over by `parse_note` when an edit left the body alone."""
        return self._fact("_tasks", lambda: tuple(find_tasks(self.body)))

    @property
    def body_length(self) -> int:
        """The body's length with white space stripped at both ends: of two duplicates, dedupe keeps the longer."""
        return self._fact("_body_length", lambda: len(self.body.strip()))

    @property
    def commented_tasks(self) -> tuple[int, ...]:
        """The unchecked tasks (`start`) a `%%` comment hides from Obsidian; a tuple, as () is one object for all notes."""
        return self._fact("_commented_tasks", self._commented)

    def _commented(self) -> tuple[int, ...]:
        unchecked = [task for task in self.tasks if task.status == " "]
        if not unchecked or "%%" not in self.full_text():  # cheap tests first, without copying the body
            return ()
        hidden = hidden_offsets(self.body)
        return tuple(task.start for task in unchecked if hidden(task.start + task.box))

    @property
    def headings(self) -> tuple[Heading, ...]:
        """The body's headings (`find_headings`), found once: rules writing an entity's sections and the renderer look for them."""
        return self._fact("_headings", lambda: tuple(find_headings(self.body)))

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1][:-3]

    @property
    def folder(self) -> str:
        return self.path.rsplit("/", 1)[0] if "/" in self.path else ""

    def get(self, key: str, default: Any = None) -> Any:
        return self.frontmatter.get(key, default) if self.frontmatter else default

    @property
    def type(self) -> str | None:
        value = self.get("type")
        return value.strip() if isinstance(value, str) and value.strip() else None

    @property
    def title(self) -> str:
        """The `title` property, else the name, on one line: a line break written into generated
        text would start a block of its own (`title: "Bob\\n## Oops"`, a heading)."""
        value = self.get("title")
        text = " ".join(value.split()) if isinstance(value, str) else ""
        return text or " ".join(self.name.splitlines())

    def to_bytes(self) -> bytes:
        return ((BOM if self.bom else "") + self.full_text()).encode("utf-8")

    def without_text(self, source: Source) -> Note:
        """The note as kept where its text is not, what rules read of its body worked out now (not its
        headings: only notes that keep their text need them)."""
        # The summary is most often the frontmatter's `summary`, kept as one object with it (bot/note_shared.py).
        facts: list[Any] = [source, self.summary and shared(self.summary), self.tasks, self.body_length, self.commented_tasks]
        return Note(self.path, None, *_FIELD_VALUES(self)[2:11], *facts)

    def with_text(self, text: str) -> Note:
        """The note kept `without_text`, given its text back (read again from disk, `source` checked)."""
        return dataclasses.replace(self, text=text, source=None)

    def opted_out(self, rule_id: str) -> bool:
        """Whether the note's `vaultbot` setting keeps `rule_id` away (bot/opt_out.py)."""
        skip = skipped_rules(self.get("vaultbot"))
        return skip is None or rule_id in skip

    def opt_out_problem(self, rule_ids: Collection[str] = ()) -> str | None:
        """Why the note's `vaultbot` setting cannot be read, if it cannot (bot/opt_out.py)."""
        return opt_out_problem(self.get("vaultbot"), rule_ids)


_FIELD_VALUES = operator.attrgetter(*(field.name for field in dataclasses.fields(Note)))


def split_frontmatter(text: str) -> tuple[int, int, int] | None:
    """(yaml start, yaml end, body start) when line 1 is exactly `---`, else None."""
    if text.startswith("---\n"):
        start = 4
    elif text.startswith("---\r\n"):
        start = 5
    else:
        return None
    closing = _CLOSING_FENCE.search(text, start)
    if closing is None:
        raise BadNote("frontmatter opened with '---' on line 1 is never closed")
    # In MULTILINE mode `$` stops right before a "\n" or at the end of the text.
    return start, closing.start(), min(closing.end() + 1, len(text))


def _count_values(value: object, budget: list[int]) -> None:
    budget[0] -= 1
    if budget[0] < 0:
        raise BadNote(f"frontmatter expands to more than {MAX_FRONTMATTER_VALUES:,} values (a YAML alias bomb?)")
    if isinstance(value, dict):
        for key, item in value.items():
            _count_values(key, budget)
            _count_values(item, budget)
    elif isinstance(value, list):
        for item in value:
            _count_values(item, budget)


def load_frontmatter(yaml_text: str) -> dict[str, Any]:
    """The frontmatter mapping, loaded safely; BadNote when it is not a usable mapping."""
    if len(yaml_text.encode("utf-8")) > MAX_FRONTMATTER_BYTES:
        raise BadNote(f"frontmatter is larger than {MAX_FRONTMATTER_BYTES // 1024} KiB")
    # Most frontmatter has a simple shape that reads the same without libyaml, several times faster.
    data = simple_load(yaml_text)
    try:
        if data is None:
            data = _YAML.load(yaml_text, Loader=CoreSchemaLoader)
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None)  # a MarkedYAMLError's; a plain YAMLError has none
        if "constructor for the tag" in str(problem or ""):  # !!python/object and friends
            raise BadNote(f"frontmatter uses a YAML tag that is not allowed: {problem}") from None
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        reason = problem or str(error).splitlines()[0]
        raise BadNote(f"invalid YAML in frontmatter: {reason}{where}") from None
    except RecursionError:
        raise BadNote("frontmatter is nested too deeply") from None
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as error:
        # PyYAML's constructors raise these for an explicitly tagged value that is
        # not of its tag (`!!int x`, `!!bool maybe`): bad input, not a crash.
        raise BadNote(f"invalid YAML in frontmatter: a value cannot be read as its type ({error})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise BadNote(f"frontmatter is a {type(data).__name__}, not a mapping of properties")
    if "*" in yaml_text:  # only aliases can make a small text expand
        _count_values(data, [MAX_FRONTMATTER_VALUES])
    return data


def decode(path: str, data: bytes) -> tuple[str, bool]:
    if len(data) > MAX_NOTE_BYTES:
        raise BadNote(f"file is larger than {MAX_NOTE_BYTES // (1024 * 1024)} MiB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadNote(f"not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})") from None
    if text.startswith(BOM):
        return text[1:], True
    return text, False


def parse_note(path: str, text: str, bom: bool, stat: FileStat | None, settings: ParseSettings, previous: Note | None = None) -> Note:
    """Parse a note's text. `previous`: the same note before an edit, parsed with the same settings;
    what the edit left alone is reused: the body's links, tasks and summary when the body is the same,
    the frontmatter, its links and the date when the YAML text is (rules mostly either set a
    property or rewrite a section, and loading YAML is most of parsing)."""
    span = split_frontmatter(text)
    yaml_text = text[span[0] : span[1]] if span is not None else None
    same_yaml = previous is not None and previous.path == path and _yaml_text(previous) == yaml_text
    frontmatter = previous.frontmatter if same_yaml and previous is not None else None
    if yaml_text is not None and not same_yaml:
        frontmatter = shared_frontmatter(load_frontmatter(yaml_text))
    body_start = span[2] if span is not None else 0
    body = text[body_start:]
    newline_at = text.find("\n")
    newline = "\r\n" if newline_at > 0 and text[newline_at - 1] == "\r" else "\n"

    written = _may_be_written(frontmatter, settings)
    same_body = previous is not None and previous.body == body
    # Read from disk (no `previous`): the tasks are found now, with the links, masking code once for
    # both, and in the parse children when there are many notes. After an edit they are carried
    # over, or found when first asked.
    masked = mask_code(body) if previous is None and "[" in body else None
    if same_body and previous is not None and _may_be_written(previous.frontmatter, settings) == written:
        links = [link for link in previous.links if link.key is None]
        headings = None if previous._headings is UNKNOWN else previous._headings
    else:
        body_links, headings = _body_links(body, settings, written, masked)
        links = [NoteLink.of(link, None) for link in body_links]
    # Walking every value is most of parsing's cost for link-free properties; a link in a
    # value needs "[[" in the YAML text (only a pathological escape like "\x5b\x5b" could hide one).
    if same_yaml and previous is not None:
        links.extend(link for link in previous.links if link.key is not None)
    elif frontmatter and yaml_text is not None and "[[" in yaml_text:
        links.extend(NoteLink.of(link, key) for key, link in iter_frontmatter_links(frontmatter))

    if same_yaml and previous is not None:
        date = previous.date
    else:
        basename = unicodedata.normalize("NFC", path.rsplit("/", 1)[-1][:-3])
        date = shared_date(note_date(frontmatter, basename, settings.date_keys, settings.daily_format, path=path[:-3]))
    tasks: tuple[Task, ...] | _Unknown = UNKNOWN
    summary: str | None | _Unknown = UNKNOWN
    body_length: int | _Unknown = UNKNOWN
    commented: tuple[int, ...] | _Unknown = UNKNOWN
    if previous is None:
        tasks = tuple(find_tasks(body, masked))
        if not written:  # kept without its text (bot/reading.py): `without_text`'s facts now, from the body in hand
            summary, body_length = note_summary(frontmatter, body), len(body.strip())
            if "%" not in text or "%%" not in text or all(task.status != " " for task in tasks):  # no comment, no task to hide
                commented = ()
    elif same_body:
        tasks = previous._tasks
        fields = ("summary", "description")  # what a summary is read from before the body
        if [previous.get(key) for key in fields] == [frontmatter.get(key) if frontmatter else None for key in fields]:
            summary = previous._summary
    return Note(
        path=path,
        text=text,
        bom=bom,
        frontmatter=frontmatter,
        frontmatter_span=shared_tuple((span[0], span[1])) if span else None,
        body_start=body_start,
        newline=newline,
        links=tuple(links),
        link_names=tuple(dict.fromkeys(shared(link_name(nl.target)) for nl in links)),
        date=date,
        stat=stat,
        _summary=summary,
        _tasks=tasks,
        _body_length=body_length,
        _commented_tasks=commented,
        _headings=UNKNOWN if headings is None else headings,
    )


def _yaml_text(note: Note) -> str | None:
    return note.full_text()[note.frontmatter_span[0] : note.frontmatter_span[1]] if note.frontmatter_span is not None else None


def keeps_text(note: Note, settings: ParseSettings) -> bool:
    """Whether the note is kept with its text: rules write generated sections only in such notes,
    and read the bodies of those (the module's docstring)."""
    return _may_be_written(note.frontmatter, settings)


def _may_be_written(frontmatter: Any, settings: ParseSettings) -> bool:
    """Whether rules may write generated sections in a note with this frontmatter."""
    if settings.entity_types is None:
        return True
    kind = frontmatter.get("type") if isinstance(frontmatter, (dict, Mapping)) else None  # dict first: an ABC test is slow
    return isinstance(kind, str) and kind.strip().lower() in settings.entity_types


def _body_links(
    body: str, settings: ParseSettings, written: bool, masked: str | None = None
) -> tuple[list[Link], tuple[Heading, ...] | None]:
    """The body's links outside generated sections, and its headings when they had to be found;
    BadNote when a generated section's heading is repeated in a note rules `written` sections in.
    `masked`: `mask_code(body)`, when known."""
    # Cheap tests first (most notes have none of the headings), then one pass over the headings.
    lowered = body.lower() if may_hold_section(body, settings.generated_headings) else ""
    wanted = {heading.strip().casefold(): heading for heading in settings.generated_headings if heading.lower() in lowered}
    headings = None
    generated: list[tuple[int, int]] = []
    if wanted:
        headings = tuple(find_headings(body))
        spans: dict[str, list[tuple[int, int]]] = {}
        for index, heading in enumerate(headings):
            if heading.level == 2 and heading.title.casefold() in wanted:
                end = headings[index + 1].start if index + 1 < len(headings) else len(body)
                spans.setdefault(heading.title.casefold(), []).append((heading.start, end))
        for title, found in spans.items():
            if len(found) > 1 and written:
                raise BadNote(f"the heading '## {wanted[title]}' appears {len(found)} times; keep one")
            generated.extend(found)
    # A section runs from its heading's line to the next heading's: the links in generated ones are
    # never looked for (an entity's sections hold most of its links).
    links = find_links(body, masked, sorted(generated)) if "[" in body else []
    return links, headings
