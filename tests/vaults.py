"""Small vaults on disk and a real `vaultbot` subprocess, shared by the tests."""

from __future__ import annotations

import datetime
import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Mapping

import pytest

from bot.config import load_config
from bot.note import ParseSettings
from bot.runner import RunPlan, plan_run
from rules import default_generated_headings

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_VAULT = REPO / "examples" / "sample-vault"
TODAY = datetime.date(2026, 11, 24)
# A note parsed as the default configuration has it, but with no entity types: a repeated generated heading is refused in any note.
PARSE_DEFAULTS = ParseSettings(generated_headings=default_generated_headings())


# A person's identity for the test's own commits; vaultbot must bring its own.
GIT_USER = ("-c", "user.name=Uma User", "-c", "user.email=uma@example.com")


def git(cwd: Path, *args: str) -> str:
    """`git ARGS` in `cwd` as a person would type it; its output."""
    return subprocess.run(["git", *GIT_USER, *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def write_vault(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write `files` (vault path -> text or bytes) under `root`; text is written byte for byte."""
    for path, content in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return root


def run_cli(*args: str | Path, cwd: Path | None = None, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess:
    """`vaultbot ARGS` in a real subprocess, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *map(str, args)],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def read_terminal(controller: int) -> bytes:
    """Everything a pseudo-terminal's other end received (`pty.openpty`), until the child closes it."""
    received = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        received += chunk
    return received


def tree_state(root: Path) -> dict[str, tuple[str, int]]:
    """Every file and folder under root (hidden ones too) with its content hash and mode."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if path.is_file() and not path.is_symlink():
                state[rel] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mode)
            else:
                state[rel] = ("", path.lstat().st_mode)
    return state


def plan(root: Path, *rule_ids: str, today: datetime.date = TODAY) -> RunPlan:
    return plan_run(root, load_config(root), today, rule_ids)


def changed_text(root: Path, path: str, *rule_ids: str, today: datetime.date = TODAY) -> str | None:
    """The note's new text after one run in memory, or None when it would not change."""
    for change in plan(root, *rule_ids, today=today).changes:
        if change.path == path:
            return change.after.decode("utf-8")
    return None


@pytest.fixture
def no_git_identity(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No global git config and no identity: vaultbot must bring its own, never invent one."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(name, raising=False)
