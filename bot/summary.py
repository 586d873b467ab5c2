"""A note's one-line summary (SPEC section 2) and its cut for Recent Context (section 3)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping

_EMBED = r"!\[\[[^\n]*?\]\]|!\[[^\]\n]*\]\((?:[^()\n]|\([^()\n]*\))*\)"

# An unclosed %% hides the rest of the note in Obsidian, so it runs to the end.
_COMMENT = re.compile(r"%%.*?(?:%%|\Z)|<!--.*?(?:-->|\Z)", re.DOTALL)
_COMMENT_OPENER = re.compile(r"%%|<!--")
_LINE_MARKERS = re.compile(
    r"^[ \t]*(?:>[ \t]*)*"  # blockquotes, nested
    r"(?:\[![^\]\n]*\][+-]?[ \t]*)?"  # callout type
    r"(?:(?:[-*+]|\d+[.)])[ \t]+)?"  # list item
    r"(?:\[.\](?:[ \t]+|$))?",  # task box
    re.MULTILINE,
)
_INLINE_CODE = re.compile(r"(`+)(?P<code>.+?)(?<!`)\1(?!`)", re.DOTALL)
# Code spans wait behind private-use markers while the markup around them goes.
_CODE_PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")
_EMBEDS = re.compile(_EMBED)
_WIKILINK = re.compile(r"\[\[(?P<inner>[^\n]*?)\]\]")
_MARKDOWN_LINK = re.compile(r"\[(?P<text>[^\]\n]*)\]\((?:[^()\n]|\([^()\n]*\))*\)")
_LINE_BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_EMPHASIS_MARKER = re.compile(r"[*_~=]")
_EMPHASIS = (
    re.compile(r"(?<!\*)(\*{1,3})(?=[^*\s])(?P<content>.+?)(?<=[^*\s])\1(?!\*)"),
    # Underscores inside words (snake_case) are not emphasis.
    re.compile(r"(?<!\w)(_{1,3})(?=[^_\s])(?P<content>.+?)(?<=[^_\s])\1(?!\w)"),
    re.compile(r"~~(?=\S)(?P<content>.+?)(?<=\S)~~"),
    re.compile(r"==(?=\S)(?P<content>.+?)(?<=\S)=="),
)

_HEADING = re.compile(r" {0,3}(?P<level>#{1,6})(?:[ \t]+(?P<title>.*?))?(?:[ \t]+#+)?[ \t]*")
_SETEXT_UNDERLINE = re.compile(r" {0,3}(?:=+|-+)[ \t]*")
_FENCE = re.compile(r" {0,3}(?P<fence>`{3,}|~{3,})")
_HORIZONTAL_RULE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*")
_EMBED_ONLY = re.compile(rf"[ \t]*(?:(?:{_EMBED})[ \t]*)+")

_DROPPED_AT_CUT = frozenset({"Po", "Pd", "Ps", "Pi"})
_LAST_PARTIAL_WORD = re.compile(r"\s\S*\Z")


def plain_text(markdown: str) -> str:
    """Markdown reduced to the text a reader sees, on one line with single spaces."""
    # The substring tests skip passes that cannot match: this runs for every note.
    text = _COMMENT.sub("", markdown) if "%%" in markdown or "<!--" in markdown else markdown
    text = _LINE_MARKERS.sub("", text)
    codes: list[str] = []

    def hide_code(match: re.Match[str]) -> str:
        codes.append(match["code"])
        return f"\ue000{len(codes) - 1}\ue001"

    if "`" in text:
        text = _INLINE_CODE.sub(hide_code, text)
    if "[" in text:
        text = _EMBEDS.sub("", text)
        text = _WIKILINK.sub(_shown_link_text, text)
        text = _MARKDOWN_LINK.sub(r"\g<text>", text)
    if "<" in text:
        text = _LINE_BREAK_TAG.sub(" ", text)
        text = _HTML_TAG.sub("", text)
    if _EMPHASIS_MARKER.search(text):
        text = _without_emphasis(text)
    if codes:
        text = _CODE_PLACEHOLDER.sub(lambda match: codes[int(match[1])], text)
    return " ".join(text.split())


def note_summary(frontmatter: Mapping | None, body: str) -> str | None:
    """The note's summary as plain text: frontmatter, else ``## Summary``, else the first paragraph."""
    fields = frontmatter or {}
    for key in ("summary", "description"):
        value = fields.get(key)
        summary = plain_text(value) if isinstance(value, str) else ""
        if summary:
            return summary
    # Cheap test first (a case-insensitive regex search costs ten times more).
    if "summary" in body.lower():
        in_summary_section = False
        for level, text in _blocks(body):
            if level == 2 and plain_text(text).lower() == "summary":
                in_summary_section = True
            elif level in (1, 2):
                in_summary_section = False
            elif in_summary_section and level == 0:
                summary = plain_text(text)
                if summary:
                    return summary
    for level, text in _blocks(body):
        summary = plain_text(text) if level == 0 else ""
        if summary:
            return summary
    return None


