"""Safety: locality, idempotence, bad input, atomic writes, YAML safety."""

from __future__ import annotations

import os
import stat
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import load_config
from bot.runner import plan_run
from bot.write_back import write_changes
from bot.writer import WriteConflict, write_note
from tests.vaults import TODAY, plan, run_cli, tree_state, write_vault

MEETING = "---\ntype: meeting\ndate: 2026-11-02\nsummary: Kickoff with [[Acme]].\n---\n\nNotes.\n"

# -- locality: everything outside the managed keys and section survives byte for byte ---------

_words = st.sampled_from(["alpha", "Beta Co", "ünïcode", "שלום", "emoji 🚀", "x: y", "#hash", "O'Brien", 'a "q"'])
_key_names = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda k: k not in {"type", "tags", "last_contact", "duplicate_of", "vaultbot", "summary", "title", "aliases", "date"}
)


def _plain(word: str) -> str:
    return word if word.replace(" ", "").isalnum() and word not in ("y", "yes", "no", "on", "off", "null", "true") else ""


@st.composite
def _scalar(draw: st.DrawFn) -> str:
    word = draw(_words)
    style = draw(st.sampled_from(["plain", "single", "double", "int", "date", "flow", "empty"]))
    if style == "plain" and _plain(word):
        return word
    if style == "single":
        return "'" + word.replace("'", "''") + "'"
    if style == "int":
        return str(draw(st.integers(-999, 99999)))
    if style == "date":
        return "2024-02-29"
    if style == "flow":
        return "[" + ", ".join('"' + w.replace('"', '\\"') + '"' for w in draw(st.lists(_words, max_size=3))) + "]"
    if style == "empty":
        return ""
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


@st.composite
def _other_lines(draw: st.DrawFn, used: set[str]) -> list[str]:
    lines = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["key", "key", "comment", "blank", "block_list", "nested"]))
        if kind == "comment":
            lines.append("# " + draw(_words) + draw(st.sampled_from(["", "  "])))
            continue
        if kind == "blank":
            lines.append("")
            continue
        key = draw(_key_names)
        if key in used:
            continue
        used.add(key)
        if kind == "key":
            comment = draw(st.sampled_from(["", "  # why", " #keep"]))
            value = draw(_scalar())
            lines.append(f"{key}: {value}{comment if value else ''}".rstrip(" ") if not comment else f"{key}: {value or 'v'}{comment}")
        elif kind == "block_list":
            indent = draw(st.sampled_from(["", "  "]))
            lines.append(f"{key}:")
            lines.extend(f"{indent}- {draw(_scalar()) or 'x'}" for _ in range(draw(st.integers(1, 3))))
        else:
            lines.append(f"{key}:")
            lines.append(f"  inner: {draw(_scalar()) or 'v'}")
    return lines


@st.composite
def entity_notes(draw: st.DrawFn) -> dict:
    used: set[str] = set()
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    block_a = draw(_other_lines(used))
    block_b = draw(_other_lines(used))
    block_c = draw(_other_lines(used))
    body_lines = draw(
        st.lists(
            st.sampled_from(["Some text.", "", "- item [[Acme]]", "`code [[x]]`", "%% note %%", "RTL: مرحبا", "🚀 launch"]), max_size=4
        )
    )
    after_lines = draw(st.lists(st.sampled_from(["", "Fact one.", "- [ ] task", "### Sub", "text  "]), max_size=4))
    return {
        "newline": newline,
        "bom": draw(st.booleans()),
        "final_newline": draw(st.booleans()),
        "a": block_a,
        "b": block_b,
        "c": block_c,
        "tags_flow": draw(st.booleans()),
        "body": body_lines,
        "after": after_lines,
    }


def _join(lines: list[str], newline: str) -> str:
    return "".join(line + newline for line in lines)


def _assemble(spec: dict) -> tuple[str, list[str]]:
    """The note's text, and the pieces that must survive in order."""
    nl = spec["newline"]
    a = _join(["type: customer", *spec["a"]], nl)
    b = _join(spec["b"], nl)
    c = _join(spec["c"], nl)
    tags = f"tags: [generated, type/person]{nl}" if spec["tags_flow"] else f"tags:{nl}- generated{nl}"
    head = ("\ufeff" if spec["bom"] else "") + "---" + nl
    body = nl + "# Acme" + nl + _join(spec["body"], nl) + nl
    tail = "## Next" + nl + _join(spec["after"], nl) + "end"
    text = head + a + f"last_contact: unknown{nl}" + b + tags + c + "---" + nl + body
    text += f"## Recent Context{nl}{nl}- stale{nl}{nl}" + tail + (nl if spec["final_newline"] else "")
    return text, [head + a, b, c + "---" + nl + body + "## Recent Context" + nl, tail + (nl if spec["final_newline"] else "")]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entity_notes())
