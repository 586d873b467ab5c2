"""Measure vaultbot against the floor on generated vaults.

    python benchmarks/run.py                      # 1,000 and 10,000 notes
    python benchmarks/run.py --sizes 1000 --with-50k

For each size, in this one process run: the floor (walk the vault, read every
note, parse its frontmatter with libyaml), a cold `vaultbot run --dry-run`, a
cold real run (on a copy), a warm real run with nothing changed, a warm run
after 10 notes were edited (rechecking what they affect), one after a task was
ticked in an Open Tasks roll-up (the tick reaches its source note), and one after a note
was added (a full run over the warm cache); then, as the GitHub Action runs it, a committing run
on a fresh clone of the committed vault with the cache folder of the job before carried over
(`VAULTBOT_CACHE_DIR`), of the vault unchanged and with 10 notes edited upstream. `--commit-stage 10000 50000` times
vaultbot's commit alone (blobs and journal, then private index, commit-tree,
update-ref and the user's index) for that many changed notes in a git vault. `--watch-latency
10000` starts `vaultbot daemon --watch` on a committed git copy of that vault and times, for a
meeting note linking a customer written and committed as a sync tool would, the wait from the
note's write (and from its commit) to the daemon's commit of the customer's note,
minus the quiet time it waits on purpose. Every measurement is a fresh subprocess, the floor
included, so interpreter start-up counts on both sides of the ratio; its peak
memory is the child's ru_maxrss from wait4(). Each figure is the fastest of
`--repeat` runs, since the machine may be busy with other work. Vaults are
generated once under benchmarks/vaults/ (deterministic), results are written
under benchmarks/out/; both are gitignored.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
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
            except yaml.YAMLError:  # a template's `{{date}}`: skipped, as vaultbot reports it
                pass
            count += 1
    return count


def measure(command: list[str], env: dict[str, str], expect: str = "") -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak MB) of one child process. CPU time (user + system)
    moves far less than wall time when other work shares the machine. `expect`: a line of
    its stderr that shows the run took the path measured."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode()
    process.stderr.close()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{errors}")
    if expect not in errors:
        raise SystemExit(f"{' '.join(command)} did not log {expect!r}:\n{errors}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # Linux reports KiB


def vaultbot(vault: Path, *flags: str) -> list[str]:
    return [sys.executable, "-m", "bot", "run", str(vault), "--today", TODAY, "-q", *flags]


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


def bench_size(size: int, repeat: int, work: Path) -> dict[str, tuple[float, float, float]]:
    vault = HERE / "vaults" / str(size)
    if not vault.is_dir():
        print(f"generating {size:,} notes in {vault} ...", file=sys.stderr)
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(size), str(vault)], check=True)
    cache_home = work / "cache"
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    results: dict[str, list[tuple[float, float, float]]] = {
        name: []
        for name in (
            "floor",
            "cold dry run",
            "cold run",
            "warm, no change",
            f"warm, {TOUCHED} touched",
            "warm, 1 task ticked",
            "warm, 1 note added",
        )
    }

    def cold() -> None:
        shutil.rmtree(cache_home, ignore_errors=True)

    for _ in range(repeat):
        results["floor"].append(measure([sys.executable, __file__, "--floor", str(vault)], env))
        cold()
        results["cold dry run"].append(measure(vaultbot(vault, "--dry-run"), env))
        assert not cache_home.exists(), "a dry run wrote the cache"
    copy = work / f"vault-{size}"
    for _ in range(repeat):
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(vault, copy)
        cold()
        results["cold run"].append(measure(vaultbot(copy, "--no-commit"), env))
    for round_ in range(repeat):
        results["warm, no change"].append(measure(vaultbot(copy, "--no-commit"), env))
        touch_notes(copy, round_)
        results[f"warm, {TOUCHED} touched"].append(measure(vaultbot(copy, "--no-commit"), env))
        tick_task(copy, round_)
        results["warm, 1 task ticked"].append(measure(vaultbot(copy, "--no-commit"), env))
        add_note(copy, round_)
        results["warm, 1 note added"].append(measure(vaultbot(copy, "--no-commit"), env))
    shutil.rmtree(copy)
    cold()
    results.update(fresh_clones(vault, repeat, work))
    return {name: (min(r[0] for r in runs), min(r[1] for r in runs), max(r[2] for r in runs)) for name, runs in results.items()}


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.org", *args], cwd=cwd, check=True, capture_output=True)


def fresh_clones(vault: Path, repeat: int, work: Path) -> dict[str, list[tuple[float, float, float]]]:
    """The GitHub Action's case: every job a fresh clone, with vaultbot's cache folder carried from the
    last job (VAULTBOT_CACHE_DIR, restored by actions/cache). One committing run on the committed vault
    leaves the cache; each measurement then restores that folder and runs on a fresh clone, of the
    vault unchanged and of the vault with 10 daily notes edited and committed upstream."""
    origin, carried, kept = work / "origin", work / "carried", work / "carried-after-first-job"
    shutil.copytree(vault, origin)
    git(origin, "init", "-q", "-b", "main")
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "vault")
    env = {**os.environ, "VAULTBOT_CACHE_DIR": str(carried)}
    measure(vaultbot(origin), env)  # the first job: commits what the rules change, leaves the cache
    shutil.copytree(carried, kept)
    unchanged, edited = "fresh clone, carried cache", f"fresh clone, {TOUCHED} edited upstream"
    results: dict[str, list[tuple[float, float, float]]] = {unchanged: [], edited: []}
    expected = {
        unchanged: "the vault is as the last clean run left it (recognised by content)",
        edited: f"{TOUCHED} notes edited since the last clean run",
    }
    upstream = work / "upstream"
    for round_ in range(repeat):
        for name in (unchanged, edited):
            source = origin
            if name == edited:
                shutil.rmtree(upstream, ignore_errors=True)
                git(work, "clone", "-q", str(origin), str(upstream))
                touch_notes(upstream, round_)
                git(upstream, "commit", "-q", "-am", "a day's edits")
                source = upstream
            clone = work / "clone"
            shutil.rmtree(clone, ignore_errors=True)
            git(work, "clone", "-q", str(source), str(clone))
            shutil.rmtree(carried)
            shutil.copytree(kept, carried)
            verbose = [sys.executable, "-m", "bot", "run", str(clone), "--today", TODAY, "-v"]  # says which path it took
            results[name].append(measure(verbose, env, expect=expected[name]))
    for folder in (origin, carried, kept, upstream, work / "clone"):
        shutil.rmtree(folder, ignore_errors=True)
    return results


def commit_stage(count: int, work: Path) -> tuple[float, float]:
    """(seconds to store the blobs and the journal, seconds to build the commit and move HEAD) for
    `count` changed notes. The notes are not written: the commit never reads the work tree."""
    sys.path.insert(0, str(HERE.parent))
    from bot.config import load_config
    from bot.execute import RunRequest, _commit, _prepare
    from bot.git import open_repo
    from bot.runner import plan_run

    repo = work / f"commit-{count}"
    shutil.rmtree(repo, ignore_errors=True)
    for index in range(count):
        note = repo / f"Notes/{index // 1000:03d}/Note {index:06d}.md"
        note.parent.mkdir(parents=True, exist_ok=True)
        note.write_text(f"---\ntags: 'a, b'\n---\n# Note {index}\n", encoding="utf-8")
    identity = ["-c", "user.name=Bench", "-c", "user.email=bench@example.org"]
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], [*identity, "commit", "-q", "-m", "notes"]):
        subprocess.run(["git", *command], cwd=repo, check=True)
    config = load_config(repo)
    plan = plan_run(repo, config, datetime.date.fromisoformat(TODAY))
    assert len(plan.changes) == count
    with open_repo(repo) as git_repo:
        started = time.perf_counter()
        prepared = _prepare(git_repo, repo, plan.changes, None)
        hashed = time.perf_counter()
        _commit(git_repo, prepared, plan.changes, RunRequest(repo, config, datetime.date.fromisoformat(TODAY)))
        committed = time.perf_counter()
    shutil.rmtree(repo)
    return hashed - started, committed - hashed


WATCH_DEBOUNCE = 0.5  # seconds; the default (2 s) only adds to each figure, and is subtracted anyway


def process_cpu(pid: int) -> float:
    """CPU seconds of a running process and of the children it waited for (its git commands), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def watch_latency(size: int, repeat: int, work: Path) -> list[tuple[float, float, float]]:
    """[(seconds from the note's write, seconds from its commit, the daemon's CPU seconds for the whole run)]
    to the daemon's commit of the customer's note (HEAD moved), less the debounce, for `repeat` new meeting notes in a row. The CPU
    time says what the run costs when other work shares the machine and stretches the wall time."""
    source = HERE / "vaults" / str(size)
    if not source.is_dir():
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(size), str(source)], check=True)
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


