"""The vault index: resolution, backlinks, home folders, owners, related notes, link text."""

from __future__ import annotations

import datetime
import json
import unicodedata
from pathlib import Path

import pytest

from bot.config import parse_config
from bot.markdown import find_links
from bot.obsidian import read_settings
from bot.runner import load_notes, parse_settings
from bot.scan import scan_vault
from bot.vault import VaultIndex
from bot.vault_update import with_notes

NFD_CAFE = unicodedata.normalize("NFD", "Café")
NFC_CAFE = unicodedata.normalize("NFC", "Café")


def build_index(root: Path, files: dict[str, str | dict], config: dict | None = None) -> VaultIndex:
    """The index as `plan_run` builds it. A path ending in `/` is an empty folder; a dict is written as JSON."""
    for path, content in files.items():
        target = root / path
        if path.endswith("/"):
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(content) if isinstance(content, dict) else content, encoding="utf-8")
    parsed_config = parse_config(config)
    settings, _ = read_settings(root)
    scan = scan_vault(root, settings, parsed_config.exclude)
    notes = load_notes(root, scan, parse_settings(parsed_config, settings)).notes
    return VaultIndex(notes, scan.folders, settings, parsed_config.index, frozenset(scan.files) - notes.keys())


def empty(*paths: str) -> dict[str, str]:
    return dict.fromkeys(paths, "")


# -- resolution --------------------------------------------------------------

RESOLUTION = (
    pytest.param(empty("Note.md", "A/Note.md"), "A/X.md", "Note", "Note.md", id="exact-path-wins-over-same-folder"),
    pytest.param(empty("A/Note.md", "B/A/Note.md"), "B/X.md", "A/Note", "A/Note.md", id="exact-path-target"),
    pytest.param(
        empty("B/Note.md", "Long/Folder/Note.md"), "Long/Folder/X.md", "Note", "Long/Folder/Note.md", id="same-folder-beats-shorter"
    ),
    pytest.param(empty("B/Note.md", "Long/Folder/Note.md"), "C/X.md", "Note", "B/Note.md", id="shortest-path"),
    pytest.param(empty("Bb/Note.md", "A/Note.md", "Cc/Dd/Note.md"), "X.md", "Note", "A/Note.md", id="tie-broken-by-path-order"),
    pytest.param(empty("Folder/My Note.md"), "X.md", "my note", "Folder/My Note.md", id="case-insensitive-name"),
    pytest.param(empty("Folder/My Note.md"), "X.md", "FOLDER/my NOTE", "Folder/My Note.md", id="case-insensitive-path"),
    pytest.param(empty(f"People/{NFD_CAFE}.md"), "X.md", NFC_CAFE, f"People/{NFD_CAFE}.md", id="nfd-file-nfc-target"),
    pytest.param(empty(f"People/{NFC_CAFE}.md"), "X.md", NFD_CAFE, f"People/{NFC_CAFE}.md", id="nfc-file-nfd-target"),
    pytest.param(
        empty(f"People/{NFD_CAFE}.md"), "X.md", f"people/{NFC_CAFE.upper()}", f"People/{NFD_CAFE}.md", id="nfd-file-upper-nfc-path"
    ),
    pytest.param(empty("Folder/Note.md"), "X.md", "Note.md", "Folder/Note.md", id="target-with-md"),
    pytest.param(empty("Folder/Note.md"), "X.md", "Folder/Note.MD", "Folder/Note.md", id="path-target-with-upper-md"),
    pytest.param(empty("Folder/Note.md", "Other/Note.md"), "X.md", "Other/Note", "Other/Note.md", id="path-target"),
    pytest.param(empty("Deep/Folder/Note.md", "Folder2/Note.md"), "X.md", "Folder/Note", "Deep/Folder/Note.md", id="path-target-suffix"),
    pytest.param(empty("Folder/Note.md"), "X.md", "der/Note", None, id="path-target-needs-whole-folder-names"),
    pytest.param(empty("Note.md", "A/Note.md"), "A/X.md", "./Note", "A/Note.md", id="dot-slash-relative"),
    pytest.param(empty("Note.md", "A/Note.md"), "A/B/X.md", "../Note", "A/Note.md", id="dot-dot-relative"),
    pytest.param(empty("C/Note.md", "A/C/Note.md"), "A/B/X.md", "../../C/Note", "C/Note.md", id="dot-dot-twice"),
    pytest.param(empty("A/Note.md"), "A/X.md", "./Missing", None, id="relative-missing"),
    pytest.param(empty("A/X.md", "etc/passwd.md"), "A/X.md", "../../etc/passwd", None, id="escape-the-vault"),
    pytest.param(empty("X.md", "etc/passwd.md"), "X.md", "../etc/passwd", None, id="escape-from-root"),
    pytest.param(empty("Note.md"), "X.md", "Missing", None, id="unresolved"),
    pytest.param(empty("Note.md"), "X.md", "  Note  ", "Note.md", id="spaces-trimmed"),
    pytest.param(empty("Note.md"), "X.md", "", None, id="empty-target"),
)