def test_a_run_changes_only_managed_keys_and_sections(spec: dict) -> None:
    text, pieces = _assemble(spec)
    with tempfile.TemporaryDirectory() as folder:
        root = write_vault(Path(folder), {"Acme.md": text.encode("utf-8"), "Meeting.md": MEETING})
        result = plan(root)
        change = next((c for c in result.changes if c.path == "Acme.md"), None)
        assert change is not None, result.problems
        after = change.after.decode("utf-8")
        position = 0
        for piece in pieces:  # every untouched piece is still there, in order, byte for byte
            found = after.find(piece, position)
            assert found >= 0, (piece, after)
            position = found + len(piece)
        assert after.endswith(spec["newline"]) == spec["final_newline"] or not spec["final_newline"] and after.endswith("end")
        assert f"last_contact: 2026-11-02{spec['newline']}" in after
        assert f"- 2026-11-02: [[Meeting]] - Kickoff with Acme.{spec['newline']}" in after
        other_endings = after.replace("\r\n", "").count("\n") if spec["newline"] == "\r\n" else after.count("\r")
        assert other_endings == 0, "line endings stay the note's own"

        write_changes(root, result.changes)
        assert plan(root).changes == [], "a second run changes nothing"


# -- idempotence on every test vault ------------------------------------------------------------


def test_second_run_changes_nothing_on_the_example_vault(tmp_path: Path) -> None:
    import shutil

    from tests.vaults import EXAMPLE_VAULT

    root = Path(shutil.copytree(EXAMPLE_VAULT, tmp_path / "v"))
    write_changes(root, plan(root).changes)
    assert plan(root).changes == []


# -- bad input is reported with path and reason; the run goes on ---------------------------------

ENTITY = "---\ntype: customer\nlast_contact: unknown\n---\n\n# Acme\n\n## Recent Context\n\n## Notes\n"
BOMB = "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n---\n[[Acme]]\n"

BAD_NOTES = [
    (
        "invalid YAML",
        b"---\ntype: meeting\ndate: [2026\n---\n[[Acme]]\n",
        "invalid YAML in frontmatter: did not find expected ',' or ']' (line 4)",
    ),
    ("not a mapping", b"---\n- a\n- b\n---\n[[Acme]]\n", "frontmatter is a list, not a mapping of properties"),
    ("unquoted template", b"---\ncreated: {{date}}\n---\n[[Acme]]\n", "invalid YAML in frontmatter: found unhashable key (line 2)"),
    ("never closed", b"---\ntype: meeting\n\n[[Acme]]\n", "frontmatter opened with '---' on line 1 is never closed"),
    ("non-UTF-8", b"---\ntype: meeting\n---\ncaf\xe9 [[Acme]]\n", "not UTF-8 text (byte 0xe9"),
    (
        "python tag",
        b"---\nx: !!python/object/apply:os.system ['touch pwned']\n---\n[[Acme]]\n",
        "frontmatter uses a YAML tag that is not allowed: could not determine a constructor",
    ),
    ("oversized frontmatter", ("---\nbig: '" + "x" * 70_000 + "'\n---\n[[Acme]]\n").encode(), "frontmatter is larger than 64 KiB"),
    ("alias bomb", BOMB.encode(), "frontmatter expands to more than 10,000 values (a YAML alias bomb?)"),
    ("huge file", b"# big\n" + b"x" * (9 * 1024 * 1024), "file is larger than 8 MiB"),
]


@pytest.mark.parametrize(("label", "content", "reason"), BAD_NOTES, ids=[row[0] for row in BAD_NOTES])
def test_bad_note_is_reported_skipped_and_the_run_goes_on(tmp_path: Path, label: str, content: bytes, reason: str) -> None:
    write_vault(tmp_path, {"Acme.md": ENTITY, "Bad.md": content, "Meeting.md": MEETING})
    started = time.monotonic()
    result = run_cli("run", tmp_path, "--no-commit", "--today", "2026-11-24", cwd=tmp_path)
    assert time.monotonic() - started < 60
    assert result.returncode == 0, result.stderr
    assert f"warning: Bad.md: skipped: {reason}" in result.stderr
    assert (tmp_path / "Bad.md").read_bytes() == content, "a bad note is never touched"
    assert "last_contact: 2026-11-02" in (tmp_path / "Acme.md").read_text(), "the run went on"
    assert not (tmp_path / "pwned").exists(), "a YAML tag never executes anything"
    assert run_cli("run", tmp_path, "--dry-run", "--strict", "--today", "2026-11-24").returncode == 1


def test_duplicated_managed_heading_is_reported_and_left_alone(tmp_path: Path) -> None:
    twice = ENTITY + "\n## Recent Context\n\n- mine\n"
    write_vault(tmp_path, {"Acme.md": twice, "Meeting.md": MEETING})
    result = run_cli("run", tmp_path, "--no-commit", "--today", "2026-11-24")
    assert "warning: Acme.md: skipped: the heading '## Recent Context' appears 2 times; keep one" in result.stderr
    assert (tmp_path / "Acme.md").read_text() == twice


