"""vaultbot on real public vaults, which are not part of the repository.

`VAULTBOT_CORPUS` names a folder of vault folders to run on (the maintainers keep
theirs in `shared/corpus/` beside the checkout, the default); a folder `examples/`
beside it may hold `crm-vault/` and `crm-vault.expected/`, a vault and how one
of its notes must look after a run.

Each vault is copied to a tmp folder and run through the real CLI, as a user
would: no crash, every skipped note named with a reason, the dry run writes
nothing, a real run changes only what the rules own, and a second run changes
nothing. The figures per vault are printed at the end of the module.
Skipped, with the reason shown, where there is no corpus.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.config import load_config
from bot.obsidian import read_settings
from bot.scan import scan_vault
from tests.locality import locality_violations, split
from tests.vaults import run_cli, tree_state

CORPUS = Path(os.environ.get("VAULTBOT_CORPUS") or Path(__file__).resolve().parents[1].parent / "shared" / "corpus")
EXAMPLES = CORPUS.parent / "examples"
NO_CORPUS = "no corpus of real vaults: set VAULTBOT_CORPUS to a folder holding vault folders to test on"
VAULTS = sorted(p.name for p in CORPUS.iterdir() if p.is_dir()) if CORPUS.is_dir() else []
TODAY = "2026-11-24"

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def figures(request: pytest.FixtureRequest) -> dict[str, dict]:
    """Per vault: notes, notes changed, warnings by reason, time; printed after the module."""
    rows: dict[str, dict] = {}
    yield rows
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None or not rows:
        return
    with capture.global_and_fixture_disabled():  # shown even when the tests pass
        reporter.write_line("")
        reporter.write_sep("-", "corpus figures (vaultbot run --no-commit)")
        for line in figure_table(rows):
            reporter.write_line(line)


def figure_table(rows: dict[str, dict]) -> list[str]:
    lines = [
        "| vault | notes | changed | changed by rules | warnings by reason | time |",
        "| --- | ---: | ---: | --- | --- | ---: |",
    ]
    for name, row in rows.items():
        reasons = "; ".join(f"{reason}: {count}" for reason, count in row["warnings"].most_common()) or "none"
        why = "; ".join(f"{rules}: {count}" for rules, count in row["why"].most_common()) or "none"
        lines.append(f"| {name} | {row['notes']:,} | {row['changed']} | {why} | {reasons} | {row['seconds']:.1f} s |")
    return lines


def reason_of(message: str) -> str:
    """A warning's reason without the note-specific parts (quoted text, line numbers, values)."""
    reason = re.sub(r"'[^']*'|\"[^\"]*\"", "…", message)
    reason = re.sub(r" \(line \d+\)| \(byte .*\)$", "", reason)
    return reason.split(" (needs")[0]


def writable_copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    for folder, _, files in os.walk(target):
        os.chmod(folder, os.stat(folder).st_mode | stat.S_IWUSR | stat.S_IXUSR)
        for name in files:
            path = os.path.join(folder, name)
            os.chmod(path, os.stat(path).st_mode | stat.S_IWUSR)
    return target


def unusable(data: bytes) -> bool:
    """An independent guess at what must be skipped: not UTF-8, unclosed or unloadable frontmatter."""
    try:
        text = data.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError:
        return True
    if not text.startswith(("---\n", "---\r\n")):
        return False
    _, yaml_text, _, _ = split(text)
    if yaml_text is None:
        return True
    try:
        loaded = yaml.safe_load(yaml_text)
    except yaml.YAMLError:
        return True
    return loaded is not None and not isinstance(loaded, dict)


def run_json(vault: Path, cache: Path, *args: str) -> tuple[dict, float]:
    started = time.monotonic()
    result = run_cli("run", vault, "--today", TODAY, "--format", "json", *args, env={"XDG_CACHE_HOME": str(cache)})
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    return json.loads(result.stdout), seconds


