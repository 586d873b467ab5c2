"""What a run outside git never pays for: loading GitPython (a tenth of a second per run).

`bot.git_blobs` may load: it asks git for blob ids by subprocess, without GitPython."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CHECK = """
import sys
from bot.cli import main
code = main(["run", sys.argv[1], "--today", "2026-11-24", "-q", *sys.argv[2:]])
loaded = sorted(name for name in sys.modules if name in ("git", "bot.git") or name.startswith(("git.", "bot.git_")) and name != "bot.git_blobs")
print(code, loaded)
"""


def _vault(tmp_path: Path) -> Path:
    vault = tmp_path / "vault"
    (vault / "People").mkdir(parents=True)
    (vault / "People" / "Ada.md").write_text("---\ntype: person\ntags: a, b\n---\n# Ada\n", encoding="utf-8")
    (vault / "Meeting.md").write_text("---\ndate: 2026-11-20\n---\nMet [[Ada]].\n", encoding="utf-8")
    return vault


def test_a_run_outside_git_never_loads_gitpython(tmp_path: Path) -> None:
    vault = _vault(tmp_path)
    for flags in (["--dry-run"], ["--no-commit"], []):
        done = subprocess.run(
            [sys.executable, "-c", CHECK, str(vault), *flags],
            capture_output=True,
            text=True,
            check=True,
            env={**{k: v for k, v in os.environ.items() if k != "VAULTBOT_CACHE_DIR"}, "XDG_CACHE_HOME": str(tmp_path / "cache")},
        )
        assert done.stdout.splitlines()[-1].endswith(" []"), (flags, done.stdout, done.stderr)
