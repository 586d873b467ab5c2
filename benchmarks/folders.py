"""Where the benchmarks keep generated vaults and their working copies.

Outside any git repository: a vault inside vaultbot's own work tree, which ignores it, is
read by a committing run (a dry run included) as ignored by git, and left out. In the
system's temporary folder unless VAULTBOT_BENCH_DIR names another; generated once, kept
between runs, never committed. Results go to benchmarks/out/ (gitignored).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

BENCH = Path(os.environ.get("VAULTBOT_BENCH_DIR") or Path(tempfile.gettempdir()) / "vaultbot-bench")
VAULTS = BENCH / "vaults"  # generated vaults, kept
WORK = BENCH / "work"  # copies a measurement changes, removed after it
