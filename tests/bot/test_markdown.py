from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.markdown import Link, find_links, find_tasks, find_wikilinks_in_value, iter_frontmatter_links
from bot.sections import Heading, find_headings, find_section, mask_code


def summary(link: Link) -> tuple[str, str, str | None, bool, bool]:
    return (link.target, link.subpath, link.display, link.embed, link.markdown)


# (note text, expected (target, subpath, display, embed, markdown) per link)
LINK_FORMS = (
    ("[[Target]]", [("Target", "", None, False, False)]),
    ("[[Target|shown]]", [("Target", "", "shown", False, False)]),
    ("[[Target#Heading]]", [("Target", "#Heading", None, False, False)]),
    ("[[Target#^block1]]", [("Target", "#^block1", None, False, False)]),
    ("[[T#Heading|x]]", [("T", "#Heading", "x", False, False)]),
    ("[[#Local heading]]", [("", "#Local heading", None, False, False)]),
    ("![[image.png]]", [("image.png", "", None, True, False)]),
    ("![[Note#Part|300]]", [("Note", "#Part", "300", True, False)]),
    ("[[ Spaced Target |shown]]", [("Spaced Target", "", "shown", False, False)]),
    ("[[a]b]]", [("a]b", "", None, False, False)]),
    ("[[a|b|c]]", [("a", "", "b|c", False, False)]),
    ("[[outer [[inner]]", [("inner", "", None, False, False)]),
    ("[[]] [[ | x]]", []),
    ("[[broken\nlink]]", []),
    ("| [[T\\|shown]] | cell |", [("T", "", "shown", False, False)]),
    ("[text](Target%20Name.md)", [("Target Name.md", "", "text", False, True)]),
    ("[t](../People/X.md)", [("../People/X.md", "", "t", False, True)]),
    ("[t](./X.md)", [("./X.md", "", "t", False, True)]),
    ("[t](<My Note.md>)", [("My Note.md", "", "t", False, True)]),
    ('[t](Note.md "A title")', [("Note.md", "", "t", False, True)]),
    ("[t](Note.md#Some%20Heading)", [("Note.md", "#Some Heading", "t", False, True)]),
    ("![alt](pics/a%20b.png)", [("pics/a b.png", "", "alt", True, True)]),
    ("[t](https://x)", []),
    ("[t](mailto:a@b.c) [t](obsidian://open?vault=v) [t](file:///tmp/x)", []),
    ("[t](#anchor)", []),
    ("[t]()", []),
    ("[not a link] (Note.md)", []),
    ("[[x]](y.md)", [("x", "", None, False, False)]),
    (
        "A [[One]] and [b](Two.md) then ![[Three]]",
        [
            ("One", "", None, False, False),
            ("Two.md", "", "b", False, True),
            ("Three", "", None, True, False),
        ],
    ),
    ("line [[A]]\r\nnext [[B|b]]\r\n", [("A", "", None, False, False), ("B", "", "b", False, False)]),
)


@pytest.mark.parametrize(("text", "expected"), LINK_FORMS)
def test_link_forms(text: str, expected: list[tuple[str, str, str | None, bool, bool]]) -> None:
    assert [summary(link) for link in find_links(text)] == expected


