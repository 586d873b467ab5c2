"""Which date is "today" for a run: fixed by `--today`, else the date now in a time zone.

Without a `timezone` setting it is the machine's local date. A GitHub runner's
clock is in UTC, so an evening meeting in UTC-8 would count as tomorrow's there;
`timezone: America/Los_Angeles` (or the Action's `timezone` input) fixes that.
Zone names are IANA names, looked up with `zoneinfo` (on Windows, which has no
zone database of its own, from the `tzdata` package vaultbot depends on there).
"""

from __future__ import annotations

import datetime
import zoneinfo

from bot.errors import UsageError


class UnknownTimezone(UsageError, ValueError):
    """A name that is not an IANA time zone."""


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The IANA time zone `name` (`Europe/Berlin`); UnknownTimezone when there is none by that name."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # ValueError: a path-like name or a file that is no zone
        raise UnknownTimezone(f"unknown time zone {name!r} (expected an IANA name such as Europe/Berlin)") from None


def today(timezone: str | None, fixed: datetime.date | None = None, now: datetime.datetime | None = None) -> datetime.date:
    """`fixed` when given; else the date at `now` (default: this instant) in `timezone`, or locally without one."""
    if fixed is not None:
        return fixed
    instant = now or datetime.datetime.now(datetime.timezone.utc)
    if timezone is None:
        return instant.astimezone().date()
    return instant.astimezone(zone(timezone)).date()
