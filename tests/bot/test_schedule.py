from __future__ import annotations

import datetime

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.schedule import ScheduleError, parse_schedule

UTC = datetime.timezone.utc
# A Wednesday.
START = datetime.datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def next_fire(expression: str, after: datetime.datetime = START) -> datetime.datetime:
    return parse_schedule(expression, UTC).get_next_fire_time(None, after)


@pytest.mark.parametrize("expression", ["0 9 * * 0", "0 9 * * 7", "0 9 * * sun"])
def test_cron_weekday_zero_and_seven_are_sunday(expression: str) -> None:
    fire = next_fire(expression)
    assert fire == datetime.datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    assert fire.strftime("%A") == "Sunday"


def test_weekday_ranges_follow_cron_numbering() -> None:
    fires = [next_fire("30 8 * * 1-5", START + datetime.timedelta(days=day)) for day in range(7)]
    assert {fire.strftime("%A") for fire in fires} == {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("@hourly", datetime.datetime(2026, 11, 25, 13, 0, tzinfo=UTC)),
        ("@daily", datetime.datetime(2026, 11, 26, 0, 0, tzinfo=UTC)),
        ("*/15 * * * *", datetime.datetime(2026, 11, 25, 12, 15, tzinfo=UTC)),
        ("0 3 1 * *", datetime.datetime(2026, 12, 1, 3, 0, tzinfo=UTC)),
    ],
)
def test_crontab_and_shortcuts(expression: str, expected: datetime.datetime) -> None:
    assert isinstance(parse_schedule(expression, UTC), CronTrigger)
    after = START + datetime.timedelta(seconds=1)
    assert next_fire(expression, after) == expected


@pytest.mark.parametrize(("expression", "seconds"), [("@every 1s", 1), ("@every 5m", 300), ("@every 2h", 7200), ("@EVERY 30 s", 30)])
def test_every(expression: str, seconds: int) -> None:
    trigger = parse_schedule(expression, UTC)
    assert isinstance(trigger, IntervalTrigger)
    assert trigger.interval == datetime.timedelta(seconds=seconds)


@pytest.mark.parametrize(
    "expression",
    [
        "",
        "* * * *",
        "* * * * * *",
        "61 * * * *",
        "0 25 * * *",
        "0 9 * * 8",
        "0 9 * * 5-2",
        "@weekly",
        "@every",
        "@every 0s",
        "@every 5d",
        "@every -1m",
        "every 5m",
    ],
)
def test_bad_expressions_are_errors(expression: str) -> None:
    with pytest.raises(ScheduleError):
        parse_schedule(expression)
