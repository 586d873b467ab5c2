"""Time vaultbot's write stage alone: 1,000 notes rewritten in 600 folders.

    python benchmarks/write_batch.py [--notes 1000] [--folders 600] [--repeat 3]

Writes through bot/write_back.py `write_changes` as a run does, once made durable in batches
(bot/durable.py: one syncfs per batch, where the platform has it) and once with one fsync per
note (what Windows, macOS and older Linux do), on fresh copies in the system's temporary folder
(`VAULTBOT_BENCH_DIR`, as benchmarks/folders.py). Prints wall and CPU seconds, the fastest of
`--repeat` each: the machine may be busy with other work.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from folders import BENCH  # noqa: E402

import bot.durable  # noqa: E402
from bot.runner import Change  # noqa: E402
from bot.write_back import write_changes  # noqa: E402

BODY = "".join(f"Line {i} of a meeting note with [[a link]].\n" for i in range(80))  # ~4 KB, as generate.py


def _vault(root: Path, notes: int, folders: int) -> list[Change]:
    shutil.rmtree(root, ignore_errors=True)
    changes = []
    for i in range(notes):
        path = f"Customers/C{i % folders:03d}/Meeting {i:04d}.md"
        before = f"---\ntags: 'call'\n---\n{BODY}".encode()
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(before)
        changes.append(Change(path, ("bench",), before, before.replace(b"tags: 'call'", b"tags:\n  - call")))
    os.sync()  # the setup's own writes are not the measurement's
    return changes


def _measure(root: Path, notes: int, folders: int, batched: bool) -> tuple[float, float]:
    changes = _vault(root, notes, folders)
    if not batched:
        bot.durable._syncfs = lambda: None  # type: ignore[assignment]  # as on a platform without syncfs
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        result = write_changes(root, changes)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        bot.durable._syncfs = _REAL  # type: ignore[assignment]
    assert len(result.written) == notes, result.problems[:3]
    return wall, cpu


_REAL = bot.durable._syncfs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--folders", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    root = BENCH / "write-batch"  # not WORK, which benchmarks/run.py empties when it starts
    if not bot.durable.in_batches():
        print("this platform fsyncs each note (bot/durable.py): both rows measure the same thing")
    print(f"{args.notes:,} notes in {args.folders} folders, fastest of {args.repeat}")
    for label, batched in (("one fsync per note", False), ("batched (syncfs)", True)):
        runs = [_measure(root, args.notes, args.folders, batched) for _ in range(args.repeat)]
        wall, cpu = min(runs)[0], min(cpu for _, cpu in runs)
        print(f"{label:20s} wall {wall:6.2f} s   CPU {cpu:5.2f} s")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
