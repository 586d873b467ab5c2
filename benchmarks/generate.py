"""Write a realistic CRM vault of N notes for benchmarks.

    python benchmarks/generate.py 10000 benchmarks/vaults/10k

The vault looks like the one vaultbot was designed for: entity notes
(customers, people, projects) with home folders, a `## Recent Context` section
and `last_contact: unknown`; meetings filed under an entity with participants
linked in frontmatter, some written up twice (same day, same participants);
daily notes; long notes with code blocks and tasks; `.obsidian/` settings.
Notes average about 4 KB, so 10,000 notes are ~40 MB. The output depends only
on N and the seed, so two runs give byte-identical vaults.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
from pathlib import Path

WORDS = [
    "storage",
    "capacity",
    "roadmap",
    "pricing",
    "renewal",
    "contract",
    "migration",
    "latency",
    "throughput",
    "cluster",
    "region",
    "rollout",
    "budget",
    "forecast",
    "pilot",
    "integration",
    "security",
    "review",
    "compliance",
    "escalation",
    "support",
    "ticket",
    "benchmark",
    "workload",
    "inference",
    "training",
    "checkpoint",
    "replication",
    "backup",
    "object",
    "block",
    "file",
    "network",
    "gpu",
    "fleet",
    "datacenter",
    "lease",
    "partner",
    "onboarding",
    "enablement",
    "quarterly",
    "planning",
    "hiring",
    "feedback",
    "offer",
    "architecture",
    "design",
    "document",
    "decision",
    "risk",
    "owner",
    "timeline",
    "milestone",
    "customer",
    "account",
    "expansion",
    "churn",
    "usage",
    "telemetry",
    "dashboard",
]
FIRST = [
    "Ana",
    "Ben",
    "Chen",
    "Dana",
    "Eli",
    "Farah",
    "Gus",
    "Hana",
    "Ivo",
    "Jai",
    "Kim",
    "Lea",
    "Mo",
    "Nia",
    "Omar",
    "Pia",
    "Raj",
    "Sara",
    "Tom",
    "Uma",
    "Vik",
    "Wen",
    "Yui",
    "Zoe",
]
LAST = [
    "Adams",
    "Brook",
    "Cruz",
    "Diaz",
    "Evans",
    "Fox",
    "Gupta",
    "Hale",
    "Ito",
    "Jensen",
    "Khan",
    "Lopez",
    "Meyer",
    "Novak",
    "Ortiz",
    "Patel",
    "Quinn",
    "Ross",
    "Sato",
    "Tran",
]
COMPANY = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Hooli",
    "Vandelay",
    "Soylent",
    "Tyrell",
    "Cyberdyne",
    "Wonka",
    "Oscorp",
    "Aperture",
    "Massive",
]
SUFFIX = ["Labs", "Cloud", "Systems", "Data", "Energy", "Bank", "Health", "Motors", "Media", "Foods"]
START = datetime.date(2024, 1, 1)


def sentence(rng: random.Random, low: int = 8, high: int = 18) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng) for _ in range(sentences))


def link(name: str) -> str:
    return f"[[{name}]]"


def entity_note(kind: str, name: str, rng: random.Random, others: list[str]) -> str:
    facts = "\n".join(f"- {sentence(rng)}" for _ in range(rng.randint(3, 8)))
    related = ", ".join(link(o) for o in rng.sample(others, min(3, len(others))))
    return (
        f"---\ntype: {kind}\ntitle: {name}\nlast_contact: unknown\ncreated: '2024-01-0{rng.randint(1, 9)}'\n"
        f"tags:\n- type/{kind}\n- crm\n---\n\n# {name}\n\n## Recent Context\n\n"
        f"- unknown: [[Old note]] - stale line written by hand\n\n"
        f"## Open Tasks\n\n- [ ] {sentence(rng, 4, 9)}\n\n"
        f"## Key Facts\n\n{facts}\n\n## Notes\n\n{paragraph(rng, rng.randint(10, 20))}\n\n"
        f"## Related\n\n{related}\n"
    )


def meeting_note(title: str, day: datetime.date, time: str, people: list[str], about: str, rng: random.Random) -> str:
    participants = "".join(f'  - "{link(p)}"\n' for p in people)
    points = "\n".join(f"- {sentence(rng)}" for _ in range(rng.randint(4, 9)))
    tasks = "\n".join(f"- [{rng.choice(' x')}] {sentence(rng, 4, 9)}" for _ in range(rng.randint(2, 5)))
    return (
        f"---\ntype: meeting\ndate: {day.isoformat()}\ntime: '{time}'\nparticipants:\n{participants}"
        f'summary: "{sentence(rng, 10, 20)}"\ntags:\n  - type/meeting\n  - generated\n---\n\n'
        f"# {title}\n\n## Summary\n\n{paragraph(rng, 3)} About {link(about)}.\n\n"
        f"## Key Points\n\n{points}\n\n## Discussion\n\n{paragraph(rng, rng.randint(14, 26))}\n\n"
        f"## Action Items\n\n{tasks}\n"
    )


def daily_note(day: datetime.date, mentions: list[str], rng: random.Random) -> str:
    tasks = "\n".join(f"- [{rng.choice(' x')}] {sentence(rng, 4, 9)}" for _ in range(rng.randint(3, 8)))
    log = "\n".join(f"- {rng.randint(8, 18):02d}:{rng.choice(('00', '30'))} {sentence(rng)} {link(m)}" for m in mentions)
    return f"# {day:%A, %B %d, %Y}\n\n## Tasks\n\n{tasks}\n\n## Log\n\n{log}\n\n{paragraph(rng, rng.randint(12, 20))}\n"


def long_note(title: str, mentions: list[str], rng: random.Random) -> str:
    code = "```python\n" + "\n".join(f"def step_{i}(x):\n    return x + [[not_a_link_{i}]]" for i in range(rng.randint(3, 8))) + "\n```"
    sections = "\n\n".join(
        f"## Part {i}\n\n{paragraph(rng, rng.randint(6, 12))}\n\nSee {link(rng.choice(mentions))} and `[[inline code]]`."
        for i in range(rng.randint(4, 8))
    )
    return f"---\ntype: doc\ntags: [type/doc, design, long]\nstatus: draft\n---\n\n# {title}\n\n{sections}\n\n{code}\n\n- [ ] {sentence(rng)}\n"


def write_settings(root: Path) -> None:
    obsidian = root / ".obsidian"
    obsidian.mkdir(parents=True, exist_ok=True)
    (obsidian / "app.json").write_text(
        json.dumps({"newLinkFormat": "shortest", "useMarkdownLinks": False, "userIgnoreFilters": ["Archive/"]}, indent=2)
    )
    (obsidian / "daily-notes.json").write_text(json.dumps({"format": "YYYY-MM-DD", "folder": "Daily"}, indent=2))
    (obsidian / "templates.json").write_text(json.dumps({"folder": "Templates"}, indent=2))
    templates = root / "Templates"
    templates.mkdir(exist_ok=True)
    (templates / "Meeting.md").write_text("---\ntype: meeting\ndate: {{date}}\n---\n\n# {{title}}\n")


def generate(count: int, root: Path, seed: int = 6) -> None:
    """Write `count` notes under `root`: ~6% entities, ~60% meetings, ~20% daily notes, the rest long notes."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    write_settings(root)
    entity_count = max(3, count * 6 // 100)
    names: set[str] = set()
    entities: list[tuple[str, str, str]] = []  # (kind, folder, name)
    while len(entities) < entity_count:
        kind = rng.choice(("customer", "person", "person", "project"))
        if kind == "customer":
            name = f"{rng.choice(COMPANY)} {rng.choice(SUFFIX)}"
        elif kind == "person":
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        else:
            name = f"Project {rng.choice(WORDS).capitalize()} {rng.choice(WORDS).capitalize()}"
        if name in names:
            name = f"{name} {len(entities)}"
        names.add(name)
        entities.append((kind, {"customer": "Customers", "person": "People", "project": "Projects"}[kind], name))
    entity_names = [name for _, _, name in entities]
    written = 0

    def write(path: str, text: str) -> None:
        nonlocal written
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written += 1

    for kind, folder, name in entities:
        write(f"{folder}/{name}/{name}.md", entity_note(kind, name, rng, entity_names))
    remaining = count - written
    daily_count = remaining * 20 // 94
    long_count = remaining * 14 // 94
    meeting_count = remaining - daily_count - long_count
    people = [name for kind, _, name in entities if kind == "person"] or entity_names
    made = 0
    while made < meeting_count:
        kind, folder, owner = rng.choice(entities)
        day = START + datetime.timedelta(days=rng.randrange(900))
        time = f"{rng.randint(8, 17):02d}:{rng.choice(('00', '15', '30', '45'))}"
        attendees = sorted({owner, *rng.sample(people, min(2, len(people)))})
        about = rng.choice(entity_names)
        copies = 2 if rng.random() < 0.08 and made + 1 < meeting_count else 1  # AI summarisers write some twice
        for _copy in range(copies):
            title = f"{day.isoformat()} - {sentence(rng, 4, 8)[:-1]}"[:90].replace("/", " ")
            path = f"{folder}/{owner}/{title}.md"
            if (root / path).exists():
                title += f" {made}"
                path = f"{folder}/{owner}/{title}.md"
            write(path, meeting_note(title, day, time, attendees, about, rng))
            made += 1
    for index in range(daily_count):
        day = START + datetime.timedelta(days=index)
        write(f"Daily/{day.isoformat()}.md", daily_note(day, rng.sample(entity_names, min(3, len(entity_names))), rng))
    for index in range(long_count):
        write(f"Docs/Design {index:05d}.md", long_note(f"Design {index:05d}", entity_names, rng))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="how many notes")
    parser.add_argument("directory", type=Path, help="where to write the vault (created)")
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    generate(args.count, args.directory, args.seed)


if __name__ == "__main__":
    main()
