"""The re-check in a forked child (bot/recheck_child.py): its answer, or the parent's own when it has none.

Real forks: the child's answer must be the one used when it gives one (it names the process
that computed it), a child that fails or dies costs nothing but the time to compute the answer
in the parent, a run that stops first kills and reaps its child, and no child is forked while
other threads run. End to end, a real run that rechecks in a child records the memo exactly
when the full rerun finds the vault clean.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot import recheck_child
from bot.cli import main
from bot.config import load_config
from bot.execute import RunRequest, run
from bot.problem import Problem
from bot.recheck import Recheck
from bot.recheck_child import PendingRecheck
from tests.bot.test_recheck import full_rerun, registered
from tests.test_faults import busy_vault
from tests.test_incremental import outcome, planned, vault_model, write_model
from tests.test_soak import TODAY as TODAY_TEXT
from tests.test_soak import _kill_trial, command, state
from tests.vaults import TODAY, git

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or (os.cpu_count() or 1) < 2, reason="forks on two cores or more")


def by_this_process() -> Recheck:
    return Recheck(True, {"tags": [Problem(str(os.getpid()), "computed here")]}, [])


def computed_by(found: Recheck) -> int:
    return int(found.rule_problems["tags"][0].path)


def test_the_childs_answer_is_used_when_it_gives_one() -> None:
    pending = PendingRecheck(by_this_process, recheck_child.CHILD_FROM)
    assert pending.child is not None
    child = pending.child[0]
    assert computed_by(pending.result()) == child != os.getpid()
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)  # reaped
    assert computed_by(PendingRecheck(by_this_process, recheck_child.CHILD_FROM - 1).result()) == os.getpid(), "a few changes: no child"


@pytest.mark.parametrize("failure", ["raises", "dies", "sends something else"])
def test_a_child_without_an_answer_means_the_parent_computes_it(failure: str) -> None:
    parent = os.getpid()

    def compute() -> Recheck:
        if os.getpid() != parent:
            if failure == "raises":
                raise RuntimeError("a defect")
            if failure == "dies":
                os.kill(os.getpid(), 9)
            return "not a re-check"  # type: ignore[return-value]
        return by_this_process()

    pending = PendingRecheck(compute, recheck_child.CHILD_FROM)
    assert pending.child is not None
    assert computed_by(pending.result()) == parent


def test_a_run_that_stops_first_kills_and_reaps_its_child() -> None:
    parent = os.getpid()

    def compute() -> Recheck:
        if os.getpid() != parent:
            time.sleep(60)
        return by_this_process()

    pending = PendingRecheck(compute, recheck_child.CHILD_FROM)
    assert pending.child is not None
    child = pending.child[0]
    started = time.monotonic()
    pending.close()
    assert time.monotonic() - started < 5
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)


def test_no_child_while_other_threads_run() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert PendingRecheck(by_this_process, recheck_child.CHILD_FROM).child is None
    finally:
        stop.set()
        thread.join()


@pytest.mark.parametrize("extra", [(), ("restage", "stage-b"), ("postpone",)])
def test_a_real_run_rechecking_in_a_child_records_the_memo_exactly_when_the_vault_is_clean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: tuple
) -> None:
    monkeypatch.setattr(recheck_child, "CHILD_FROM", 1)
    forks = []
    fork = os.fork

    def counted() -> int:
        pid = fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counted)
    write_model(tmp_path, vault_model(random.Random(2)))
    with registered(extra):
        done = run(RunRequest(tmp_path, load_config(tmp_path), TODAY))
        assert done.changes and not done.failed and forks, "a real run that rechecked in a child"
        nxt, _, _ = planned(tmp_path, cached=True)
        fresh, _, _ = planned(tmp_path, cached=False)
        rerun = full_rerun(tmp_path, fresh.original, fresh.rules)
        assert nxt.memo is not None and nxt.memo.remembered == (not rerun.changed_by), "the full rerun over the vault as written"
        assert outcome(nxt) == outcome(fresh)
        if extra != ("postpone",):  # whether postponing leaves more to do depends on the dates drawn
            assert nxt.memo.remembered == (extra == ())


@pytest.fixture(scope="module")
def committed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple]:
    """(a git vault before its first run, the state one uninterrupted run leaves)."""
    base = tmp_path_factory.mktemp("killed")
    repo = busy_vault(base / "pristine", customers=4, meetings=60)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "notes")
    reference = shutil.copytree(repo, base / "reference", symlinks=True)
    done = subprocess.run(command(reference), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return repo, state(reference)


def test_a_run_killed_while_its_child_rechecks_is_finished_by_the_next_run(
    committed: tuple[Path, tuple], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGKILL at random points of the writes and the commit of runs that recheck in a child: the next
    run (its lock free once the orphaned child is gone) commits what is left, and ends where one
    uninterrupted run ends; the run after it replays the memo."""
    monkeypatch.setenv(recheck_child.TEST_CHILD_FROM, "1")
    repo, expected = committed
    for trial in range(8):
        vault = _kill_trial(trial, repo, tmp_path, 0.4)
        assert main(["run", str(vault), "--today", TODAY_TEXT, "-q"]) == 0, f"trial {trial}"
        assert state(vault) == expected, f"trial {trial}: not where an uninterrupted run ends"
        again = subprocess.run(
            [sys.executable, "-m", "bot", "run", str(vault), "--today", TODAY_TEXT, "-v"], capture_output=True, text=True
        )
        assert again.returncode == 0 and "as the last clean run left it" in again.stderr, again.stderr
        shutil.rmtree(vault)


