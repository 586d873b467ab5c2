from __future__ import annotations

import pytest

from bot.summary import cut_summary, note_summary, plain_text


@pytest.mark.parametrize(
    ("markdown", "expected"),
    (
        ("Met [[Jeff Denworth|Jeff]] today", "Met Jeff today"),
        ("Met [[Jeff Denworth]] today", "Met Jeff Denworth today"),
        ("See [[OpenAI#Contacts]]", "See OpenAI > Contacts"),
        ("See [[OpenAI#Contacts|the contacts]]", "See the contacts"),
        ("| [[OpenAI\\|Open AI]] |", "| Open AI |"),
        ("Diagram ![[arch.png]] here", "Diagram here"),
        ("Diagram ![alt](img/arch%20v2.png) here", "Diagram here"),
        ("Read [the docs](https://example.com/a_(b)) now", "Read the docs now"),
        ("**bold** *em* __strong__ _em_ ~~gone~~ ==marked==", "bold em strong em gone marked"),
        ("***both*** and *outer **inner** outer*", "both and outer inner outer"),
        ("snake_case_name and 2 * 3 * 4", "snake_case_name and 2 * 3 * 4"),
        ("Run `**not bold** [[x]]` now", "Run **not bold** [[x]] now"),
        ("Use ``a ` tick`` here", "Use a ` tick here"),
        ("<b>Hi</b> there<br>you <span class='x'>all</span>, a < b", "Hi there you all, a < b"),
        ("- [ ] open task\n- [x] done\n* star\n+ plus\n1. one\n2) two", "open task done star plus one two"),
        ("> quoted\n> > nested", "quoted nested"),
        ("> [!note] Title\n> body", "Title body"),
        ("> [!warning]- Folded", "Folded"),
        ("Visible %%hidden%% text", "Visible text"),
        ("Visible %%hidden\nover lines%% text", "Visible text"),
        ("Visible <!-- hidden --> text", "Visible text"),
        ("Visible %%never closed", "Visible"),
        ("  one\u00a0two\n\tthree  \n\nfour  ", "one two three four"),
        ("", ""),
    ),
)
def test_plain_text(markdown, expected):
    assert plain_text(markdown) == expected


@pytest.mark.parametrize(
    ("frontmatter", "body", "expected"),
    (
        ({"summary": "From **frontmatter**"}, "Body text.", "From frontmatter"),
        ({"description": "A [[Link|description]]"}, "Body text.", "A description"),
        ({"summary": "", "description": "Second choice"}, "Body text.", "Second choice"),
        ({"summary": "  "}, "Body text.", "Body text."),
        ({"summary": ["not", "text"]}, "Body text.", "Body text."),
        ({"summary": "%%only a comment%%"}, "Body text.", "Body text."),
        (None, "", None),
        (None, "# Title\n\n## Notes\n", None),
        (
            None,
            "Updated stakeholder map ... that [[OpenAI]] and [[Microsoft]] are building.\n\n- Stakeholders: x\n",
            "Updated stakeholder map ... that OpenAI and Microsoft are building.",
        ),
        (None, "# Title\n\nFirst line\nsecond line\n\nNext paragraph", "First line second line"),
        (None, "# Title\n\n## Summary\n\nThe summary.\n\nMore.", "The summary."),
        (None, "Intro.\n\n## summary\nThe summary.", "The summary."),
        (None, "Intro.\n\n## Summary ##\n### Detail\n\nThe summary.", "The summary."),
        (None, "Intro.\n\n## Summary\n\n## Next\n\nLater.", "Intro."),
        (None, "Intro.\n\n### Summary\n\nNot level two.", "Intro."),
        (None, "Intro.\n\n```\n## Summary\n```\n\nText.", "Intro."),
        (None, "Intro.\n\nSummary\n-------\nThe summary.", "The summary."),
        (None, "Heading\n=======\n\nText.", "Text."),
        (None, "```python\nx = 1\n```\nText.", "Text."),
        (None, "~~~~\n~~~\nstill code\n~~~~\nText.", "Text."),
        (None, "<!--\nhidden\n-->\nText.", "Text."),
        (None, "%%\nhidden\n%%\nText.", "Text."),
        (None, "%% one line %%\nText.", "Text."),
        (None, "---\n***\n- - -\nText.", "Text."),
        (None, "| a | b |\n|---|---|\n| 1 | 2 |\n\nText.", "Text."),
        (None, "![[banner.png]]\n![logo](logo.png) ![[x.pdf]]\nText.", "Text."),
        (None, "- ![[banner.png]]\n\nText.", "Text."),
        (None, "#tag at the start\nis text", "#tag at the start is text"),
    ),
)
def test_note_summary(frontmatter, body, expected):
    assert note_summary(frontmatter, body) == expected


@pytest.mark.parametrize(
    ("summary", "expected"),
    (
        # Golden cases from examples/crm-vault.expected.
        (
            "Conversation between Jason Vallery and Jeff Denworth about how to approach Microsoft/OpenAI storage "
            "conversations in the new year.",
            "Conversation between Jason Vallery and Jeff Denworth about how to approach Microsoft/OpenAI storage...",
        ),
        (
            "Intro 1:1 between Jason Vallery and Deandre (Dre) Jackson focused on aligning cloud enablement messaging "
            "and an S3 object story for OpenAI.",
            "Intro 1:1 between Jason Vallery and Deandre (Dre) Jackson focused on aligning cloud enablement...",
        ),
        (
            "Weekly 1:1 with Yogev Vankin focused on VAST multi-cloud architecture across AWS/GCP/Azure, centering on "
            "object storage for OpenAI-like tenants.",
            "Weekly 1:1 with Yogev Vankin focused on VAST multi-cloud architecture across AWS/GCP/Azure...",
        ),
        (
            "Weekly 1:1 between Maneesh Sah and Jason Vallery focused on Jason’s disappointment with his rewards, "
            "scope on the OpenAI account and support.",
            "Weekly 1:1 between Maneesh Sah and Jason Vallery focused on Jason’s disappointment with his rewards...",
        ),
        (
            "Task list for coordinating with OpenAI on storage API requirements, global KV store needs, and arranging "
            "the in-person meeting in San Francisco (Nov 4–6).",
            "Task list for coordinating with OpenAI on storage API requirements, global KV store needs, and...",
        ),
        (
            "Updated stakeholder map and technical positioning for using VAST as “warm storage” near GPU fleets that "
            "OpenAI and Microsoft are building.",
            "Updated stakeholder map and technical positioning for using VAST as “warm storage” near GPU fleets...",
        ),
        ("Planned quarterly business review with OpenAI.", "Planned quarterly business review with OpenAI."),
    ),
)
def test_cut_summary_golden(summary, expected):
    assert cut_summary(summary) == expected


@pytest.mark.parametrize(
    ("summary", "limit", "expected"),
    (
        ("exactly ten", 11, "exactly ten"),
        ("one two three", 7, "one two..."),
        ("one two three", 8, "one two..."),
        ("one two three", 9, "one two..."),
        ("Supercalifragilistic word", 5, "Super..."),
        ("one, two", 5, "one..."),
        ("one; two", 5, "one..."),
        ("one: two", 5, "one..."),
        ("one - two", 6, "one..."),
        ("one – two", 6, "one..."),
        ("one ( two", 6, "one..."),
        ("one “ two", 6, "one..."),
        ("one “two” three", 10, "one “two”..."),
        ("one (two) three", 10, "one (two)..."),
        ("one!? two", 5, "one..."),
    ),
)
def test_cut_summary_word_boundary_and_punctuation(summary, limit, expected):
    assert cut_summary(summary, limit) == expected
