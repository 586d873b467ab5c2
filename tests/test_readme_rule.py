"""The README's "Writing a rule" example is a rule that works: imported from the README and run."""

from __future__ import annotations

import re
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Config, RuleConfig
from rules import page
from tests.rules.memory import config, run_rules
from tests.rules.test_rule_docs import example

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.fixture
def example_rule() -> Iterator[types.ModuleType]:
    section = README.read_text(encoding="utf-8").split("\n## Writing a rule\n", 1)[1]
    # The section's first block; its fence may be longer than three backticks, as the docstring's Example holds fences.
    code = re.search(r"^(`{3,})python\n(.*?)^\1$", section, re.DOTALL | re.MULTILINE)
    assert code is not None, "the section shows the rule in a python block"
    module = types.ModuleType("rules.entity_status")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    try:
        exec(compile(code.group(2), str(README), "exec"), module.__dict__)
        yield module
    finally:
        del sys.modules[module.__name__]


def _with(rule: types.ModuleType, **options: str) -> Config:
    """The default configuration with the example rule registered beside the real ones."""
    base = config()
    return Config(rules={**base.rules, rule.ID: RuleConfig(True, "@hourly", rule.Options(**options))})


CASES = [
    ("an entity without a status gets one", "---\ntype: customer\n---\n# Acme\n", "---\ntype: customer\nstatus: active\n---\n# Acme\n"),
    ("a status already there is kept", "---\ntype: customer\nstatus: lost\n---\n", None),
    ("not an entity: not its scope", "---\ntype: meeting\n---\n", None),
    ("an opted-out note is left alone", "---\ntype: customer\nvaultbot: false\n---\n", None),
]


@pytest.mark.parametrize(("label", "text", "expected"), CASES, ids=[case[0] for case in CASES])
def test_the_readme_rule_runs_like_any_rule(example_rule: types.ModuleType, label: str, text: str, expected: str | None) -> None:
    changed, warnings = run_rules([example_rule], {"Acme.md": text}, _with(example_rule))
    assert changed == ({} if expected is None else {"Acme.md": expected})
    assert warnings == []


def test_its_option_and_its_page(example_rule: types.ModuleType) -> None:
    changed, _ = run_rules([example_rule], {"A.md": "---\ntype: person\n---\n"}, _with(example_rule, value="new"))
    assert changed == {"A.md": "---\ntype: person\nstatus: new\n---\n"}
    text = page(example_rule)
    assert text.startswith("Entity notes get a `status` when they have none.\n")
    assert text.endswith("## Options\n- `value` (default `active`): the status a note without one gets.")


def test_its_documented_example_passes_the_check_every_registered_rule_gets(example_rule: types.ModuleType) -> None:
    """tests/rules/test_rule_docs.py fails a registered rule without a runnable Example: the README's
    rule, registered as it stands, must not be one."""
    given, expected = example(example_rule)
    assert given and expected, "the README's rule has no runnable Example / Use instead pair"
    assert run_rules([example_rule], given, _with(example_rule)) == (expected, [])
