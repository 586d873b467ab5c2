"""The re-check of a written vault (bot/recheck.py) must give what rerunning every rule over it gives.

A real run may record the vault as clean (the clean-run memo, bot/memo.py) only when the rules,
run once more over the vault as it wrote it, change nothing; the memo then keeps their warnings.
The re-check reruns each rule only where the run's edits reach. These tests hold it to the full
rerun: on generated vaults (cold runs, and runs from a clean state), with and without test rules
that undo what an earlier rule did (so the vault as written is not clean); and end to end, where
the memo must be recorded exactly when the full rerun finds nothing, and the next run must be a
memo hit exactly then, with the output of a run from scratch.
"""

from __future__ import annotations

import contextlib
import datetime
import random
import sys
import textwrap
import types
from pathlib import Path
from typing import Iterator, Sequence

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import rules
from bot.config import load_config
from bot.memo import CleanRunMemo
from bot.note_text import reader
from bot.recheck import recheck_written
from bot.runner import RulesResult, RunPlan, apply_rules, parse_settings, plan_run
from bot.vault import VaultIndex
from rules import get_rule
from tests.test_incremental import edit, outcome, planned, real_run, vault_model, write_model
from tests.vaults import TODAY, write_vault

# Two rules nobody ships. `restage` and `stage-b` fight over one key: the vault `stage-b` leaves is one
# in which `restage` changes a note again. `postpone` moves the meetings that link Acme to one day:
# last-contact and recent-context, which ran before it over the old dates, may then have more to do.
SOURCE = '''
"""{doc}"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.edits import NoteEdit, SetProperty
from bot.scope import EVERY_NOTE

ID = "{id}"
SCOPE = EVERY_NOTE
OWNED_KEYS = ("{key}",)


@dataclass(frozen=True)
class Options:
    value: str = field(default="{value}", metadata={{"doc": "the value it sets."}})


def check(vault, options, today, notes):
    for path in notes:
        note = vault.notes[path]
        if {condition} and str(note.get("{key}")) != options.value:
            yield NoteEdit(path, SetProperty("{key}", options.value))


def affected(delta, options):
    return delta.paths
'''
MEETING = 'str(note.type).lower() in ("meeting", "call")'
TEST_RULES = {
    "restage": dict(doc="Sets stage a.", key="stage", value="a", condition=MEETING),
    "stage-b": dict(doc="Sets stage b on meetings with Ann.", key="stage", value="b", condition=MEETING + ' and "ann" in note.link_names'),
    "postpone": dict(doc="Moves meetings with Acme.", key="date", value="2026-11-23", condition=MEETING + ' and "acme" in note.link_names'),
}
SETS = [(), ("restage", "stage-b"), ("postpone",), ("stage-b",)]


@contextlib.contextmanager
def registered(ids: Sequence[str]) -> Iterator[None]:
    """The test rules `ids`, registered after the shipped ones (as a line in rules/__init__.py would)."""
    added = []
    for rule_id in ids:
        module = types.ModuleType(f"rules.test_{rule_id.replace('-', '_')}")
        sys.modules[module.__name__] = module  # dataclasses look their module up
        exec(compile(textwrap.dedent(SOURCE.format(id=rule_id, **TEST_RULES[rule_id])), module.__name__, "exec"), module.__dict__)
        added.append(module)
    registry = rules.RULES
    with pytest.MonkeyPatch.context() as patch:
        for module in list(sys.modules.values()):  # every `from rules import RULES` holds the same tuple
            if getattr(module, "RULES", None) is registry:
                patch.setattr(module, "RULES", (*registry, *added))
        try:
            yield
        finally:
            for module in added:
                del sys.modules[module.__name__]


def full_rerun(root: Path, vault: VaultIndex, rule_ids: Sequence[str]) -> RulesResult:
    """Every rule of `rule_ids` rerun over all of `vault` (the notes of the vault at `root`)."""
    config = load_config(root)
    return apply_rules(
        vault, [get_rule(i) for i in rule_ids], config, parse_settings(config, vault.settings), TODAY, read_text=reader(root)
    )


def assert_recheck_is_a_full_rerun(root: Path, plan: RunPlan) -> bool:
    """The re-check of `plan`'s vault against every rule rerun over all of it; whether it is clean."""
    assert plan.memo is not None and plan.vault is not None
    config = load_config(root)
    parse = parse_settings(config, plan.vault.settings)
    chosen = [get_rule(rule_id) for rule_id in plan.rules]
    full = full_rerun(root, plan.vault, plan.rules)
    record = plan.memo
    again = recheck_written(
        plan.vault, chosen, record.versions, record.rule_problems, record.link_problems, config, parse, TODAY, reader(root)
    )
    assert again.clean == (not full.changed_by)
    if again.clean:
        assert again.rule_problems == full.problems
        assert again.link_problems == plan.vault.problems()
    return again.clean


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), edits=st.integers(0, 4), extra=st.sampled_from(SETS), from_clean=st.booleans(), kept=st.booleans())
@example(seed=1, edits=2, extra=(), from_clean=False, kept=True)
@example(seed=5, edits=1, extra=("postpone",), from_clean=True, kept=True)
@example(seed=9, edits=1, extra=("restage", "stage-b"), from_clean=False, kept=True)
@example(seed=9, edits=1, extra=("restage", "stage-b"), from_clean=False, kept=False)
def test_the_recheck_is_the_full_rerun(
    tmp_path_factory: pytest.TempPathFactory, seed: int, edits: int, extra: tuple, from_clean: bool, kept: bool
) -> None:
    """`kept`: whether the plan kept the rules' edited notes (a dry run does not; a re-check without them reruns everything)."""
    rng = random.Random(seed)
    root = tmp_path_factory.mktemp("vault")
    model = vault_model(rng)
    write_model(root, model)
    with registered(extra):
        if from_clean:  # the run starts from the state a real run left (clean, and remembered, unless rules fight)
            real_run(root)
        edited = model
        for _ in range(edits):
            edited = edit(rng, edited)
        write_model(root, edited, model)
        plan = (
            planned(root, cached=True)[0]
            if from_clean
            else plan_run(root, load_config(root), TODAY, memo=CleanRunMemo(root / "memo"), keep_versions=kept)
        )
        if plan.memo is not None and not plan.memo.remembered:
            assert (plan.memo.versions is not None) == (kept or from_clean)
            assert_recheck_is_a_full_rerun(root, plan)


