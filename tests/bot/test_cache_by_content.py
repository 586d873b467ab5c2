"""The parse cache keyed by content: a fresh clone (new mtimes and inodes) still hits, through git's
blob ids, and the cache can live outside the repository (`VAULTBOT_CACHE_DIR`), as CI keeps it."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from bot.cache import CACHE_DIR_VARIABLE, CONTENT_KEYS_FROM, ParseCache, cache_dir, git_blob_id
from bot.config import load_config
from bot.execute import RunRequest, run
from bot.runner import plan_run
from tests.vaults import git, write_vault

TODAY = datetime.date(2026, 11, 24)
NOTES = CONTENT_KEYS_FROM + 20  # more than miss by stat before git is asked


@pytest.fixture
def origin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(tmp_path / "ci-cache"))
    root = tmp_path / "origin"
    files = {"Customers/Acme.md": "---\ntype: customer\nlast_contact: unknown\n---\n# Acme\n\n## Recent Context\n"}
    for index in range(NOTES):
        files[f"Meetings/2026-11-{index % 20 + 1:02d} Call {index}.md"] = (
            f"---\ntype: meeting\ndate: 2026-11-{index % 20 + 1:02d}\n---\nCall with [[Acme]].\n\n- [ ] follow up {index}\n"
        )
    write_vault(root, files)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "notes")
    return root


def loaded(root: Path) -> ParseCache:
    cache = ParseCache(root, print)
    plan_run(root, load_config(root), TODAY, loader=cache.load_notes)
    return cache


def test_a_fresh_clone_hits_the_cache_a_run_on_another_clone_left(origin: Path, tmp_path: Path) -> None:
    first = tmp_path / "first"
    git(tmp_path, "clone", "-q", str(origin), str(first))
    result = run(RunRequest(first, load_config(first), TODAY))
    assert not result.failed and result.commit is not None and len(result.changes) > 1  # notes written, then committed
    assert cache_dir(first) == tmp_path / "ci-cache" / "parse"
    second = tmp_path / "second"
    git(tmp_path, "clone", "-q", str(first), str(second))  # holds vaultbot's commit: the notes it wrote too
    cache = loaded(second)
    assert (cache.hits, cache.parsed) == (NOTES + 1, 0)


def test_a_note_that_differs_from_the_index_is_parsed_again(origin: Path, tmp_path: Path) -> None:
    first = tmp_path / "first"
    git(tmp_path, "clone", "-q", str(origin), str(first))
    cache = loaded(first)
    assert (cache.hits, cache.parsed) == (0, NOTES + 1)
    cache.save()
    second = tmp_path / "second"
    git(tmp_path, "clone", "-q", str(origin), str(second))
    edited = second / "Meetings/2026-11-01 Call 0.md"
    edited.write_text(edited.read_text().replace("follow up 0", "follow up O"))  # the same size
    cache = loaded(second)
    assert (cache.hits, cache.parsed) == (NOTES, 1)


def test_a_blob_id_is_gits() -> None:
    assert git_blob_id(b"") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
    assert git_blob_id(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"


def test_a_note_saved_while_it_is_parsed_is_not_stored_under_the_blob_git_named_before(
    origin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.cache

    first, second = tmp_path / "first", tmp_path / "second"
    for clone in (first, second):
        git(tmp_path, "clone", "-q", str(origin), str(clone))
    saved = "Meetings/2026-11-01 Call 0.md"
    parse_files = bot.cache.parse_files

    def saved_in_between(root: Path, *args: object, **kwargs: object) -> object:
        if root == first:  # git named the note's blob already; the editor saves before it is read
            with open(root / saved, "a", encoding="utf-8") as note:
                note.write("Saved by hand while vaultbot read the vault: [[Globex]].\n")
        return parse_files(root, *args, **kwargs)

    monkeypatch.setattr(bot.cache, "parse_files", saved_in_between)
    cache = loaded(first)
    assert "Globex" in (first / saved).read_text(encoding="utf-8")
    assert cache.shards[bot.cache.shard_of(saved)][saved][4] == ""  # the blob git named is not the bytes parsed
    cache.save()
    monkeypatch.setattr(bot.cache, "parse_files", parse_files)
    again = ParseCache(second, print)
    plan = plan_run(second, load_config(second), TODAY, loader=again.load_notes)
    assert plan.vault is not None and "Globex" not in plan.vault.notes[saved].link_names
    assert again.parsed == 1  # that one note, from the clone's own bytes


def test_a_clone_that_misses_the_memo_asks_git_for_the_blob_ids_once(origin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The memo's check by content, the parse cache and the memo's record each listed the blob ids
    (one `git ls-files` and one `git diff-files` over every note): one answer serves the scan they
    share. After a run that wrote notes and committed them, the index has changed, and git is asked again."""
    import bot.git_blobs

    first, second = tmp_path / "first", tmp_path / "second"
    git(tmp_path, "clone", "-q", str(origin), str(first))
    assert run(RunRequest(first, load_config(first), TODAY)).commit is not None  # the memo by content, carried in the cache folder
    git(tmp_path, "clone", "-q", str(first), str(second))
    asked: list[str] = []
    ask = bot.git_blobs._git

    def counted(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
        asked.append(next(arg for arg in args if not arg.startswith("-") and "=" not in arg))
        return ask(root, *args, stdin=stdin)

    monkeypatch.setattr(bot.git_blobs, "_git", counted)
    edits = [
        ("Meetings/2026-11-01 Call 0.md", "follow up 0", "follow up soon", []),  # a task: no line changes
        ("Meetings/2026-11-20 Call 19.md", "Call with", "Pricing call with", ["Customers/Acme.md"]),  # a listed summary
    ]
    for path, old, new, changed in edits:
        edited = second / path
        edited.write_text(edited.read_text().replace(old, new))
        git(second, "commit", "-q", "-am", "edited")  # the memo misses: the clone is not the vault it remembers
        asked.clear()
        result = run(RunRequest(second, load_config(second), TODAY))
        assert not result.failed and [change.path for change in result.changes] == changed
        assert asked.count("ls-files") == asked.count("diff-files") == (2 if changed else 1), asked  # again after a commit
