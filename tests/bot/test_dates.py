from __future__ import annotations

import datetime

import pytest

from bot.dates import DateInfo, NoteDate, moment_to_regex, note_date

DATE_KEYS = ("date", "meeting_date")


@pytest.mark.parametrize(
    ("frontmatter", "basename", "expected"),
    (
        ({"date": datetime.date(2025, 10, 6)}, "Meeting", DateInfo(NoteDate(2025, 10, 6), "frontmatter:date", None, "")),
        (
            {"date": datetime.datetime(2025, 10, 6, 13, 3)},
            "Meeting",
            DateInfo(NoteDate(2025, 10, 6), "frontmatter:date", (13, 3), "frontmatter:date (datetime)"),
        ),
        ({"date": "2025-10-06"}, "Meeting", DateInfo(NoteDate(2025, 10, 6), "frontmatter:date", None, "")),
        (
            {"date": "2025-10-06T13:03"},
            "Meeting",
            DateInfo(NoteDate(2025, 10, 6), "frontmatter:date", (13, 3), "frontmatter:date (datetime)"),
        ),
        (
            {"date": "2025-10-06 13:03:00"},
            "Meeting",
            DateInfo(NoteDate(2025, 10, 6), "frontmatter:date", (13, 3), "frontmatter:date (datetime)"),
        ),
        (
            {"meeting_date": datetime.date(2025, 9, 1)},
            "Meeting",
            DateInfo(NoteDate(2025, 9, 1), "frontmatter:meeting_date", None, ""),
        ),
        (
            {"date": "TBD", "meeting_date": "2025-09-01"},
            "Meeting",
            DateInfo(NoteDate(2025, 9, 1), "frontmatter:meeting_date", None, ""),
        ),
        (
            {"date": datetime.date(2025, 10, 6), "meeting_date": datetime.date(2025, 9, 1)},
            "Meeting",
            DateInfo(NoteDate(2025, 10, 6), "frontmatter:date", None, ""),
        ),
        ({"date": "TBD"}, "2025-12-19", DateInfo(NoteDate(2025, 12, 19), "file name", None, "")),
        ({"date": None}, "2025-12-19", DateInfo(NoteDate(2025, 12, 19), "file name", None, "")),
        ({"date": "{{date}}"}, "2025-12-19", DateInfo(NoteDate(2025, 12, 19), "file name", None, "")),
        ({"date": 20251006}, "2025-12-19", DateInfo(NoteDate(2025, 12, 19), "file name", None, "")),
        ({"date": "2025-02-30"}, "2025-12-19", DateInfo(NoteDate(2025, 12, 19), "file name", None, "")),
        ({"created": datetime.date(2025, 1, 1)}, "Meeting notes", DateInfo(None, "", None, "")),
    ),
)
def test_date_from_frontmatter(frontmatter, basename, expected):
    assert note_date(frontmatter, basename, DATE_KEYS) == expected


@pytest.mark.parametrize(
    ("basename", "expected"),
    (
        ("2025-12-19", DateInfo(NoteDate(2025, 12, 19), "file name", None, "")),
        ("2025-10-06 - Weekly 1:1", DateInfo(NoteDate(2025, 10, 6), "file name", None, "")),
        (
            "2025-12-18 1303 - New Recording",
            DateInfo(NoteDate(2025, 12, 18), "file name", (13, 3), "file name"),
        ),
        ("2025-12-18 13:03 x", DateInfo(NoteDate(2025, 12, 18), "file name", (13, 3), "file name")),
        ("2025-12-18 2575 x", DateInfo(NoteDate(2025, 12, 18), "file name", None, "")),
        ("2025-12-18 13035 x", DateInfo(NoteDate(2025, 12, 18), "file name", None, "")),
        ("October 22, 2025", DateInfo(NoteDate(2025, 10, 22), "month-name date", None, "")),
        ("Nov 05, 2022", DateInfo(NoteDate(2022, 11, 5), "month-name date", None, "")),
        ("Oct 22nd, 2025", DateInfo(NoteDate(2025, 10, 22), "month-name date", None, "")),
        ("Call Oct 22 2025 notes", DateInfo(NoteDate(2025, 10, 22), "month-name date", None, "")),
        ("Sept 3rd, 2024", DateInfo(NoteDate(2024, 9, 3), "month-name date", None, "")),
        ("Sep. 3, 2024", DateInfo(NoteDate(2024, 9, 3), "month-name date", None, "")),
        ("Feb 30, 2024", DateInfo(None, "", None, "")),
        ("2025-10 - OpenAI Tasks", DateInfo(NoteDate(2025, 10), "file name (month)", None, "")),
        # Not a calendar day: the note falls through to the next rule that fits.
        ("2025-02-30 x", DateInfo(NoteDate(2025, 2), "file name (month)", None, "")),
        ("2025-13-45 x", DateInfo(None, "", None, "")),
        ("2025-101", DateInfo(None, "", None, "")),
        ("Meeting notes", DateInfo(None, "", None, "")),
    ),
)
def test_date_from_file_name(basename, expected):
    assert note_date(None, basename, DATE_KEYS) == expected


