"""`.vaultbot.yaml`: defaults (as the README documents them), each rule's options, and errors that name the key."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.config import CONFIG_FILE, Config, ConfigError, GitConfig, load_config, parse_config
from rules import RULES


def load(tmp_path: Path, text: str) -> Config:
    (tmp_path / CONFIG_FILE).write_text(text, encoding="utf-8")
    return load_config(tmp_path)


def options(config: Config, rule_id: str) -> dict:
    return dataclasses.asdict(config.rule_options(rule_id))


# The defaults the README's Configuration section documents, as data.
DOCUMENTED_RULE_DEFAULTS = {
    "dedupe-meetings": {
        "meeting_types": ("meeting", "call", "recording"),
        "mode": "mark",
        "archive_folder": "_archive/duplicates",
        "similarity": None,
    },
    "last-contact": {"create_missing": False},
    # merge_tag_keys (off): what to do with `tag:` / `Tags:` (rules/tags.py).
    "tags": {"derive": {"type": "type/{value}"}, "merge_tag_keys": False},
    "recent-context": {"heading": "Recent Context", "max_entries": 15, "summary_length": 100, "create_missing": False},
    "open-tasks": {"heading": "Open Tasks", "max_entries": 50, "done_date": False, "create_missing": False},
    "related": {"heading": "Related", "max_entries": 10, "min_shared": 1, "create_missing": False},
}


@pytest.mark.parametrize(
    "text",
    (
        pytest.param(None, id="no-file"),
        pytest.param("", id="empty-file"),
        pytest.param("# nothing set yet\n", id="comments-only"),
        pytest.param("rules:\ngit:\n", id="empty-sections"),
    ),
)
def test_defaults_equal_the_documented_ones(tmp_path: Path, text: str | None) -> None:
    config = load_config(tmp_path) if text is None else load(tmp_path, text)
    assert config.schedule == "@hourly"
    assert config.entity_types == ("customer", "person", "project", "company", "partner")
    assert config.date_keys == ("date", "meeting_date")
    assert config.resolve_aliases is True
    assert config.exclude == ()
    assert config.git == GitConfig(commit=True, push=False, author="vaultbot <vaultbot@localhost>")
    assert set(DOCUMENTED_RULE_DEFAULTS) <= {rule.ID for rule in RULES}
    for rule in RULES:  # a rule added later: its defaults are its Options' (its page documents them)
        assert config.rules[rule.ID].enabled is True
        assert config.rules[rule.ID].schedule == "@hourly"
        assert options(config, rule.ID) == DOCUMENTED_RULE_DEFAULTS.get(rule.ID, dataclasses.asdict(rule.Options()))


RULE_OPTIONS = (
    pytest.param(
        "rules:\n  dedupe-meetings: {meeting_types: [meeting], mode: archive, archive_folder: Old/dups, similarity: 60}\n",
        "dedupe-meetings",
        {"meeting_types": ("meeting",), "mode": "archive", "archive_folder": "Old/dups", "similarity": 60},
        id="dedupe-meetings",
    ),
    pytest.param(
        "rules:\n  dedupe-meetings: {meeting_types: call}\n",
        "dedupe-meetings",
        {"meeting_types": ("call",), "mode": "mark", "archive_folder": "_archive/duplicates", "similarity": None},
        id="dedupe-meetings-one-type-as-string",
    ),
    pytest.param(
        "rules:\n  dedupe-meetings: {similarity: null}\n",
        "dedupe-meetings",
        {"meeting_types": ("meeting", "call", "recording"), "mode": "mark", "archive_folder": "_archive/duplicates", "similarity": None},
        id="dedupe-meetings-similarity-off",
    ),
    pytest.param("rules:\n  last-contact: {create_missing: true}\n", "last-contact", {"create_missing": True}, id="last-contact"),
    pytest.param(
        "rules:\n  tags:\n    derive: {type: 'kind/{value}', status: 'status/{value}'}\n    merge_tag_keys: true\n",
        "tags",
        {"derive": {"type": "kind/{value}", "status": "status/{value}"}, "merge_tag_keys": True},
        id="tags",
    ),
    pytest.param("rules:\n  tags: {derive: {}}\n", "tags", {"derive": {}, "merge_tag_keys": False}, id="tags-derive-nothing"),
    pytest.param(
        "rules:\n  recent-context: {heading: Context, max_entries: 5, summary_length: 50, create_missing: true}\n",
        "recent-context",
        {"heading": "Context", "max_entries": 5, "summary_length": 50, "create_missing": True},
        id="recent-context",
    ),
    pytest.param("rules:\n  recent-context:\n", "recent-context", DOCUMENTED_RULE_DEFAULTS["recent-context"], id="rule-with-no-options"),
)


@pytest.mark.parametrize(("text", "rule_id", "expected"), RULE_OPTIONS)
def test_rule_options(tmp_path: Path, text: str, rule_id: str, expected: dict) -> None:
    config = load(tmp_path, text)
    assert options(config, rule_id) == expected
    for other, defaults in DOCUMENTED_RULE_DEFAULTS.items():
        if other != rule_id:
            assert options(config, other) == defaults


SETTINGS = (
    pytest.param(
        "rules:\n  tags: {enabled: false}\n", {"tags": (False, "@hourly"), "last-contact": (True, "@hourly")}, id="disable-one-rule"
    ),
    pytest.param("schedule: '@daily'\n", {"tags": (True, "@daily"), "recent-context": (True, "@daily")}, id="top-schedule-inherited"),
    pytest.param(
        "schedule: '@daily'\nrules:\n  tags: {schedule: '0 9 * * 1-5'}\n",
        {"tags": (True, "0 9 * * 1-5"), "last-contact": (True, "@daily")},
        id="rule-schedule-overrides",
    ),
    pytest.param("rules:\n  tags: {schedule: '@every 15m'}\n", {"tags": (True, "@every 15m")}, id="every-interval"),
)


@pytest.mark.parametrize(("text", "expected"), SETTINGS)
def test_enabled_and_schedule(tmp_path: Path, text: str, expected: dict[str, tuple[bool, str]]) -> None:
    config = load(tmp_path, text)
    assert {rule_id: (config.rules[rule_id].enabled, config.rules[rule_id].schedule) for rule_id in expected} == expected


TOP_LEVEL = (
    pytest.param("entity_types: [client, vendor]\n", "entity_types", ("client", "vendor"), id="entity-types"),
    pytest.param("entity_types: client\n", "entity_types", ("client",), id="entity-types-string"),
    pytest.param("date_keys: [when]\n", "date_keys", ("when",), id="date-keys"),
    pytest.param("resolve_aliases: false\n", "resolve_aliases", False, id="resolve-aliases"),
    pytest.param("exclude: ['Archive/**', '*.draft.md', Scratch]\n", "exclude", ("Archive/**", "*.draft.md", "Scratch"), id="exclude"),
    pytest.param(
        "git: {commit: false, push: true, author: 'Bot <bot@example.com>'}\n",
        "git",
        GitConfig(False, True, "Bot <bot@example.com>"),
        id="git",
    ),
)


@pytest.mark.parametrize(("text", "attribute", "expected"), TOP_LEVEL)
def test_top_level_settings(tmp_path: Path, text: str, attribute: str, expected: object) -> None:
    assert getattr(load(tmp_path, text), attribute) == expected


ERRORS = (
    pytest.param("colour: red\n", "colour", id="unknown-top-level-key"),
    pytest.param("rules:\n  lint: {}\n", "rules.lint", id="unknown-rule"),
    pytest.param("rules:\n  tags: {derve: {}}\n", "rules.tags.derve", id="unknown-rule-option"),
    pytest.param("rules:\n  recent-context: {max_entries: ten}\n", "rules.recent-context.max_entries", id="max-entries-word"),
    pytest.param("rules:\n  recent-context: {max_entries: true}\n", "rules.recent-context.max_entries", id="max-entries-bool"),
    pytest.param("rules:\n  recent-context: {max_entries: 0}\n", "rules.recent-context.max_entries", id="max-entries-out-of-range"),
    pytest.param("rules:\n  recent-context: {summary_length: 1.5}\n", "rules.recent-context.summary_length", id="summary-length-float"),
    pytest.param("rules:\n  recent-context: {heading: [a]}\n", "rules.recent-context.heading", id="heading-list"),
    pytest.param("rules:\n  recent-context: {heading: ''}\n", "rules.recent-context.heading", id="heading-empty"),
    pytest.param('rules:\n  recent-context: {heading: "Context\\nMore"}\n', "rules.recent-context.heading", id="heading-two-lines"),
    pytest.param("rules:\n  dedupe-meetings: {archive_folder: '  '}\n", "rules.dedupe-meetings.archive_folder", id="archive-folder-blank"),
    pytest.param('rules:\n  tags: {enabled: "yes"}\n', "rules.tags.enabled", id="enabled-quoted-yes"),
    pytest.param("rules:\n  tags: {enabled: yes}\n", "rules.tags.enabled", id="enabled-yaml-1.2-yes-is-a-string"),
    pytest.param("rules:\n  tags: 3\n", "rules.tags", id="rule-not-a-mapping"),
    pytest.param("rules:\n  tags: {derive: {type: 3}}\n", "rules.tags.derive.type", id="derive-value-not-a-string"),
    pytest.param("rules:\n  tags: {derive: [type]}\n", "rules.tags.derive", id="derive-not-a-mapping"),
    pytest.param("rules:\n  last-contact: {create_missing: 1}\n", "rules.last-contact.create_missing", id="create-missing-number"),
    pytest.param("rules:\n  dedupe-meetings: {mode: delete}\n", "rules.dedupe-meetings.mode", id="bad-mode"),
    pytest.param("rules:\n  dedupe-meetings: {similarity: 101}\n", "rules.dedupe-meetings.similarity", id="similarity-above-100"),
    pytest.param("rules:\n  dedupe-meetings: {similarity: -1}\n", "rules.dedupe-meetings.similarity", id="similarity-negative"),
    pytest.param("rules:\n  dedupe-meetings: {similarity: high}\n", "rules.dedupe-meetings.similarity", id="similarity-not-a-number"),
    pytest.param(
        "rules:\n  dedupe-meetings: {meeting_types: [meeting, 3]}\n", "rules.dedupe-meetings.meeting_types", id="meeting-types-number"
    ),
    pytest.param(
        "rules:\n  dedupe-meetings: {archive_folder: ../x}\n", "rules.dedupe-meetings.archive_folder", id="archive-folder-outside"
    ),
    pytest.param(
        "rules:\n  dedupe-meetings: {archive_folder: /tmp/x}\n", "rules.dedupe-meetings.archive_folder", id="archive-folder-absolute"
    ),
    pytest.param("rules: [tags]\n", "rules", id="rules-not-a-mapping"),
    pytest.param("exclude: 3\n", "exclude", id="exclude-number"),
    pytest.param("exclude: ['../x']\n", "exclude", id="exclude-outside"),
    pytest.param("exclude: ['Notes/../../x']\n", "exclude", id="exclude-outside-via-folder"),
    pytest.param("exclude: ['/etc/**']\n", "exclude", id="exclude-absolute"),
    pytest.param("entity_types: [customer, 3]\n", "entity_types", id="entity-types-number"),
    pytest.param("resolve_aliases: 'no'\n", "resolve_aliases", id="resolve-aliases-string"),
    pytest.param("schedule: every hour\n", "schedule", id="bad-schedule"),
    pytest.param("schedule: '* * *'\n", "schedule", id="short-crontab"),
    pytest.param("rules:\n  tags: {schedule: '61 * * * *'}\n", "rules.tags.schedule", id="bad-rule-schedule"),
    pytest.param("rules:\n  tags: {schedule: '@every 0m'}\n", "rules.tags.schedule", id="zero-interval"),
    pytest.param("git:\n  author: vaultbot\n", "git.author", id="author-without-email"),
    pytest.param("git:\n  author: '<bot@example.com>'\n", "git.author", id="author-without-name"),
    pytest.param("git:\n  author: 'vaultbot <>'\n", "git.author", id="author-empty-email"),
    pytest.param("git:\n  push: 'yes'\n", "git.push", id="git-push-string"),
    pytest.param("git:\n  token: abc\n", "git.token", id="unknown-git-key"),
    pytest.param("git: true\n", "git", id="git-not-a-mapping"),
    pytest.param("- a\n- b\n", "(top level)", id="top-level-list"),
    # Two rules regenerating one section undo each other's lines in it, every run.
    pytest.param("rules:\n  open-tasks: {heading: Recent Context}\n", "rules.open-tasks.heading", id="heading-of-another-rule"),
    pytest.param("rules:\n  related: {heading: ' open tasks '}\n", "rules.related.heading", id="heading-of-another-rule-in-another-case"),
)


@pytest.mark.parametrize(("text", "key"), ERRORS)
def test_errors_name_the_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, text)
    assert raised.value.key == key
    assert str(raised.value).startswith(f"{CONFIG_FILE}: {key}: ")


def test_a_heading_another_rule_generates_is_named() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config({"rules": {"recent-context": {"heading": "Tasks"}, "open-tasks": {"heading": "tasks"}}})
    assert str(raised.value) == (
        f"{CONFIG_FILE}: rules.open-tasks.heading: 'tasks' is the heading of rules.recent-context.heading too;"
        " two rules cannot generate one section"
    )


def test_unreadable_yaml_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, "rules: {tags: [\n")
    assert str(raised.value).startswith(f"{tmp_path / CONFIG_FILE}, line 2, column 1: ")
    assert "<unicode string>" not in str(raised.value)


def test_explicit_config_file_errors_name_that_file(tmp_path: Path) -> None:
    config_file = tmp_path / "elsewhere.yaml"
    config_file.write_text("rules:\n  recent-context: {max_entries: ten}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path, config_file)
    assert str(raised.value).startswith(f"{config_file}: rules.recent-context.max_entries: ")


def test_missing_explicit_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path, tmp_path / "missing.yaml")
