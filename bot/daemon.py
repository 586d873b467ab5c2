"""`vaultbot daemon`: run the rules on their schedules, one commit per run.

Rules that share a schedule run together (one APScheduler job per distinct
schedule, so one run and one commit). Each job calls bot/execute.py's `run`,
exactly as `vaultbot run VAULT --rule ...` does: the same lock, the same git
checks and crash recovery, a fresh `Repo` per run (no `git cat-file` pile-up),
and the config read again from disk; it logs the RunResult in one line. A config that became invalid skips that
run and is logged; a changed schedule moves the jobs. Jobs run one at a time
(one worker thread), since they would only wait for each other's lock.

APScheduler's defaults do not suit a daemon that may sleep with the laptop:
`misfire_grace_time` would silently drop any run more than 1 s late, so a late
run still happens (once: `coalesce`), and `max_instances=1` never stacks runs.

With `--watch [SECONDS]` the daemon also reacts to the vault's file events
(bot/watch.py): once no event came for SECONDS (default 2), a run of every
enabled rule goes through the same `run` as a scheduled one, over a warm cache
kept in memory between runs (bot/shard_memory.py; only the notes that changed
are parsed again, and notes edited, added or removed since the last clean run
are rechecked where they reach, bot/delta.py), and commits as a scheduled run does. Watch runs and scheduled runs share one lock
in this process, so they take turns; the notes either kind writes, and its
commit, are remembered so that their events cause no run.
"""

from __future__ import annotations

import argparse
import datetime
import logging
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler

from bot.cache import git_dir
from bot.config import Config, ConfigError, load_config
from bot.errors import EXIT_OK, UsageError
from bot.execute import RunRequest, RunResult, run
from bot.schedule import parse_schedule
from bot.today import today
from rules import RULES

if TYPE_CHECKING:
    from bot.watch import Batch, OwnWrites, Watcher

JOB_DEFAULTS = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}  # None: late runs still run

log = logging.getLogger("vaultbot.daemon")


def schedule_groups(config: Config) -> dict[str, tuple[str, ...]]:
    """{schedule: enabled rule ids} in run order; rules sharing a schedule share a run."""
    groups: dict[str, list[str]] = {}
    for rule in RULES:
        settings = config.rules[rule.ID]
        if settings.enabled:
            groups.setdefault(settings.schedule.strip(), []).append(rule.ID)
    return {schedule: tuple(rules) for schedule, rules in groups.items()}


def describe_run(result: RunResult) -> str:
    """The log line's body: notes changed, commit, warnings, errors."""
    changed, warnings = len(result.changes), result.problems
    line = f"{changed} note{'s' if changed != 1 else ''} changed, commit {(result.commit or 'none')[:12]}, {len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
    if warnings:
        line += f" (first: {warnings[0]})"
    if result.recovered:
        line += f"; {result.recovered}"
    if result.errors:
        line += f"; run failed: {'; '.join(result.errors)}"
    return line


