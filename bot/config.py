"""`.vaultbot.yaml`: loading, defaults and validation.

Every key is optional. An unknown key or a bad value is an error that names the
key (`rules.recent-context.max_entries: expected an integer, got 'ten'`), so a
typo never silently turns a rule off. Each rule declares its own options as a
frozen dataclass (`rules/<rule>.py: Options`); this module validates against
those declarations, so a new option needs no change here.
"""

from __future__ import annotations

import dataclasses
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from bot.errors import UsageError
from bot.index_settings import IndexSettings
from bot.today import UnknownTimezone, zone
from rules import RULES, Rule, duplicate_mark_key, generated_headings, index_exclusions

CONFIG_FILE = ".vaultbot.yaml"
DEFAULT_AUTHOR = "vaultbot <vaultbot@localhost>"


class ConfigError(UsageError):
    """A configuration problem; the message names the key."""

    def __init__(self, key: str, message: str, source: str = CONFIG_FILE) -> None:
        super().__init__(f"{source}: {key}: {message}" if key else f"{source}: {message}")
        self.key = key


@dataclass(frozen=True)
class RuleConfig:
    enabled: bool
    schedule: str
    options: Any  # the rule's own frozen Options dataclass


@dataclass(frozen=True)
class GitConfig:
    commit: bool = True
    push: bool = False
    author: str = DEFAULT_AUTHOR


@dataclass(frozen=True)
class Config:
    schedule: str = "@hourly"
    entity_types: tuple[str, ...] = IndexSettings.entity_types
    date_keys: tuple[str, ...] = ("date", "meeting_date")
    resolve_aliases: bool = True
    exclude: tuple[str, ...] = ()
    timezone: str | None = None  # IANA name deciding "today" (bot/today.py); None: the machine's local date
    rules: Mapping[str, RuleConfig] = field(default_factory=dict)
    git: GitConfig = GitConfig()

    def rule_options(self, rule_id: str) -> Any:
        return self.rules[rule_id].options

    @property
    def _options_by_rule(self) -> dict[str, Any]:
        return {rule.ID: self.rule_options(rule.ID) if rule.ID in self.rules else rule.Options() for rule in RULES}

    @property
    def generated_headings(self) -> tuple[str, ...]:
        """The headings of the sections rules generate, enabled or not: the parse of a note must
        not depend on which rules a run selects."""
        return generated_headings(self._options_by_rule)

    @property
    def scan_exclude(self) -> tuple[str, ...]:
        """What the scan leaves out: `exclude`, and the folders rules keep out of the index."""
        return (*self.exclude, *index_exclusions(self._options_by_rule))

    @property
    def index(self) -> IndexSettings:
        """What the vault index reads of this configuration."""
        return IndexSettings(self.entity_types, self.resolve_aliases, duplicate_mark_key(), tuple(rule.ID for rule in RULES))


# The validators take YAML values as Any: nothing is known of them until `_expect` has checked them.
def _expect(key: str, value: Any, kind: type, what: str) -> Any:
    # bool is an int in Python; a YAML `yes` for a number is a mistake worth naming.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(key, f"expected {what}, got {value!r}")
    return value


