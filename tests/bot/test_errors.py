"""bot/errors.py: every exception class in bot/ is a VaultbotError of one kind, and one map gives its exit code."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import bot
import rules
from bot.errors import EXIT_CODES, EXIT_FAILED, EXIT_FOUND, EXIT_USAGE, NoteError, RunFailed, UsageError, VaultbotError, exit_code

ROOT = Path(__file__).resolve().parents[2]
# Raised and caught inside one module, never shown to a person: no error (see bot/errors.py).
INTERNAL_SIGNALS = {"bot.frontmatter_fast.NeedsRuamel"}
# The exit code each error ends a command with, as users see it (README, "Command line").
EXPECTED = {
    "bot.action.InputError": EXIT_USAGE,
    "bot.config.ConfigError": EXIT_USAGE,
    "bot.pull_request.UnusableBranch": EXIT_USAGE,
    "bot.schedule.ScheduleError": EXIT_USAGE,
    "bot.today.UnknownTimezone": EXIT_USAGE,
    "bot.git.GitError": EXIT_FAILED,
    "bot.runner.RuleFailed": EXIT_FAILED,
    "bot.lock.LockBusy": EXIT_FAILED,
    "bot.lock.LockUnusable": EXIT_FAILED,
    "bot.pull_request.PullRequestError": EXIT_FAILED,
    # A note's error is a warning, which fails a --strict run only.
    "bot.note.BadNote": EXIT_FOUND,
    "bot.note.TextDropped": EXIT_FAILED,
    "bot.note_text.ChangedWhileRunning": EXIT_FOUND,
    "bot.render.RenderError": EXIT_FOUND,
    "bot.writer.WriteConflict": EXIT_FOUND,
    "bot.frontmatter_load.FrontmatterEditError": EXIT_FOUND,
}


def _exception_classes() -> dict[str, type[BaseException]]:
    """Every exception class defined in a module of bot/ or rules/, by dotted name."""
    found = {}
    for package in (bot, rules):
        for module_info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            if module_info.name == "bot.__main__":  # importing it runs the CLI
                continue
            module = importlib.import_module(module_info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, BaseException) and cls.__module__ == module.__name__:
                    found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return found


CLASSES = _exception_classes()
ERRORS = {name: cls for name, cls in CLASSES.items() if name not in INTERNAL_SIGNALS and cls.__module__ != "bot.errors"}


def test_the_walk_finds_the_known_classes() -> None:
    """A walk that found nothing would pass every test below."""
    assert set(EXPECTED) <= set(ERRORS)
    assert INTERNAL_SIGNALS <= set(CLASSES)


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_every_exception_class_in_bot_is_a_vaultbot_error_the_map_covers(name: str) -> None:
    cls = ERRORS[name]
    assert issubclass(cls, VaultbotError), f"{name} does not derive from bot.errors.VaultbotError"
    assert exit_code(cls) in EXIT_CODES.values()
    assert name in EXPECTED, f"{name}: add its exit code to EXPECTED, as users will see it"
    assert exit_code(cls) == EXPECTED[name]


def test_internal_signals_stay_outside_and_are_caught_where_raised() -> None:
    for name in INTERNAL_SIGNALS:
        module, _, class_name = name.rpartition(".")
        assert not issubclass(CLASSES[name], VaultbotError)
        # Caught in bot/frontmatter_edit.py, the only module besides its own that names it (bot/errors.py says why it is no error).
        modules = [path for path in (ROOT / "bot").glob("*.py") if path.name != "errors.py"]
        users = [path.name for path in modules if class_name in path.read_text(encoding="utf-8")]
        assert sorted(users) == sorted({module.rsplit(".", 1)[1] + ".py", "frontmatter_edit.py"})
        assert f"except {class_name}:" in (ROOT / "bot" / "frontmatter_edit.py").read_text(encoding="utf-8")


def test_an_instance_maps_as_its_class_and_the_nearest_kind_wins() -> None:
    from bot.pull_request import PullRequestError, UnusableBranch

    assert exit_code(UnusableBranch("pull-request-branch: 'main' is the checked-out branch itself")) == EXIT_USAGE
    assert isinstance(UnusableBranch("x"), PullRequestError), "the Action catches both in one `except`"
    assert exit_code(PullRequestError("gh failed")) == EXIT_FAILED
    assert {UsageError: 2, RunFailed: 3, NoteError: 1} == EXIT_CODES


def test_value_error_bases_are_kept_for_the_callers_that_catch_them() -> None:
    from bot.frontmatter_load import FrontmatterEditError
    from bot.schedule import ScheduleError
    from bot.today import UnknownTimezone

    assert all(issubclass(cls, ValueError) for cls in (FrontmatterEditError, ScheduleError, UnknownTimezone))


def test_an_error_of_no_kind_is_a_defect_said_plainly() -> None:
    with pytest.raises(TypeError, match="VaultbotError derives from none of the kinds"):
        exit_code(VaultbotError("no kind"))


def _exit_constants(path: Path) -> list[str]:
    """Names starting EXIT_ that the module assigns."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    targets = [target for node in ast.walk(tree) if isinstance(node, ast.Assign) for target in node.targets]
    names = [elt for target in targets for elt in (target.elts if isinstance(target, ast.Tuple) else [target])]
    return [name.id for name in names if isinstance(name, ast.Name) and name.id.startswith("EXIT_")]


@pytest.mark.parametrize("path", sorted((ROOT / "bot").glob("*.py")), ids=lambda path: path.name)
def test_exit_codes_are_defined_in_bot_errors_only(path: Path) -> None:
    if path.name == "errors.py":
        assert _exit_constants(path) == ["EXIT_OK", "EXIT_FOUND", "EXIT_USAGE", "EXIT_FAILED"]
    else:
        assert _exit_constants(path) == [], f"bot/{path.name} keeps exit codes of its own; import them from bot/errors.py"