@pytest.mark.parametrize("name", VAULTS or [pytest.param(None, marks=pytest.mark.skip(reason=NO_CORPUS))])
def test_real_vault(name: str, tmp_path: Path, figures: dict[str, dict]) -> None:
    vault = writable_copy(CORPUS / name, tmp_path / name)
    cache = tmp_path / "cache"
    original = tree_state(vault)
    original_bytes = {path: (vault / path).read_bytes() for path, (digest, _) in original.items() if digest}
    settings, _ = read_settings(vault)
    notes = scan_vault(vault, settings, load_config(vault).exclude).files

    dry, _ = run_json(vault, cache, "--dry-run")
    assert tree_state(vault) == original, "the dry run wrote something"

    report, seconds = run_json(vault, cache, "--no-commit")
    changed = {entry["path"] for entry in report["changed"]}
    assert changed == {entry["path"] for entry in dry["changed"]}, "the dry run showed what the run did"

    skipped = {w["path"]: w["message"] for w in report["warnings"] if w["message"].startswith("skipped:")}
    for path, message in skipped.items():
        assert path in notes and len(message) > len("skipped: ") + 5, (path, message)
    expected_skips = {path for path in notes if unusable(original_bytes[path])}
    assert expected_skips <= skipped.keys(), f"skipped without a report: {sorted(expected_skips - skipped.keys())}"
    assert not changed & skipped.keys()

    after = tree_state(vault)
    on_disk = {path for path in after if after[path] != original.get(path)}
    assert on_disk == changed, "exactly the reported notes changed on disk, and nothing else"
    for path in sorted(changed):
        new = (vault / path).read_bytes()
        assert locality_violations(original_bytes[path], new) == [], path

    again, _ = run_json(vault, cache, "--no-commit")
    assert again["changed"] == [], "a second run changes nothing"
    assert tree_state(vault) == after

    figures[name] = {
        "notes": len(notes),
        "changed": len(changed),
        "why": Counter(", ".join(entry["rules"]) for entry in report["changed"]),
        "warnings": Counter(reason_of(w["message"]) for w in report["warnings"]),
        "seconds": seconds,
    }


@pytest.mark.skipif(
    not (EXAMPLES / "crm-vault").is_dir(), reason="no example vault with its expected output beside the corpus (examples/crm-vault)"
)
def test_an_example_vault_matches_its_expected_note(tmp_path: Path) -> None:
    vault = writable_copy(EXAMPLES / "crm-vault", tmp_path / "crm")
    # The expected note predates open-tasks and related, so the rules it was written for run first.
    older_rules = ("--rule", "dedupe-meetings", "--rule", "last-contact", "--rule", "tags", "--rule", "recent-context")
    assert run_cli("run", vault, "--no-commit", "--today", TODAY, *older_rules).returncode == 0
    expected = EXAMPLES / "crm-vault.expected" / "Customers/OpenAI/OpenAI.md"
    assert (vault / "Customers/OpenAI/OpenAI.md").read_bytes() == expected.read_bytes()
    # Then every rule: the seed's task stays on top, the meetings' open tasks follow with their
    # sources, and the people and projects involved are listed under the template's hint.
    assert run_cli("run", vault, "--no-commit", "--today", TODAY).returncode == 0
    text = (vault / "Customers/OpenAI/OpenAI.md").read_text(encoding="utf-8")
    tasks = text.split("## Open Tasks\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert tasks[0].startswith("- [ ] Discuss with OpenAI the idea of providing a sync engine")
    assert "- [ ] Size the global KV store (TPS per PB, <=64 KB IO) ([[2025-10 - OpenAI Tasks]])" in tasks
    related = text.split("## Related\n\n", 1)[1].splitlines()
    assert related[:3] == [
        "<!-- Wikilinks to related entities -->",
        "- [[Jason Vallery]] (person, 9 shared notes)",
        "- [[Microsoft]] (customer, 4 shared notes)",
    ]
    assert "- [[VAST on Azure Integration]] (project, 1 shared note)" in related
