"""A note's date and time of day, read from its frontmatter or its file name.

A note's date: the first source that gives a real calendar date
wins; a value that is not a date (``TBD``, ``{{date}}``, ``2025-02-30``) is skipped
so the next source can still date the note. The time of day is a frontmatter
``time`` (or the time of a datetime date), else the `` HHmm``/`` HH:mm`` after the
file name's leading ``YYYY-MM-DD`` whenever that day is the note's date, whichever
source the date came from.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple

_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_WEEKDAY_NAMES = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
_MONTH_NUMBERS = {
    **{name: number for number, name in enumerate(_MONTH_NAMES, start=1)},
    **{name[:3]: number for number, name in enumerate(_MONTH_NAMES, start=1)},
    "sept": 9,
}

_ISO_DATE = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"(?:[T ](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?)?"
)
_CLOCK = re.compile(r"(?P<hour>\d{1,2}):?(?P<minute>\d{2})(?::\d{2})?")
# "2025-12-18 1303 - New Recording": the time belongs to the leading date only.
_LEADING_DAY = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?!\d)"
    r"(?: (?P<hour>\d{2}):?(?P<minute>\d{2})(?!\d))?"
)
_LEADING_MONTH = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})(?!\d)")
_MONTH_NAME_DATE = re.compile(
    r"\b(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
    r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})(?!\d)",
    re.IGNORECASE,
)

_MOMENT_TOKEN = re.compile(r"\[[^\]]*\]|YYYY|YY|Q|MMMM|MMM|MM|M|Do|DD|D|dddd|ddd|dd|d|ww|w|HH|H|hh|h|mm|m|A|a|.")
# token -> (date field it carries or None, pattern of its value, pattern that follows the value)
_MOMENT_TOKENS = {
    "YYYY": ("year", r"\d{4}", ""),
    "YY": ("short_year", r"\d{2}", ""),
    "Q": (None, r"[1-4]", ""),
    "MMMM": ("month_name", "|".join(_MONTH_NAMES), ""),
    "MMM": ("month_name", "|".join(name[:3] for name in _MONTH_NAMES), ""),
    "MM": ("month", r"\d{2}", ""),
    "M": ("month", r"\d{1,2}", ""),
    "Do": ("day", r"\d{1,2}", "(?:st|nd|rd|th)"),
    "DD": ("day", r"\d{2}", ""),
    "D": ("day", r"\d{1,2}", ""),
    "dddd": (None, "|".join(_WEEKDAY_NAMES), ""),
    "ddd": (None, "|".join(name[:3] for name in _WEEKDAY_NAMES), ""),
    "dd": (None, "|".join(name[:2] for name in _WEEKDAY_NAMES), ""),
    "d": (None, r"[0-6]", ""),
    "ww": (None, r"\d{2}", ""),
    "w": (None, r"\d{1,2}", ""),
    "HH": (None, r"\d{2}", ""),
    "H": (None, r"\d{1,2}", ""),
    "hh": (None, r"\d{2}", ""),
    "h": (None, r"\d{1,2}", ""),
    "mm": (None, r"\d{2}", ""),
    "m": (None, r"\d{1,2}", ""),
    "A": (None, r"am|pm", ""),
    "a": (None, r"am|pm", ""),
}


class NoteDate(NamedTuple):  # a tuple: one per note, built, cached and sent between processes cheaply
    """A calendar day, or a whole month when the file name only says ``YYYY-MM``.

    A month and a day of that same month do not compare (``None`` against an int):
    sort mixed precisions by ``first_day()``, as Recent Context does.
    """

    year: int
    month: int
    day: int | None = None

    def __str__(self) -> str:
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, self.day or 1)


class DateInfo(NamedTuple):
    """A note's date and time of day, each with where it was read (for reports)."""

    date: NoteDate | None
    source: str
    time: tuple[int, int] | None
    time_source: str


def note_date(
    frontmatter: Mapping | None,
    basename: str,
    date_keys: Sequence[str],
    daily_format: str = "YYYY-MM-DD",
    *,
    path: str = "",
) -> DateInfo:
    """The note's date and time; ``path`` (vault path without .md) serves daily-note formats with folders."""
    fields = frontmatter or {}
    time = _time_value(fields.get("time"))
    time_source = "frontmatter:time" if time else ""

    leading = _LEADING_DAY.match(basename)
    named_day = _calendar_date(leading["year"], leading["month"], leading["day"]) if leading else None
    named_time = _clock(int(leading["hour"]), int(leading["minute"])) if leading and leading["hour"] else None

    for key in date_keys:
        dated = _date_value(fields.get(key))
        if dated:
            day, clock = dated
            if time is None and clock is not None:
                time, time_source = clock, f"frontmatter:{key} (datetime)"
            elif time is None and named_time and named_day == day:
                # "2026-05-21 1600 - Retro.md" with `date: 2026-05-21`: the name still says when.
                time, time_source = named_time, "file name"
            return DateInfo(day, f"frontmatter:{key}", time, time_source)

    if named_day:
        if time is None and named_time:
            time, time_source = named_time, "file name"
        return DateInfo(named_day, "file name", time, time_source)

    date = _daily_note_date(daily_format, basename, path)
    if date:
        return DateInfo(date, "daily-notes format", time, time_source)

    for named in _MONTH_NAME_DATE.finditer(basename):
        date = _calendar_date(named["year"], _MONTH_NUMBERS[named["month"].lower()], named["day"])
        if date:
            return DateInfo(date, "month-name date", time, time_source)

    month = _LEADING_MONTH.match(basename)
    if month and int(month["year"]) > 0 and 1 <= int(month["month"]) <= 12:
        return DateInfo(NoteDate(int(month["year"]), int(month["month"])), "file name (month)", time, time_source)

    return DateInfo(None, "", time, time_source)