# (note text, targets found): what code and comments hide, and what they don't.
CODE_AND_COMMENTS = (
    ("%%[[In comment]]%%", ["In comment"]),
    ("%%\n[[Multi-line comment]]\n%%", ["Multi-line comment"]),
    ("```\n[[no]]\n```\n[[yes]]", ["yes"]),
    ("~~~\n[[no]]\n~~~\n[[yes]]", ["yes"]),
    ("```python\n[[no]]\n```\n[[yes]]", ["yes"]),
    ("````\n```\n[[no]]\n```\n[[still no]]\n````\n[[yes]]", ["yes"]),
    ("~~~\n```\n[[no]]\n~~~\n[[yes]]", ["yes"]),
    ("```\n[[unclosed fence runs to the end]]", []),
    ("  ```\n  [[no]]\n  ```\n[[yes]]", ["yes"]),
    ("```\r\n[[no]]\r\n```\r\n[[yes]]\r\n", ["yes"]),
    ("> ```\n> [[no]]\n> ```\n> [[yes]]", ["yes"]),
    ("> ```\n> [[no]]\n\n[[after the quote]]", ["after the quote"]),
    ("Paragraph\n\n    [[indented code]]\n\n[[yes]]", ["yes"]),
    ("Paragraph\n\n\t[[tab code]]\n[[yes]]", ["yes"]),
    ("    [[code at start]]\n\n[[yes]]", ["yes"]),
    ("Paragraph\n    [[lazy continuation, not code]]", ["lazy continuation, not code"]),
    ("- item\n\n    [[inside the list]]", ["inside the list"]),
    ("- item\n  more\n\n\t[[inside the list]]", ["inside the list"]),
    ("1. item\nlazy line\n\n    [[inside the list]]", ["inside the list"]),
    ("- item\n\nParagraph\n\n    [[code again]]", []),
    ("`[[x]]` [[yes]]", ["yes"]),
    ("`` [[x]] `` [[yes]]", ["yes"]),
    ("``a ` [[x]]`` [[yes]]", ["yes"]),
    ("`unclosed [[yes]]", ["yes"]),
    ("`line one\n[[yes]]` stays", ["yes"]),
    ("<!-- [[x]] --> [[yes]]", ["yes"]),
    ("<!--\n[[x]]\n```\n--> [[yes]]", ["yes"]),
    ("<!-- [[unclosed comment]]", []),
    ("```\n<!--\n```\n[[yes]]", ["yes"]),
    ("[[a `b` c]]", ["a `b` c"]),
)


@pytest.mark.parametrize(("text", "targets"), CODE_AND_COMMENTS)
def test_code_and_comments(text: str, targets: list[str]) -> None:
    assert [link.target for link in find_links(text)] == targets


# (note text, expected (start, end) per link)
LINK_OFFSETS = (
    ("ab [[T]] cd", [(3, 8)]),
    ("![[img.png]]", [(0, 12)]),
    ("x ![a](b.md) [c](d.md)", [(2, 12), (13, 22)]),
    ("`code` [[T]]\r\n![[E]]", [(7, 12), (14, 20)]),
)


@pytest.mark.parametrize(("text", "spans"), LINK_OFFSETS)
def test_link_offsets(text: str, spans: list[tuple[int, int]]) -> None:
    assert [(link.start, link.end) for link in find_links(text)] == spans


MASKS = (
    ("no code here", "no code here"),
    ("a `b` c", "a     c"),
    ("```\nx\n```\ny", "   \n \n   \ny"),
    ("```\r\nx\r\n```\r\ny", "   \r\n \r\n   \r\ny"),
    ("a <!-- b\nc --> d", "a       \n      d"),
    ("p\n\n    code\nq", "p\n\n        \nq"),
    ("%%[[kept]]%%", "%%[[kept]]%%"),
)


@pytest.mark.parametrize(("text", "expected"), MASKS)
def test_mask_code(text: str, expected: str) -> None:
    assert mask_code(text) == expected


FRONTMATTER_VALUES = (
    ("[[Person]]", [("Person", "", None, 0, 10)]),
    ("met [[A|Ann]] and [[B#Intro]]", [("A", "", "Ann", 4, 13), ("B", "#Intro", None, 18, 29)]),
    ("`[[not code here]]`", [("not code here", "", None, 1, 18)]),
    ("plain", []),
)


@pytest.mark.parametrize(("value", "expected"), FRONTMATTER_VALUES)
def test_find_wikilinks_in_value(value: str, expected: list[tuple[str, str, str | None, int, int]]) -> None:
    found = [(link.target, link.subpath, link.display, link.start, link.end) for link in find_wikilinks_in_value(value)]
    assert found == expected


recursive_list: list[object] = ["[[Loop]]"]
recursive_list.append(recursive_list)

FRONTMATTERS = (
    ({"company": "[[Acme]]"}, [("company", "Acme")]),
    ({"people": ["[[Ann]]", "[[Bob|B]]"], "tags": ["x"]}, [("people", "Ann"), ("people", "Bob")]),
    ({"meta": {"owner": {"deep": ["[[Deep]]"]}}}, [("meta", "Deep")]),
    ({1: "[[Number key]]", None: "[[None key]]"}, [("1", "Number key"), ("None", "None key")]),
    ({"date": datetime.date(2025, 1, 2), "count": 3, "done": True, "none": None}, []),
    ({"loop": recursive_list}, [("loop", "Loop")]),
    (["[[Not a mapping]]"], []),
    (None, []),
)


