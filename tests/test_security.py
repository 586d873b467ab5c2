"""Hostile vaults: symlinks, climbing links, YAML objects, oversized input, the Action's inputs.

Extends tests/test_safety.py (a symlink out of the vault is reported; one bad-input
row per kind) and tests/test_action.py (`"; touch pwned #` in commit-message and
vault-path) with the attacks themselves: what a symlink points at must not be
read even once, links must not climb out of the vault, YAML must not build
objects, oversized input must be refused before it is expanded, config paths must
stay inside the vault, and no action input is ever shell code.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest

from bot.config import load_config
from bot.note import BadNote, load_frontmatter, parse_note
from bot.runner import plan_run
from bot.write_back import GONE, write_changes
from tests.test_action import run_action, runner, workspace  # noqa: F401 - fixtures used below
from tests.vaults import PARSE_DEFAULTS, TODAY, plan, run_cli, tree_state, write_vault

ENTITY = "---\ntype: customer\nlast_contact: unknown\n---\n# Acme\n\n## Recent Context\n\n## Notes\n"
MEETING = "---\ntype: meeting\ndate: 2026-11-02\nsummary: Kickoff with [[Acme]].\n---\n\nNotes.\n"
# Would move Acme's last contact to 2026-11-20 and add a line to its Recent Context, if read.
LURE = "---\ntype: meeting\ndate: 2026-11-20\nsummary: SECRET from outside.\n---\n[[Acme]]\n"


# -- symlinks out of the vault: never read, never written ------------------------------------


def _outside(tmp_path: Path) -> Path:
    outside = write_vault(tmp_path / "outside", {"Lure.md": LURE, "folder/Lure.md": LURE, "folder/Acme.md": ENTITY})
    os.mkfifo(outside / "pipe.md")  # reading it would block the run forever
    os.mkfifo(outside / "folder" / "pipe.md")
    return outside


@pytest.mark.posix("the vault's outside targets include FIFOs")
def test_symlinked_files_and_folders_pointing_outside_are_never_read(tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    vault = write_vault(tmp_path / "vault", {"Acme.md": ENTITY, "Meeting.md": MEETING})
    (vault / "Lure.md").symlink_to(outside / "Lure.md")
    (vault / "Pipe.md").symlink_to(outside / "pipe.md")
    (vault / "Folder").symlink_to(outside / "folder")
    (vault / "Relative.md").symlink_to(Path("..") / "outside" / "Lure.md")
    (vault / "Dangling.md").symlink_to(outside / "missing.md")
    before = tree_state(outside)

    result = run_cli("run", vault, "--no-commit", "--today", "2026-11-24")  # a FIFO read would hang it (timeout)
    assert result.returncode == 0, result.stderr
    for name in ("Lure.md", "Pipe.md", "Folder", "Relative.md", "Dangling.md"):
        assert f"warning: {name}: symlink points outside the vault; not followed" in result.stderr
    acme = (vault / "Acme.md").read_text()
    assert "last_contact: 2026-11-02" in acme, "the lure's later date was never read"
    assert "SECRET" not in acme and "Lure" not in acme
    assert tree_state(outside) == before, "nothing outside changed"
    assert (vault / "Lure.md").is_symlink() and (vault / "Folder").is_symlink(), "the links themselves stay"


def test_a_note_swapped_for_an_outside_symlink_mid_run_is_not_written_through(tmp_path: Path) -> None:
    """Between reading and writing, Acme.md becomes a link to a file outside holding the same bytes."""
    outside = write_vault(tmp_path / "outside", {"Copy.md": ENTITY})
    vault = write_vault(tmp_path / "vault", {"Acme.md": ENTITY, "Meeting.md": MEETING})
    pending = plan_run(vault, load_config(vault), TODAY)
    (vault / "Acme.md").unlink()
    (vault / "Acme.md").symlink_to(outside / "Copy.md")
    result = write_changes(vault, pending.changes)
    assert (outside / "Copy.md").read_text() == ENTITY, "the file outside is never written"
    assert (vault / "Acme.md").is_symlink(), "the person's link stays: a copy with the edits never replaces it"
    assert [(problem.path, problem.message) for problem in result.problems if problem.path == "Acme.md"] == [
        ("Acme.md", "changed on disk while vaultbot ran; not overwritten (the next run picks it up)")
    ]


def test_a_note_swapped_for_a_symlink_inside_the_vault_mid_run_stays_a_link(tmp_path: Path) -> None:
    """Between reading and writing, the note moves into a folder and a link to it takes its place (the
    bytes read through the link are the same): the link and the moved note stay as the person left them."""
    vault = write_vault(tmp_path / "vault", {"Acme.md": ENTITY, "Meeting.md": MEETING})
    pending = plan_run(vault, load_config(vault), TODAY)
    assert "Acme.md" in {change.path for change in pending.changes}
    (vault / "Archive").mkdir()
    (vault / "Acme.md").rename(vault / "Archive" / "Acme.md")
    (vault / "Acme.md").symlink_to(Path("Archive") / "Acme.md")
    write_changes(vault, pending.changes)
    assert (vault / "Acme.md").is_symlink() and (vault / "Archive" / "Acme.md").read_text() == ENTITY


def test_a_note_that_becomes_a_folder_mid_run_is_gone_not_a_failed_write(tmp_path: Path) -> None:
    """Between reading and writing, Acme.md is removed and a folder takes its name: the person's change,
    reported as a note removed (as when no folder takes the name), not an I/O error that fails the run."""
    vault = write_vault(tmp_path / "vault", {"Acme.md": ENTITY, "Meeting.md": MEETING})
    pending = plan_run(vault, load_config(vault), TODAY)
    (vault / "Acme.md").unlink()
    write_vault(vault / "Acme.md", {"Inside.md": "kept\n"})
    result = write_changes(vault, pending.changes)
    assert not result.failed
    assert [(problem.path, problem.message) for problem in result.problems] == [("Acme.md", GONE)]
    assert (vault / "Acme.md" / "Inside.md").read_text() == "kept\n"
    assert "Meeting.md" in {change.path for change in result.written}, "the other notes are written as usual"


def test_a_symlink_inside_the_vault_is_not_read_twice_and_never_written(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", {"Acme.md": ENTITY, "Meetings/Meeting.md": MEETING})
    (vault / "Alias.md").symlink_to(vault / "Meetings" / "Meeting.md")
    result = plan(vault)
    assert "Alias.md" not in {change.path for change in result.changes}
    assert (vault / "Alias.md").is_symlink()


# -- links never resolve outside the vault ----------------------------------------------------

CLIMBING = "[[../../etc/passwd]] [x](../../../etc/passwd) [y](../../../etc/passwd.md) ![[../../../../etc/shadow]] [[/../etc/passwd]]\n"


def test_links_that_climb_out_of_the_vault_resolve_to_nothing(tmp_path: Path) -> None:
    vault = write_vault(tmp_path / "vault", {"Acme.md": ENTITY, "Deep/er/Note.md": CLIMBING, "Top.md": CLIMBING})
    result = plan(vault)
    index = result.vault
    for source in ("Top.md", "Deep/er/Note.md"):
        for link in index.notes[source].links:
            assert index.resolve(link.link.target, source) is None, (source, link.link.target)
    assert not any("root:" in change.after.decode() for change in result.changes)


def test_a_climbing_link_never_reaches_a_note_of_the_same_name_outside(tmp_path: Path) -> None:
    """`../outside/Lure` from the vault root would name a real file; the resolver only knows the vault's notes."""
    write_vault(tmp_path / "outside", {"Lure.md": LURE})
    vault = write_vault(tmp_path / "vault", {"Acme.md": ENTITY, "Note.md": "[[../outside/Lure]] [l](../outside/Lure.md)\n"})
    index = plan(vault).vault
    assert [index.resolve(link.link.target, "Note.md") for link in index.notes["Note.md"].links] == [None, None]