@pytest.mark.parametrize("extra", SETS)
@pytest.mark.parametrize("seed", [2, 3, 11])
def test_the_memo_is_recorded_exactly_when_a_full_rerun_finds_nothing(tmp_path: Path, seed: int, extra: tuple) -> None:
    """A cold real run; then the next run is a memo hit exactly when the full rerun found the vault clean, and says what a run from scratch says."""
    model = vault_model(random.Random(seed))
    write_model(tmp_path, model)
    with registered(extra):
        plan = real_run(tmp_path)
        assert plan.changes, "the cold run has something to write"
        full = full_rerun(tmp_path, plan.vault, plan.rules)
        clean = not full.changed_by
        if extra == ("restage", "stage-b"):
            assert not clean, "the fight is not over"
        nxt, _, _ = planned(tmp_path, cached=True)
        assert nxt.memo is not None and nxt.memo.remembered == clean
        assert outcome(nxt) == outcome(planned(tmp_path, cached=False)[0])
    if extra == ():
        assert clean, "the shipped rules leave a clean vault"


def test_a_rule_undone_by_a_later_one_keeps_the_memo_from_being_recorded(tmp_path: Path) -> None:
    """`restage` sets what `stage-b` changes after it: only the recheck of notes `stage-b` edited finds that."""
    write_model(tmp_path, vault_model(random.Random(2)))
    with registered(("restage", "stage-b")):
        plan = real_run(tmp_path)
        assert "stage-b" in {rule for change in plan.changes for rule in change.rules}
        assert not assert_recheck_is_a_full_rerun(tmp_path, plan)
        assert not planned(tmp_path, cached=True)[0].memo.remembered


def test_a_later_rule_moving_a_date_makes_an_earlier_rule_recheck_the_entity_it_reaches(tmp_path: Path) -> None:
    """`postpone` edits meetings only; last-contact, which ran before it and had nothing to do for
    Acme then, reads their dates: Acme is rechecked though no rule of the run edited it."""
    write_vault(
        tmp_path,
        {
            "Customers/Acme.md": "---\ntype: customer\nlast_contact: 2026-11-10\n---\n# Acme\n",
            "Meetings/2026-11-10 - Kickoff.md": "---\ntype: meeting\ndate: 2026-11-10\n---\nWith [[Acme]].\n",
            "Meetings/2026-11-05 - Call.md": "---\ntype: meeting\ndate: 2026-11-05\n---\nWith [[Acme]].\n",
        },
    )
    with registered(("postpone",)):
        plan = plan_run(tmp_path, load_config(tmp_path), TODAY, ("last-contact", "postpone"), memo=CleanRunMemo(tmp_path / "memo"))
        assert [(change.path, change.rules) for change in plan.changes] == [
            ("Meetings/2026-11-05 - Call.md", ("postpone",)),
            ("Meetings/2026-11-10 - Kickoff.md", ("postpone",)),
        ]
        assert not assert_recheck_is_a_full_rerun(tmp_path, plan), "last-contact now moves Acme to 2026-11-23"


def test_a_vault_edited_by_one_rule_rechecks_only_what_its_edits_reach(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cold run that edits one daily note's tags rechecks that note, not every note of the vault."""
    model = vault_model(random.Random(2))
    write_model(tmp_path, model)
    real_run(tmp_path)
    assert real_run(tmp_path).changes == []
    daily = next(path for path in model if path.startswith("Daily/"))
    (tmp_path / daily).write_text("---\ntags: [b, a, a]\n---\n" + model[daily][1], encoding="utf-8")
    judged: list[str] = []
    tags = get_rule("tags")
    original = tags.check

    def counting(vault, options, today: datetime.date, notes):  # type: ignore[no-untyped-def]
        judged.extend(notes)
        return original(vault, options, today, notes)

    plan = plan_run(tmp_path, load_config(tmp_path), TODAY, memo=CleanRunMemo(tmp_path / "memo"))  # no cache: a cold run
    assert [change.path for change in plan.changes] == [daily]
    monkeypatch.setattr(tags, "check", counting)
    assert assert_recheck_is_a_full_rerun(tmp_path, plan)
    rechecks = len(judged) - len(plan.vault.notes)  # the full rerun judged every note
    assert rechecks == 1, judged[len(plan.vault.notes) :]
