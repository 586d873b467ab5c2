"""vaultbot without what only POSIX systems have: Windows has no `fcntl` and no `os.fork`.

A subprocess takes both away (and the other Unix-only modules) before importing
anything of vaultbot's, imports every module of `bot/` and `rules/`, then makes
a real run over a vault big enough to be parsed in parallel where forking
exists, committing to a git repository. Any module that needs them at import, or
a run that reaches for them, fails this test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.vaults import REPO, git, write_vault

NOTES = 1_200  # above bot.reading.PARALLEL_FROM: with os.fork this run would fork

WITHOUT_POSIX = """
import importlib, json, os, pkgutil, sys
for name in ("fcntl", "termios", "pwd", "grp", "resource"):
    sys.modules[name] = None  # `import fcntl` now raises ImportError, as on Windows
for name in ("fork", "forkpty", "register_at_fork"):
    if hasattr(os, name):
        delattr(os, name)

import bot, rules
modules = sorted(
    f"{package.__name__}.{info.name}"
    for package in (bot, rules)
    for info in pkgutil.iter_modules(package.__path__)
    if info.name != "__main__"  # running it is the run below
)
for module in modules:
    importlib.import_module(module)

from bot.cli import main
vault = sys.argv[1]
code = main(["run", vault, "--today", "2026-11-24", "-q"])
print(json.dumps({"modules": modules, "code": code}))
"""


def test_every_module_imports_and_a_run_commits_without_fcntl_or_fork(tmp_path: Path) -> None:
    repository = tmp_path / "repo"
    files = {"People/Ann.md": "---\ntype: person\nlast_contact: unknown\n---\n# Ann\n\n## Recent Context\n"}
    for number in range(NOTES):
        files[f"Meetings/2026-11-{1 + number % 20:02d} Call {number:04d}.md"] = (
            f"---\ntype: meeting\ndate: 2026-11-{1 + number % 20:02d}\n---\nCall {number} with [[Ann]].\n"
        )
    write_vault(repository / "notes", files)
    git(repository, "init", "-q", "-b", "main")
    git(repository, "add", "-A")
    git(repository, "commit", "-q", "-m", "notes")

    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_POSIX, str(repository / "notes")], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["code"] == 0, result.stderr
    expected = sorted(
        f"{package}.{path.stem}" for package in ("bot", "rules") for path in (REPO / package).glob("*.py") if not path.stem.startswith("__")
    )
    assert report["modules"] == expected

    assert git(repository, "log", "-1", "--format=%s").startswith("vaultbot: 1201 notes updated")
    assert git(repository, "status", "--porcelain") == ""
    ann = (repository / "notes" / "People" / "Ann.md").read_text(encoding="utf-8")
    assert "last_contact: 2026-11-20\n" in ann
    assert ann.count("\n- 2026-11-20: [[2026-11-20 Call ") == 15, "Recent Context: the newest 15"