@pytest.mark.parametrize(("files", "source", "target", "expected"), RESOLUTION)
def test_resolve(tmp_path: Path, files: dict, source: str, target: str, expected: str | None) -> None:
    vault = build_index(tmp_path, files)
    assert vault.resolve(target, source) == expected


AMBIGUITY = (
    pytest.param(
        {"Bb/Note.md": "", "Aa/Note.md": "", "X.md": "[[Note]]"},
        ["X.md: link [[Note]] matches 2 notes"],
        id="tie-reported-on-the-linking-note",
    ),
    pytest.param({"B/Note.md": "", "Long/Note.md": "", "X.md": "[[Note]]"}, [], id="shorter-not-reported"),
    pytest.param({"Bb/Note.md": "", "Aa/Note.md": "", "Bb/X.md": "[[Note]]"}, [], id="same-folder-not-reported"),
)


@pytest.mark.parametrize(("files", "expected"), AMBIGUITY)
def test_equal_ties_are_reported(tmp_path: Path, files: dict, expected: list[str]) -> None:
    problems = build_index(tmp_path, files).problems()
    assert [str(problem).split(" equally")[0] for problem in problems] == expected
    assert all(str(problem).endswith(": Aa/Note.md, Bb/Note.md; Obsidian opens the first") for problem in problems)


JANE = "---\naliases: [Jane, JD]\n---\n"
ALIASES = (
    pytest.param({"People/Jane Doe.md": JANE}, None, "Jane", "People/Jane Doe.md", id="alias-list"),
    pytest.param({"People/Jane Doe.md": "---\naliases: Jane\n---\n"}, None, "Jane", "People/Jane Doe.md", id="alias-string"),
    pytest.param({"People/Jane Doe.md": JANE}, None, "jd", "People/Jane Doe.md", id="alias-case-insensitive"),
    pytest.param(
        {"People/Jane Doe.md": JANE, "People/Jane Roe.md": "---\naliases: [Jane]\n---\n"},
        None,
        "Jane",
        None,
        id="shared-alias-resolves-nowhere",
    ),
    pytest.param({"People/Jane Doe.md": JANE}, {"resolve_aliases": False}, "Jane", None, id="aliases-disabled"),
    pytest.param({"People/Jane Doe.md": JANE, "Other/Jane.md": ""}, None, "Jane", "Other/Jane.md", id="real-note-beats-alias"),
    pytest.param({"People/Jane Doe.md": JANE}, None, "Jane Doe", "People/Jane Doe.md", id="own-name-still-works"),
)


@pytest.mark.parametrize(("files", "config", "target", "expected"), ALIASES)
def test_alias_fallback(tmp_path: Path, files: dict, config: dict | None, target: str, expected: str | None) -> None:
    vault = build_index(tmp_path, {"X.md": "", **files}, config)
    assert vault.resolve(target, "X.md") == expected


# -- backlinks -----------------------------------------------------------------

