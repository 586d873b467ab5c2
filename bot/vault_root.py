"""Which folder is the vault when VAULT is not given: found upward, as git finds `.git`.

A vault is marked by Obsidian's `.obsidian/` folder or by vaultbot's own
`.vaultbot.yaml`. Run from `Vault/People`, vaultbot must still see the whole
vault: on `People/` alone a customer's Recent Context would lose every meeting
filed elsewhere, and a real run would write that loss.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from bot.config import CONFIG_FILE

EXPECTED = f".obsidian/ or {CONFIG_FILE}"


class VaultRoot(NamedTuple):
    path: Path
    warning: str | None  # why this folder may not be a vault, for the user to read
    guessed: bool = False  # VAULT not given and no marked folder found: the current folder stands in


def is_marked(folder: Path) -> bool:
    return (folder / ".obsidian").is_dir() or (folder / CONFIG_FILE).is_file()


def find_vault(given: Path | None, start: Path) -> VaultRoot:
    """`given` as it is (with a warning when it holds no marker); else the nearest folder from
    `start` upward that holds one; else `start`, with a warning saying what was looked for."""
    if given is not None:
        if given.is_dir() and not is_marked(given):
            return VaultRoot(given, f"no {EXPECTED} in {given}: is this the vault?")
        return VaultRoot(given, None)
    here = start.resolve()
    for folder in (here, *here.parents):
        if is_marked(folder):
            return VaultRoot(_as_given(folder, start), None)
    return VaultRoot(start, f"no {EXPECTED} in {here} or any folder above it: using {here} as the vault", guessed=True)


def _as_given(folder: Path, start: Path) -> Path:
    """`folder` relative to the current folder when it is `start` itself ('.'), else absolute."""
    return start if folder == start.resolve() else folder