def _string_list(key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    _expect(key, value, list, "a list of strings")
    for item in value:
        _expect(key, item, str, "a list of strings")
    return tuple(value)


def _inside_vault(key: str, pattern: str) -> str:
    """Reject paths and globs that reach outside the vault (`../x`, `/etc`)."""
    normal = posixpath.normpath(pattern.replace("\\", "/"))
    if pattern.startswith("/") or normal == ".." or normal.startswith("../") or "/../" in f"/{normal}/":
        raise ConfigError(key, f"{pattern!r} points outside the vault")
    return pattern


def _option_value(key: str, spec: dataclasses.Field, value: Any) -> Any:
    if value is None and spec.default is None:  # an option that is off by default, written out as off
        return None
    kind = spec.metadata.get("type", type(spec.default))
    if kind is tuple:
        return _string_list(key, value)
    if kind is dict:
        _expect(key, value, dict, "a mapping")
        for sub_key, sub_value in value.items():
            _expect(f"{key}.{sub_key}", sub_value, str, "a string")
        return dict(value)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    value = _expect(key, value, kind, {bool: "true or false", int: "an integer", str: "a string"}.get(kind, kind.__name__))
    # A blank heading or folder would match every line or mean the vault root.
    if kind is str and (not value.strip() or "\n" in value or "\r" in value):
        raise ConfigError(key, f"expected a non-empty single line, got {value!r}")
    choices = spec.metadata.get("choices")
    if choices and value not in choices:
        raise ConfigError(key, f"expected one of {', '.join(choices)}, got {value!r}")
    low, high = spec.metadata.get("range", (None, None))
    if (low is not None and value < low) or (high is not None and value > high):
        raise ConfigError(key, f"expected a value from {low} to {high}, got {value!r}")
    if spec.metadata.get("heading_text") and value.lstrip().startswith("#"):
        raise ConfigError(key, f"give the heading's text without the '#' marks, got {value!r}")
    if spec.metadata.get("vault_path"):
        value = _vault_folder(key, _inside_vault(key, value))
    return value


def _vault_folder(key: str, folder: str) -> str:
    """A folder notes can be moved into: inside the vault, not its root, not in git's own folder."""
    normal = posixpath.normpath(folder.replace("\\", "/")).strip("/")
    if normal in ("", ".") or (len(folder) > 1 and folder[1] == ":"):
        raise ConfigError(key, f"{folder!r} is the vault root or an absolute path; give a folder inside the vault")
    if any(part.casefold() == ".git" for part in normal.split("/")):
        raise ConfigError(key, f"{folder!r} is inside .git, where git keeps its own data; give a folder inside the vault")
    return folder


def _rule_config(rule: Rule, data: Any, default_schedule: str) -> RuleConfig:
    prefix = f"rules.{rule.ID}"
    if data is None:
        data = {}
    _expect(prefix, data, dict, "a mapping")
    specs = {spec.name: spec for spec in dataclasses.fields(rule.Options)}
    enabled = True
    schedule = default_schedule
    values: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}.{key}"
        if key == "enabled":
            enabled = _expect(path, value, bool, "true or false")
        elif key == "schedule":
            schedule = _schedule(path, value)
        elif key in specs:
            values[key] = _option_value(path, specs[key], value)
        else:
            known = ", ".join(["enabled", "schedule", *specs])
            raise ConfigError(path, f"unknown option (known: {known})")
    return RuleConfig(enabled=enabled, schedule=schedule, options=rule.Options(**values))


def _schedule(key: str, value: Any) -> str:
    from bot.schedule import ScheduleError, parse_schedule

    _expect(key, value, str, "a schedule string")
    try:
        parse_schedule(value)
    except ScheduleError as error:
        raise ConfigError(key, str(error)) from None
    return value


def parse_config(data: Any, source: str = CONFIG_FILE) -> Config:
    """A validated Config from the loaded YAML document (None: all defaults)."""
    try:
        return _parse(data)
    except ConfigError as error:
        if source != CONFIG_FILE:
            named = f"{CONFIG_FILE}: {error.key}: " if error.key else f"{CONFIG_FILE}: "
            raise ConfigError(error.key, str(error).removeprefix(named), source) from None  # the key once
        raise


