"""Which files of a vault are notes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bot.obsidian import TEMPLATER_SETTINGS, ObsidianSettings, read_settings
from bot.scan import ScanResult, scan_vault


def make_vault(root: Path, files: dict[str, str | dict]) -> Path:
    """Write `files` (vault path -> text, or a dict written as JSON) under `root`."""
    for path, content in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(content) if isinstance(content, dict) else content, encoding="utf-8")
    return root


def scan(root: Path, exclude: tuple[str, ...] = ()) -> tuple[ScanResult, list[tuple[str, str]]]:
    settings, warnings = read_settings(root)
    return scan_vault(root, settings, exclude), warnings


NOTES = (
    pytest.param(
        {"A.md": "", "Folder/B.md": "", "Folder/Deep/C.md": ""}, (), ["A.md", "Folder/B.md", "Folder/Deep/C.md"], id="plain-notes"
    ),
    pytest.param(
        {"A.md": "", ".obsidian/x.md": "", ".git/y.md": "", ".trash/z.md": "", ".hidden/w.md": "", "F/.private/v.md": ""},
        (),
        ["A.md"],
        id="dot-folders",
    ),
    pytest.param({"A.md": "", ".hidden.md": "", "F/.draft.md": ""}, (), ["A.md"], id="dot-files"),
    pytest.param(
        {
            "A.md": "",
            "Templates/T.md": "",
            "Templates/Sub/U.md": "",
            "TemplatesX/N.md": "",
            ".obsidian/templates.json": {"folder": "Templates"},
        },
        (),
        ["A.md", "TemplatesX/N.md"],
        id="core-templates-folder",
    ),
    pytest.param(
        {"A.md": "", "Meta/Tpl/T.md": "", "Meta/Other.md": "", ".obsidian/templates.json": {"folder": "/Meta/Tpl/"}},
        (),
        ["A.md", "Meta/Other.md"],
        id="templates-folder-with-slashes",
    ),
    pytest.param(
        {"A.md": "", "_tpl/T.md": "", TEMPLATER_SETTINGS: {"templates_folder": "_tpl"}},
        (),
        ["A.md"],
        id="templater-folder",
    ),
    pytest.param(
        {
            "A.md": "",
            "Core/T.md": "",
            "Tpl/U.md": "",
            ".obsidian/templates.json": {"folder": "Core"},
            TEMPLATER_SETTINGS: {"templates_folder": "Tpl"},
        },
        (),
        ["A.md"],
        id="both-templates-folders",
    ),
    pytest.param(
        {"A.md": "", "Private/P.md": "", "PrivateNotes.md": "", "Pub/Q.md": "", ".obsidian/app.json": {"userIgnoreFilters": ["Private"]}},
        (),
        ["A.md", "Pub/Q.md"],
        id="ignore-filter-plain-prefix",
    ),
    pytest.param(
        {
            "A.md": "",
            "Log/x.draft.md": "",
            "Log/y.md": "",
            "z.draft.md": "",
            ".obsidian/app.json": {"userIgnoreFilters": ["/\\.draft\\.md$/"]},
        },
        (),
        ["A.md", "Log/y.md"],
        id="ignore-filter-regex",
    ),
    pytest.param(
        {"A.md": "", "B.md": "", ".obsidian/app.json": {"userIgnoreFilters": ["/[unclosed/"]}},
        (),
        ["A.md", "B.md"],
        id="ignore-filter-bad-regex-ignored",
    ),
    pytest.param(
        {"A.md": "", "Archive/old.md": "", "Archive/2020/older.md": "", "Archives.md": ""},
        ("Archive/**",),
        ["A.md", "Archives.md"],
        id="exclude-double-star",
    ),
    pytest.param(
        {"A.md": "", "B.draft.md": "", "F/C.draft.md": "", "F/D.md": ""},
        ("*.draft.md",),
        ["A.md", "F/D.md"],
        id="exclude-suffix-glob",
    ),
    pytest.param(
        {"A.md": "", "Scratch/x.md": "", "Scratch/deep/y.md": "", "ScratchPad.md": ""},
        ("Scratch",),
        ["A.md", "ScratchPad.md"],
        id="exclude-folder-name",
    ),
    pytest.param(
        {"A.md": "", "Scratch/x.md": ""},
        ("./Scratch/",),
        ["A.md"],
        id="exclude-folder-dot-slash",
    ),
    pytest.param(
        {"A.md": "", "B.txt": "", "C.markdown": "", "D.MD.bak": "", "img.png": "", "E.canvas": ""},
        (),
        ["A.md"],
        id="non-md-ignored",
    ),
)


@pytest.mark.parametrize(("files", "exclude", "expected"), NOTES)
def test_which_files_are_notes(tmp_path: Path, files: dict, exclude: tuple[str, ...], expected: list[str]) -> None:
    result, warnings = scan(make_vault(tmp_path, files), exclude)
    assert list(result.files) == expected
    # The other .md files outside dot-folders are recorded: a note moved onto one would meet it.
    hidden = [p for p in files if any(part.startswith(".") for part in p.split("/"))]
    assert result.left_out == {p for p in files if p.endswith(".md")} - set(expected) - set(hidden)
    assert result.problems == ()
    assert warnings == []


FOLDERS = (
    pytest.param({"A.md": ""}, ["Empty", "Customers/Acme"], {"Empty", "Customers", "Customers/Acme"}, id="folders-without-notes"),
    pytest.param({"F/A.md": "", ".obsidian/app.json": {}}, [".hidden/inner"], {"F"}, id="hidden-folders-left-out"),
)


@pytest.mark.parametrize(("files", "empty_folders", "expected"), FOLDERS)
def test_folders(tmp_path: Path, files: dict, empty_folders: list[str], expected: set[str]) -> None:
    make_vault(tmp_path, files)
    for folder in empty_folders:
        (tmp_path / folder).mkdir(parents=True)
    result, _ = scan(tmp_path)
    assert result.folders == expected


def _symlink_file_outside(vault: Path, outside: Path) -> None:
    (outside / "secret.md").write_text("secret", encoding="utf-8")
    os.symlink(outside / "secret.md", vault / "Link.md")


def _symlink_folder_outside(vault: Path, outside: Path) -> None:
    (outside / "dir").mkdir()
    (outside / "dir" / "secret.md").write_text("secret", encoding="utf-8")
    os.symlink(outside / "dir", vault / "Linked", target_is_directory=True)


def _symlink_file_inside(vault: Path, outside: Path) -> None:
    os.symlink(vault / "A.md", vault / "Alias.md")


def _symlink_folder_inside(vault: Path, outside: Path) -> None:
    (vault / "Real").mkdir()
    (vault / "Real" / "R.md").write_text("r", encoding="utf-8")
    os.symlink(vault / "Real", vault / "Mirror", target_is_directory=True)


def _relative_symlink_outside(vault: Path, outside: Path) -> None:
    (outside / "secret.md").write_text("secret", encoding="utf-8")
    os.symlink(os.path.relpath(outside / "secret.md", vault / "Sub"), vault / "Sub" / "Up.md")


SYMLINKS = (
    pytest.param(_symlink_file_outside, ["A.md"], ["Link.md"], id="file-outside-reported"),
    pytest.param(_symlink_folder_outside, ["A.md"], ["Linked"], id="folder-outside-reported"),
    pytest.param(_relative_symlink_outside, ["A.md"], ["Sub/Up.md"], id="relative-file-outside-reported"),
    pytest.param(_symlink_file_inside, ["A.md"], [], id="file-inside-skipped-silently"),
    pytest.param(_symlink_folder_inside, ["A.md", "Real/R.md"], [], id="folder-inside-skipped-silently"),
)


@pytest.mark.parametrize(("make_link", "expected_notes", "reported"), SYMLINKS)
def test_symlinks_are_never_followed(tmp_path: Path, make_link, expected_notes: list[str], reported: list[str]) -> None:
    vault, outside = tmp_path / "vault", tmp_path / "outside"
    make_vault(vault, {"A.md": "a", "Sub/.keep": ""})
    outside.mkdir()
    make_link(vault, outside)
    result, _ = scan(vault)
    assert list(result.files) == expected_notes
    assert [problem.path for problem in result.problems] == reported
    assert all("outside the vault" in problem.message for problem in result.problems)
    assert "Linked" not in result.folders and "Mirror" not in result.folders


SETTINGS = (
    pytest.param({".obsidian/app.json": "{not json"}, ".obsidian/app.json", id="app-json"),
    pytest.param({".obsidian/templates.json": "[1, 2"}, ".obsidian/templates.json", id="templates-json"),
    pytest.param({TEMPLATER_SETTINGS: "\x00"}, TEMPLATER_SETTINGS, id="templater-json"),
    pytest.param({".obsidian/daily-notes.json": ""}, ".obsidian/daily-notes.json", id="daily-notes-json"),
)


@pytest.mark.parametrize(("files", "reported"), SETTINGS)
def test_unreadable_settings_are_reported_and_defaults_used(tmp_path: Path, files: dict, reported: str) -> None:
    make_vault(tmp_path, {"A.md": "", "Templates/T.md": "", **files})
    settings, warnings = read_settings(tmp_path)
    assert settings == ObsidianSettings()
    assert [path for path, _ in warnings] == [reported]
    assert "using defaults" in warnings[0][1]
    assert list(scan_vault(tmp_path, settings).files) == ["A.md", "Templates/T.md"]


def test_non_utf8_settings_are_reported(tmp_path: Path) -> None:
    (tmp_path / ".obsidian").mkdir()
    (tmp_path / ".obsidian/app.json").write_bytes(b'{"userIgnoreFilters": ["\xff"]}')
    settings, warnings = read_settings(tmp_path)
    assert settings == ObsidianSettings()
    assert [path for path, _ in warnings] == [".obsidian/app.json"]
