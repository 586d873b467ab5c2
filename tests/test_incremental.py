"""A run that starts from a clean state rechecks only what the edits affect (bot/delta.py),
and must reach exactly what a full run reaches: the same changes, the same warnings.

The property test builds a small vault, brings it to a clean state with real runs
(cache and memo on disk, as the CLI does), edits notes in place, then compares a
planned run from the memo with a planned run from scratch; then it writes the
incremental run's result and checks that a full run finds nothing left to do.
"""

from __future__ import annotations

import datetime
import os
import random
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.cache import ParseCache, cache_dir
from bot.config import load_config
from bot.memo import CleanRunMemo, memo_path
from bot.runner import RunPlan, plan_run
from bot.vault import VaultIndex
from bot.write_back import remember_clean_state, write_changes
from rules import RULES
from tests.vaults import TODAY, run_cli, write_vault

ENTITIES = {
    "Customers/Acme/Acme.md": "customer",
    "Customers/Globex.md": "customer",
    "People/Ann/Ann.md": "person",
    "People/Bob/Bob.md": "person",
    "Projects/Apollo.md": "project",
}
FOLDERS = ["Customers/Acme", "Customers/Globex", "People/Ann", "People/Bob", "Meetings", "Daily", "Archive"]
PEOPLE = ["[[Ann]]", "[[Bob]]", "[[Acme]]", "Carol"]
WORDS = ["pricing", "roadmap", "storage", "renewal", "kickoff", "budget", "review", "risk", "plan"]


def _yaml(fields: dict) -> str:
    lines = []
    for key, value in fields.items():
        if isinstance(value, list):
            lines.append(f"{key}: [{', '.join(repr(v) if isinstance(v, str) else str(v) for v in value)}]")
        else:
            lines.append(f"{key}: {value}")
    return "".join(line + "\n" for line in lines)


def _note(fields: dict | None, body: str) -> str:
    return body if fields is None else f"---\n{_yaml(fields)}---\n{body}"


def _words(rng: random.Random, count: int = 5) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count)).capitalize() + "."


def _meeting(rng: random.Random, day: int) -> tuple[dict, str]:
    fields = {"type": rng.choice(["meeting", "call"]), "date": f"2026-11-{day:02d}", "participants": rng.sample(PEOPLE, rng.randint(1, 2))}
    if rng.random() < 0.4:
        fields["time"] = rng.choice(['"09:00"', '"09:20"', '"14:00"'])
    if rng.random() < 0.2:
        fields["source"] = rng.choice(["rec-1", "rec-2"])
    if rng.random() < 0.3:
        fields["tags"] = rng.choice([["meeting"], ["Type/Meeting", "x"], ["1234"]])
    body = f"{_words(rng)}\n\nSee [[{rng.choice(['Acme', 'Globex', 'Apollo', 'Ann'])}]].\n"
    for _ in range(rng.choice([0, 0, 1, 2])):
        body += (
            f"{rng.choice(['- ', '  - ', '* '])}[{rng.choice([' ', ' ', 'x'])}] {rng.choice(WORDS).capitalize()} the {rng.choice(WORDS)}\n"
        )
    return fields, body


def vault_model(rng: random.Random) -> dict[str, tuple[dict | None, str]]:
    """vault path -> (frontmatter fields or None, body)."""
    model: dict[str, tuple[dict | None, str]] = {}
    for path, kind in ENTITIES.items():
        fields = {"type": kind, "last_contact": rng.choice(["unknown", "2026-11-02", "2026-11-30"]), "tags": [f"type/{kind}"]}
        body = f"# {path.rsplit('/', 1)[-1][:-3]}\n\n{_words(rng)}\n"
        if rng.random() < 0.7:
            body += "\n## Recent Context\n\n- stale line\n"
        if rng.random() < 0.6:
            body += "\n## Open Tasks\n\n- [ ] a task typed here\n"
        if rng.random() < 0.6:
            body += "\n## Related\n\n<!-- entities -->\n"
        model[path] = (fields, body)
    for index in range(rng.randint(4, 12)):
        day = rng.randint(1, 28)
        folder = rng.choice(["Customers/Acme", "Customers/Globex", "People/Ann", "Meetings"])
        model[f"{folder}/2026-11-{day:02d} - Sync {index}.md"] = _meeting(rng, day)
        if rng.random() < 0.4:  # the same meeting written up again
            fields, body = _meeting(rng, day)
            original = model[f"{folder}/2026-11-{day:02d} - Sync {index}.md"][0]
            fields.update({key: original[key] for key in ("type", "date", "participants") if key in original})
            model[f"{folder}/2026-11-{day:02d} - Sync {index} (copy).md"] = (fields, body)
    for day in rng.sample(range(1, 29), 3):
        model[f"Daily/2026-11-{day:02d}.md"] = (None, f"Called [[{rng.choice(['Acme', 'Bob', 'Apollo'])}]]. {_words(rng)}\n")
    return model


