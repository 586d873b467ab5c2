"""Notes whose paths differ only by case or Unicode normalization.

Resolution: link paths compare case-insensitively after NFC, so
`Acme.md` and `acme.md` (or an NFC and an NFD `Café.md`) are equally good
matches for `[[Acme]]`: the first by path order wins and the tie is reported.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import Config
from bot.note import parse_note
from bot.obsidian import ObsidianSettings
from bot.vault import VaultIndex
from tests.vaults import PARSE_DEFAULTS, plan, write_vault

CUSTOMER = "---\ntype: customer\n---\n# {}\n\n## Recent Context\n\n## Notes\n"


def told_apart(path: str) -> str:
    """How a report names a tied path: the spellings here are NFC or NFD, and an NFD one says so."""
    return path if unicodedata.normalize("NFC", path) == path else f"{path} (NFD)"


@st.composite
def twin_names(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A name, and 2-4 distinct spellings of it that differ only by case and NFC/NFD."""
    name = draw(st.text(st.sampled_from("acemnoéüñÅ"), min_size=1, max_size=6))
    spellings = st.builds(
        lambda cases, form: unicodedata.normalize(form, "".join(c.upper() if up else c for c, up in zip(name, cases))),
        st.lists(st.booleans(), min_size=len(name), max_size=len(name)),
        st.sampled_from(["NFC", "NFD"]),
    )
    return name, draw(st.lists(spellings, min_size=2, max_size=4, unique=True))


@settings(max_examples=150, deadline=None)
@given(twin_names(), st.sampled_from(["", "Customers/"]), st.data())
def test_twins_resolve_to_the_first_by_path_order_and_the_tie_is_reported(
    twins: tuple[str, list[str]], folder: str, data: st.DataObject
) -> None:
    name, spellings = twins
    paths = [f"{folder}{spelling}.md" for spelling in spellings]
    written = data.draw(st.sampled_from(spellings))
    target = data.draw(st.sampled_from([written, f"{folder}{written}", unicodedata.normalize("NFD", written.upper())]))
    linkers = ["Linker.md", f"{folder}Linker in folder.md", "Deep/Linker.md"]
    notes = {path: parse_note(path, CUSTOMER.format(name), False, None, PARSE_DEFAULTS) for path in paths}
    for path in linkers:
        notes[path] = parse_note(path, f"[[{target}]]\n", False, None, PARSE_DEFAULTS)
    vault = VaultIndex(notes, {"Customers", "Deep"}, ObsidianSettings(), Config().index)
    first = sorted(paths)[0]
    for path in linkers:
        assert vault.resolve(target, path) == first
    assert [(p.path, p.message) for p in vault.problems()] == [
        (
            path,
            f"link [[{target}]] matches {len(paths)} notes equally well: {', '.join(map(told_apart, sorted(paths)))}; Obsidian opens the first",
        )
        for path in sorted(linkers, key=list(notes).index)
    ]
    assert vault.backlinks(first) == tuple(linkers)
    assert all(vault.backlinks(path) == () for path in paths if path != first)


def test_case_twins_as_customers_end_to_end(tmp_path: Path) -> None:
    write_vault(
        tmp_path,
        {
            ".vaultbot.yaml": "rules:\n  tags:\n    enabled: false\n",
            "Acme.md": CUSTOMER.format("Acme"),
            "acme.md": CUSTOMER.format("acme"),
            "2026-11-01 call.md": "Call with [[Acme]].\n",
        },
    )
    result = plan(tmp_path)
    assert {c.path: c.after.decode() for c in result.changes} == {
        "Acme.md": "---\ntype: customer\n---\n# Acme\n\n## Recent Context\n\n- 2026-11-01: [[2026-11-01 call]] - Call with Acme.\n\n## Notes\n"
    }
    assert [(p.path, p.message) for p in result.problems] == [
        ("2026-11-01 call.md", "link [[Acme]] matches 2 notes equally well: Acme.md, acme.md; Obsidian opens the first")
    ]


def test_nfc_and_nfd_twins_are_told_apart_in_the_report(tmp_path: Path) -> None:
    nfc, nfd = "Caf\u00e9", "Cafe\u0301"
    write_vault(tmp_path, {f"{nfc}.md": CUSTOMER.format("C"), f"{nfd}.md": CUSTOMER.format("D"), "call.md": f"[[{nfc}]]\n"})
    assert sorted([f"{nfc}.md", f"{nfd}.md"]) == [f"{nfd}.md", f"{nfc}.md"]  # `e` sorts before `é`
    assert [p.message for p in plan(tmp_path).problems] == [
        f"link [[{nfc}]] matches 2 notes equally well: {nfd}.md (NFD), {nfc}.md; Obsidian opens the first"
    ]