ACME = "Customers/Acme.md"
BACKLINKS = (
    pytest.param({"Meeting.md": "Met [[Acme]] today."}, None, ["Meeting.md"], id="body-link"),
    pytest.param({"Meeting.md": "[[Acme]] and [[Acme|again]] and ![[Acme]]"}, None, ["Meeting.md"], id="each-source-once"),
    pytest.param({"Meeting.md": '---\ncompany: "[[Acme]]"\n---\nbody\n'}, None, ["Meeting.md"], id="frontmatter-value"),
    pytest.param(
        {"Meeting.md": '---\nattendees:\n  - "[[Jane]]"\n  - "[[Acme|ACME]]"\n---\n'}, None, ["Meeting.md"], id="frontmatter-list"
    ),
    pytest.param({"Meeting.md": "[notes](Customers/Acme.md)"}, None, ["Meeting.md"], id="markdown-link"),
    pytest.param({"Sub/Meeting.md": "[notes](../Customers/Acme.md)"}, None, ["Sub/Meeting.md"], id="markdown-dot-dot"),
    pytest.param({"Meeting.md": "`[[Acme]]`\n\n```\n[[Acme]]\n```\n<!-- [[Acme]] -->\n"}, None, [], id="code-and-comments-not-links"),
    pytest.param({"Meeting.md": "%% [[Acme]] %%"}, None, ["Meeting.md"], id="obsidian-comment-is-a-link"),
    pytest.param({"Other.md": "## Recent Context\n- [[Acme]]\n"}, None, [], id="recent-context-ignored"),
    pytest.param({"Other.md": "## recent context\n- [[Acme]]\n"}, None, [], id="recent-context-any-case"),
    pytest.param(
        {"Other.md": "Intro\n\n## Recent Context\n- [[Acme]]\n\n## Next\nSee [[Acme]]\n"},
        None,
        ["Other.md"],
        id="link-after-section-counts",
    ),
    pytest.param(
        {"Other.md": "## Context\n- [[Acme]]\n"}, {"rules": {"recent-context": {"heading": "Context"}}}, [], id="configured-heading"
    ),
    pytest.param(
        {"Other.md": "## Recent Context\n- [[Acme]]\n"},
        {"rules": {"recent-context": {"heading": "Context"}}},
        ["Other.md"],
        id="default-heading-not-special-when-renamed",
    ),
)


@pytest.mark.parametrize(("files", "config", "expected"), BACKLINKS)
def test_backlinks(tmp_path: Path, files: dict, config: dict | None, expected: list[str]) -> None:
    vault = build_index(tmp_path, {ACME: "---\ntype: customer\n---\n", **files}, config)
    assert list(vault.backlinks(ACME)) == expected


def test_links_in_recent_context_do_not_count(tmp_path: Path) -> None:
    vault = build_index(
        tmp_path,
        {
            ACME: "---\ntype: customer\n---\n## Recent Context\n- [[Meeting]]\n- [[Jane]]\n",
            "Meeting.md": "[[Acme]]",
            "Jane.md": "",
        },
    )
    assert vault.backlinks("Meeting.md") == ()
    assert vault.backlinks("Jane.md") == ()
    assert vault.backlinks(ACME) == ("Meeting.md",)
    assert [target for _, target in vault.outgoing[ACME]] == []


# -- home folders and owners ---------------------------------------------------

CUSTOMER = "---\ntype: customer\n---\n"
PROJECT = "---\ntype: Project\n---\n"
HOMES = (
    pytest.param(
        {"Customers/Acme/Acme.md": CUSTOMER, "Customers/Acme/Meetings/M.md": "", "Inbox/X.md": ""},
        {"Customers/Acme/Acme.md": "Customers/Acme"},
        {"Customers/Acme/Meetings/M.md": "Customers/Acme/Acme.md", "Customers/Acme/Acme.md": None, "Inbox/X.md": None},
        id="folder-note",
    ),
    pytest.param(
        {"Customers/Acme.md": CUSTOMER, "Customers/Acme/M.md": "", "Customers/Other.md": ""},
        {"Customers/Acme.md": "Customers/Acme"},
        {"Customers/Acme/M.md": "Customers/Acme.md", "Customers/Acme.md": None, "Customers/Other.md": None},
        id="note-beside-folder",
    ),
    pytest.param(
        {"People/Jane.md": "---\ntype: person\n---\n", "People/Jane/": ""},
        {"People/Jane.md": "People/Jane"},
        {"People/Jane.md": None},
        id="beside-empty-folder",
    ),
    pytest.param(
        {"People/Jane.md": "---\ntype: person\n---\n"},
        {"People/Jane.md": None},
        {"People/Jane.md": None},
        id="no-folder-no-home",
    ),
    pytest.param(
        {"Customers/Acme.md": CUSTOMER, "Customers/Acme/Acme.md": CUSTOMER, "Customers/Acme/M.md": ""},
        {"Customers/Acme/Acme.md": "Customers/Acme", "Customers/Acme.md": None},
        {"Customers/Acme/M.md": "Customers/Acme/Acme.md", "Customers/Acme/Acme.md": None, "Customers/Acme.md": None},
        id="folder-note-wins",
    ),
    pytest.param(
        {
            "Customers/Acme/Acme.md": CUSTOMER,
            "Customers/Acme/Notes.md": "",
            "Customers/Acme/Projects/Apollo/Apollo.md": PROJECT,
            "Customers/Acme/Projects/Apollo/Log/L.md": "",
            "Customers/Acme/Projects/Plan.md": "",
        },
        {"Customers/Acme/Acme.md": "Customers/Acme", "Customers/Acme/Projects/Apollo/Apollo.md": "Customers/Acme/Projects/Apollo"},
        {
            "Customers/Acme/Projects/Apollo/Log/L.md": "Customers/Acme/Projects/Apollo/Apollo.md",
            "Customers/Acme/Projects/Apollo/Apollo.md": "Customers/Acme/Acme.md",
            "Customers/Acme/Projects/Plan.md": "Customers/Acme/Acme.md",
            "Customers/Acme/Notes.md": "Customers/Acme/Acme.md",
        },
        id="nearest-ancestor",
    ),
    pytest.param(
        {"Topics/Ideas/Ideas.md": "---\ntype: topic\n---\n", "Topics/Ideas/I.md": ""},
        {"Topics/Ideas/Ideas.md": None},
        {"Topics/Ideas/I.md": None},
        id="not-an-entity-type",
    ),
    pytest.param(
        {"Customers/Acme/Acme.md": "no frontmatter", "Customers/Acme/M.md": ""},
        {"Customers/Acme/Acme.md": None},
        {"Customers/Acme/M.md": None},
        id="untyped-folder-note",
    ),
)