@pytest.mark.parametrize(("frontmatter", "expected"), FRONTMATTERS)
def test_iter_frontmatter_links(frontmatter: object, expected: list[tuple[str, str]]) -> None:
    assert [(key, link.target) for key, link in iter_frontmatter_links(frontmatter)] == expected


HEADINGS = (
    ("# Title\n", [(1, "Title", 0, 8)]),
    ("## Title ##\n", [(2, "Title", 0, 12)]),
    ("### C#", [(3, "C#", 0, 6)]),
    ("#tag and #another", []),
    ("####### seven is too many", []),
    ("   ## three spaces\n    ## four spaces", [(2, "three spaces", 0, 19)]),
    ("#\tTabbed", [(1, "Tabbed", 0, 8)]),
    ("```\n# not a heading\n```\n## Real", [(2, "Real", 24, 31)]),
    ("<!--\n# hidden\n-->\n# Shown", [(1, "Shown", 18, 25)]),
    ("`x`# not a heading", []),
    ("## Using `git`", [(2, "Using `git`", 0, 14)]),
    ("# A\r\n## B\r\n", [(1, "A", 0, 5), (2, "B", 5, 11)]),
)


@pytest.mark.parametrize(("text", "expected"), HEADINGS)
def test_find_headings(text: str, expected: list[tuple[int, str, int, int]]) -> None:
    assert find_headings(text) == [Heading(*heading) for heading in expected]


SECTION_NOTE = "# Note\n## Recent Context\none\n### Sub\ntwo\n## Other\n## recent context \nthree\n"

RECENT, SUB, OTHER, DUPLICATE = (SECTION_NOTE.index(line) for line in ("## Recent", "### Sub", "## Other", "## recent"))

SECTIONS = (
    (SECTION_NOTE, "Recent Context", 2, [(RECENT, SUB), (DUPLICATE, len(SECTION_NOTE))]),
    (SECTION_NOTE, "  recent CONTEXT ", 2, [(RECENT, SUB), (DUPLICATE, len(SECTION_NOTE))]),
    (SECTION_NOTE, "Sub", 3, [(SUB, OTHER)]),
    (SECTION_NOTE, "Sub", 2, []),
    ("# Only\nbody", "Only", 1, [(0, 11)]),
    ("```\n## Recent Context\n```\n", "Recent Context", 2, []),
)


@pytest.mark.parametrize(("text", "title", "level", "expected"), SECTIONS)
def test_find_section(text: str, title: str, level: int, expected: list[tuple[int, int]]) -> None:
    assert [(heading.start, end) for heading, end in find_section(text, title, level)] == expected


TASKS = (
    ("- [ ] one\n- [x] done\n* [ ] two\n+ [ ] three", ["- [ ] one", "* [ ] two", "+ [ ] three"]),
    ("1. [ ] numbered\n2) [ ] paren", ["1. [ ] numbered", "2) [ ] paren"]),
    ("- [ ] a\r\n\t- [ ] nested\r\n    - [ ] deeper\r\n", ["- [ ] a", "\t- [ ] nested", "    - [ ] deeper"]),
    ("- [ ]", ["- [ ]"]),
    ("> [!todo]\n> - [ ] in a callout", ["> - [ ] in a callout"]),
    ("```\n- [ ] in code\n```\n- [ ] real", ["- [ ] real"]),
    ("`x` - [ ] not a task", []),
    ("-[ ] no space\n- [] empty\n- [ ]x glued", []),
)


@pytest.mark.parametrize(("text", "expected"), TASKS)
def test_unchecked_tasks(text: str, expected: list[str]) -> None:
    assert [task.line for task in find_tasks(text) if task.status == " "] == expected


markdownish = st.text(alphabet=st.sampled_from(list("[]()!|#^`~<>-%\\: \t\r\naZ.")), max_size=200)


@given(markdownish)
def test_find_links_spans_are_links(text: str) -> None:
    for link in find_links(text):
        assert text[link.start : link.end].startswith(("[[", "![[", "[", "!["))
        assert text[link.end - 2 : link.end] == "]]" or text[link.end - 1] == ")"


@given(markdownish)
def test_mask_code_keeps_length_and_line_breaks(text: str) -> None:
    masked = mask_code(text)
    assert len(masked) == len(text)
    assert [i for i, char in enumerate(masked) if char == "\n"] == [i for i, char in enumerate(text) if char == "\n"]