# -- YAML never builds objects ---------------------------------------------------------------

CONSTRUCTORS = [
    "x: !!python/object/apply:os.system ['touch pwned']",
    "x: !!python/object/new:os.system ['touch pwned']",
    "x: !!python/name:os.system",
    "x: !!python/module:os",
    "x: [1, !!python/object/apply:subprocess.call [['touch', 'pwned']]]",
    "x:\n  deep: !!python/object/apply:os.system ['touch pwned']",
    "x: !python/object/apply:os.system ['touch pwned']",
]


@pytest.mark.parametrize("line", CONSTRUCTORS)
def test_yaml_tags_that_build_objects_are_rejected_not_run(tmp_path: Path, line: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(BadNote) as error:
        parse_note("N.md", f"---\n{line}\n---\n", False, None, PARSE_DEFAULTS)
    assert "frontmatter uses a YAML tag that is not allowed" in str(error.value) or "invalid YAML" in str(error.value)
    assert not (tmp_path / "pwned").exists()


def test_an_object_building_tag_in_the_config_is_a_config_error(tmp_path: Path) -> None:
    write_vault(tmp_path, {".vaultbot.yaml": "exclude: !!python/object/apply:os.system ['touch pwned']\n", "N.md": "x\n"})
    result = run_cli("run", tmp_path, "--dry-run", cwd=tmp_path)
    assert result.returncode == 2 and "config error" in result.stderr
    assert not (tmp_path / "pwned").exists()


# -- oversized input is refused before it is expanded ----------------------------------------


def _bomb(levels: int, width: int = 10) -> str:
    lines = ["l0: &l0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def _finishes(function, *args, seconds: float = 60.0) -> bool:
    """Whether `function(*args)` returns or raises within a generous bound: a bomb
    that were expanded would take hours and all memory, not a few more seconds."""
    done = threading.Event()

    def target() -> None:
        try:
            function(*args)
        except BadNote:
            pass
        finally:
            done.set()

    threading.Thread(target=target, daemon=True).start()
    return done.wait(seconds)


@pytest.mark.parametrize("levels", [4, 9, 12])
def test_an_alias_bomb_is_rejected_without_expanding_it(levels: int) -> None:
    text = _bomb(levels)
    if levels == 4:  # 10**4 values: over the 10,000 budget by a hair
        with pytest.raises(BadNote, match="alias bomb"):
            load_frontmatter(text)
    assert _finishes(lambda: pytest.raises(BadNote, load_frontmatter, text))


def test_an_alias_bomb_in_links_and_the_config_is_harmless(tmp_path: Path) -> None:
    bomb = _bomb(12).replace("lol", "'[[Acme]]'")
    write_vault(
        tmp_path,
        {
            "Bomb.md": f"---\n{bomb}---\n",
            "Acme.md": ENTITY,
            ".vaultbot.yaml": "exclude: " + _bomb(12).split("\n")[-2].split(": ", 1)[1] + "\n",
        },
    )
    config = run_cli("run", tmp_path, "--dry-run")
    assert config.returncode == 2 and "config error" in config.stderr
    (tmp_path / ".vaultbot.yaml").unlink()
    result = run_cli("run", tmp_path, "--dry-run")
    assert result.returncode == 0
    assert "Bomb.md: skipped: frontmatter expands to more than 10,000 values" in result.stderr


@pytest.mark.parametrize(
    ("frontmatter", "reason"),
    [
        ("big: '" + "x" * (64 * 1024) + "'", "larger than 64 KiB"),
        ("big: '" + "🚀" * (17 * 1024) + "'", "larger than 64 KiB"),  # 68 KiB in bytes, 17 K characters
        ("deep: " + "[" * 50_000 + "]" * 50_000, "larger than 64 KiB"),
        ("deep: " + "[" * 20_000 + "]" * 20_000, "nesting depth|nested too deeply"),
    ],
    ids=["ascii", "emoji-bytes", "deep-and-large", "deep"],
)
def test_oversized_or_overdeep_frontmatter_is_rejected(frontmatter: str, reason: str) -> None:
    with pytest.raises(BadNote, match=reason):
        load_frontmatter(frontmatter)


# -- config paths stay inside the vault -------------------------------------------------------

OUTSIDE_CONFIGS = [
    ("exclude: ['/etc']\n", "exclude"),
    ("exclude: ['..']\n", "exclude"),
    ("exclude: ['../../x']\n", "exclude"),
    ("rules:\n  dedupe-meetings: {archive_folder: /etc}\n", "rules.dedupe-meetings.archive_folder"),
    ("rules:\n  dedupe-meetings: {archive_folder: ../archive}\n", "rules.dedupe-meetings.archive_folder"),
    ("rules:\n  dedupe-meetings: {archive_folder: 'a/../../x'}\n", "rules.dedupe-meetings.archive_folder"),
]


@pytest.mark.parametrize(("config", "key"), OUTSIDE_CONFIGS, ids=[c[0].strip().replace("\n", " ") for c in OUTSIDE_CONFIGS])
def test_a_config_path_outside_the_vault_is_a_config_error(tmp_path: Path, config: str, key: str) -> None:
    write_vault(tmp_path, {".vaultbot.yaml": config, "N.md": "x\n"})
    result = run_cli("run", tmp_path, "--no-commit")
    assert result.returncode == 2
    assert (
        re.search(rf"config error: \.vaultbot\.yaml, line \d+: {re.escape(key)}: ", result.stderr)
        and "points outside the vault" in result.stderr
    )


# -- the GitHub Action: every input is data, whatever it holds ---------------------------------

HOSTILE = ['"; touch pwned #', "$(touch pwned)", "`touch pwned`", "'; touch pwned; '", "x\ntouch pwned", "${IFS}touch${IFS}pwned"]


@pytest.mark.parametrize("value", HOSTILE)
def test_no_action_input_runs_as_shell(workspace: Path, runner: Path, value: str) -> None:  # noqa: F811
    """tests/test_action.py feeds one value through two inputs; here every input gets each form."""
    inputs = {name: value for name in ("vault-path", "rules", "dry-run", "push", "commit-message", "config")}
    run_action(workspace, runner, inputs)
    assert not list(workspace.parent.rglob("pwned")), "nothing ran"
    assert not Path("pwned").exists()