@pytest.mark.parametrize(("files", "homes", "owners"), HOMES)
def test_home_folders_and_owners(tmp_path: Path, files: dict, homes: dict, owners: dict) -> None:
    vault = build_index(tmp_path, files)
    assert {entity: vault.home_folder(entity) for entity in homes} == homes
    assert {path: vault.owner(path) for path in owners} == owners


# -- related notes -------------------------------------------------------------

TODAY = datetime.date(2026, 11, 24)
HOME = "Customers/Acme/Acme.md"
RELATED = (
    pytest.param(
        {"Customers/Acme/Kickoff.md": "", "Meetings/Call.md": "[[Acme]]", "Inbox/Unrelated.md": "[[Elsewhere]]"},
        ["Customers/Acme/Kickoff.md", "Meetings/Call.md"],
        id="linkers-and-owned",
    ),
    pytest.param(
        {"People/Jane.md": "---\ntype: person\n---\n[[Acme]]", "Customers/Acme/Bob.md": "---\ntype: person\n---\n"},
        [],
        id="entities-excluded",
    ),
    pytest.param(
        {"Meetings/Call.md": "[[Acme]]", "Meetings/Call copy.md": '---\nduplicate_of: "[[Call]]"\n---\n[[Acme]]'},
        ["Meetings/Call.md"],
        id="marked-duplicates-excluded",
    ),
    pytest.param(
        {"Meetings/Call copy.md": '---\nduplicate_of: ""\n---\n[[Acme]]'},
        ["Meetings/Call copy.md"],
        id="empty-duplicate-of-is-not-a-mark",
    ),
    pytest.param(
        {
            "Meetings/Today.md": "---\ndate: 2026-11-24\n---\n[[Acme]]",
            "Meetings/Tomorrow.md": "---\ndate: 2026-11-25\n---\n[[Acme]]",
            "Customers/Acme/2026-12-01 Plan.md": "",
        },
        ["Meetings/Today.md"],
        id="future-excluded",
    ),
    pytest.param(
        {"Customers/Acme/2026-11 Review.md": "", "Customers/Acme/2026-12 Outlook.md": "", "Customers/Acme/2025-10 Old.md": ""},
        ["Customers/Acme/2025-10 Old.md", "Customers/Acme/2026-11 Review.md"],
        id="month-precision-is-the-first",
    ),
    pytest.param({"Customers/Acme/Undated.md": ""}, ["Customers/Acme/Undated.md"], id="undated-included"),
    pytest.param(
        {"Customers/Acme/Context.md": "## Recent Context\n- [[Acme]]\n", "Elsewhere/E.md": "## Recent Context\n[[Acme]]"},
        ["Customers/Acme/Context.md"],
        id="generated-links-not-related",
    ),
)