def edit(rng: random.Random, model: dict[str, tuple[dict | None, str]]) -> dict[str, tuple[dict | None, str]]:
    """One random edit a person (or a script) might make, in place or not."""
    path = rng.choice(sorted(model))
    fields, body = model[path]
    fields = dict(fields) if fields is not None else None
    roll = rng.randrange(24)
    if roll == 0:
        body += f"\nAlso see [[{rng.choice(['Acme', 'Globex', 'Bob', 'Apollo'] + [p.rsplit('/', 1)[-1][:-3] for p in model])}]].\n"
    elif roll == 1:
        body = body.replace("[[", "[", 1)  # a link undone
    elif roll == 2:
        body = _words(rng) + "\n\n" + body  # a new first paragraph: a new summary
    elif roll == 3 and fields is not None:
        fields["date"] = f"2026-11-{rng.randint(1, 28):02d}"
    elif roll == 4 and fields is not None:
        fields["participants"] = rng.sample(PEOPLE, rng.randint(0, 3))
    elif roll == 5 and fields is not None:
        fields["duplicate_of"] = rng.choice(['"[[Acme]]"', '""', "unknown", _name(rng.choice(sorted(model)))])
    elif roll == 6 and fields is not None:
        fields["last_contact"] = rng.choice(["unknown", "2026-11-27", "2026-12-30", "2025-01-01"])
    elif roll == 7 and fields is not None:
        fields["tags"] = rng.choice([["a", "a"], ["type/wrong"], ["99"], "plain"])
    elif roll == 8:
        body += "\n## Recent Context\n\n- hand-written line\n" if "Recent Context" not in body else "\n"
    elif roll == 9 and fields is not None:
        fields["vaultbot"] = rng.choice(["false", "{skip: [tags]}"])
    elif roll == 10 and fields is not None:
        fields["source"] = rng.choice(["rec-1", "rec-2", "rec-3"])
    elif roll == 11 and fields is not None:  # not in place: what other notes see changes
        fields[rng.choice(["type", "title", "aliases"])] = rng.choice(["meeting", "customer", "Other name", "[Ann]"])
    elif roll == 12:
        return {**model, f"Meetings/2026-11-{rng.randint(1, 28):02d} - Added.md": _meeting(rng, rng.randint(1, 28))}
    elif roll == 13:
        body = body.replace("[ ]", "[x]", 1)  # ticked where it was written
    elif roll in (14, 15):  # ticked in a roll-up (in place or not: the line may name a task that is not there)
        sources = [
            (p, line) for p, (_, b) in model.items() for line in b.splitlines() if "[ ] " in line and not p.startswith(tuple(ENTITIES))
        ]
        entities = [p for p in ENTITIES if p in model and "## Open Tasks" in model[p][1]]
        if sources and entities:
            source, line = rng.choice(sources)
            path = rng.choice(entities)
            fields, body = model[path]
            ticked = f"- [x] {line.split('] ', 1)[1].strip()} ([[{source.rsplit('/', 1)[-1][:-3]}]])"
            body = body.replace("## Open Tasks\n\n", f"## Open Tasks\n\n{ticked}\n", 1)
    elif roll >= 17:
        return _added_or_removed(rng, model, roll - 17)
    else:
        body += f"\n{_words(rng)}\n"  # a change no rule reads
    return {**model, path: (fields, body)}


def _name(path: str) -> str:
    return path.rsplit("/", 1)[-1][:-3]


