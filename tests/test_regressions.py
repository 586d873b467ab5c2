"""Regressions found by running vaultbot on real vaults (tests/test_corpus.py), each
reduced to the smallest note that shows it. They live here because the module
tests they belong beside are being written by someone else at the same time."""

from __future__ import annotations

import os
from pathlib import Path

from bot.writer import write_note
from tests.vaults import plan, write_vault


def test_tags_with_a_nested_list_are_reported_in_words_that_make_sense(tmp_path: Path) -> None:
    # cypher-csrd Rules/Optional-Rules-For-Science-Fiction.md: `- - /Rules/...` was
    # reported as "tags is a list, not a list".
    note = "---\ntags:\n- a\n- - b\n---\n"
    write_vault(tmp_path, {"N.md": note})
    result = plan(tmp_path, "tags")
    assert result.changes == []
    assert [(p.path, p.message) for p in result.problems] == [
        ("N.md", "tags: tags is a list with nested items, not a list of tags; left as it is")
    ]


def test_tags_as_a_mapping_or_a_number_are_named_as_such(tmp_path: Path) -> None:
    write_vault(tmp_path, {"M.md": "---\ntags:\n  a: b\n---\n", "N.md": "---\ntags: 5\n---\n"})
    messages = {p.path: p.message for p in plan(tmp_path, "tags").problems}
    assert messages == {
        "M.md": "tags: tags is a mapping, not a list of tags; left as it is",
        "N.md": "tags: tags is 5, not a list of tags; left as it is",
    }


def test_a_temporary_file_left_by_a_killed_run_does_not_block_the_next_write(tmp_path: Path) -> None:
    # tests/test_faults.py: a run killed between writing its temporary file and the rename
    # leaves `.N.md.vaultbot-PID.tmp`; in a container the next run often gets the same
    # pid, and the exclusive create then failed on that note at every run.
    target = write_vault(tmp_path, {"N.md": "old\n"}) / "N.md"
    for pid in (os.getpid(), 1):
        (tmp_path / f".N.md.vaultbot-{pid}.tmp").write_bytes(b"half a no")
    write_note(target, b"new\n", b"old\n")
    assert target.read_bytes() == b"new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["N.md"], "the stale temporaries are gone"
