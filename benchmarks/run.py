"""Measure vaultbot against the floor on generated vaults.

    python benchmarks/run.py                      # 1,000 and 10,000 notes, and the public corpus vault
    python benchmarks/run.py --sizes 1000 --with-50k --with-100k
    python benchmarks/run.py --sizes 100000 --only commit --repeat 1

For each size, in this one process run: the floor (walk the vault, read every
note, parse its frontmatter with libyaml), a cold `vaultbot run --dry-run`, a
cold real run (on a copy, `--no-commit`), a cold real run with commit (on a copy
made a git repository and committed first; the run's `-v` log gives its commit
stage's own time), a warm real run with nothing changed, a warm run after 10
notes were edited (rechecking what they affect), one after a task was ticked in
an Open Tasks roll-up (the tick reaches its source note), and one after a note
was added (a full run over the warm cache); `--only` picks some of these. Then
the floor, the cold dry run and the cold real run with commit on a copy of the
public vault `../shared/corpus/cypher-csrd` (beside this repository; `--corpus`
names another, and a missing one is skipped with a message). `--commit-stage
100 1000 10000 --repository-notes 10000 100000` times vaultbot's commit alone
(benchmarks/commit_stage.py) for that many changed notes in repositories of
that size. As the GitHub Action runs it (`--only clone`): a committing run on a fresh
clone of the committed vault with the cache folder of the job before carried over
(`VAULTBOT_CACHE_DIR`), of the vault unchanged and with 10 notes edited upstream
(benchmarks/clone_runs.py). `--watch-latency
10000` starts `vaultbot daemon --watch` on a committed git copy of that vault and times, for a
meeting note linking a customer written and committed as a sync tool would, the wait from the
note's write (and from its commit) to the daemon's commit of the customer's note,
minus the quiet time it waits on purpose. Every measurement is a fresh subprocess, the floor
included, so interpreter start-up counts on both sides of the ratio; its peak
memory is the child's ru_maxrss from wait4(). Each figure is the fastest of
`--repeat` runs, since the machine may be busy with other work. Vaults are
generated once outside the repository (benchmarks/folders.py; deterministic), results are
written under benchmarks/out/ (gitignored).
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from clone_runs import fresh_clones
from commit_stage import commit_stage
from commit_stage import table as commit_stage_table
from folders import WORK, generated
from git_runs import cold_commit_run, git_copy

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpus" / "cypher-csrd"  # beside this repository, when there
TODAY = "2026-11-24"
TOUCHED = 10


def floor(root: str) -> int:
    """Walk, read, and libyaml-parse every note's frontmatter: what any indexer must do."""
    import yaml
    from frontmatter.default_handlers import YAMLHandler

    handler = YAMLHandler()
    count = 0
    for directory, folders, files in os.walk(root):
        folders[:] = [f for f in folders if not f.startswith(".")]
        for name in files:
            if not name.endswith(".md"):
                continue
            with open(os.path.join(directory, name), "rb") as stream:
                text = stream.read().decode("utf-8")
            try:
                if handler.detect(text):
                    handler.load(handler.split(text)[0])
            except (yaml.YAMLError, ValueError):  # a template's `{{date}}`, an unclosed block: skipped, as vaultbot reports them
                pass
            count += 1
    return count


