"""A note's one-line summary and its cut for Recent Context."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping

# Every pattern here is linear in the text's length: a link's inside stops at the next "[["
# (Obsidian: the last "[[" starts the link) and a markdown link's text at the next "[", so a
# line of unclosed openers is scanned once, not once per opener.
_WIKILINK_INSIDE = r"[^\[\]\n]*(?:(?:\[(?!\[)|\](?!\]))[^\[\]\n]*)*"
_EMBED = r"!\[\[" + _WIKILINK_INSIDE + r"\]\]|!\[[^\[\]\n]*\]\((?:[^()\n]|\([^()\n]*\))*\)"

# An unclosed %% hides the rest of the note in Obsidian, so it runs to the end.
_COMMENT = re.compile(r"%%.*?(?:%%|\Z)|<!--.*?(?:-->|\Z)", re.DOTALL)
_COMMENT_OPENER = re.compile(r"%%|<!--")
# Matched at each line start of "\n" + text, the "\n" included: a pattern that opens with a literal
# jumps from line to line, where `^` was tried at every offset of a long paragraph line.
_LINE_MARKERS = re.compile(
    r"\n[ \t]*(?:>[ \t]*)*"  # blockquotes, nested
    r"(?:\[![^\]\n]*\][+-]?[ \t]*)?"  # callout type
    r"(?:(?:[-*+]|\d+[.)])[ \t]+)?"  # list item
    r"(?:\[.\](?:[ \t]+|$))?",  # task box
    re.MULTILINE,
)
_BACKTICK_RUN = re.compile(r"``*")  # not "`+": a leading literal is searched for faster
# Code spans wait behind private-use markers while the markup around them goes.
_CODE_PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")
_EMBEDS = re.compile(_EMBED)
_WIKILINK = re.compile(r"\[\[(?P<inner>" + _WIKILINK_INSIDE + r")\]\]")
_MARKDOWN_LINK = re.compile(r"\[(?P<text>[^\[\]\n]*)\]\((?:[^()\n]|\([^()\n]*\))*\)")
_LINE_BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
# `*` and `_` (runs of one to three, nested) pair through a stack (`_without_marker_pairs`):
# (a marker run, the run lengths that count, a run that may close: without one, nothing pairs).
_EMPHASIS_RUNS = (
    (re.compile(r"\*+"), (1, 2, 3), re.compile(r"[^\s*]\*")),
    (re.compile(r"_+"), (1, 2, 3), re.compile(r"[^\s_]_")),
)
# `~~x~~` and `==x==`: a regex, linear because the inside stops at the next pair of markers.
_STRIKE_AND_HIGHLIGHT = tuple(
    re.compile(rf"{marker}{marker}(?=\S)(?P<content>(?:[^{marker}\n]|{marker}(?!{marker}))+?)(?<=\S){marker}{marker}")
    for marker in ("~", "=")
)
# Taking one kind out can pair markers of another (`*_a_*`); real text settles in two rounds.
_EMPHASIS_ROUNDS = 4

# An ATX heading's opening: its title follows (`_atx_heading`).
_ATX_OPENING = re.compile(r" {0,3}(#{1,6})(?=[ \t]|\Z)")
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
    text = _LINE_MARKERS.sub("\n", "\n" + text)[1:]
    codes: list[str] = []
    if "`" in text:
        text = _hide_code_spans(text, codes)
    if "[" in text:
        text = _EMBEDS.sub("", text)
        text = _WIKILINK.sub(_shown_link_text, text)
        text = _MARKDOWN_LINK.sub(r"\g<text>", text)
    if "<" in text:
        text = _LINE_BREAK_TAG.sub(" ", text)
        text = _HTML_TAG.sub("", text)
    if "*" in text or "_" in text or "~" in text or "=" in text:  # a memchr each: a character class searched slower
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


def _hide_code_spans(text: str, codes: list[str]) -> str:
    """Code spans replaced by numbered placeholders, their code appended to `codes`.

    A run of backticks opens a span closed by the next run of the same length; a run
    without one is literal text. Pairing runs through a table of "next run of this
    length" keeps it linear where a regex would rescan the rest of the text per run.
    """
    runs = [found.span() for found in _BACKTICK_RUN.finditer(text)]
    next_same_length: list[int | None] = [None] * len(runs)
    latest: dict[int, int] = {}
    for index in range(len(runs) - 1, -1, -1):
        length = runs[index][1] - runs[index][0]
        next_same_length[index] = latest.get(length)
        latest[length] = index
    pieces = []
    copied_up_to = 0
    index = 0
    while index < len(runs):
        closing = next_same_length[index]
        if closing is None:
            index += 1
            continue
        (opening_start, opening_end), (closing_start, closing_end) = runs[index], runs[closing]
        codes.append(text[opening_end:closing_start])
        pieces.append(text[copied_up_to:opening_start] + f"\ue000{len(codes) - 1}\ue001")
        copied_up_to = closing_end
        index = closing + 1
    return "".join(pieces) + text[copied_up_to:] if pieces else text


def _without_emphasis(text: str) -> str:
    for _ in range(_EMPHASIS_ROUNDS):
        reduced = text
        for runs, lengths, closer in _EMPHASIS_RUNS:
            if closer.search(reduced):
                reduced = _without_marker_pairs(reduced, runs, lengths)
        for pattern in _STRIKE_AND_HIGHLIGHT:
            reduced = pattern.sub(r"\g<content>", reduced)
        if reduced == text:
            break
        text = reduced
    return text


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _without_marker_pairs(text: str, runs: re.Pattern[str], lengths: tuple[int, ...]) -> str:
    """Text without the emphasis markers of one kind that pair up, nested pairs included.

    Within a line, a run that may close takes the latest open run of its length (the
    runs opened after that one stay text); otherwise, if it may open, it waits. An
    opener is followed by a non-space, a closer preceded by one; an underscore run
    must not touch a word on its outer side (snake_case is not emphasis). Each run is
    pushed and popped at most once: linear.
    """
    underscore = runs.pattern.startswith("_")
    waiting: dict[int, list[int]] = {length: [] for length in lengths}  # start offsets of open runs
    removed: list[int] = []  # start, end, start, end ... of the runs that pair
    previous_end = 0
    multiline = "\n" in text
    padded = f" {text} "  # the character before and after every run exists: text[i] is padded[i + 1]
    for start, end in [found.span() for found in runs.finditer(text)]:
        if multiline and text.find("\n", previous_end, start) >= 0:
            waiting = {length: [] for length in lengths}
        previous_end = end
        same_length = waiting.get(end - start)
        if same_length is None:
            continue
        before, after = padded[start], padded[end + 1]
        if underscore:
            can_open = not after.isspace() and not _is_word(before)
            can_close = not before.isspace() and not _is_word(after)
        else:
            can_open, can_close = not after.isspace(), not before.isspace()
        if can_close and same_length:
            opener = same_length.pop()
            if len(waiting) > 1:
                for other in waiting.values():
                    while other and other[-1] > opener:
                        other.pop()
            removed += (opener, opener + end - start, start, end)
        elif can_open:
            same_length.append(start)
    if not removed:
        return text
    pairs = sorted(zip(removed[::2], removed[1::2]))
    pieces = []
    copied_up_to = 0
    for start, end in pairs:
        pieces.append(text[copied_up_to:start])
        copied_up_to = end
    pieces.append(text[copied_up_to:])
    return "".join(pieces)


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
        heading = _atx_heading(line) if "#" in line else None
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
            yield heading
        if opening_fence:
            fence = opening_fence["fence"]
    if paragraph:
        yield 0, "\n".join(paragraph)


def _atx_heading(line: str) -> tuple[int, str] | None:
    """(level, title) of an ATX heading line (CommonMark 4.2: the title without the white space
    around it and without a closing run of `#`s after white space), else None. Worked out from
    its ends: `fullmatch` of the one pattern for it, with a lazy title before an optional closing
    run, tried every length of the title, and cost a heading line a few microseconds."""
    opening = _ATX_OPENING.match(line)
    if opening is None:
        return None
    title = line[opening.end() :].strip(" \t")
    if title.endswith("#"):
        before_closing = title.rstrip("#")
        if before_closing[-1:] in (" ", "\t"):
            title = before_closing.rstrip(" \t")
    return len(opening.group(1)), title


def _without_line_comments(line: str) -> tuple[str, str]:
    """The line without its comments, and the closer still awaited when one stays open."""
    if "%%" not in line and "<!--" not in line:  # nearly every line: no search for either opener
        return line, ""
    kept = []
    position = 0
    while True:
        opener = _COMMENT_OPENER.search(line, position)
        if not opener:
            kept.append(line[position:])
            return "".join(kept), ""
        closer = "%%" if opener[0] == "%%" else "-->"
        kept.append(line[position : opener.start()])
        end = line.find(closer, opener.end())
        if end < 0:
            return "".join(kept), closer
        position = end + len(closer)
