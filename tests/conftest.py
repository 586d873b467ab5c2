"""Test-wide setup."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# A test that needs what only some systems have carries `@pytest.mark.posix("why")` or
# `@pytest.mark.linux("why")`; elsewhere it is skipped with that reason shown.
PLATFORMS = {  # marker: (the name in the skip reason, whether this system has it)
    "posix": ("POSIX", os.name == "posix"),  # signals like SIGKILL, fork, FIFOs, Unix file modes
    "linux": ("Linux", sys.platform.startswith("linux")),  # /proc
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for marker_name, (system, available) in PLATFORMS.items():
            marker = item.get_closest_marker(marker_name)
            if marker is not None and not available:
                item.add_marker(pytest.mark.skip(reason=f"needs {system}: {marker.args[0]}"))


@pytest.fixture(autouse=True)
def private_cache_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Vaults outside git keep vaultbot's caches in the user's cache directory; tests
    (and the vaultbot subprocesses they start) get their own, never the real one."""
    home = tmp_path_factory.mktemp("cache-home")
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home