def table(figures: dict[int, dict[str, tuple[float, float, float]]]) -> list[str]:
    lines = ["| notes | measurement | wall s | x floor | CPU s | x floor (CPU) | peak MB |", "|---:|---|---:|---:|---:|---:|---:|"]
    for size, results in figures.items():
        wall_base, cpu_base = results["floor"][:2]
        for name, (seconds, cpu, peak) in results.items():
            lines.append(
                f"| {size:,} | {name} | {seconds:.2f} | {seconds / wall_base:.2f} | {cpu:.2f} | {cpu / cpu_base:.2f} | {peak:.0f} |"
            )
    if 10_000 in figures and 50_000 in figures:
        lines += ["", "| growth 10,000 -> 50,000 | x (wall) | x (CPU) |", "|---|---:|---:|"]
        big, small = figures[50_000], figures[10_000]
        for name in small:
            lines.append(f"| {name} | {big[name][0] / small[name][0]:.2f} | {big[name][1] / small[name][1]:.2f} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], metavar="N")
    parser.add_argument("--with-50k", action="store_true", help="also measure 50,000 notes (~200 MB of notes)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the fastest counts")
    parser.add_argument("--floor", metavar="VAULT", help=argparse.SUPPRESS)  # the child that measures the floor
    parser.add_argument("--commit-stage", type=int, nargs="+", metavar="N", help="time only the commit of N changed notes")
    parser.add_argument(
        "--watch-latency", type=int, nargs="+", metavar="N", help="time only `daemon --watch` from a new note to its customer's commit"
    )
    parser.add_argument("--pathological-only", action="store_true", help="only time the pathological one-line notes")
    args = parser.parse_args()
    if args.floor:
        floor(args.floor)
        return
    if args.commit_stage:
        work = HERE / "out" / "work"
        work.mkdir(parents=True, exist_ok=True)
        print("| changed notes | blobs + journal s | private index, commit, update-ref, user index s |\n|---:|---:|---:|")
        for count in args.commit_stage:
            hashed, committed = commit_stage(count, work)
            print(f"| {count:,} | {hashed:.2f} | {committed:.2f} |")
        return
    if args.watch_latency:
        work = HERE / "out" / "work"
        work.mkdir(parents=True, exist_ok=True)
        print(f"Less the {WATCH_DEBOUNCE:g} s quiet time; fastest, median and slowest of {args.repeat} notes.\n")
        print("| notes | from the note's write s | from its commit s | daemon CPU s |\n|---:|---:|---:|---:|")
        for size in args.watch_latency:
            figures = watch_latency(size, args.repeat, work)
            columns = [sorted(f[column] for f in figures) for column in range(3)]
            middle = len(figures) // 2
            print(f"| {size:,} | " + " | ".join(f"{c[0]:.2f}, {c[middle]:.2f}, {c[-1]:.2f}" for c in columns) + " |")
        return
    if args.pathological_only:
        print("\n".join(pathological()))
        return
    sizes = sorted(set(args.sizes + ([50_000] if args.with_50k else [])))
    out = HERE / "out"
    work = out / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    figures = {}
    for size in sizes:
        print(f"measuring {size:,} notes ...", file=sys.stderr)
        figures[size] = bench_size(size, args.repeat, work)
    shutil.rmtree(work, ignore_errors=True)
    lines = [f"Machine: {machine()}; fastest of {args.repeat} runs each.", "", *table(figures), "", *pathological()]
    print("\n".join(lines))
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    (out / f"results-{stamp}.md").write_text("\n".join(lines) + "\n")
    (out / f"results-{stamp}.json").write_text(json.dumps({"machine": machine(), "figures": figures}, indent=2))


if __name__ == "__main__":
    main()
