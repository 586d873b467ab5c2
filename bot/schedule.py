"""Schedule expressions: 5-field crontab, `@hourly`, `@daily`, `@every <N>s|m|h`.

APScheduler's `CronTrigger.from_crontab` numbers weekdays from Monday = 0, where
cron means Sunday = 0 (and 7). A user's `0 9 * * 0` must run on Sunday, so the
weekday field is translated to day names before APScheduler sees it.
"""

from __future__ import annotations

import re
from datetime import timedelta, tzinfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.errors import UsageError

CRON_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
_EVERY = re.compile(r"@every\s+(\d+)\s*([smh])", re.IGNORECASE)
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours"}


class ScheduleError(UsageError, ValueError):
    """A schedule expression that cannot be understood."""


def _weekday_token(token: str) -> str:
    """One comma-separated item of cron's weekday field, with numbers as day names."""
    body, _, step = token.partition("/")
    if body == "*" or not any(ch.isdigit() for ch in body):
        return token
    first, _, last = body.partition("-")
    try:
        start = int(first)
        end = int(last) if last else (7 if step else start)
    except ValueError:
        raise ScheduleError(f"bad weekday {token!r}") from None
    if not (0 <= start <= 7 and 0 <= end <= 7) or end < start:
        raise ScheduleError(f"bad weekday {token!r}")
    days = range(start, end + 1, int(step) if step else 1)
    return ",".join(dict.fromkeys(CRON_WEEKDAYS[day] for day in days))


def _cron(expression: str, timezone: tzinfo | None) -> CronTrigger:
    fields = expression.split()
    if len(fields) != 5:
        raise ScheduleError(f"{expression!r}: a crontab needs 5 fields (minute hour day month weekday)")
    minute, hour, day, month, weekday = fields
    weekday = ",".join(_weekday_token(token) for token in weekday.split(","))
    try:
        return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=weekday, timezone=timezone)
    except ValueError as error:
        raise ScheduleError(f"{expression!r}: {error}") from None


def parse_schedule(expression: str, timezone: tzinfo | None = None) -> BaseTrigger:
    """The APScheduler trigger for a schedule expression; ScheduleError when it is not one."""
    text = expression.strip()
    if text.lower() == "@hourly":
        return _cron("0 * * * *", timezone)
    if text.lower() == "@daily":
        return _cron("0 0 * * *", timezone)
    if text.lower().startswith("@every"):
        match = _EVERY.fullmatch(text)
        if not match or int(match.group(1)) == 0:
            raise ScheduleError(f"{expression!r}: expected '@every <N>s', '@every <N>m' or '@every <N>h' with N > 0")
        interval = timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})
        return IntervalTrigger(seconds=interval.total_seconds(), timezone=timezone)
    if text.startswith("@"):
        raise ScheduleError(f"{expression!r}: known shortcuts are @hourly, @daily and @every <N>s|m|h")
    return _cron(text, timezone)
