"""Which date is "today": `--today`, else the date now in the configured time zone, else the local date."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from bot.config import CONFIG_FILE, Config, ConfigError, load_config
from bot.today import UnknownTimezone, today

# 05:30 UTC on 21 November: still the 20th in California, already the 21st in Tokyo.
INSTANT = datetime.datetime(2026, 11, 21, 5, 30, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize(
    ("timezone", "expected"),
    [
        pytest.param("America/Los_Angeles", datetime.date(2026, 11, 20), id="behind-utc"),
        pytest.param("Asia/Tokyo", datetime.date(2026, 11, 21), id="ahead-of-utc"),
        pytest.param("UTC", datetime.date(2026, 11, 21), id="utc"),
        pytest.param("Etc/GMT+12", datetime.date(2026, 11, 20), id="etc-zone"),
    ],
)
def test_the_date_is_the_one_in_the_time_zone(timezone: str, expected: datetime.date) -> None:
    assert today(timezone, now=INSTANT) == expected


def test_without_a_time_zone_the_date_is_the_local_one() -> None:
    assert today(None, now=INSTANT) == INSTANT.astimezone().date()


def test_a_fixed_date_wins_over_any_time_zone() -> None:
    assert today("Asia/Tokyo", datetime.date(2025, 1, 2), now=INSTANT) == datetime.date(2025, 1, 2)


@pytest.mark.parametrize("name", ["Mars/Base", "Europe", "", "../etc/passwd", "/etc/localtime", "zone.tab"])
def test_a_name_that_is_no_zone_is_refused(name: str) -> None:
    with pytest.raises(UnknownTimezone, match="unknown time zone"):
        today(name, now=INSTANT)


def load(tmp_path: Path, text: str) -> Config:
    (tmp_path / CONFIG_FILE).write_text(text, encoding="utf-8")
    return load_config(tmp_path)


def test_the_config_key_names_an_iana_zone(tmp_path: Path) -> None:
    assert load(tmp_path, "timezone: America/Los_Angeles\n").timezone == "America/Los_Angeles"
    assert load(tmp_path, "timezone:\n").timezone is None
    assert load(tmp_path, "exclude: []\n").timezone is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("timezone: Mars/Base\n", "unknown time zone 'Mars/Base' (expected an IANA name such as Europe/Berlin)", id="unknown"),
        pytest.param(
            "timezone: ../etc/passwd\n", "unknown time zone '../etc/passwd' (expected an IANA name such as Europe/Berlin)", id="path"
        ),
        pytest.param("timezone: -8\n", "expected an IANA time zone name such as Europe/Berlin, got -8", id="offset-number"),
    ],
)
def test_a_bad_zone_in_the_config_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, text)
    assert raised.value.key == "timezone"
    assert str(raised.value) == f"{CONFIG_FILE}: timezone: {message}"


@pytest.mark.posix("the TZ variable sets the local zone only on POSIX")
def test_a_real_run_dates_today_in_the_configured_zone(tmp_path: Path) -> None:
    # The machine's clock at UTC+14, the config at UTC-12: 26 hours apart, so the two dates differ
    # at any instant. A meeting dated the machine's today is after today in the configured zone.
    from tests.vaults import run_cli, write_vault

    machine_today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=14))).date()
    meeting = f"Customers/Acme/{machine_today.isoformat()} - Call.md"
    write_vault(
        tmp_path,
        {
            ".vaultbot.yaml": "timezone: Etc/GMT+12\nrules:\n  tags:\n    enabled: false\n",
            "Customers/Acme/Acme.md": "---\ntype: customer\n---\n# Acme\n\n## Recent Context\n\n## Notes\n",
            meeting: "---\ntype: meeting\n---\nThe call.\n",
        },
    )
    result = run_cli("run", tmp_path, "--check", env={"TZ": "Etc/GMT-14"})
    assert result.returncode == 0, result.stdout + result.stderr  # nothing dated up to today in UTC-12
