"""Property tests over generated notes: the parser, the link resolver, and locality and idempotence of a run.

Notes are built from hostile pieces: random YAML scalars, lists and nested
maps, comments, odd quoting, tags that construct objects, aliases, unicode
(RTL, emoji, combining marks), CRLF and lone CR mixed into one note, and links
of every form both in prose and inside code. Three properties:

- the parser raises nothing but BadNote;
- the link resolver never raises and never answers a path outside the vault's notes;
- a run changes only the keys and section the rules own (tests/locality.py), and
  a second run changes nothing.

Every example run is counted; the totals are printed after the module.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import Config
from bot.note import BadNote, decode, parse_note
from bot.obsidian import ObsidianSettings
from bot.vault import VaultIndex
from rules import owned_keys
from tests.locality import locality_violations
from tests.vaults import PARSE_DEFAULTS, plan, write_vault

EXAMPLES = Counter()


def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module", autouse=True)
def report_counts(request: pytest.FixtureRequest):
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter and capture and EXAMPLES:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            total = sum(count for name, count in EXAMPLES.items() if "(" not in name or "raw bytes" in name)
            reporter.write_line(f"fuzz examples run: {total:,} ({', '.join(f'{k} {v:,}' for k, v in EXAMPLES.items())})")


# -- pieces ------------------------------------------------------------------------------

WORDS = [
    "alpha",
    "Beta Co",
    "ünïcode",
    "שלום עולם",
    "مرحبا",
    "🚀",
    "👩‍💻 dev",
    "e\u0301",
    "x: y",
    "a # b",
    "O'Brien",
    'say "hi"',
    "tab\there",
    "{{date}}",
    "[[Acme]]",
    "[[Acme|shown]]",
    "null",
    "yes",
    "2026-11-02",
    "0o17",
    "1e3",
    "-",
    "?",
    "\\",
]
TARGETS = [
    "Acme",
    "acme",
    "Acme.md",
    "People/Ann",
    "./Acme",
    "../Acme",
    "../../etc/passwd",
    "/etc/passwd",
    "../../../etc/passwd.md",
    "Acme#Heading",
    "Acme#^block",
    "#Heading",
    "Ünï",
    "Ünï".lower(),
    "e\u0301",
    "\u00e9",
    "Spaced Name",
    "Spaced%20Name",
    "..",
    ".",
    "",
    " ",
    "C:\\Windows\\x",
    "a/../../b",
    "Customers/../../../x",
    "🚀",
    "./Acme/.",
    "../People/./Ann",
]
NEWLINES = st.sampled_from(["\n", "\n", "\n", "\r\n", "\r\n", "\r"])


@st.composite
def scalars(draw: st.DrawFn) -> str:
    word = draw(st.sampled_from(WORDS) | st.text(max_size=12))
    style = draw(
        st.sampled_from(
            [
                "plain",
                "single",
                "double",
                "number",
                "date",
                "bool",
                "null",
                "empty",
                "anchor",
                "alias",
                "tag",
                "evil",
                "block",
                "template",
                "link",
            ]
        )
    )
    if style == "plain":
        return word.replace("\n", " ")
    if style == "single":
        return "'" + word.replace("'", "''") + "'"
    if style == "double":
        return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if style == "number":
        return str(draw(st.integers(-(10**6), 10**6) | st.floats(allow_nan=True, allow_infinity=True)))
    if style == "date":
        return draw(st.sampled_from(["2026-11-02", "2026-11-02T10:30:00", "2026-13-45", "Nov 2, 2026"]))
    if style == "bool":
        return draw(st.sampled_from(["true", "False", "yes", "off", "~"]))
    if style in ("null", "empty"):
        return "" if style == "empty" else "null"
    if style == "anchor":
        return "&a " + (word.replace("\n", " ") or "x")
    if style == "alias":
        return "*a"
    if style == "tag":
        return draw(st.sampled_from(["!!str 5", "!!int '7'", "!!binary aGk=", "!!set {a, b}", "!custom x"]))
    if style == "evil":
        return draw(
            st.sampled_from(
                ["!!python/object/apply:os.system ['touch pwned']", "!!python/name:os.system", "!!python/object:builtins.dict {}"]
            )
        )
    if style == "block":
        return draw(st.sampled_from(["|", ">-", "|+"])) + "\n  " + word.replace("\n", " ") + "\n  second line"
    if style == "template":
        return "{{date:YYYY-MM-DD}}"
    return '"[[' + draw(st.sampled_from(TARGETS)) + ']]"'


@st.composite
def values(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.sampled_from(["scalar", "scalar", "flow", "block"] + (["map"] if depth < 2 else [])))
    if kind == "scalar":
        return " " + draw(scalars())
    items = draw(st.lists(scalars(), max_size=4))
    if kind == "flow":
        return " [" + ", ".join(items) + "]"
    indent = "  " * (depth + 1)
    if kind == "block":
        return "".join(f"\n{draw(st.sampled_from([indent, '']))}- {item}" for item in items) or " []"
    keys = draw(st.lists(st.sampled_from(["inner", "k", "ключ", "skip", "🚀"]), max_size=3, unique=True))
    return "".join(f"\n{indent}{key}:{draw(values(depth + 1))}" for key in keys) or " {}"


KEYS = [
    "type",
    "tags",
    "last_contact",
    "aliases",
    "date",
    "summary",
    "title",
    "vaultbot",
    "duplicate_of",
    "participants",
    "status",
    "ключ",
    '"quoted key"',
    "'single'",
    "? complex",
    "<<",
    "k",
    "x y",
]
KEYS += sorted(owned_keys() - set(KEYS))  # every key a registered rule owns, a rule added later's too


@st.composite
def frontmatters(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 7))):
        kind = draw(st.sampled_from(["key", "key", "key", "comment", "blank", "junk"]))
        if kind == "key":
            lines.append(draw(st.sampled_from(KEYS)) + ":" + draw(values()) + draw(st.sampled_from(["", "", "  # note", " "])))
        elif kind == "comment":
            lines.append("# " + draw(st.sampled_from(WORDS)))
        elif kind == "blank":
            lines.append(draw(st.sampled_from(["", "  ", "\t"])))
        else:
            lines.append(draw(st.text(max_size=15)))
    return "\n".join(lines)


@st.composite
def frontmatter_entries(draw: st.DrawFn) -> list[str]:
    """Frontmatter as separate entries (a key with its value lines, a comment, a blank line)."""
    entries = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["key", "key", "key", "comment", "blank"]))
        if kind == "key":
            key = draw(st.sampled_from([k for k in KEYS if k not in MANAGED]))
            entries.append(key + ":" + draw(values()) + draw(st.sampled_from(["", "", "  # note", " "])))
        else:
            entries.append("# " + draw(st.sampled_from(WORDS)) if kind == "comment" else "")
    return entries


# Keys the generator leaves to the cases that set them on purpose: what rules read to pick notes, and what they own.
MANAGED = {"type", "vaultbot", "<<", *owned_keys()}


def _loads_alone(entry: str) -> bool:
    """Keep the entries that are valid YAML on their own, so most generated notes can be changed."""
    try:
        loaded = yaml.safe_load(entry)
    except Exception:  # noqa: BLE001 - YAMLError, or ValueError for `2026-13-45` and the like
        return False
    return loaded is None or isinstance(loaded, dict)


@st.composite
def body_lines(draw: st.DrawFn) -> list[str]:
    target = draw(st.sampled_from(TARGETS))
    forms = [
        f"[[{target}]]",
        f"[[{target}|shown]]",
        f"![[{target}]]",
        f"[x]({target.replace(' ', '%20')})",
        f"![img]({target})",
        f"| a | [[{target}\\|cell]] |",
        f"%%[[{target}]]%%",
        f"`[[{target}]]`",
        f"<!-- [[{target}]] -->",
        f"    [[{target}]] indented",
        "```",
        "~~~",
        f"> [!note] [[{target}]]",
        "## Recent Context",
        "## Notes",
        "# Title",
        "- [ ] task [[Acme]]",
        draw(st.sampled_from(WORDS)),
        draw(st.text(max_size=20)),
        "",
        "---",
    ]
    return draw(st.lists(st.sampled_from(forms), max_size=10))


def _join(lines: list[str], draw: st.DrawFn) -> str:
    return "".join(line + draw(NEWLINES) for line in lines)


@st.composite
def note_texts(draw: st.DrawFn) -> str:
    text = ""
    if draw(st.booleans()):
        fence = draw(st.sampled_from(["---\n", "---\r\n", "--- \n", "---"]))
        text += fence + _join(draw(frontmatters()).split("\n"), draw) + draw(st.sampled_from(["---\n", "---\r\n", "--- \n", "", "...\n"]))
    text += _join(draw(body_lines()), draw)
    if draw(st.booleans()):
        text = text.rstrip("\r\n")
    return text


# -- the parser raises nothing but BadNote ---------------------------------------------------


@fuzz(600)
@given(note_texts(), st.booleans())
def test_parse_note_raises_nothing_but_bad_note(text: str, bom: bool) -> None:
    EXAMPLES["parser"] += 1
    data = (("\ufeff" if bom else "") + text).encode("utf-8", "surrogatepass")
    try:
        decoded, has_bom = decode("N.md", data)
        note = parse_note("N.md", decoded, has_bom, None, PARSE_DEFAULTS)
    except BadNote as error:
        assert str(error)
        EXAMPLES["parser (reported as bad)"] += 1
        return
    assert note.to_bytes() == data, "parsing never changes the text"


@fuzz(300)
@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_arbitrary_bytes_raise_nothing_but_bad_note(data: bytes) -> None:
    EXAMPLES["parser (raw bytes)"] += 1
    try:
        text, bom = decode("N.md", data)
        parse_note("N.md", text, bom, None, PARSE_DEFAULTS)
    except BadNote:
        pass


# -- the resolver never raises, never leaves the vault --------------------------------------

PATHS = [
    "Acme.md",
    "acme.md",
    "People/Ann.md",
    "People/Acme.md",
    "Customers/Acme/Acme.md",
    "Ünï.md",
    "e\u0301.md",
    "\u00e9.md",
    "Spaced Name.md",
    "🚀.md",
    "etc/passwd.md",
    "a/b/c/Deep.md",
    "Acme.MD.md",
]


@fuzz(300)
@given(
    st.lists(st.tuples(st.sampled_from(PATHS), note_texts()), min_size=1, max_size=6, unique_by=lambda pair: pair[0].lower()),
    st.lists(st.tuples(st.sampled_from(TARGETS) | st.text(max_size=15), st.sampled_from(PATHS + ["x.md"])), max_size=10),
)
def test_the_resolver_never_raises_and_never_leaves_the_vault(files: list[tuple[str, str]], extra: list[tuple[str, str]]) -> None:
    EXAMPLES["resolver"] += 1
    notes, unparsed = {}, set()
    for path, text in files:
        try:
            notes[path] = parse_note(path, text, False, None, PARSE_DEFAULTS)
        except BadNote:
            unparsed.add(path)
    folders = {path.rsplit("/", 1)[0] for path in PATHS if "/" in path}
    vault = VaultIndex(notes, folders, ObsidianSettings(), Config().index, unparsed)
    known = set(notes) | unparsed
    asked = [(link.link.target, source) for source, note in notes.items() for link in note.links] + extra
    for target, source in asked:
        resolved = vault.resolve(target, source)
        assert resolved is None or resolved in known, (target, source, resolved)
    for links in vault.outgoing.values():
        assert all(target is None or target in known for _, target in links)
    # Backlinks looked up one note at a time (by link name, bot/vault.py) equal the full map's.
    looked_up = VaultIndex(notes, folders, ObsidianSettings(), Config().index, unparsed)
    for path in known:
        assert looked_up.backlinks(path) == vault._backlinks.get(path, ()), path
    vault.problems()


# -- a run changes only what the rules own, and only once ------------------------------------


@st.composite
def entity_notes(draw: st.DrawFn) -> str:
    """An entity note the rules will change, inside hostile surroundings."""
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    others = [entry for entry in draw(frontmatter_entries()) if _loads_alone(entry)]
    managed = [
        "type: customer",
        "last_contact: unknown",
        draw(st.sampled_from(["tags: 'b, a, #a'", "tags: [x, x]", "tags:\n  - one\n  - One", "tags:"])),
    ]
    lines = draw(st.permutations(others + managed))
    body = draw(body_lines())
    body = [line for line in body if line not in ("## Recent Context", "---")]
    cut = draw(st.integers(0, len(body)))
    text = "---" + newline + "".join(line.replace("\n", newline) + newline for line in lines) + "---" + newline
    text += "".join(line + newline for line in body[:cut]) + "## Recent Context" + newline + newline + "- stale" + newline
    # An unclosed fence after the heading would make every later heading code, so the
    # section (rightly, as Obsidian renders it) runs to the end; keep fences before it.
    text += "".join(line + draw(NEWLINES) for line in body[cut:] if line not in ("```", "~~~"))
    return ("\ufeff" if draw(st.booleans()) else "") + (text.rstrip("\r\n") if draw(st.booleans()) else text)


MEETING = "---\ntype: meeting\ndate: 2026-11-02\nsummary: Kickoff with [[Acme]].\n---\n\nNotes.\n"


@fuzz(250)
@given(entity_notes())
def test_a_run_changes_only_owned_parts_and_a_second_run_nothing(text: str) -> None:
    EXAMPLES["round trip"] += 1
    with tempfile.TemporaryDirectory() as folder:
        root = write_vault(Path(folder), {"Acme.md": text.encode("utf-8", "surrogatepass"), "Meeting.md": MEETING})
        first = plan(root)
        for change in first.changes:
            assert locality_violations(change.before, change.after) == [], change.path
            (root / change.path).write_bytes(change.after)
        if any(change.path == "Acme.md" for change in first.changes):
            EXAMPLES["round trip (note changed)"] += 1
        assert plan(root).changes == [], "a second run changes nothing"