def _added_or_removed(rng: random.Random, model: dict[str, tuple[dict | None, str]], kind: int) -> dict[str, tuple[dict | None, str]]:
    """A note removed, moved, renamed or added (some under a name another note has, or a link names)."""
    path = rng.choice(sorted(model))
    changed = dict(model)
    folder = rng.choice(FOLDERS + [""])
    place = f"{folder}/" if folder else ""
    if kind == 0:  # removed
        del changed[path]
    elif kind == 1:  # moved, keeping its name (into the archive folder, say)
        changed[place + path.rsplit("/", 1)[-1]] = changed.pop(path)
    elif kind == 2:  # renamed: links to the old name open nothing now
        changed[path[:-3] + " (renamed).md"] = changed.pop(path)
    else:  # added: a meeting, a daily note or an entity, under a name that may be taken or linked
        name = rng.choice([_name(rng.choice(sorted(model))), "Carol", "Other name", "Ann", "2026-11-03 - Added", "Zed"])
        fields, body = _meeting(rng, rng.randint(1, 28))
        if kind == 4:
            fields, body = None, f"Met [[{rng.choice(['Acme', 'Bob', 'Carol', _name(path), './' + _name(path), path[:-3]])}]].\n"
        elif kind == 5:
            fields["type"] = rng.choice(["customer", "person"])
        elif kind == 6:
            fields[rng.choice(["aliases", "duplicate_of", "title"])] = rng.choice(["[Carol]", '"[[Acme]]"', "Other name"])
        changed[f"{place}{name}.md"] = (fields, body)
    return changed


def write_model(root: Path, model: dict[str, tuple[dict | None, str]], before: dict[str, tuple[dict | None, str]] | None = None) -> None:
    """Write the notes of `model` that differ from `before` (all of them without it)."""
    for folder in FOLDERS:
        (root / folder).mkdir(parents=True, exist_ok=True)
    for path in (before or {}).keys() - model.keys():
        (root / path).unlink()
    for path, (fields, body) in model.items():
        if before is not None and before.get(path) == (fields, body):
            continue
        target = root / path
        stat = target.stat() if target.exists() else None
        write_vault(root, {path: _note(fields, body)})
        if stat is not None:  # a new mtime even within the file system's clock tick
            os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def planned(root: Path, *, cached: bool) -> tuple[RunPlan, ParseCache | None, CleanRunMemo | None]:
    config = load_config(root)
    if not cached:
        return plan_run(root, config, TODAY), None, None
    cache = ParseCache(root, lambda message: None)
    memo = CleanRunMemo(memo_path(cache_dir(root), [rule.ID for rule in RULES]))
    return plan_run(root, config, TODAY, loader=cache.load_notes, memo=memo), cache, memo


def real_run(root: Path) -> RunPlan:
    """What `vaultbot run --no-commit` does: plan, write, store the cache, remember a clean state."""
    plan, cache, memo = planned(root, cached=True)
    written = write_changes(root, plan.changes)
    cache.record_written((plan.vault.notes[c.path] for c in written.written if c.destination is None), written.stats)
    cache.save()
    remember_clean_state(plan, written, load_config(root), TODAY, memo)
    return plan


def assert_same_as_rebuilt(vault: VaultIndex) -> None:
    """An index carried over from rule to rule (`with_notes`) must equal one built afresh."""
    fresh = VaultIndex(vault.notes, vault.folders, vault.settings, vault.index, vault.unparsed)
    assert vault.outgoing == fresh.outgoing
    for path in vault.notes:
        assert vault.backlinks(path) == fresh.backlinks(path), path
    for entity in vault.entities:
        assert vault.related(entity, TODAY) == fresh.related(entity, TODAY), entity


