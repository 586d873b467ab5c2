"""`vaultbot explain` on the example vault: text and JSON, a path or a link text."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest

from bot.explain import explain, find_note
from rules import RULES, explainers, owned_keys
from tests.vaults import EXAMPLE_VAULT, REPO, TODAY, plan, run_cli, tree_state, write_vault

ENTITY = "Customers/Northwind Traders/Northwind Traders.md"
CANONICAL = "Customers/Northwind Traders/2026-10-14 1000 - Quarterly review.md"
DUPLICATE = "Customers/Northwind Traders/2026-10-14 1010 - QBR notes (AI summary).md"
OPEN_QUESTIONS = "Customers/Northwind Traders/2026-10 - Northwind open questions.md"
PRICING_DUPLICATE = "Meetings/2026-11-05 - Pricing sync.md"


def explain_json(*args: str) -> dict:
    result = run_cli("explain", EXAMPLE_VAULT, *args, "--format", "json", "--today", str(TODAY))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_entity_json() -> None:
    before = tree_state(EXAMPLE_VAULT)
    found = explain_json(ENTITY)
    assert tree_state(EXAMPLE_VAULT) == before  # explain writes nothing
    assert (found["path"], found["type"], found["entity"], found["owner"]) == (ENTITY, "customer", True, None)
    assert found["links"] == [
        {"link": "[[Priya Raman]]", "where": "frontmatter `owner`", "resolves_to": "People/Priya Raman/Priya Raman.md"}
    ]
    assert PRICING_DUPLICATE in found["backlinks"]
    related = {r["path"]: r for r in found["related"]}
    assert related[CANONICAL]["listed_at"] == 1
    assert related[CANONICAL]["reasons"] == ["lives in the home folder Customers/Northwind Traders/"]
    assert related[OPEN_QUESTIONS]["listed_at"] == 2
    assert related[DUPLICATE]["left_out"] == f"duplicate of {CANONICAL}"
    assert related[PRICING_DUPLICATE]["reasons"] == ["links here from its body"]
    assert related[PRICING_DUPLICATE]["left_out"] == "duplicate of Meetings/2026-11-05 - Pricing sync (transcript).md"
    (change,) = found["changes"]
    assert change["rules"] == ["last-contact", "tags", "recent-context", "open-tasks", "related"]
    assert "+last_contact: 2026-10-14\n" in change["diff"]


def test_entity_json_says_why_each_task_and_related_entity_is_listed_or_left_out() -> None:
    found = explain_json(ENTITY)
    tasks = [(t["task"], t["source"], t["listed_at"], t["left_out"]) for t in found["open_tasks"]]
    assert tasks == [
        ("Send the migration plan draft", CANONICAL, 1, None),
        ("Ask finance for the renewal quote", CANONICAL, 2, None),
        ("Which regions must the data stay in?", OPEN_QUESTIONS, 3, None),
        ("Who signs off on the budget?", OPEN_QUESTIONS, None, "done in its note ([x])"),
        ("Send the migration plan draft", DUPLICATE, None, f"its note is left out: duplicate of {CANONICAL}"),
    ]
    assert found["open_tasks_section"] == [
        {"line": "- [ ] Book the renewal meeting with procurement", "what": "typed by hand (no link to a note it came from): kept, on top"}
    ]
    entities = {e["path"]: e for e in found["related_entities"]}
    assert entities["People/Priya Raman/Priya Raman.md"]["listed_at"] == 1
    assert entities["People/Priya Raman/Priya Raman.md"]["shared"] == [CANONICAL]
    assert (
        entities["People/Lena Fischer/Lena Fischer.md"]["left_out"] == "shares only notes that are left out (duplicates, dated after today)"
    )


def test_entity_text() -> None:
    result = run_cli("explain", EXAMPLE_VAULT, ENTITY, "--today", str(TODAY))
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith(ENTITY + "\n  type:     customer (an entity)\n")
    assert f"  {CANONICAL} (2026-10-14): listed #1\n      lives in the home folder Customers/Northwind Traders/\n" in text
    assert f"  {DUPLICATE} (2026-10-14): left out: duplicate of {CANONICAL}\n" in text
    assert "What a run would change (last-contact, tags, recent-context, open-tasks, related):\n--- a/" in text
    assert f"  Who signs off on the budget? ({OPEN_QUESTIONS}): left out: done in its note ([x])\n" in text
    assert "  People/Tomás Ortega/Tomás Ortega.md (person, 1 shared): listed #2\n" in text


def test_duplicate_meeting_given_as_a_link_text() -> None:
    found = explain_json("[[2026-10-14 1010 - QBR notes (AI summary)|the QBR]]")
    assert found["path"] == DUPLICATE
    assert (found["date"], found["date_source"], found["time"], found["time_source"]) == (
        "2026-10-14",
        "frontmatter:date",
        "10:10",
        "frontmatter:time",
    )
    assert found["owner"] == ENTITY
    assert {"link": "[[Priya]]", "where": "frontmatter `participants`", "resolves_to": "People/Priya Raman/Priya Raman.md"} in found[
        "links"
    ]
    group = found["duplicate_group"]
    assert group["canonical"] == CANONICAL
    assert group["why"] == "links tie; it has the longest body"
    assert [m["path"] for m in group["members"]] == [CANONICAL, DUPLICATE]
    (change,) = found["changes"]
    assert change["rules"] == ["dedupe-meetings"]
    assert '+duplicate_of: "[[2026-10-14 1000 - Quarterly review]]"' in change["diff"]


def test_duplicate_meeting_text() -> None:
    result = run_cli("explain", EXAMPLE_VAULT, "2026-10-14 1010 - QBR notes (AI summary)", "--today", str(TODAY))
    assert result.returncode == 0, result.stderr
    assert "  date:     2026-10-14 (from frontmatter:date)\n  time:     10:10 (from frontmatter:time)\n" in result.stdout
    assert f"canonical {CANONICAL}\n  one meeting because they have the same day" in result.stdout
    assert "\n  chosen because links tie; it has the longest body" in result.stdout


def test_unknown_note_is_a_usage_error() -> None:
    result = run_cli("explain", EXAMPLE_VAULT, "No such note")
    assert result.returncode == 2
    assert "'No such note' is not a note vaultbot reads" in result.stderr


def test_file_name_date_future_and_max_entries(tmp_path: Path) -> None:
    write_vault(
        tmp_path,
        {
            ".vaultbot.yaml": "rules:\n  recent-context:\n    max_entries: 1\n",
            "Ann/Ann.md": "---\ntype: person\n---\n# Ann\n\n## Recent Context\n\n",
            "Ann/2026-11-01 - first.md": "First.\n",
            "Ann/2026-11-02 - second.md": "Second.\n",
            "Notes/2026-12-25 - later.md": "About [[Ann]].\n",
        },
    )
    result = plan(tmp_path)
    found = explain(result, "Ann/Ann.md", TODAY)
    related = {r["path"]: r for r in found["related"]}
    assert related["Ann/2026-11-02 - second.md"]["listed_at"] == 1
    assert related["Ann/2026-11-01 - first.md"]["left_out"] == "beyond max_entries (1): it would be number 2"
    assert related["Notes/2026-12-25 - later.md"]["left_out"] == f"dated 2026-12-25, after today ({TODAY})"
    note = explain(result, "Ann/2026-11-01 - first.md", TODAY)
    assert (note["date"], note["date_source"], note["owner"]) == ("2026-11-01", "file name", "Ann/Ann.md")
    assert find_note(result.original, "Ann/2026-11-01 - first") == "Ann/2026-11-01 - first.md"


def test_archived_duplicates_are_explained_as_archived(tmp_path: Path) -> None:
    vault = shutil.copytree(EXAMPLE_VAULT, tmp_path / "vault")
    (vault / ".vaultbot.yaml").write_text("rules:\n  dedupe-meetings:\n    mode: archive\n")
    found = explain(plan(vault), ENTITY, TODAY)
    related = {r["path"]: r for r in found["related"]}
    assert related[DUPLICATE]["left_out"] == f"duplicate of {CANONICAL} (archived by dedupe-meetings)"
    duplicate = explain(plan(vault), DUPLICATE, TODAY)
    assert duplicate["changes"][0]["moved_to"] == "_archive/duplicates/" + DUPLICATE


def test_ticked_roll_up_lines_are_explained(tmp_path: Path) -> None:
    vault = write_vault(
        tmp_path,
        {
            "Acme/Acme.md": "---\ntype: customer\n---\n## Open Tasks\n\n- [x] Send it ([[2026-11-01 call]])\n- [x] Gone ([[2026-11-01 call]])\n- [ ] Send it ([[2026-11-01 call]])\n",
            "Acme/2026-11-01 call.md": "- [ ] Send it\n",
        },
    )
    found = explain(plan(vault), "Acme/Acme.md", TODAY)
    assert [r["what"] for r in found["open_tasks_section"]] == [
        "ticked: the task is ticked in Acme/2026-11-01 call.md too, then leaves the section",
        "ticked, but the ticked task 'Gone' is found 0 times in Acme/2026-11-01 call.md, not once; nothing written there, the line is left as it is",
        "generated from Acme/2026-11-01 call.md: listed again while the task is open there",
    ]


def test_an_entitys_summary_skips_the_sections_vaultbot_generates(tmp_path: Path) -> None:
    entity = (
        "---\ntype: customer\n---\n# Acme\n\n## Recent Context\n\n- 2026-11-01: [[2026-11-01 Call]] - Kickoff\n\n"
        "## Related\n\n- [[Ann]] (person, 1 shared note)\n\n## About\n\nMakes anvils for coyotes.\n"
    )
    write_vault(
        tmp_path, {"Acme.md": entity, "2026-11-01 Call.md": "Kickoff with [[Acme]] and [[Ann]].\n", "Ann.md": "---\ntype: person\n---\n"}
    )
    result = run_cli("explain", tmp_path, "Acme", "--format", "json", "--today", str(TODAY))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["summary"] == "Makes anvils for coyotes."


def test_a_duplicate_group_says_which_test_made_it_one_meeting() -> None:
    found = explain_json(DUPLICATE)
    assert found["duplicate_group"]["matched"] == (
        "the same day (2026-10-14), owner (Customers/Northwind Traders/Northwind Traders.md) and participants "
        "(People/Priya Raman/Priya Raman.md, People/Tomás Ortega/Tomás Ortega.md); times 10:00, 10:10 "
        "(less than 30 minutes apart, or unknown)"
    )
    text = run_cli("explain", EXAMPLE_VAULT, DUPLICATE, "--today", str(TODAY)).stdout
    assert "  one meeting because they have the same day (2026-10-14)" in text


def test_a_duplicate_group_by_source_names_the_source(tmp_path: Path) -> None:
    meeting = "---\ntype: meeting\nsource: rec-42\n---\n{}\n"
    write_vault(tmp_path, {"A/2026-11-01 Sync.md": meeting.format("One."), "B/2026-11-02 Sync again.md": meeting.format("Two, longer.")})
    result = run_cli("explain", tmp_path, "A/2026-11-01 Sync.md", "--format", "json", "--today", str(TODAY))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["duplicate_group"]["matched"] == "the same source 'rec-42'"


def test_a_date_key_that_holds_no_date_is_named_not_called_missing(tmp_path: Path) -> None:
    # `date: 2026-13-45` is skipped (the next source dates the note); explain must say so, not "no date key".
    write_vault(
        tmp_path,
        {
            "Meetings/Kickoff.md": "---\ntype: meeting\ndate: 2026-13-45\n---\nKickoff.\n",
            "Meetings/2026-11-03 - Retro.md": "---\ntype: meeting\ndate: TBD\nmeeting_date: 2026-11-02\n---\nRetro.\n",
            "Meetings/2026-11-04 - Sync.md": "---\ntype: meeting\ndate: 2026-11-04\nmeeting_date: soon\n---\nSync.\n",
        },
    )
    result = plan(tmp_path)
    undated = explain(result, "Meetings/Kickoff.md", TODAY)
    assert (undated["date"], undated["date_skipped"]) == (None, [{"key": "date", "value": "2026-13-45"}])
    retro = explain(result, "Meetings/2026-11-03 - Retro.md", TODAY)
    assert (retro["date"], retro["date_source"], retro["date_skipped"]) == (
        "2026-11-02",
        "frontmatter:meeting_date",
        [{"key": "date", "value": "TBD"}],
    )
    assert explain(result, "Meetings/2026-11-04 - Sync.md", TODAY)["date_skipped"] == []  # meeting_date is never read
    text = run_cli("explain", tmp_path, "Meetings/Kickoff.md", "--today", str(TODAY)).stdout
    assert "  date:     none (date: '2026-13-45' is not a date; no date in the file name, not a daily note)\n" in text
    text = run_cli("explain", tmp_path, "Meetings/2026-11-03 - Retro.md", "--today", str(TODAY)).stdout
    assert "  date:     2026-11-02 (from frontmatter:meeting_date; date: 'TBD' is not a date)\n" in text


# -- the rules explain themselves: bot/explain.py walks the registry ---------------------------

GOLDEN = Path(__file__).resolve().parent / "golden" / "explain"


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("note", [ENTITY, DUPLICATE], ids=["entity", "duplicate"])
def test_explain_prints_the_golden_output_byte_for_byte(note: str, fmt: str) -> None:
    result = run_cli("explain", EXAMPLE_VAULT, note, "--today", str(TODAY), "--format", fmt)
    assert result.returncode == 0, result.stderr
    name = Path(note).stem.removeprefix("2026-10-14 1010 - ") + (".txt" if fmt == "text" else ".json")
    assert result.stdout == (GOLDEN / name).read_text(encoding="utf-8")


def test_the_rules_that_explain_themselves_and_the_parts_they_add() -> None:
    assert [rule.ID for rule in explainers()] == ["dedupe-meetings", "recent-context", "open-tasks", "related"]
    entity, duplicate = (explain(plan(EXAMPLE_VAULT), path, TODAY) for path in (ENTITY, DUPLICATE))
    facts = ["path", "type", "entity", "date", "date_source", "date_skipped", "time", "time_source", "owner", "summary"]
    facts += ["links", "backlinks"]
    assert list(duplicate) == [*facts, "duplicate_group", "today", "changes", "warnings"], "a meeting: no entity's parts"
    entity_parts = ["related", "max_entries", "open_tasks", "open_tasks_section", "open_tasks_max_entries"]
    entity_parts += ["related_entities", "related_options"]
    assert list(entity) == [*facts, "duplicate_group", "today", *entity_parts, "changes", "warnings"]


def test_a_note_every_rule_passes_over_is_explained_with_nothing_to_do(tmp_path: Path) -> None:
    write_vault(tmp_path, {".obsidian/app.json": "{}", "Plain.md": "Just words.\n"})
    result = run_cli("explain", tmp_path, "Plain", "--today", str(TODAY))
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("\nDuplicate group: none\n\nWhat a run would change: nothing\n")
    assert "Related notes" not in result.stdout, "the entity rules explain entities only"


def test_an_entity_with_no_related_notes_lists_empty_parts(tmp_path: Path) -> None:
    write_vault(tmp_path, {".obsidian/app.json": "{}", "Acme.md": "---\ntype: customer\n---\n# Acme\n"})
    result = run_cli("explain", tmp_path, "Acme", "--today", str(TODAY))
    assert result.returncode == 0, result.stderr
    assert (
        "\nRelated notes (Recent Context lists at most 15, today 2026-11-24):\n"
        "\nTasks of those notes (Open Tasks lists at most 50 open ones, newest note first):\n"
        "\nEntities sharing those notes (Related lists at most 10, each sharing at least 1):\n"
        "\nDuplicate group: none\n"
    ) in result.stdout


def _strings_and_imports(path: Path) -> tuple[set[str], set[str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    strings = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    imported = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {
        f"rules.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "rules"
        for alias in node.names
    }
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return strings, imported


@pytest.mark.parametrize("path", sorted((REPO / "bot").glob("*.py")), ids=lambda path: path.name)
def test_no_engine_module_imports_a_rule_module(path: Path) -> None:
    """The engine reads rules through the registry (rules/__init__.py), never one rule by name."""
    rule_modules = {f"rules.{module.stem}" for module in (REPO / "rules").glob("*.py") if module.stem != "__init__"}
    _, imported = _strings_and_imports(path)
    assert not imported & rule_modules, f"bot/{path.name} imports {sorted(imported & rule_modules)}"


@pytest.mark.parametrize("module", ["explain.py", "explain_context.py"])
def test_explain_names_no_rule_option_or_owned_key(module: str) -> None:
    leaks = {rule.ID for rule in RULES} | owned_keys() | {"archive_folder", "mode", "min_shared", "max_entries"}
    strings, _ = _strings_and_imports(REPO / "bot" / module)
    assert not leaks & strings, f"bot/{module} names {sorted(leaks & strings)}"


def test_a_rule_declares_both_explain_hooks_or_neither() -> None:
    """A rule with `explain` and no `explain_text` would be left out of `vaultbot explain` without a word."""
    for rule in RULES:
        assert hasattr(rule, "explain") == hasattr(rule, "explain_text"), rule.ID
