"""Parsing one note: frontmatter boundaries, encodings, what is refused and why ."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.note import BadNote, Note, ParseSettings, decode, parse_note
from rules import default_generated_headings
from tests.vaults import PARSE_DEFAULTS


def parse(data: bytes, path: str = "Folder/My Note.md") -> Note:
    text, bom = decode(path, data)
    return parse_note(path, text, bom, None, PARSE_DEFAULTS)


def alias_bomb(levels: int = 9, width: int = 9) -> bytes:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    return ("---\n" + "\n".join(lines) + "\n---\nbody\n").encode()


FRONTMATTER = (
    pytest.param(b"---\ntitle: A\n---\nbody\n", {"title": "A"}, "body\n", "\n", False, id="plain"),
    pytest.param(b"\n---\ntitle: A\n---\nbody\n", None, "\n---\ntitle: A\n---\nbody\n", "\n", False, id="blank-line-first-means-none"),
    pytest.param(b" ---\ntitle: A\n---\n", None, " ---\ntitle: A\n---\n", "\n", False, id="indented-fence-means-none"),
    pytest.param(b"# Heading\n---\ntitle: A\n---\n", None, "# Heading\n---\ntitle: A\n---\n", "\n", False, id="fence-later-means-none"),
    pytest.param(b"---\r\ntitle: A\r\nn: 2\r\n---\r\nbody\r\n", {"title": "A", "n": 2}, "body\r\n", "\r\n", False, id="crlf"),
    pytest.param(b"\xef\xbb\xbf---\ntitle: A\n---\nbody", {"title": "A"}, "body", "\n", True, id="bom"),
    pytest.param(b"\xef\xbb\xbf---\r\ntitle: A\r\n---\r\n", {"title": "A"}, "", "\r\n", True, id="bom-and-crlf"),
    pytest.param(b"---\n---\nbody\n", {}, "body\n", "\n", False, id="empty"),
    pytest.param(b"---\n---", {}, "", "\n", False, id="empty-no-final-newline"),
    pytest.param(b"---\ntitle: A\n---", {"title": "A"}, "", "\n", False, id="closing-fence-last-line"),
    pytest.param(b"---\ntitle: A\n---  \nbody", {"title": "A"}, "body", "\n", False, id="closing-fence-trailing-spaces"),
    pytest.param(b"---\ntext: |\n  ---\n---\nbody", {"text": "---\n"}, "body", "\n", False, id="indented-dashes-not-a-fence"),
    pytest.param(b"---\n# only a comment\n---\nbody", {}, "body", "\n", False, id="comment-only"),
    pytest.param(b"just text, no frontmatter", None, "just text, no frontmatter", "\n", False, id="no-frontmatter"),
    pytest.param(b"", None, "", "\n", False, id="empty-file"),
)


@pytest.mark.parametrize(("data", "frontmatter", "body", "newline", "bom"), FRONTMATTER)
def test_frontmatter(data: bytes, frontmatter: dict | None, body: str, newline: str, bom: bool) -> None:
    note = parse(data)
    assert note.frontmatter == frontmatter
    assert note.body == body
    assert note.newline == newline
    assert note.bom is bom
    assert note.to_bytes() == data


BAD_NOTES = (
    pytest.param(b"---\ntitle: A\nbody without a closing fence\n", ["never closed"], id="unclosed"),
    pytest.param(b"---\r\ntitle: A\r\n", ["never closed"], id="unclosed-crlf"),
    pytest.param(
        b"---\ntitle: ok\n  nested: wrong\n---\n",
        ["invalid YAML", "mapping values are not allowed", "(line 3)"],
        id="invalid-yaml-line-number",
    ),
    pytest.param(b"---\n\ttitle: tab\n---\n", ["invalid YAML", "(line 2)"], id="tab-indent"),
    pytest.param(b"---\n- a\n- b\n---\n", ["is a list", "not a mapping"], id="list"),
    pytest.param(b"---\njust words\n---\n", ["is a str", "not a mapping"], id="scalar"),
    pytest.param(b"---\ndate: {{date}}\n---\n", ["invalid YAML", "(line 2)"], id="unquoted-template-placeholder"),
    pytest.param(b'---\ntitle: "{{title}}"\ndate: {{date}}\n---\n', ["invalid YAML", "(line 3)"], id="placeholder-after-quoted-one"),
    pytest.param(b"---\ncity: M\xfcnchen\n---\n", ["not UTF-8", "0xfc"], id="latin-1-byte"),
    pytest.param(b"body\n\xff\n", ["not UTF-8", "0xff", "offset 5"], id="invalid-byte-in-body"),
    pytest.param(b"---\nnotes: " + b"x" * (64 * 1024) + b"\n---\n", ["larger than 64 KiB"], id="oversized-frontmatter"),
    pytest.param(alias_bomb(), ["alias bomb"], id="alias-bomb"),
)


@pytest.mark.parametrize(("data", "fragments"), BAD_NOTES)
def test_bad_notes_are_refused_with_a_reason(data: bytes, fragments: list[str]) -> None:
    with pytest.raises(BadNote) as raised:
        parse(data)
    for fragment in fragments:
        assert fragment in str(raised.value)


def test_python_tags_are_refused_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    data = f"---\nx: !!python/object/apply:os.system ['touch {marker}']\n---\n".encode()
    with pytest.raises(BadNote) as raised:
        parse(data)
    assert "python/object/apply:os.system" in str(raised.value)
    assert not marker.exists()


def test_large_body_with_small_frontmatter_is_fine() -> None:
    note = parse(b"---\ntitle: A\n---\n" + b"word " * 20_000)
    assert note.frontmatter == {"title": "A"}


OPT_OUT = (
    pytest.param(b"---\nvaultbot: false\n---\n", {"tags": True, "last-contact": True}, id="false-opts-out-of-all"),
    pytest.param(b"---\nvaultbot: true\n---\n", {"tags": False}, id="true-keeps-all"),
    pytest.param(b"---\nvaultbot:\n  skip: [tags]\n---\n", {"tags": True, "last-contact": False}, id="skip-list"),
    pytest.param(
        b"---\nvaultbot: {skip: [tags, recent-context]}\n---\n",
        {"tags": True, "recent-context": True, "dedupe-meetings": False},
        id="skip-flow",
    ),
    pytest.param(b"---\nvaultbot:\n  skip: tags\n---\n", {"tags": True, "last-contact": False}, id="skip-string"),
    pytest.param(b"---\nvaultbot: {}\n---\n", {"tags": False}, id="empty-mapping"),
    pytest.param(b"---\ntitle: A\n---\n", {"tags": False}, id="no-setting"),
    pytest.param(b"no frontmatter", {"tags": False}, id="no-frontmatter"),
    # A setting vaultbot cannot read means the note is left alone by every rule, not a crash.
    pytest.param(b"---\nvaultbot: 'false'\n---\n", {"tags": True}, id="quoted-false-opts-out-of-all"),
    pytest.param(b"---\nvaultbot:\n  skip: 5\n---\n", {"tags": True, "last-contact": True}, id="skip-number"),
    pytest.param(b"---\nvaultbot:\n  skip: [tags, {a: 1}]\n---\n", {"tags": True, "last-contact": True}, id="skip-list-with-mapping"),
    pytest.param(b"---\nvaultbot: 3\n---\n", {"tags": True}, id="number"),
    pytest.param(b"---\nvaultbot: no\n---\n", {"tags": True}, id="no-is-text-in-yaml-1.2-and-means-false"),
    pytest.param(b"---\nvaultbot: Off\n---\n", {"tags": True}, id="off"),
    pytest.param(b"---\nvaultbot: yes\n---\n", {"tags": False}, id="yes-keeps-all"),
    pytest.param(b"---\nvaultbot: 'true'\n---\n", {"tags": False}, id="quoted-true-keeps-all"),
    pytest.param(b"---\nvaultbot: {skp: [tags]}\n---\n", {"tags": True, "related": True}, id="misspelt-skip"),
)


@pytest.mark.parametrize(("data", "expected"), OPT_OUT)
def test_opted_out(data: bytes, expected: dict[str, bool]) -> None:
    note = parse(data)
    assert {rule_id: note.opted_out(rule_id) for rule_id in expected} == expected


@pytest.mark.parametrize(
    ("data", "message"),
    (
        (b"---\nvaultbot: false\n---\n", None),
        (b"---\nvaultbot: no\n---\n", None),
        (b"---\nvaultbot: on\n---\n", None),
        (b"---\nvaultbot: {skip: [tags]}\n---\n", None),
        (
            b"---\nvaultbot: {skip: 5}\n---\n",
            "'vaultbot: {skip: ...}' is not a rule id or a list of them; every rule leaves the note alone",
        ),
        (
            b"---\nvaultbot: {skp: [tags], skip: [related]}\n---\n",
            "'vaultbot' knows only 'skip', not skp; every rule leaves the note alone",
        ),
        (b"---\nvaultbot: maybe\n---\n", "'vaultbot' is neither false nor {skip: [rule ids]}; every rule leaves the note alone"),
    ),
)
def test_an_unreadable_opt_out_is_told(data: bytes, message: str | None) -> None:
    assert parse(data).opt_out_problem() == message


def test_a_skip_of_no_known_rule_is_told() -> None:
    note = parse(b"---\nvaultbot: {skip: [tag, related, Tags]}\n---\n")
    assert note.opt_out_problem(("tags", "related")) == (
        "'vaultbot: {skip: ...}' names no rule called tag, Tags (known: tags, related); the other rules change the note as usual"
    )
    assert note.opt_out_problem() is None  # no rule ids given: nothing to check them against
    assert parse(b"---\nvaultbot: {skip: tags}\n---\n").opt_out_problem(("tags",)) is None


TITLES = (
    pytest.param(b"---\ntitle: Kickoff with Acme\n---\n", "Folder/My Note.md", "Kickoff with Acme", id="frontmatter-title"),
    pytest.param(b"---\ntitle: '  Padded  '\n---\n", "Folder/My Note.md", "Padded", id="title-trimmed"),
    pytest.param(b"---\ntitle: ''\n---\n", "Folder/My Note.md", "My Note", id="empty-title"),
    pytest.param(b"---\ntitle: 42\n---\n", "Folder/My Note.md", "My Note", id="non-string-title"),
    pytest.param(b"no frontmatter", "Folder/My Note.md", "My Note", id="basename"),
    pytest.param(b"", "Root.md", "Root", id="root-basename"),
    pytest.param(b"", "Folder/v1.2 notes.md", "v1.2 notes", id="dots-in-basename"),
)


@pytest.mark.parametrize(("data", "path", "expected"), TITLES)
def test_title(data: bytes, path: str, expected: str) -> None:
    assert parse(data, path).title == expected


_BEFORE = "---\ntype: meeting\nsummary: Old summary\nrelated: '[[Acme]]'\n---\nFirst [[Globex]] paragraph.\n\n## Recent Context\n\n- [[Skipped]]\n"


@pytest.mark.parametrize(
    "after",
    [
        _BEFORE.replace("type: meeting", "type: meeting\ntags: [a]"),  # a property set: the body is reused
        _BEFORE.replace("summary: Old summary", "summary: New summary"),  # the summary comes from frontmatter
        _BEFORE.replace("summary: Old summary\n", ""),  # ... and now from the body
        _BEFORE.replace("related: '[[Acme]]'", "related: '[[Initech]]'"),  # frontmatter links are read again
        _BEFORE.replace("First [[Globex]]", "First [[Hooli]]"),  # a body edit: read again
        _BEFORE.replace("---\ntype", "---\r\ntype"),
    ],
    ids=["property-set", "summary-changed", "summary-removed", "frontmatter-link", "body-edited", "newline"],
)
def test_parse_after_an_edit_equals_a_fresh_parse(after: str) -> None:
    settings = PARSE_DEFAULTS
    before = parse_note("Meetings/2026-11-02 - Sync.md", _BEFORE, False, None, settings)
    assert before.summary == "Old summary"  # worked out, so an edit may carry it over
    edited = parse_note(before.path, after, False, None, settings, previous=before)
    fresh = parse_note(before.path, after, False, None, settings)
    assert edited == fresh
    assert edited.summary == fresh.summary


def test_parse_after_an_edit_still_refuses_a_repeated_heading() -> None:
    settings = PARSE_DEFAULTS
    before = parse_note("a.md", _BEFORE, False, None, settings)
    with pytest.raises(BadNote, match="appears 2 times"):
        parse_note("a.md", _BEFORE + "\n## Recent Context\n", False, None, settings, previous=before)


def test_the_parser_has_no_generated_heading_of_its_own() -> None:
    """The headings of generated sections are the rules' (as configured), handed to the parser; it names none."""
    with pytest.raises(TypeError, match="generated_headings"):
        ParseSettings()  # no default
    source = (Path(__file__).resolve().parents[2] / "bot" / "note.py").read_text(encoding="utf-8")
    strings = {node.value for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    assert not strings & set(default_generated_headings())
    renamed = ParseSettings(generated_headings=("See also",))
    note = parse_note("Acme.md", "## See also\n\n[[Globex]]\n\n## Notes\n\n[[Initech]]\n", False, None, renamed)
    assert [note_link.link.target for note_link in note.links] == ["Initech"], "links in a generated section never count"