def measure(command: list[str], env: dict[str, str], log: list[str] | None = None, expect: str = "") -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak MB) of one child process, its stderr added to `log`. CPU
    time (user + system) moves far less than wall time when other work shares the machine.
    `expect`: a line of its stderr that shows the run took the path measured."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode()
    process.stderr.close()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{errors}")
    if log is not None:
        log.append(errors)
    if expect not in errors:
        raise SystemExit(f"{' '.join(command)} did not log {expect!r}:\n{errors}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # Linux reports KiB


def touch_notes(vault: Path, round_: int) -> None:
    """Edit 10 daily notes (different ones each round), as a day's work would."""
    daily = sorted((vault / "Daily").glob("*.md"))
    for index in range(TOUCHED):
        note = daily[(round_ * TOUCHED + index) % len(daily)]
        with open(note, "a", encoding="utf-8") as stream:
            stream.write(f"\nFollow-up {round_}.{index}: call back next week.\n")


def tick_task(vault: Path, round_: int) -> None:
    """Tick one task in an entity's Open Tasks roll-up: the run ticks it in its source note too."""
    entities = [note for note in sorted((vault / "Customers").glob("*/*.md")) if note.stem == note.parent.name]
    for note in entities[round_:] + entities[:round_]:
        text = note.read_text(encoding="utf-8")
        generated = next((line for line in text.splitlines() if line.startswith("- [ ] ") and line.endswith("]])")), None)
        if generated is not None:
            note.write_text(text.replace(generated, "- [x]" + generated[5:], 1), encoding="utf-8")
            return
    raise SystemExit("no Open Tasks roll-up with a generated line to tick")


def add_note(vault: Path, round_: int) -> None:
    """A new note: the vault no longer differs from its last clean run by edits alone, so the run is a full one."""
    entity = [note for note in sorted((vault / "Customers").glob("*/*.md")) if note.stem == note.parent.name][round_]
    (vault / "Daily" / f"added-{round_}.md").write_text(f"Met [[{entity.stem}]] about the renewal.\n", encoding="utf-8")


GROUPS = {  # --only: the measurements of each group (the floor is always measured)
    "dry": ("cold dry run",),
    "run": ("cold run",),
    "commit": ("cold real run with commit", "its commit stage"),
    "warm": ("warm, no change", f"warm, {TOUCHED} touched", "warm, 1 task ticked", "warm, 1 note added"),
    "clone": ("fresh clone, carried cache", f"fresh clone, {TOUCHED} edited upstream"),
}


def vaultbot(vault: Path, *flags: str) -> list[str]:
    quiet = [] if "-v" in flags else ["-q"]
    return [sys.executable, "-m", "bot", "run", str(vault), "--today", TODAY, *quiet, *flags]


Figures = dict[str, tuple[float, float, float]]  # measurement -> (wall s, CPU s, peak MB)


def bench_vault(vault: Path, name: str, groups: set[str], repeat: int) -> Figures:
    """The floor and the measurements of `groups` on `vault` (only read: the runs that write work on copies)."""
    cache_home = WORK / "cache"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    results: dict[str, list[tuple[float, float, float]]] = {"floor": []}
    results |= {row: [] for group, rows in GROUPS.items() if group in groups for row in rows}

    def cold() -> None:
        shutil.rmtree(cache_home, ignore_errors=True)

    for _ in range(repeat):
        results["floor"].append(measure([sys.executable, __file__, "--floor", str(vault)], env))
        if "dry" in groups:
            cold()
            results["cold dry run"].append(measure(vaultbot(vault, "--dry-run"), env))
            assert not cache_home.exists(), "a dry run wrote the cache"
    if "commit" in groups:
        copy = WORK / f"git-{name}"
        base = git_copy(vault, copy)
        for _ in range(repeat):
            whole, stage = cold_commit_run(vaultbot(copy, "-v"), copy, base, env, measure)
            results["cold real run with commit"].append(whole)
            results["its commit stage"].append((*stage, float("nan")))
        shutil.rmtree(copy)
    if "run" in groups or "warm" in groups:
        copy = WORK / f"vault-{name}"
        for _ in range(repeat if "run" in groups else 1):
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(vault, copy)
            cold()
            ran = measure(vaultbot(copy, "--no-commit"), env)
            if "run" in groups:
                results["cold run"].append(ran)
        for round_ in range(repeat if "warm" in groups else 0):
            results["warm, no change"].append(measure(vaultbot(copy, "--no-commit"), env))
            touch_notes(copy, round_)
            results[f"warm, {TOUCHED} touched"].append(measure(vaultbot(copy, "--no-commit"), env))
            tick_task(copy, round_)
            results["warm, 1 task ticked"].append(measure(vaultbot(copy, "--no-commit"), env))
            add_note(copy, round_)
            results["warm, 1 note added"].append(measure(vaultbot(copy, "--no-commit"), env))
        shutil.rmtree(copy)
    cold()
    if "clone" in groups:
        results.update(fresh_clones(vault, repeat, WORK, measure, vaultbot, touch_notes, TOUCHED))
    return {row: (min(r[0] for r in runs), min(r[1] for r in runs), max(r[2] for r in runs)) for row, runs in results.items()}


WATCH_DEBOUNCE = 0.5  # seconds; the default (2 s) only adds to each figure, and is subtracted anyway


def process_cpu(pid: int) -> float:
    """CPU seconds of a running process and of the children it waited for (its git commands), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def watch_latency(size: int, repeat: int, work: Path) -> list[tuple[float, float, float]]:
    """[(seconds from the note's write, seconds from its commit, the daemon's CPU seconds for the whole run)]
    to the daemon's commit of the customer's note (HEAD moved), less the debounce, for `repeat` new meeting notes in a row. The CPU
    time says what the run costs when other work shares the machine and stretches the wall time."""
    source = generated(size)
    vault = work / f"watch-{size}"
    shutil.rmtree(vault, ignore_errors=True)
    shutil.copytree(source, vault)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Bench",
        "GIT_AUTHOR_EMAIL": "bench@example.org",
        "GIT_COMMITTER_NAME": "Bench",
        "GIT_COMMITTER_EMAIL": "bench@example.org",
    }

    def git(*command: str) -> str:
        return subprocess.run(["git", *command], cwd=vault, check=True, capture_output=True, text=True, env=env).stdout

    git("init", "-q", "-b", "main")
    git("config", "gc.auto", "0")  # as in git_runs.git_copy: no detached gc during the measurements
    git("add", "-A")
    git("commit", "-q", "-m", "notes")
    for _ in range(2):  # the first run commits its changes; the second finds the vault clean and warms the cache
        subprocess.run([sys.executable, "-m", "bot", "run", str(vault), "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
    customers = [note for note in sorted((vault / "Customers").glob("*/*.md")) if note.stem == note.parent.name]
    branch = vault / ".git" / "refs" / "heads" / "main"
    log_path = work / f"watch-{size}.log"
    with open(log_path, "w") as log:
        daemon = subprocess.Popen(
            [sys.executable, "-m", "bot", "daemon", str(vault), "--watch", str(WATCH_DEBOUNCE)],
            stderr=log,
            stdout=subprocess.DEVNULL,
            env=env,
        )
    figures = []
    try:
        while "watching " not in log_path.read_text():
            time.sleep(0.05)
        today = datetime.date.today().isoformat()
        for round_ in range(repeat):
            customer = customers[round_ % len(customers)]
            runs = log_path.read_text().count("[watch] ")
            cpu = process_cpu(daemon.pid)
            note = customer.parent / f"Watch {round_}.md"  # filed under the customer, as the meetings are
            written = time.perf_counter()
            note.write_text(f"---\ntype: meeting\ndate: {today}\n---\nRenewal call with [[{customer.stem}]].\n", encoding="utf-8")
            git("add", "--", str(note))
            git("commit", "-q", "-m", f"meeting {round_}")
            committed = time.perf_counter()
            users = branch.read_text()
            while branch.read_text() == users:  # update-ref rewrites the loose ref: reading it costs no process
                if daemon.poll() is not None:
                    raise SystemExit(f"the daemon stopped:\n{log_path.read_text()}")
                time.sleep(0.01)
            done = time.perf_counter()
            while log_path.read_text().count("[watch] ") == runs:  # the run goes on to record the clean state
                time.sleep(0.05)
            line = log_path.read_text().splitlines()[-1]
            if f"Watch {round_}" not in customer.read_text(encoding="utf-8") or "commit none" in line:
                raise SystemExit(f"the watch run did not commit {customer.name} with the new meeting: {line}")
            figures.append((done - written - WATCH_DEBOUNCE, done - committed - WATCH_DEBOUNCE, process_cpu(daemon.pid) - cpu))
            time.sleep(WATCH_DEBOUNCE * 2)  # the events of vaultbot's own commit come and go
    finally:
        daemon.terminate()
        daemon.wait(60)
    shutil.rmtree(vault)
    return figures


# Long one-line paragraphs that once made summaries quadratic.
PATHOLOGICAL = ("[[a ", "*a ", " _a", "~~a", "==a", "[", "![[")


def pathological() -> list[str]:
    """A table: summary, links and masking of 1 MB of each pattern, fastest of 3 (target < 1 s)."""
    from bot.markdown import find_links
    from bot.sections import mask_code
    from bot.summary import note_summary

    lines = ["| 1 MB of | summary s | links + masking s |", "|---|---:|---:|"]
    for pattern in PATHOLOGICAL:
        text = pattern * (1_000_000 // len(pattern))
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            note_summary(None, text)
            summarised = time.perf_counter()
            mask_code(text)
            find_links(text)
            timings.append((summarised - started, time.perf_counter() - summarised))
        lines.append(f"| `{pattern}` | {min(t[0] for t in timings):.2f} | {min(t[1] for t in timings):.2f} |")
    return lines


def machine() -> str:
    model = ""
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return f"{os.cpu_count()} cores{', ' + model if model else ''}, Python {platform.python_version()}, {platform.system()}"


def table(figures: dict[str, Figures]) -> list[str]:
    lines = ["| vault | measurement | wall s | x floor | CPU s | x floor (CPU) | peak MB |", "|---|---|---:|---:|---:|---:|---:|"]
    for vault, results in figures.items():
        wall_base, cpu_base = results["floor"][:2]
        for name, (seconds, cpu, peak) in results.items():
            shown = "-" if math.isnan(peak) else f"{peak:.0f}"  # a stage inside a run has no peak of its own
            lines.append(f"| {vault} | {name} | {seconds:.2f} | {seconds / wall_base:.2f} | {cpu:.2f} | {cpu / cpu_base:.2f} | {shown} |")
    small = figures.get(f"{10_000:,}")
    for size in (50_000, 100_000):
        big = figures.get(f"{size:,}")
        if small is None or big is None:
            continue
        lines += ["", f"| growth 10,000 -> {size:,} | x (wall) | x (CPU) |", "|---|---:|---:|"]
        for name in small.keys() & big.keys():
            lines.append(f"| {name} | {big[name][0] / small[name][0]:.2f} | {big[name][1] / small[name][1]:.2f} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], metavar="N")
    parser.add_argument("--with-50k", action="store_true", help="also measure 50,000 notes (~200 MB of notes)")
    parser.add_argument("--with-100k", action="store_true", help="also measure 100,000 notes (~400 MB of notes)")
    parser.add_argument("--only", nargs="+", choices=sorted(GROUPS), default=sorted(GROUPS), help="measure only these (and the floor)")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="a public vault also measured, on a git copy (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the fastest counts")
    parser.add_argument("--floor", metavar="VAULT", help=argparse.SUPPRESS)  # the child that measures the floor
    parser.add_argument("--commit-stage", type=int, nargs="+", metavar="N", help="time only the commit of N changed notes")
    parser.add_argument(
        "--repository-notes", type=int, nargs="+", default=[10_000], metavar="R", help="with --commit-stage: repositories of R notes"
    )
    parser.add_argument(
        "--watch-latency", type=int, nargs="+", metavar="N", help="time only `daemon --watch` from a new note to its customer's commit"
    )
    parser.add_argument("--pathological-only", action="store_true", help="only time the pathological one-line notes")
    args = parser.parse_args()
    if args.floor:
        floor(args.floor)
        return
    if args.commit_stage:
        rows = [commit_stage(notes, count) for notes in args.repository_notes for count in args.commit_stage if count <= notes]
        print("\n".join(commit_stage_table(rows)))
        return
    if args.watch_latency:
        WORK.mkdir(parents=True, exist_ok=True)
        print(f"Less the {WATCH_DEBOUNCE:g} s quiet time; fastest, median and slowest of {args.repeat} notes.\n")
        print("| notes | from the note's write s | from its commit s | daemon CPU s |\n|---:|---:|---:|---:|")
        for size in args.watch_latency:
            figures = watch_latency(size, args.repeat, WORK)
            columns = [sorted(f[column] for f in figures) for column in range(3)]
            middle = len(figures) // 2
            print(f"| {size:,} | " + " | ".join(f"{c[0]:.2f}, {c[middle]:.2f}, {c[-1]:.2f}" for c in columns) + " |")
        return
    if args.pathological_only:
        print("\n".join(pathological()))
        return
    sizes = sorted(set(args.sizes + [50_000] * args.with_50k + [100_000] * args.with_100k))
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    figures = {}
    for size in sizes:
        print(f"measuring {size:,} notes ...", file=sys.stderr)
        figures[f"{size:,}"] = bench_vault(generated(size), str(size), set(args.only), args.repeat)
    corpus = args.corpus.resolve()
    if corpus.is_dir():
        print(f"measuring {corpus.name} ...", file=sys.stderr)
        copy = WORK / "corpus"  # the runs read (and the copies write) this one: the original is never touched
        shutil.copytree(corpus, copy, ignore=shutil.ignore_patterns(".git"))
        figures[corpus.name] = bench_vault(copy, corpus.name, set(args.only) & {"dry", "commit"}, args.repeat)
    else:
        print(f"{corpus} is not there: the public vault is not measured", file=sys.stderr)
    shutil.rmtree(WORK, ignore_errors=True)
    lines = [f"Machine: {machine()}; fastest of {args.repeat} runs each.", "", *table(figures), "", *pathological()]
    print("\n".join(lines))
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    (out / f"results-{stamp}.md").write_text("\n".join(lines) + "\n")
    (out / f"results-{stamp}.json").write_text(json.dumps({"machine": machine(), "figures": figures}, indent=2))


if __name__ == "__main__":
    main()
