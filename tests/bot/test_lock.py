"""The run lock: a lock file that cannot be made is a clear error, never a traceback."""

from __future__ import annotations

from pathlib import Path

from tests.vaults import run_cli, tree_state, write_vault


def test_a_lock_folder_that_cannot_be_made_fails_the_run_naming_it(tmp_path: Path) -> None:
    # A vault without git keeps its lock in the cache folder; here that folder would have to be made
    # under a file (as under a read-only home or a mistyped XDG_CACHE_HOME).
    vault = write_vault(tmp_path / "vault", {"a.md": "---\ntype: meeting\n---\nx\n"})
    (vault / ".obsidian").mkdir()  # a vault, so the one line on stderr is the lock's
    (tmp_path / "a-file").write_text("not a folder\n")
    before = tree_state(vault)
    result = run_cli("run", vault, "--today", "2026-11-24", env={"XDG_CACHE_HOME": str(tmp_path / "a-file" / "cache")})
    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(f"vaultbot: error: cannot use the run lock {tmp_path / 'a-file' / 'cache' / 'vaultbot'}")
    assert line.endswith("; this run is skipped")
    assert tree_state(vault) == before