def test_symlinks_out_of_the_vault_are_reported_and_never_followed(tmp_path: Path) -> None:
    outside = write_vault(tmp_path / "outside", {"Secret.md": "---\ntype: meeting\n---\n[[Acme]]\n", "dir/Other.md": "[[Acme]]\n"})
    vault = write_vault(tmp_path / "vault", {"Acme.md": ENTITY})
    (vault / "Linked.md").symlink_to(outside / "Secret.md")
    (vault / "LinkedDir").symlink_to(outside / "dir")
    before = tree_state(outside)
    result = run_cli("run", vault, "--no-commit", "--today", "2026-11-24")
    assert "warning: Linked.md: symlink points outside the vault; not followed" in result.stderr
    assert "warning: LinkedDir: symlink points outside the vault; not followed" in result.stderr
    assert tree_state(outside) == before
    assert "Secret" not in (vault / "Acme.md").read_text()


@pytest.mark.posix("makes a note unreadable with chmod 0")
def test_unreadable_note_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_vault(tmp_path, {"Acme.md": ENTITY, "Locked.md": "[[Acme]]\n", "Meeting.md": MEETING})
    locked = tmp_path / "Locked.md"
    locked.chmod(0)
    if os.geteuid() == 0:  # root reads anything; make this one file fail the way it would for a user
        import bot.reading

        def refuse(name, *args, **kwargs):
            if Path(name) == locked:
                raise PermissionError(13, "Permission denied")
            return open(name, *args, **kwargs)

        monkeypatch.setattr(bot.reading, "open", refuse, raising=False)
    result = plan(tmp_path)
    assert ("Locked.md", "skipped: cannot be read: Permission denied") in [(p.path, p.message) for p in result.problems]
    assert [c.path for c in result.changes] == ["Acme.md", "Meeting.md"], "the run went on without it"


@pytest.mark.posix("makes a FIFO")
def test_fifo_named_like_a_note_does_not_hang_the_run(tmp_path: Path) -> None:
    write_vault(tmp_path, {"Acme.md": ENTITY})
    os.mkfifo(tmp_path / "Pipe.md")
    result = run_cli("run", tmp_path, "--dry-run")
    assert "warning: Pipe.md: not a regular file; skipped" in result.stderr


# -- atomic writes -----------------------------------------------------------------------------


@pytest.mark.posix("checks Unix file modes")
def test_write_keeps_the_mode_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    write_vault(tmp_path, {"Acme.md": ENTITY, "Meeting.md": MEETING})
    (tmp_path / "Acme.md").chmod(0o640)
    written = write_changes(tmp_path, plan(tmp_path).changes)
    assert [c.path for c in written.written] == ["Acme.md", "Meeting.md"]
    assert stat.S_IMODE((tmp_path / "Acme.md").stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Acme.md", "Meeting.md"]


def test_note_edited_after_it_was_read_is_not_overwritten(tmp_path: Path) -> None:
    write_vault(tmp_path, {"Acme.md": ENTITY, "Meeting.md": MEETING})
    pending = plan_run(tmp_path, load_config(tmp_path), TODAY)
    users_edit = ENTITY + "\nA line typed while vaultbot ran.\n"
    (tmp_path / "Acme.md").write_text(users_edit)
    result = write_changes(tmp_path, pending.changes)
    assert (tmp_path / "Acme.md").read_text() == users_edit
    assert ("Acme.md", "changed on disk while vaultbot ran; not overwritten (the next run picks it up)") in [
        (p.path, p.message) for p in result.problems
    ]
    assert not result.failed
    assert plan(tmp_path).changes, "the next run picks the note up"


def test_write_note_refuses_when_the_bytes_differ_and_cleans_up(tmp_path: Path) -> None:
    target = write_vault(tmp_path, {"N.md": "current\n"}) / "N.md"
    with pytest.raises(WriteConflict):
        write_note(target, b"new\n", b"what we read\n")
    assert target.read_bytes() == b"current\n"
    assert [p.name for p in tmp_path.iterdir()] == ["N.md"]


@pytest.mark.posix("makes a folder read-only with chmod")
def test_a_failed_write_leaves_the_original_intact(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can write into a read-only folder")
    write_vault(tmp_path, {"Acme.md": ENTITY, "Meeting.md": MEETING})
    pending = plan(tmp_path)
    tmp_path.chmod(0o500)
    try:
        result = write_changes(tmp_path, pending.changes)
    finally:
        tmp_path.chmod(0o700)
    assert result.failed
    assert (tmp_path / "Acme.md").read_text() == ENTITY
