"""Where the benchmarks keep generated vaults and their working copies.

Outside any git repository: a vault inside vaultbot's own work tree, which ignores it, is
read by a committing run (a dry run included) as ignored by git, and left out. In the
system's temporary folder unless VAULTBOT_BENCH_DIR names another; generated once, kept
between runs, never committed. Results go to benchmarks/out/ (gitignored).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(os.environ.get("VAULTBOT_BENCH_DIR") or Path(tempfile.gettempdir()) / "vaultbot-bench")
VAULTS = BENCH / "vaults"  # generated vaults, kept
WORK = BENCH / "work"  # copies a measurement changes, removed after it


def generated(size: int) -> Path:
    """The generated vault of `size` notes (benchmarks/generate.py), made on first use."""
    vault = VAULTS / str(size)
    if not vault.is_dir():
        print(f"generating {size:,} notes in {vault} ...", file=sys.stderr)
        subprocess.run([sys.executable, str(Path(__file__).parent / "generate.py"), str(size), str(vault)], check=True)
    return vault