def skipped_date_keys(frontmatter: Mapping | None, date_keys: Sequence[str]) -> list[tuple[str, object]]:
    """The date keys read before the one that dated the note (all, when none did) whose value is no date: `date: TBD`."""
    skipped = []
    for key in date_keys:
        value = (frontmatter or {}).get(key)
        if _date_value(value):
            break
        if value is not None and value != "":
            skipped.append((key, value))
    return skipped


@functools.lru_cache(maxsize=16)
def moment_to_regex(fmt: str) -> re.Pattern[str]:
    """A pattern for names written in the Moment.js format ``fmt``; use it with ``fullmatch``.

    Date parts are captured in groups named ``<field>_<n>`` (year, short_year, month,
    month_name, day), numbered because a format may repeat a token in its folders.
    """
    parts = []
    for index, token in enumerate(_MOMENT_TOKEN.findall(fmt)):
        if token.startswith("[") and token.endswith("]") and len(token) > 1:
            parts.append(re.escape(token[1:-1]))
        elif token in _MOMENT_TOKENS:
            field, value, suffix = _MOMENT_TOKENS[token]
            group = f"?P<{field}_{index}>" if field else "?:"
            parts.append(f"({group}{value}){suffix}")
        else:
            parts.append(re.escape(token))
    return re.compile("".join(parts), re.IGNORECASE)


def _daily_note_date(daily_format: str, basename: str, path: str) -> NoteDate | None:
    if "/" in daily_format:
        # The format names folders too: compare it with as many trailing path parts.
        depth = daily_format.count("/") + 1
        name = "/".join((path or basename).split("/")[-depth:])
    else:
        name = basename
    match = moment_to_regex(daily_format).fullmatch(name)
    if not match:
        return None
    fields: dict[str, int] = {}
    for group, text in match.groupdict().items():
        kind = group.rsplit("_", 1)[0]
        if kind == "short_year":
            field, number = "year", _four_digit_year(int(text))
        elif kind == "month_name":
            field, number = "month", _MONTH_NUMBERS[text.lower()]
        else:
            field, number = kind, int(text)
        if fields.setdefault(field, number) != number:
            return None  # the folders and the name disagree
    if not {"year", "month", "day"} <= fields.keys():
        return None
    return _calendar_date(fields["year"], fields["month"], fields["day"])


def _four_digit_year(two_digits: int) -> int:
    # Moment.js reads YY 69-99 as 19xx and 00-68 as 20xx.
    return two_digits + (1900 if two_digits > 68 else 2000)


def _date_value(value: object) -> tuple[NoteDate, tuple[int, int] | None] | None:
    """A frontmatter date value as (date, time of day or None); None when it is no date."""
    if isinstance(value, datetime.datetime):
        return NoteDate(value.year, value.month, value.day), (value.hour, value.minute)
    if isinstance(value, datetime.date):
        return NoteDate(value.year, value.month, value.day), None
    if not isinstance(value, str):
        return None
    match = _ISO_DATE.fullmatch(value.strip())
    if match is None:
        return None
    date = _calendar_date(match["year"], match["month"], match["day"])
    if not date:
        return None
    clock = _clock(int(match["hour"]), int(match["minute"])) if match["hour"] else None
    if match["hour"] and clock is None:  # `2025-03-03T24:30:00` names no real moment
        return None
    return date, clock


def _time_value(value: object) -> tuple[int, int] | None:
    """A frontmatter ``time`` value as (hour, minute); None when it is no time of day."""
    if isinstance(value, datetime.time):
        return value.hour, value.minute
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        # YAML 1.1 reads an unquoted 13:03 as the base-60 number 783.
        return divmod(value, 60) if 0 <= value < 24 * 60 else None
    if isinstance(value, str):
        match = _CLOCK.fullmatch(value.strip())
        return match and _clock(int(match["hour"]), int(match["minute"]))
    return None


def _clock(hour: int, minute: int) -> tuple[int, int] | None:
    return (hour, minute) if 0 <= hour < 24 and 0 <= minute < 60 else None


def _calendar_date(year: int | str, month: int | str, day: int | str) -> NoteDate | None:
    try:
        real = datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None
    return NoteDate(real.year, real.month, real.day)