def _parse(data: Any) -> Config:
    if data is None:
        data = {}
    _expect("(top level)", data, dict, "a mapping of settings")
    defaults = Config()
    top: dict[str, Any] = {}
    rules_data: Any = {}
    git_data: Any = {}
    for key, value in data.items():
        if key == "schedule":
            top[key] = _schedule(key, value)
        elif key in ("entity_types", "date_keys"):
            top[key] = _string_list(key, value)
        elif key == "exclude":
            top[key] = tuple(_inside_vault(key, p) for p in _string_list(key, value))
        elif key == "resolve_aliases":
            top[key] = _expect(key, value, bool, "true or false")
        elif key == "timezone":
            top[key] = _timezone(key, value)
        elif key == "rules":
            rules_data = {} if value is None else _expect(key, value, dict, "a mapping of rule ids")
        elif key == "git":
            git_data = {} if value is None else _expect(key, value, dict, "a mapping")
        else:
            raise ConfigError(
                str(key), "unknown setting (known: schedule, entity_types, date_keys, resolve_aliases, exclude, timezone, rules, git)"
            )

    schedule = top.get("schedule", defaults.schedule)
    known_rules = {rule.ID: rule for rule in RULES}
    for rule_id in rules_data:
        if rule_id not in known_rules:
            raise ConfigError(f"rules.{rule_id}", f"unknown rule (known: {', '.join(known_rules)})")
    rules = {rule.ID: _rule_config(rule, rules_data.get(rule.ID), schedule) for rule in RULES}
    _one_rule_per_section(rules)

    git_values: dict[str, Any] = {}
    for key, value in git_data.items():
        if key in ("commit", "push"):
            git_values[key] = _expect(f"git.{key}", value, bool, "true or false")
        elif key == "author":
            git_values[key] = _author(value)
        else:
            raise ConfigError(f"git.{key}", "unknown setting (known: commit, push, author)")
    return Config(**top, rules=rules, git=GitConfig(**git_values))


def _one_rule_per_section(rules: Mapping[str, RuleConfig]) -> None:
    """Two rules that regenerate one section would each undo the other's lines in it, every run."""
    seen: dict[str, str] = {}
    for rule_id, rule_config in rules.items():
        for spec in dataclasses.fields(rule_config.options):
            if spec.metadata.get("generated_section"):
                heading = getattr(rule_config.options, spec.name)
                key = f"rules.{rule_id}.{spec.name}"
                if heading.strip().casefold() in seen:
                    other = seen[heading.strip().casefold()]
                    raise ConfigError(key, f"{heading!r} is the heading of {other} too; two rules cannot generate one section")
                seen[heading.strip().casefold()] = key


def _timezone(key: str, value: Any) -> str | None:
    if value is None:  # written out as "no zone": the machine's local date
        return None
    _expect(key, value, str, "an IANA time zone name such as Europe/Berlin")
    try:
        zone(value)
    except UnknownTimezone as error:
        raise ConfigError(key, str(error)) from None
    return value


def _author(value: Any) -> str:
    _expect("git.author", value, str, "'Name <email>'")
    name, _, email = value.partition("<")
    if not name.strip() or not email.endswith(">") or len(email) < 2:
        raise ConfigError("git.author", f"expected 'Name <email>', got {value!r}")
    return value


def load_config(vault: Path, config_file: Path | None = None) -> Config:
    """The vault's configuration: `config_file`, else `.vaultbot.yaml` at the root, else defaults."""
    path = config_file if config_file is not None else vault / CONFIG_FILE
    if not path.exists():
        if config_file is not None:
            raise ConfigError("", "file not found", str(config_file))
        return parse_config(None)
    try:
        data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    except MarkedYAMLError as error:
        raise _syntax_error(error, str(path)) from None
    except (OSError, UnicodeDecodeError, YAMLError, ValueError) as error:  # ValueError: `2026-02-30` and the like
        raise ConfigError("", f"cannot be read: {error}", str(path)) from None
    return parse_config(data, str(path) if config_file is not None else CONFIG_FILE)


def _syntax_error(error: MarkedYAMLError, source: str) -> ConfigError:
    """`FILE, line L, column C: problem (context)`: ruamel's own text names "<unicode string>" and repeats the place."""
    mark = error.problem_mark or error.context_mark
    where = f"{source}, line {mark.line + 1}, column {mark.column + 1}" if mark else source
    problem = error.problem or error.context or "invalid YAML"
    if error.problem and error.context:
        at = error.context_mark
        problem += f" ({error.context}{f' at line {at.line + 1}, column {at.column + 1}' if at else ''})"
    return ConfigError("", problem, where)