def outcome(plan: RunPlan) -> tuple:
    return [(c.path, c.rules, c.after, c.destination) for c in plan.changes], [str(p) for p in plan.problems]


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), edits=st.integers(1, 4))
@example(seed=1, edits=1)
@example(seed=7, edits=3)
def test_a_run_from_a_clean_state_matches_a_full_run(tmp_path_factory, seed: int, edits: int) -> None:
    rng = random.Random(seed)
    root = tmp_path_factory.mktemp("vault")
    model = vault_model(rng)
    write_model(root, model)
    real_run(root)
    assert real_run(root).changes == [], "two runs reach a clean state"
    edited = model
    for _ in range(edits):
        edited = edit(rng, edited)
    write_model(root, edited, model)

    incremental, _, _ = planned(root, cached=True)
    full, _, _ = planned(root, cached=False)
    assert full.memo is None
    assert outcome(incremental) == outcome(full)
    assert_same_as_rebuilt(full.vault)

    real_run(root)  # incremental again, and this time written
    after, _, _ = planned(root, cached=False)
    assert after.changes == []
    remembered, _, _ = planned(root, cached=True)
    assert remembered.memo is not None and remembered.memo.remembered and outcome(remembered) == outcome(after)


def _clean_vault(root: Path) -> dict[str, tuple[dict | None, str]]:
    """A vault in its clean state, with one note dated after TODAY (so a later day can pass it)."""
    model = vault_model(random.Random(3))
    model["Meetings/2026-12-01 - Planned.md"] = ({"type": "meeting", "date": "2026-12-01", "participants": ["[[Ann]]"]}, "[[Acme]]\n")
    write_model(root, model)
    real_run(root)
    return model


def test_in_place_edits_are_rechecked_alone(tmp_path: Path) -> None:
    model = _clean_vault(tmp_path)
    daily = next(p for p in model if p.startswith("Daily/"))
    write_model(tmp_path, {**model, daily: (None, model[daily][1] + "\nCalled [[Globex]] too.\n")}, model)
    plan, _, _ = planned(tmp_path, cached=True)
    assert plan.memo.edited_since_clean == {daily}
    assert outcome(plan) == outcome(planned(tmp_path, cached=False)[0])
    assert {c.path for c in plan.changes} <= {"Customers/Globex.md"}


def test_changed_types_and_added_entities_run_in_full(tmp_path: Path) -> None:
    model = _clean_vault(tmp_path)
    for added in ({"type": "customer"}, {"type": "meeting", "aliases": ["Carol"]}, {"type": "meeting", "duplicate_of": "Acme"}):
        write_model(tmp_path, {**model, "Meetings/2026-11-02 - New.md": (added, "[[Acme]]\n")}, model)
        assert planned(tmp_path, cached=True)[0].memo.edited_since_clean is None, added
        (tmp_path / "Meetings/2026-11-02 - New.md").unlink()
    write_model(tmp_path, {**model, "Meetings/Apollo.md": (None, "[[Acme]]\n")}, model)  # the name of an entity
    assert planned(tmp_path, cached=True)[0].memo.edited_since_clean is None
    (tmp_path / "Meetings/Apollo.md").unlink()
    plan = planned(tmp_path, cached=True)[0]
    assert plan.memo is not None and plan.memo.remembered
    entity = "Projects/Apollo.md"
    fields, body = model[entity]
    write_model(tmp_path, {**model, entity: ({**fields, "type": "meeting"}, body)}, model)
    assert planned(tmp_path, cached=True)[0].memo.edited_since_clean is None


def test_added_removed_and_moved_notes_are_rechecked_where_they_reach(tmp_path: Path) -> None:
    model = _clean_vault(tmp_path)
    marks = "".join(line for path in model for line in (tmp_path / path).read_text().splitlines() if "duplicate_of" in line)
    # A meeting no duplicate mark names or is on (a mark naming a note added or removed means a full run).
    meeting = next(p for p in model if "Sync" in p and _name(p) not in marks and "duplicate_of" not in (tmp_path / p).read_text())
    new = "Customers/Acme/2026-11-20 - Renewal.md"
    moved = "Archive/" + meeting.rsplit("/", 1)[-1]
    changed = {**model, new: ({"type": "meeting", "date": "2026-11-20"}, "Renewal call with [[Globex]].\n")}
    changed[moved] = changed.pop(meeting)
    write_model(tmp_path, changed, model)
    plan = planned(tmp_path, cached=True)[0]
    assert plan.memo.edited_since_clean is not None and {new, moved} <= plan.memo.edited_since_clean
    assert outcome(plan) == outcome(planned(tmp_path, cached=False)[0])
    assert "Customers/Globex.md" in {c.path for c in plan.changes}
    assert "2026-11-20" in next(c.after.decode() for c in plan.changes if c.path == "Customers/Acme/Acme.md")


