"""A warm run reads every note's brief and unpickles only the notes it reaches (bot/lazy_notes.py, bot/cache.py).

The counts are of notes whose facts were unpickled (`ParseCache.unpickled`), not times: a
run that touches two daily notes of one customer reads that customer's notes, never the
other customers'. Damaged facts, and a shard replaced after its index was read, cost the note
a parse from its file (with a warning), never a wrong note.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cache import ParseCache, cache_dir, shard_file, shard_of
from bot.config import load_config
from bot.index_settings import duplicate_mark
from bot.lazy_notes import Brief, aliases_of, brief_of, first_day
from bot.memo import CleanRunMemo, memo_path
from bot.note import ParseSettings, Source, parse_note
from bot.note_facts import aliases
from bot.runner import plan_run
from rules import RULES
from tests.test_incremental import outcome, planned, real_run
from tests.vaults import TODAY, write_vault

CUSTOMERS = 4
MEETINGS = 30
DAILY = 12


def _customer(index: int) -> str:
    return f"---\ntype: customer\nlast_contact: unknown\naliases: [C{index} Inc]\n---\n\n# C{index}\n\n## Recent Context\n\n## Related\n"


def _meeting(customer: int, day: int) -> str:
    return (
        f"---\ntype: meeting\ndate: 2026-10-{day:02d}\nparticipants: ['[[C{customer}]]']\n---\n\n"
        f"Talked with [[C{customer}]] about the renewal.\n\n- [ ] Send the offer {day}\n"
    )


def many_notes_vault(root: Path) -> dict[str, str]:
    files = {f"Customers/C{c}/C{c}.md": _customer(c) for c in range(CUSTOMERS)}
    for c in range(CUSTOMERS):
        files.update({f"Customers/C{c}/2026-10-{day:02d} Call.md": _meeting(c, day) for day in range(1, MEETINGS + 1)})
    files.update({f"Daily/2026-11-{day:02d}.md": f"Called [[C{day % CUSTOMERS}]].\n" for day in range(1, DAILY + 1)})
    write_vault(root, files)
    return files


@pytest.fixture(autouse=True)
def private_cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache-home"))


def _append(note: Path, line: str) -> None:
    stat = note.stat()
    with open(note, "a", encoding="utf-8") as stream:
        stream.write(line)
    os.utime(note, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_a_warm_run_unpickles_only_the_notes_its_edits_reach(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    files = many_notes_vault(root)
    real_run(root)
    real_run(root)  # the vault is clean now, and the memo says so
    touched = ["Daily/2026-11-04.md", "Daily/2026-11-08.md"]  # both call C0
    for path in touched:
        _append(root / path, "Follow up next week.\n")
    plan, cache, _ = planned(root, cached=True)
    assert plan.memo is not None and plan.memo.edited_since_clean == frozenset(touched), "a run from the clean state"
    assert outcome(plan) == outcome(planned(root, cached=False)[0])
    assert cache is not None and (cache.hits, cache.parsed) == (len(files) - 2, 2)
    reached = {path for path in files if path.startswith("Customers/C0/") or files[path] == "Called [[C0]].\n"}
    assert cache.unpickled, "the touched notes' clean versions, at least"
    assert cache.unpickled <= reached, sorted(cache.unpickled - reached)
    assert len(cache.unpickled) <= len(reached) < len(files) / 3


def _last_in_shard(root: Path, path: str) -> str:
    """The note whose facts the shard holding `path` stores last (the file's last bytes are its)."""
    cache = ParseCache(root, print)
    cache.load_notes(root, *_scan_and_settings(root))
    entries = cache.stored[shard_of(path)].entries
    return max((entry[6][0], note) for note, entry in entries.items() if entry[6] is not None)[1]


def _damage_last_facts(root: Path, path: str) -> None:
    """Flip the last byte of the shard holding `path`: one byte of the facts it stores last."""
    shard = shard_file(cache_dir(root), shard_of(path))
    data = bytearray(shard.read_bytes())
    data[-1] ^= 0xFF
    shard.write_bytes(bytes(data))


def test_damaged_facts_are_parsed_again_with_a_warning(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    many_notes_vault(root)
    real_run(root)
    victim = _last_in_shard(root, "Customers/C1/C1.md")
    _damage_last_facts(root, victim)
    warnings: list[str] = []
    cache = ParseCache(root, warnings.append)
    plan = plan_run(root, load_config(root), TODAY, loader=cache.load_notes)
    assert plan.vault is not None and plan.vault.notes[victim].path == victim
    assert warnings == [
        f"parse cache {shard_file(cache_dir(root), shard_of(victim))}: the entry of {victim} is damaged or was replaced; discarded, the note is parsed again"
    ]
    assert outcome(plan) == outcome(planned(root, cached=False)[0])
    cache.save()  # the shard is written anew, the parsed note in it
    again = ParseCache(root, warnings.append)
    plan_run(root, load_config(root), TODAY, loader=again.load_notes).vault.notes[victim]  # type: ignore[union-attr]
    assert len(warnings) == 1 and victim in again.unpickled


def test_a_shard_replaced_after_its_index_was_read_is_not_read_at_old_offsets(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    many_notes_vault(root)
    real_run(root)
    warnings: list[str] = []
    reader = ParseCache(root, warnings.append)
    loaded = reader.load_notes(root, *_scan_and_settings(root))
    note = "Customers/C2/C2.md"
    other = ParseCache(root, print)  # another run rewrites the shard: new token, new offsets
    other.load_notes(root, *_scan_and_settings(root))
    other.dirty.add(shard_of(note))
    other.save()
    assert loaded.notes[note].to_bytes() == (root / note).read_bytes()
    assert len(warnings) == 1 and note in warnings[0] and note not in reader.unpickled


def _scan_and_settings(root: Path) -> tuple:
    from bot.obsidian import read_settings
    from bot.runner import parse_settings
    from bot.scan import scan_vault

    config = load_config(root)
    obsidian, _ = read_settings(root)
    return scan_vault(root, obsidian, config.scan_exclude), parse_settings(config, obsidian)


SETTINGS = ParseSettings(generated_headings=("Recent Context",), entity_types=("customer",))
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)
VALUES = st.one_of(TEXT, st.lists(TEXT, max_size=3), st.integers(), st.none(), st.dates())


@settings(max_examples=150, deadline=None)
@given(fields=st.dictionaries(st.sampled_from(["type", "aliases", "alias", "duplicate_of", "date", "title", "x"]), VALUES, max_size=5))
def test_a_brief_answers_what_the_index_reads_as_its_note_does(fields: dict) -> None:
    """Each fact every run reads of every note: the brief's equals the note's, for any frontmatter."""
    import yaml

    text = f"---\n{yaml.safe_dump(fields, allow_unicode=True)}---\nSee [[Acme]] and [[ ./b|B ]] on [[2026-01-02]].\n"
    try:
        note = parse_note("Daily/n.md", text, False, None, SETTINGS)
    except Exception:  # a value the YAML 1.2 reader refuses: no note, nothing to brief
        return
    brief = brief_of(note)
    assert isinstance(brief, Brief)
    assert (brief.type, list(aliases_of(brief)), brief.link_names, brief.name, brief.folder) == (
        note.type,
        aliases(note),
        note.link_names,
        note.name,
        note.folder,
    )
    assert set(brief.targets) == {link.link.target for link in note.links}
    assert duplicate_mark(brief, "duplicate_of") == duplicate_mark(note, "duplicate_of")
    assert first_day(brief) == first_day(note)
    assert first_day(brief) is None or isinstance(first_day(brief), datetime.date)


def test_the_memo_and_cache_of_a_lazy_run_serve_the_next_run(tmp_path: Path) -> None:
    """A run that read few notes writes shards holding the unread notes' facts as they were: the next
    run from the clean state unpickles them as the first would have."""
    root = tmp_path / "vault"
    many_notes_vault(root)
    real_run(root)
    real_run(root)
    _append(root / "Daily/2026-11-01.md", "Again.\n")
    real_run(root)  # rewrites the touched note's shard, copying its other notes' facts
    _append(root / "Daily/2026-11-01.md", "And again.\n")
    cache = ParseCache(root, print)
    memo = CleanRunMemo(memo_path(cache_dir(root), [rule.ID for rule in RULES]))
    plan = plan_run(root, load_config(root), TODAY, loader=cache.load_notes, memo=memo)
    assert plan.memo is not None and plan.memo.edited_since_clean == frozenset({"Daily/2026-11-01.md"})
    assert plan.original is not None
    for path, note in plan.original.notes.items():  # every note, unread ones unpickled now: each as its file has it
        data = (root / path).read_bytes()
        assert note.source == Source.of(data) if note.text is None else note.to_bytes() == data, (path, note.source, note.text)
    assert outcome(plan) == outcome(planned(root, cached=False)[0])