class Daemon:
    """The scheduler and the jobs it holds, kept in step with the config."""

    def __init__(self, vault: Path, config_file: Path | None) -> None:
        self.vault = vault
        self.config_file = config_file
        self.scheduler = BlockingScheduler(executors={"default": ThreadPoolExecutor(1)}, job_defaults=JOB_DEFAULTS)
        self.running = threading.Lock()  # a scheduled run and a watch run take turns
        self.own_writes: OwnWrites | None = None  # with --watch: what the runs wrote
        self.head = ""  # with --watch: HEAD as the daemon last saw it
        self.watcher: Watcher | None = None

    def sync_jobs(self, groups: dict[str, tuple[str, ...]], run_now: bool = False) -> None:
        """One job per schedule in `groups`; jobs for schedules no longer used go."""
        for job in self.scheduler.get_jobs():
            if job.id not in groups:
                job.remove()
        for schedule in groups:
            if self.scheduler.get_job(schedule) is None:
                start = {"next_run_time": datetime.datetime.now().astimezone()} if run_now else {}
                self.scheduler.add_job(self.run, parse_schedule(schedule), args=[schedule], id=schedule, name=schedule, **start)

    def run(self, schedule: str) -> None:
        """One scheduled run; it logs one line and never raises (the daemon keeps going)."""
        try:
            try:
                config = load_config(self.vault, self.config_file)
                groups = schedule_groups(config)
            except ConfigError as error:
                log.info("[%s] skipped: config error: %s", schedule, error)
                return
            self.sync_jobs(groups)
            rules = groups.get(schedule)
            if not rules:
                log.info("[%s] skipped: no enabled rule has this schedule any more", schedule)
                return
            with self.running:
                self._run_and_log(schedule, config, rules)
        except Exception as error:  # a bug in one run must not end the daemon
            log.exception("[%s] run failed: %s", schedule, error)

    def _run_and_log(self, name: str, config: Config, rules: tuple[str, ...], why: str = "") -> None:
        """One run (`rules`, or all enabled ones when empty), logged in one line."""
        before = self._head() if self.own_writes is not None else ""
        result = run(RunRequest(self.vault, config, today(config.timezone), rules))
        log.info("[%s] %s%s", name, why, describe_run(result))
        if self.own_writes is not None:
            # HEAD as this run left it, not as it is now: a commit someone made meanwhile is still news.
            self.own_writes.remember(result.changes)
            self.head = result.commit or before

    def _head(self) -> str:
        from bot.watch import head_commit  # watchdog loads only with --watch

        return head_commit(self.vault)

    def start_watching(self, debounce: float) -> None:
        from bot import shard_memory
        from bot.watch import OwnWrites, Watcher

        shard_memory.keep_in_memory()  # each run after a change reads the parse cache from memory
        self.own_writes, self.head = OwnWrites(), self._head()
        self.watcher = Watcher(self.vault, git_dir(self.vault), debounce, self.on_changes)
        log.info("watching %s for changes (a run %g s after the last one)", self.vault, debounce)

    def on_changes(self, batch: Batch) -> None:
        """A debounced batch of file events: one run of every enabled rule, unless the batch holds
        only vaultbot's own writes and no new HEAD. It logs and never raises, as `run` does."""
        assert self.own_writes is not None
        try:
            with self.running:
                changed = self.own_writes.others(self.vault, batch.paths)
                head = self._head() if batch.git else self.head
                moved = head != self.head
                if not changed and not moved:
                    log.debug("[watch] only vaultbot's own changes; no run")
                    return
                self.head = head
                try:
                    config = load_config(self.vault, self.config_file)
                except ConfigError as error:
                    log.info("[watch] skipped: config error: %s", error)
                    return
                reasons = (
                    [f"{len(changed)} path{'s' if len(changed) != 1 else ''} changed ({changed[0]}{', ...' if len(changed) > 1 else ''})"]
                    if changed
                    else []
                )
                self._run_and_log("watch", config, (), "; ".join(reasons + (["a new commit"] if moved else [])) + ": ")
        except Exception as error:  # a bug in one run must not end the daemon
            log.exception("[watch] run failed: %s", error)

    def stop(self, signum: int, frame: FrameType | None) -> None:
        """SIGTERM/SIGINT: let the running job finish, then leave."""
        if self.scheduler.running:
            log.info("stopping (%s): waiting for the current run", signal.Signals(signum).name)
            self.scheduler.shutdown(wait=True)
        if self.watcher is not None:
            self.watcher.stop()


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s vaultbot: %(message)s", "%Y-%m-%dT%H:%M:%S%z"))
    for name, level in (("vaultbot", logging.INFO), ("apscheduler", logging.WARNING)):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False


def daemon_command(args: argparse.Namespace) -> int:
    """Run until stopped; UsageError (exit 2, printed by the CLI) when the daemon cannot start."""
    vault: Path = args.vault
    watch: float | None = getattr(args, "watch", None)
    if watch is not None and not watch > 0:
        raise UsageError(f"--watch {watch:g}: the quiet time must be more than 0 seconds")
    if not vault.is_dir():
        raise UsageError(f"{vault}: not a folder")
    try:
        groups = schedule_groups(load_config(vault, args.config))
    except ConfigError as error:
        raise UsageError(f"config error: {error}") from None
    if not groups:
        raise UsageError("no rule is enabled, so there is nothing to schedule")
    _configure_logging()
    daemon = Daemon(vault, args.config)
    daemon.sync_jobs(groups, run_now=args.run_now)
    if watch is not None:
        daemon.start_watching(watch)
    signal.signal(signal.SIGTERM, daemon.stop)
    signal.signal(signal.SIGINT, daemon.stop)
    log.info("daemon started for %s: %s", vault, "; ".join(f"{s}: {', '.join(r)}" for s, r in groups.items()))
    daemon.scheduler.start()
    log.info("daemon stopped")
    return EXIT_OK