@pytest.mark.parametrize(("files", "expected"), RELATED)
def test_related(tmp_path: Path, files: dict, expected: list[str]) -> None:
    vault = build_index(tmp_path, {HOME: CUSTOMER, **files})
    assert vault.related(HOME, TODAY) == expected


def test_month_precision_on_the_first_of_the_month(tmp_path: Path) -> None:
    vault = build_index(tmp_path, {HOME: CUSTOMER, "Customers/Acme/2026-11 Review.md": ""})
    assert vault.related(HOME, datetime.date(2026, 11, 1)) == ["Customers/Acme/2026-11 Review.md"]
    assert vault.related(HOME, datetime.date(2026, 10, 31)) == []


# -- link text -----------------------------------------------------------------

TARGET = "Folder/Note Name.md"
LINK_TEXT = (
    pytest.param({}, {}, "Other/X.md", False, "[[Note Name]]", id="shortest-unique"),
    pytest.param({"Elsewhere/Note Name.md": ""}, {}, "Other/X.md", False, "[[Folder/Note Name]]", id="shortest-duplicate"),
    pytest.param({"Elsewhere/note name.md": ""}, {}, "Other/X.md", False, "[[Folder/Note Name]]", id="shortest-duplicate-any-case"),
    pytest.param({"Elsewhere/Note Name.md": "---\n: [\n---\n"}, {}, "Other/X.md", False, "[[Folder/Note Name]]", id="duplicate-unparsed"),
    pytest.param({}, {"newLinkFormat": "absolute"}, "Other/X.md", False, "[[Folder/Note Name]]", id="absolute"),
    pytest.param({}, {"newLinkFormat": "relative"}, "Other/X.md", False, "[[../Folder/Note Name]]", id="relative"),
    pytest.param({}, {"newLinkFormat": "relative"}, "Folder/X.md", False, "[[Note Name]]", id="relative-same-folder"),
    pytest.param({}, {"newLinkFormat": "relative"}, "X.md", False, "[[Folder/Note Name]]", id="relative-from-root"),
    pytest.param({}, {"newLinkFormat": "bogus"}, "Other/X.md", False, "[[Note Name]]", id="unknown-format-is-shortest"),
    pytest.param({}, {"useMarkdownLinks": True}, "Other/X.md", False, "[Note Name](Note%20Name.md)", id="markdown-shortest"),
    pytest.param(
        {},
        {"useMarkdownLinks": True, "newLinkFormat": "absolute"},
        "Other/X.md",
        False,
        "[Note Name](Folder/Note%20Name.md)",
        id="markdown-absolute",
    ),
    pytest.param(
        {},
        {"useMarkdownLinks": True, "newLinkFormat": "relative"},
        "Other/X.md",
        False,
        "[Note Name](../Folder/Note%20Name.md)",
        id="markdown-relative",
    ),
    pytest.param({}, {"useMarkdownLinks": True}, "Other/X.md", True, "[[Note Name]]", id="markdown-setting-wikilink-requested"),
    pytest.param(
        {"Note Name.md": ""},
        {"newLinkFormat": "relative"},
        "Folder/X.md",
        False,
        "[[./Note Name]]",
        id="relative-same-folder-shadowed-by-root-note",
    ),
    pytest.param(
        {"Note Name.md": ""},
        {"newLinkFormat": "relative", "useMarkdownLinks": True},
        "Folder/X.md",
        False,
        "[Note Name](./Note%20Name.md)",
        id="markdown-relative-shadowed-by-root-note",
    ),
)

PERCENT = (
    pytest.param("Folder/100% Done.md", "[100% Done](100%25%20Done.md)", id="percent-sign"),
    pytest.param("Folder/50%25.md", "[50%25](50%2525.md)", id="percent-escape-lookalike"),
    pytest.param("Folder/Note (1).md", "[Note (1)](Note%20(1).md)", id="parentheses"),
)


@pytest.mark.parametrize(("files", "app", "source", "wikilink", "expected"), LINK_TEXT)
def test_link_text(tmp_path: Path, files: dict, app: dict, source: str, wikilink: bool, expected: str) -> None:
    vault = build_index(tmp_path, {TARGET: "", source: "", ".obsidian/app.json": app, **files})
    text = vault.link_text(TARGET, source, wikilink=wikilink)
    assert text == expected
    # What vaultbot writes must lead back to the note it meant.
    [link] = find_links(text)
    assert vault.resolve(link.target, source) == TARGET


