"""vaultbot's own errors: one base, three kinds, and the exit code each kind ends a command with.

Every exception class in bot/ derives from `VaultbotError` through one of the kinds
(tests/bot/test_errors.py walks the modules), and `exit_code` is the one place that
maps an error to the exit code the CLI, the daemon and the Action end with:

- `UsageError` (2): what the user gave cannot be used: an argument, an Action input,
  the configuration. Nothing was done.
- `RunFailed` (3): the run could not be done: git, the run lock, a pull request.
- `NoteError`: one note cannot be handled safely. It is left as it was and named in a
  warning, and the run goes on; a warning fails only a `--strict` run (1).

The exit codes are the README's ("Command line"). A message is for a person: it names
the file, the key or the step, and the reason.

One exception in bot/ is no error and stays outside: bot/frontmatter_fast.py's
`NeedsRuamel`, the fast frontmatter editor's signal to hand an edit to the ruamel
path, which is caught where it is raised and never reaches a person.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FOUND = 1  # `--check` found changes, or `--strict` found warnings
EXIT_USAGE = 2
EXIT_FAILED = 3


class VaultbotError(Exception):
    """An error of vaultbot's own, with a message for a person."""


class UsageError(VaultbotError):
    """What the user gave cannot be used (exit 2)."""


class RunFailed(VaultbotError):
    """The run could not be done (exit 3)."""


class NoteError(VaultbotError):
    """One note cannot be handled safely: it is named in a warning and left as it was."""


EXIT_CODES: dict[type[VaultbotError], int] = {UsageError: EXIT_USAGE, RunFailed: EXIT_FAILED, NoteError: EXIT_FOUND}


def exit_code(error: VaultbotError | type[VaultbotError]) -> int:
    """The exit code `error` (or an error of that class) ends a command with: its nearest kind's."""
    cls = error if isinstance(error, type) else type(error)
    for kind in cls.__mro__:
        if kind in EXIT_CODES:
            return EXIT_CODES[kind]
    raise TypeError(f"{cls.__name__} derives from none of the kinds in EXIT_CODES")
