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
"""

from __future__ import annotations

import argparse
import datetime
import logging
import signal
import sys
from pathlib import Path
from types import FrameType

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler

from bot.config import Config, ConfigError, load_config
from bot.execute import RunRequest, RunResult, run
from bot.schedule import parse_schedule
from rules import RULES

EXIT_OK, EXIT_USAGE = 0, 2
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
            result = run(RunRequest(self.vault, config, datetime.date.today(), rules))
            log.info("[%s] %s", schedule, describe_run(result))
        except Exception as error:  # a bug in one run must not end the daemon
            log.exception("[%s] run failed: %s", schedule, error)

    def stop(self, signum: int, frame: FrameType | None) -> None:
        """SIGTERM/SIGINT: let the running job finish, then leave."""
        if self.scheduler.running:
            log.info("stopping (%s): waiting for the current run", signal.Signals(signum).name)
            self.scheduler.shutdown(wait=True)


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s vaultbot: %(message)s", "%Y-%m-%dT%H:%M:%S%z"))
    for name, level in (("vaultbot", logging.INFO), ("apscheduler", logging.WARNING)):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False


def daemon_command(args: argparse.Namespace) -> int:
    vault: Path = args.vault
    if not vault.is_dir():
        print(f"vaultbot: {vault}: not a folder", file=sys.stderr)
        return EXIT_USAGE
    try:
        groups = schedule_groups(load_config(vault, args.config))
    except ConfigError as error:
        print(f"vaultbot: config error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if not groups:
        print("vaultbot: no rule is enabled, so there is nothing to schedule", file=sys.stderr)
        return EXIT_USAGE
    _configure_logging()
    daemon = Daemon(vault, args.config)
    daemon.sync_jobs(groups, run_now=args.run_now)
    signal.signal(signal.SIGTERM, daemon.stop)
    signal.signal(signal.SIGINT, daemon.stop)
    log.info("daemon started for %s: %s", vault, "; ".join(f"{s}: {', '.join(r)}" for s, r in groups.items()))
    daemon.scheduler.start()
    log.info("daemon stopped")
    return EXIT_OK