@pytest.mark.parametrize(("target", "expected"), PERCENT)
def test_markdown_link_text_survives_percent_decoding(tmp_path: Path, target: str, expected: str) -> None:
    vault = build_index(tmp_path, {target: "", "X.md": "", ".obsidian/app.json": {"useMarkdownLinks": True}})
    text = vault.link_text(target, "X.md")
    assert text == expected
    [link] = find_links(text)
    assert vault.resolve(link.target, "X.md") == target


def test_incremental_index_equals_a_fresh_one_after_every_rule(tmp_path: Path) -> None:
    """`with_notes` carries resolution and links over; the result must not differ from a rebuild."""
    import shutil

    from bot.vault import VaultIndex
    from tests.vaults import EXAMPLE_VAULT, TODAY, plan

    root = Path(shutil.copytree(EXAMPLE_VAULT, tmp_path / "v"))
    (root / "Customers/Globex/2026-11-19 follow-up.md").write_text("---\ntype: call\naliases: [FU]\n---\n[[Globex]] [[Priya]]\n")
    final = plan(root).vault
    fresh = VaultIndex(final.notes, final.folders, final.settings, final.index, final.unparsed)
    assert final.outgoing == fresh.outgoing
    for path in final.notes:
        assert final.backlinks(path) == fresh.backlinks(path), path
        assert final.owner(path) == fresh.owner(path), path
    for entity in final.entities:
        assert final.related(entity, TODAY) == fresh.related(entity, TODAY), entity


@pytest.mark.parametrize(
    "edited",
    [
        "---\ndate: 2026-11-02\nduplicate_of: '[[Other]]'\n---\n[[Acme]]\n",  # now a marked duplicate
        "---\ndate: 2026-12-30\n---\n[[Acme]]\n",  # now dated after today
        "---\ndate: 2026-11-02\n---\nNo link any more.\n",  # no longer links to Acme
        "---\ndate: 2026-11-02\n---\n[[Acme]] and [[Globex]]\n",  # now also links to Globex
    ],
    ids=["marked-duplicate", "future", "link-removed", "link-added"],
)
def test_with_notes_drops_what_an_edit_changes(tmp_path: Path, edited: str) -> None:
    from bot.note import parse_note
    from bot.runner import parse_settings
    from tests.vaults import TODAY

    vault = build_index(
        tmp_path,
        {
            "Acme.md": "---\ntype: customer\n---\n",
            "Globex.md": "---\ntype: customer\n---\n",
            "Other.md": "[[Acme]]\n",
            "Meeting.md": "---\ndate: 2026-11-02\n---\n[[Acme]]\n",
        },
    )
    for entity in vault.entities:
        vault.related(entity, TODAY)  # memoised, as the rules leave them
    note = parse_note("Meeting.md", edited, False, None, parse_settings(parse_config(None), vault.settings))
    carried = with_notes(vault, {"Meeting.md": note})
    fresh = VaultIndex(carried.notes, carried.folders, carried.settings, carried.index)
    for entity in vault.entities:
        assert carried.related(entity, TODAY) == fresh.related(entity, TODAY), entity
    for path in carried.notes:
        assert carried.backlinks(path) == fresh.backlinks(path), path


def test_backlinks_looked_up_one_by_one_equal_the_full_map(tmp_path: Path) -> None:
    """`backlinks` finds a few notes' sources by link name; every way of writing a link must be found."""
    links = [
        "[[Acme]]",
        "[[acme.MD]]",
        "[[./Acme/.]]",
        "[[../People/./Acme]]",
        "[[People/Acme|shown]]",
        "[Acme](Acme%20Corp.md)",
        "![[Acme#Heading]]",
        "[[The Acme Company]]",
        "[[Cafe\u0301]]",
        "[[/People/Acme]]",
    ]
    files = {
        "People/Acme.md": "---\naliases: [The Acme Company]\n---\n",
        "People/Café.md": "",
        "Acme Corp.md": "",
        "Other/Acme.md": "",
        **{f"People/Source {n}.md": f"{link}\n" for n, link in enumerate(links)},
        **{f"Other/Source {n}.md": f"{link}\n" for n, link in enumerate(links)},
    }
    vault = build_index(tmp_path, files)
    looked_up = build_index(tmp_path, {})
    for path in vault.notes:
        assert looked_up.backlinks(path) == vault._backlinks.get(path, ()), path
    assert len(vault._backlinks["People/Acme.md"]) >= 8