SLOW_CHILD = """
import os, sys, time
from pathlib import Path
from rules import tags
parent, original = os.getpid(), tags.check

def slow(vault, options, today, notes):
    if os.getpid() != parent:  # the re-check's child: say who it is, then take long
        Path(sys.argv[1]).write_text(str(os.getpid()))
        time.sleep(60)
    return original(vault, options, today, notes)

tags.check = slow
from bot.cli import main
sys.exit(main(["run", sys.argv[2], "--today", sys.argv[3], "-v"]))
"""


def _ended(pid: int) -> bool:
    """Whether process `pid` has ended (gone, or a zombie its new parent has not reaped yet)."""
    status = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True).stdout.strip()
    return status == "" or status.startswith("Z")


def test_a_parent_killed_while_its_child_rechecks_takes_the_child_and_the_callers_pipe_with_it(tmp_path: Path) -> None:
    """`vaultbot run | cat`: the caller waits for the end of the run's output, which a child holding the
    run's stdout or stderr would keep open after a SIGKILL of the run for as long as its re-check takes; and an
    orphaned child would hold the git objects' pipes (and, with older filelock versions, the run lock) as long."""
    vault = busy_vault(tmp_path / "vault dir é", customers=2, meetings=6)
    git(vault, "init", "-q", "-b", "main")
    git(vault, "add", "-A")
    git(vault, "commit", "-q", "-m", "notes")
    marker = tmp_path / "child.pid"
    env = {**os.environ, recheck_child.TEST_CHILD_FROM: "1"}
    run_ = subprocess.Popen(
        [sys.executable, "-c", SLOW_CHILD, str(marker), str(vault), TODAY_TEXT], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    child = None
    try:
        deadline = time.monotonic() + 60
        while not (marker.exists() and marker.read_text()) and time.monotonic() < deadline and run_.poll() is None:
            time.sleep(0.02)
        child = int(marker.read_text())
        run_.kill()
        started = time.monotonic()
        run_.communicate(timeout=20)  # both pipes end
        assert time.monotonic() - started < 10, "the pipes ended only when the child's re-check did"
        deadline = time.monotonic() + 10
        while not _ended(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _ended(child), "the orphaned child still runs"
    finally:
        run_.kill()
        if child is not None and not _ended(child):
            os.kill(child, 9)


def test_a_child_that_never_answers_is_killed_at_the_deadline_and_nothing_proves_the_vault_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hung child (here: one that sleeps) kept the parent waiting forever. The wait ends at the
    deadline (a base plus a share per note of the vault), the child is killed and reaped, and the
    parent does not compute the re-check itself: whatever held the child may hold it too."""
    monkeypatch.setattr(recheck_child, "WAIT_SECONDS", 0.5)
    monkeypatch.setattr(recheck_child, "WAIT_PER_NOTE_SECONDS", 0.001)
    parent = os.getpid()
    computed_here = []

    def compute() -> Recheck:
        if os.getpid() != parent:
            time.sleep(600)
        computed_here.append(os.getpid())
        return by_this_process()

    started = time.monotonic()
    pending = PendingRecheck(compute, recheck_child.CHILD_FROM, notes=500)  # 0.5 s + 500 x 1 ms
    assert pending.child is not None
    child = pending.child[0]
    assert pending.result() is None
    assert 1.0 <= time.monotonic() - started < 10
    assert computed_here == []
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)  # killed and reaped


def test_a_slow_child_that_answers_before_the_deadline_is_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recheck_child, "WAIT_SECONDS", 30.0)
    parent = os.getpid()

    def compute() -> Recheck:
        if os.getpid() != parent:
            time.sleep(1)
        return by_this_process()

    pending = PendingRecheck(compute, recheck_child.CHILD_FROM)
    assert pending.child is not None
    child = pending.child[0]
    assert computed_by(pending.result()) == child


def test_a_real_run_whose_child_hangs_writes_what_it_would_and_records_no_memo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run ends (the child killed at the deadline), writes exactly what a run without the hang
    writes, and records no memo: the next run checks the vault as usual, and finds what a fresh plan finds."""
    from bot import write_back

    model = vault_model(random.Random(3))
    write_model(tmp_path / "hung", model)
    write_model(tmp_path / "plain", model)
    monkeypatch.setattr(recheck_child, "CHILD_FROM", 1)
    plain = run(RunRequest(tmp_path / "plain", load_config(tmp_path / "plain"), TODAY))
    assert plain.changes and not plain.failed
    assert planned(tmp_path / "plain", cached=True)[0].memo.remembered, "without the hang, the memo is recorded"

    monkeypatch.setattr(recheck_child, "WAIT_SECONDS", 1.0)
    monkeypatch.setattr(recheck_child, "WAIT_PER_NOTE_SECONDS", 0.0)
    original = write_back.recheck_of
    parent = os.getpid()

    def hanging(*args: object) -> object:
        compute = original(*args)  # type: ignore[arg-type]

        def in_child() -> Recheck:
            if os.getpid() != parent:
                time.sleep(600)
            return compute()

        return in_child

    monkeypatch.setattr(write_back, "recheck_of", hanging)
    started = time.monotonic()
    hung = run(RunRequest(tmp_path / "hung", load_config(tmp_path / "hung"), TODAY))
    assert time.monotonic() - started < 60
    assert not hung.failed and [c.path for c in hung.changes] == [c.path for c in plain.changes]
    written = {p.relative_to(tmp_path / "hung"): p.read_bytes() for p in (tmp_path / "hung").rglob("*.md")}
    assert written == {p.relative_to(tmp_path / "plain"): p.read_bytes() for p in (tmp_path / "plain").rglob("*.md")}
    nxt, _, _ = planned(tmp_path / "hung", cached=True)
    assert nxt.memo is not None and not nxt.memo.remembered, "no memo recorded"
    assert outcome(nxt) == outcome(planned(tmp_path / "hung", cached=False)[0])