def test_verbose_log_names_the_notes_rechecked(tmp_path: Path) -> None:
    model = _clean_vault(tmp_path)
    daily = next(p for p in model if p.startswith("Daily/"))
    write_model(tmp_path, {**model, daily: (None, model[daily][1] + "More.\n")}, model)
    result = run_cli("run", tmp_path, "-v", "--no-commit", "--today", TODAY.isoformat())
    assert result.returncode == 0, result.stderr
    assert "1 notes edited since the last clean run; the rules check what those affect" in result.stderr


def test_a_different_day_outside_the_window_runs_in_full(tmp_path: Path) -> None:
    model = _clean_vault(tmp_path)
    daily = next(p for p in model if p.startswith("Daily/"))
    write_model(tmp_path, {**model, daily: (None, model[daily][1] + "More.\n")}, model)
    config = load_config(tmp_path)
    later = plan_run(
        tmp_path,
        config,
        TODAY + datetime.timedelta(days=40),
        loader=ParseCache(tmp_path, print).load_notes,
        memo=CleanRunMemo(memo_path(cache_dir(tmp_path), [rule.ID for rule in RULES])),
    )
    assert later.memo.edited_since_clean is None


def _meetings_vault(root: Path) -> dict[str, tuple[dict | None, str]]:
    """Three write-ups of one meeting; the first is canonical (one more note links to it)."""
    meeting = {"type": "meeting", "date": "2026-11-10", "participants": ["[[Ann]]", "[[Bob]]"]}
    model = {
        "People/Ann/Ann.md": ({"type": "person"}, "# Ann\n"),
        "People/Bob/Bob.md": ({"type": "person"}, "# Bob\n"),
        "Meetings/2026-11-10 - A.md": (meeting, "Pricing talk, long version of it.\n"),
        "Meetings/2026-11-10 - B.md": (meeting, "Pricing talk.\n"),
        "Meetings/2026-11-10 - C.md": (meeting, "Pricing.\n"),
        "Daily/2026-11-11.md": (None, "Follow up on [[2026-11-10 - A]].\n"),
        "Daily/2026-11-12.md": (None, "Nothing yet.\n"),
        "Daily/2026-11-13.md": (None, "Nothing yet.\n"),
    }
    write_model(root, model)
    real_run(root)
    assert "duplicate_of" in (root / "Meetings/2026-11-10 - C.md").read_text()
    return model


def test_a_canonical_that_leaves_its_group_is_replaced(tmp_path: Path) -> None:
    """Only the old date of the edited note leads to the other members: they must be rechecked too."""
    model = _meetings_vault(tmp_path)
    fields, body = model["Meetings/2026-11-10 - A.md"]
    write_model(tmp_path, {**model, "Meetings/2026-11-10 - A.md": ({**fields, "date": "2026-11-03"}, body)}, model)
    incremental = planned(tmp_path, cached=True)[0]
    assert incremental.memo.edited_since_clean == {"Meetings/2026-11-10 - A.md"}
    assert "Meetings/2026-11-10 - C.md" in {c.path for c in incremental.changes}
    assert outcome(incremental) == outcome(planned(tmp_path, cached=False)[0])


def test_a_new_link_to_a_duplicate_can_make_it_canonical(tmp_path: Path) -> None:
    """Edits to notes that are no meetings change which meeting has the most links
    (A keeps two, from the duplicates' `duplicate_of`; C gets three)."""
    model = _meetings_vault(tmp_path)
    dailies = ["Daily/2026-11-11.md", "Daily/2026-11-12.md", "Daily/2026-11-13.md"]
    write_model(tmp_path, {**model, **{daily: (None, "[[2026-11-10 - C]]\n") for daily in dailies}}, model)
    incremental = planned(tmp_path, cached=True)[0]
    assert incremental.memo.edited_since_clean == set(dailies)
    assert {c.path for c in incremental.changes} >= {"Meetings/2026-11-10 - A.md", "Meetings/2026-11-10 - C.md"}
    assert outcome(incremental) == outcome(planned(tmp_path, cached=False)[0])