def cut_summary(summary: str, limit: int = 100) -> str:
    """At most ``limit`` characters ending on a whole word, without trailing punctuation, then "..."."""
    if len(summary) <= limit:
        return summary
    cut = summary[:limit]
    partial_word = None if summary[limit].isspace() else _LAST_PARTIAL_WORD.search(cut)
    if partial_word:
        cut = cut[: partial_word.start()]
    end = len(cut)
    # Closing brackets and quotes (Pe, Pf) stay: they close something the cut keeps.
    while end and (cut[end - 1].isspace() or unicodedata.category(cut[end - 1]) in _DROPPED_AT_CUT):
        end -= 1
    return cut[:end] + "..."


def _shown_link_text(match: re.Match[str]) -> str:
    target, _, shown = match["inner"].replace("\\|", "|").partition("|")
    if shown.strip():
        return shown.strip()
    # Obsidian shows [[Note#Heading]] as "Note > Heading".
    return " > ".join(part.strip() for part in target.split("#") if part.strip())


def _without_emphasis(text: str) -> str:
    # Repeat so that emphasis nested in emphasis of the same kind goes too.
    while True:
        reduced = text
        for pattern in _EMPHASIS:
            reduced = pattern.sub(r"\g<content>", reduced)
        if reduced == text:
            return text
        text = reduced


def _blocks(body: str) -> Iterator[tuple[int, str]]:
    """Headings as (level, title) and paragraphs as (0, their lines), in order.

    Code blocks, comments, horizontal rules, tables and lines that only embed
    something are skipped; each of them also ends a paragraph.
    """
    paragraph: list[str] = []
    fence = ""
    comment_end = ""
    for line in body.splitlines():
        if fence:
            closing = line.strip()
            if closing.startswith(fence) and closing == closing[0] * len(closing):
                fence = ""
            continue
        if comment_end:
            end = line.find(comment_end)
            if end < 0:
                continue
            line = line[end + len(comment_end) :]
        line, comment_end = _without_line_comments(line)

        if paragraph and _SETEXT_UNDERLINE.fullmatch(line):
            yield (1 if "=" in line else 2), " ".join(paragraph)
            paragraph = []
            continue
        heading = _HEADING.fullmatch(line)
        opening_fence = _FENCE.match(line)
        if (
            line.strip()
            and not heading
            and not opening_fence
            and not _HORIZONTAL_RULE.fullmatch(line)
            and not line.lstrip().startswith("|")
            and not _EMBED_ONLY.fullmatch(line)
        ):
            paragraph.append(line)
            continue
        if paragraph:
            yield 0, "\n".join(paragraph)
            paragraph = []
        if heading:
            yield len(heading["level"]), heading["title"] or ""
        if opening_fence:
            fence = opening_fence["fence"]
    if paragraph:
        yield 0, "\n".join(paragraph)


def _without_line_comments(line: str) -> tuple[str, str]:
    """The line without its comments, and the closer still awaited when one stays open."""
    kept = ""
    while True:
        opener = _COMMENT_OPENER.search(line)
        if not opener:
            return kept + line, ""
        closer = "%%" if opener[0] == "%%" else "-->"
        kept += line[: opener.start()]
        end = line.find(closer, opener.end())
        if end < 0:
            return kept, closer
        line = line[end + len(closer) :]