@pytest.mark.parametrize(
    ("daily_format", "basename", "path", "expected"),
    (
        ("MMM Do, YYYY", "Oct 22nd, 2025", "", NoteDate(2025, 10, 22)),
        ("YYYY/MM/DD", "06", "Journal/2025/10/06", NoteDate(2025, 10, 6)),
        ("YYYY/MM/DD", "06", "2025/10/06", NoteDate(2025, 10, 6)),
        ("YYYY/MM/DD", "06", "Journal/10/06", None),
        ("YYYY/DD.MM.YYYY", "06.10.2025", "Daily/2025/06.10.2025", NoteDate(2025, 10, 6)),
        ("YYYY/DD.MM.YYYY", "06.10.2024", "Daily/2025/06.10.2024", None),
        ("DD.MM.YYYY", "06.10.2025", "", NoteDate(2025, 10, 6)),
        ("DD.MM.YYYY", "06x10x2025", "", None),
        ("DD.MM.YYYY", "31.02.2025", "", None),
        ("D MMMM YY", "6 october 25", "", NoteDate(2025, 10, 6)),
        ("D MMMM YY", "6 october 99", "", NoteDate(1999, 10, 6)),
        ("dddd, MMMM Do YYYY", "Monday, October 6th 2025", "", NoteDate(2025, 10, 6)),
        ("[Daily] DD-MM-YYYY ddd", "Daily 06-10-2025 Sat", "", NoteDate(2025, 10, 6)),
        ("YYYY-[W]ww", "2025-W41", "", None),
    ),
)
def test_date_from_daily_notes_format(daily_format, basename, path, expected):
    info = note_date({}, basename, DATE_KEYS, daily_format, path=path)
    assert (info.date, info.source) == (expected, "daily-notes format" if expected else "")


@pytest.mark.parametrize(
    ("fmt", "name", "matches"),
    (
        ("YYYY-MM-DD", "2025-10-06", True),
        ("YYYY-MM-DD", "2025-10-06 extra", False),
        ("YY-M-D", "25-1-2", True),
        ("Q[Q] YYYY", "4Q 2025", True),
        ("MMM D, YYYY h:mm A", "oct 6, 2025 1:03 pm", True),
        ("ww-w-d-dd", "41-7-1-Mo", True),
        ("HH.mm", "13.03", True),
        ("HH.mm", "13x03", False),
        ("[YYYY]-YYYY", "YYYY-2025", True),
    ),
)
def test_moment_to_regex(fmt, name, matches):
    assert bool(moment_to_regex(fmt).fullmatch(name)) is matches


@pytest.mark.parametrize(
    ("frontmatter", "basename", "expected_time", "expected_source"),
    (
        ({"time": "13:03"}, "Meeting", (13, 3), "frontmatter:time"),
        ({"time": "9:05"}, "Meeting", (9, 5), "frontmatter:time"),
        ({"time": "1303"}, "Meeting", (13, 3), "frontmatter:time"),
        ({"time": "13:03:00"}, "Meeting", (13, 3), "frontmatter:time"),
        ({"time": 783}, "Meeting", (13, 3), "frontmatter:time"),
        ({"time": datetime.time(13, 3)}, "Meeting", (13, 3), "frontmatter:time"),
        ({"time": "25:00"}, "Meeting", None, ""),
        ({"time": "13:75"}, "Meeting", None, ""),
        ({"time": 1440}, "Meeting", None, ""),
        ({"time": -1}, "Meeting", None, ""),
        ({"time": True}, "Meeting", None, ""),
        ({"time": "soon"}, "Meeting", None, ""),
        ({"time": "09:30"}, "2025-12-18 1303 - New Recording", (9, 30), "frontmatter:time"),
        (
            {"time": "09:30", "date": datetime.datetime(2025, 10, 6, 13, 3)},
            "Meeting",
            (9, 30),
            "frontmatter:time",
        ),
        (
            {"time": "soon", "date": datetime.datetime(2025, 10, 6, 13, 3)},
            "Meeting",
            (13, 3),
            "frontmatter:date (datetime)",
        ),
        # The file name's time belongs to its leading date, not to another frontmatter date...
        ({"date": datetime.date(2025, 10, 6)}, "2025-12-18 1303 - New Recording", None, ""),
        # ... and to that date wherever it was read.
        ({"date": datetime.date(2026, 5, 21)}, "2026-05-21 1600 - Retro", (16, 0), "file name"),
        ({"date": "2026-05-21"}, "2026-05-21 09:00 - Standup", (9, 0), "file name"),
        ({"meeting_date": datetime.date(2026, 5, 21)}, "2026-05-21 0900 - Standup", (9, 0), "file name"),
        ({"date": datetime.date(2026, 5, 21), "time": "10:15"}, "2026-05-21 0900 - Standup", (10, 15), "frontmatter:time"),
        ({"date": datetime.datetime(2026, 5, 21, 10, 15)}, "2026-05-21 0900 - Standup", (10, 15), "frontmatter:date (datetime)"),
        ({"date": datetime.date(2026, 5, 21)}, "2026-05-21 2575 - Standup", None, ""),
    ),
)
def test_time(frontmatter, basename, expected_time, expected_source):
    info = note_date(frontmatter, basename, DATE_KEYS)
    assert (info.time, info.time_source) == (expected_time, expected_source)


@pytest.mark.parametrize(
    ("date", "text", "first_day"),
    (
        (NoteDate(2025, 10, 6), "2025-10-06", datetime.date(2025, 10, 6)),
        (NoteDate(2025, 10), "2025-10", datetime.date(2025, 10, 1)),
        (NoteDate(987, 1, 2), "0987-01-02", datetime.date(987, 1, 2)),
    ),
)
def test_note_date_text_and_first_day(date, text, first_day):
    assert (str(date), date.first_day()) == (text, first_day)


def test_month_precision_date_from_file_name_prints_as_month():
    assert str(note_date(None, "2025-10 - OpenAI Tasks", DATE_KEYS).date) == "2025-10"
