"""vaultbot's commit, built from the bytes it wrote: never from the work tree, never through the user's index.

1. `hash_contents` stores each new note content as a blob before any note is
   written. A blob must be what `git add` would store, so the paths whose
   attributes or `core.autocrlf` ask for a conversion (`text`, `eol`, `crlf`,
   `filter`, `ident`, `working-tree-encoding`; one `git check-attr --stdin`)
   are hashed one by one with `git hash-object --path=P --stdin`, which runs
   the same filters, unless the only conversion is CRLF to LF and the bytes
   hold no CRLF; all the others, stored as they are, in one `git
   fast-import` stream (one pack, not one file per note).
2. `build_commit` makes the commit with one `git fast-import` from the
   parent: each changed path set to its blob or removed (a moved note is a
   removal plus an addition, which git shows as a rename), the message on
   stdin. fast-import reads only the trees on those paths, so the cost does
   not grow with the repository. No hook runs (plumbing), as with any bot commit.
3. `advance_head` moves HEAD with `update-ref HEAD NEW OLD`: when someone
   committed meanwhile, the update fails and their commit stays. Then, as
   `git commit` does, `git gc --auto`: each run adds its objects, loose (fast-
   import unpacks fewer than 100) or as packs, and a daemon committing hourly
   for a year would leave tens of thousands, every object lookup and fetch
   slower for them. git decides (nothing below `gc.auto` loose objects and
   `gc.autoPackLimit` packs; `gc.auto=0` turns it off) and by default packs in
   the background (`gc.autoDetach`); in the foreground, the user's index is
   brought in line (4.) once it is done.
4. `sync_user_index` then points the user's index entries for those paths at
   the new blobs, but only entries that still hold the blob HEAD had before:
   a change the user staged meanwhile stays staged, and the rest of their
   staging is never touched. `git status` then shows vaultbot's notes clean.

No argument list grows with the number of notes: paths, entries and the
message all go through stdin or files.
"""

from __future__ import annotations

import hashlib
import shutil
from typing import Collection, NamedTuple, Sequence

from git import Repo

from bot.git import GitError, call_git, identity_env, parse_identity, private_dir, run_git

ATTRIBUTES = ("text", "eol", "crlf", "filter", "ident", "working-tree-encoding")
PRIVATE_INDEX = "commit-index"  # where earlier versions built the commit: one they left when killed is removed
COMMIT_MARKS = "commit-marks"
BLOB_FOLDER = "blobs"


class IndexUpdate(NamedTuple):
    """One path of vaultbot's commit: `blob` at `path` (with `mode`), or the path removed (blob None)."""

    path: str  # repo-relative
    mode: str
    blob: str | None
    replaced: str | None  # the blob HEAD had at `path` before, None when it had none


def commit_ref(repo: Repo) -> str:
    """The private ref fast-import records vaultbot's commit in, one per work tree (linked work trees
    share refs, and each has its own run lock)."""
    return "refs/vaultbot/commit-" + hashlib.sha256(str(private_dir(repo)).encode("utf-8", "surrogateescape")).hexdigest()[:12]


def remove_leftovers(repo: Repo) -> None:
    """What a killed run left: temporary blobs, marks, the commit ref (and an older version's private index); callers hold the run lock."""
    folder = private_dir(repo)
    for name in (PRIVATE_INDEX, PRIVATE_INDEX + ".lock", COMMIT_MARKS):
        (folder / name).unlink(missing_ok=True)
    shutil.rmtree(folder / BLOB_FOLDER, ignore_errors=True)
    remove_commit_ref(repo)


def _line_ending_settings(repo: Repo) -> tuple[bool, bool]:
    """(core.autocrlf converts, core.safecrlf is `true`), from one `git config`."""
    out = run_git(repo, ["config", "-z", "--get-regexp", r"^core\.(autocrlf|safecrlf)$"], "git config", ok=(0, 1)).decode()
    values = dict(entry.split("\n", 1) for entry in out.split("\0") if "\n" in entry)
    autocrlf = values.get("core.autocrlf", "").strip().lower() in ("true", "input", "yes", "on", "1")
    return autocrlf, values.get("core.safecrlf", "").strip().lower() in ("true", "yes", "on", "1")


# What `git add` may do to a file's bytes: FILTER (a filter driver, `ident`, a working-tree
# encoding) can change any content; EOL (text, eol, crlf, core.autocrlf) only turns CRLF into
# LF, so content without a CRLF is stored as it is (git's crlf_to_git returns early then).
FILTER, EOL = "filter", "eol"


def _conversion(attributes: dict[str, str], autocrlf: bool) -> str | None:
    """FILTER, EOL or None: what `git add` would do to a file's bytes on the way in, given its attributes."""

    def given(name: str) -> bool:
        return attributes.get(name, "unspecified") not in ("unspecified", "unset")

    if given("filter") or given("ident") or given("working-tree-encoding"):
        return FILTER
    text = attributes.get("text", "unspecified")
    if text == "unset":  # binary: stored as is, whatever the other settings say
        return None
    return EOL if text in ("set", "auto") or given("eol") or given("crlf") or autocrlf else None


def conversions(repo: Repo, paths: Sequence[str]) -> dict[str, str]:
    """Those of `paths` whose content git may convert when adding, and how (one `git check-attr --stdin`).
    With core.safecrlf true, git refuses some line-ending conversions outright, so EOL counts as FILTER."""
    if not paths:
        return {}
    autocrlf, safecrlf = _line_ending_settings(repo)
    stdin = b"".join(path.encode("utf-8", "surrogateescape") + b"\0" for path in paths)
    out = run_git(repo, ["check-attr", "-z", "--stdin", *ATTRIBUTES], "git check-attr", stdin=stdin)
    fields = out.split(b"\0")
    attributes: dict[str, dict[str, str]] = {}
    for index in range(0, len(fields) - 2, 3):
        path = fields[index].decode("utf-8", "surrogateescape")
        attributes.setdefault(path, {})[fields[index + 1].decode()] = fields[index + 2].decode()
    found = {path: _conversion(attributes.get(path, {}), autocrlf) for path in paths}
    return {path: FILTER if safecrlf else kind for path, kind in found.items() if kind is not None}


def hash_contents(repo: Repo, contents: Sequence[tuple[str, bytes]]) -> list[str]:
    """Store each (repo path, bytes) as the blob `git add` would make of it; the blob ids, in order.

    Only contents git would change go through `git hash-object` one by one: a filter's, or a
    line-ending conversion's when the bytes hold a CRLF. The rest, stored as they are, share one
    `git fast-import`, so a vault with `* text=auto` or core.autocrlf and LF notes costs no
    process per note."""
    converted = conversions(repo, [path for path, _ in contents])
    blobs: list[str | None] = [None] * len(contents)
    plain = []
    for index, (path, data) in enumerate(contents):
        kind = converted.get(path)
        if kind == FILTER or (kind == EOL and b"\r\n" in data):  # `--path=` in the same argument: never an option
            blobs[index] = run_git(repo, ["hash-object", "-w", f"--path={path}", "--stdin"], "git hash-object", stdin=data).decode().strip()
        else:
            plain.append(index)
    if plain:
        for index, blob in zip(plain, _store_unfiltered(repo, [contents[index][1] for index in plain])):
            blobs[index] = blob
    if any(blob is None for blob in blobs):
        raise GitError("git hash-object failed: fewer object ids than contents")
    return [blob for blob in blobs if blob is not None]


def _store_unfiltered(repo: Repo, datas: Sequence[bytes]) -> list[str]:
    """Store each content as a blob, as is, with one `git fast-import`: it writes one pack instead of
    a loose object per note (3 to 4 times faster at 10,000 notes), and reports each blob's id by its mark."""
    folder = private_dir(repo) / BLOB_FOLDER
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    marks = folder / "marks"
    stream = b"".join(b"blob\nmark :%d\ndata %d\n%s\n" % (number, len(data), data) for number, data in enumerate(datas, 1))
    try:
        # --depth=0: no delta against the blob before, another note's, which saved under 1% of the pack
        # and cost a quarter of fast-import's CPU at 10,000 notes (git gc deltifies the pack later anyway).
        command = ["fast-import", "--quiet", "--done", "--depth=0", f"--export-marks={marks}"]
        run_git(repo, command, "git fast-import", stdin=stream + b"done\n")
        ids = dict(line.split(" ", 1) for line in marks.read_text(encoding="ascii").split("\n") if line)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return [ids[f":{number}"] for number in range(1, len(datas) + 1)]


def fast_import_path(path: str) -> bytes:
    """`path` as a C-style quoted string, which fast-import takes for any name (quotes, newlines, spaces)."""
    quoted = bytearray(b'"')
    for byte in path.encode("utf-8", "surrogateescape"):
        if byte in (0x22, 0x5C):  # " and \\
            quoted += b"\\" + bytes([byte])
        elif byte < 0x20 or byte == 0x7F:
            quoted += b"\\%03o" % byte
        else:
            quoted.append(byte)
    return bytes(quoted + b'"')


def build_commit(repo: Repo, parent: str | None, updates: Sequence[IndexUpdate], message: str, author: str) -> str | None:
    """A commit of `parent`'s tree with `updates` applied; its id, or None when the tree is unchanged.

    One `git fast-import` builds it: it reads only the trees on the changed notes' paths and
    writes the new ones into one pack, where an index of the whole repository (`read-tree`,
    `write-tree`) cost a pass over every entry and a loose object per changed folder (9.6 s of
    writing trees for 10,000 notes in a 100,000-note repository). fast-import records its commit
    in a ref, so in a private one (`commit_ref`), deleted at once. HEAD does not move
    here (see `advance_head`)."""
    name, email = parse_identity(author)
    zero = "0" * (len(parent) if parent else 40)
    ref = commit_ref(repo).encode()
    stream = [b"reset %s\n" % ref]  # the commit's parent is `parent` alone, whatever the ref held
    stream.append(b"commit %s\nmark :1\n" % ref)
    for role in (b"author", b"committer"):
        stream.append(b"%s %s <%s> now\n" % (role, name.encode(), email.encode()))
    data = message.encode("utf-8")
    stream.append(b"data %d\n%s\n" % (len(data), data))
    if parent is not None:
        stream.append(b"from %s\n" % parent.encode())
    for update in updates:
        if update.blob is None or update.blob == zero:
            stream.append(b"D " + fast_import_path(update.path) + b"\n")
        else:
            stream.append(b"M %s %s " % (update.mode.encode(), update.blob.encode()) + fast_import_path(update.path) + b"\n")
    stream.append(b"\ndone\n")
    folder = private_dir(repo)
    folder.mkdir(parents=True, exist_ok=True)
    marks = folder / COMMIT_MARKS
    try:
        command = ["fast-import", "--quiet", "--done", "--force", "--date-format=now", f"--export-marks={marks}"]
        run_git(repo, command, "git fast-import (vaultbot's commit)", stdin=b"".join(stream), env=identity_env(author))
        commit = dict(line.split(" ", 1) for line in marks.read_text(encoding="ascii").split("\n") if line)[":1"]
    finally:
        marks.unlink(missing_ok=True)
        remove_commit_ref(repo)
    if parent is None:
        return commit
    trees = run_git(repo, ["rev-parse", f"{commit}^{{tree}}", f"{parent}^{{tree}}"], "git rev-parse").split()
    return None if trees[0] == trees[1] else commit


def remove_commit_ref(repo: Repo) -> None:
    """Delete the private ref fast-import leaves its commit in (no error when there is none)."""
    run_git(repo, ["update-ref", "-d", commit_ref(repo)], "git update-ref -d (vaultbot's own ref)")


def advance_head(repo: Repo, new: str, old: str | None) -> None:
    """Move HEAD (its branch) from `old` to `new`; GitError when HEAD is no longer `old`."""
    try:
        run_git(repo, ["update-ref", "-m", "commit: vaultbot", "HEAD", new, old or ""], "git update-ref")
    except GitError as error:
        raise GitError(f"{error} (HEAD moved while vaultbot ran: someone committed; their commit is kept)") from None
    collect_garbage(repo)


def collect_garbage(repo: Repo) -> None:
    """`git gc --auto`, as git's own commands run it after adding objects. Its outcome is not the
    run's: the commit is made, and a gc that fails (or is running already) leaves the repository as it was."""
    try:
        call_git(repo, ["gc", "--auto", "--quiet"], "git gc --auto")
    except GitError:
        pass  # git cannot start: the commit was made with it a moment ago, and the next commit tries again


class IndexEntry(NamedTuple):
    mode: str
    blob: str
    stage: str


def user_index(repo: Repo, vault_prefix: str, wanted: Collection[str]) -> dict[str, IndexEntry]:
    """The user's index entries for `wanted` (repo paths under the vault folder): path -> entry. One
    `git ls-files` lists the folder; only the wanted entries are decoded."""
    spec = ["--", vault_prefix.rstrip("/")] if vault_prefix else []
    out = run_git(repo, ["ls-files", "-s", "-z", *spec], "git ls-files")
    keep = {path.encode("utf-8", "surrogateescape") for path in wanted}
    entries: dict[str, IndexEntry] = {}
    for record in out.split(b"\0"):
        info, _, path = record.partition(b"\t")
        if path in keep:
            mode, blob, stage = info.decode().split(" ")
            entries[path.decode("utf-8", "surrogateescape")] = IndexEntry(mode, blob, stage)
    return entries


def sync_user_index(repo: Repo, vault_prefix: str, updates: Sequence[IndexUpdate]) -> None:
    """Point the user's index at vaultbot's new blobs where it still holds what HEAD had before.

    An entry the user changed (staged their own version, removed, or left in a
    conflict) is theirs and stays as it is."""
    if not updates:
        return
    entries = user_index(repo, vault_prefix, [update.path for update in updates])
    lines = []
    for update in updates:
        current = entries.get(update.path)
        unchanged = current.stage == "0" and current.blob == update.replaced if current is not None else update.replaced is None
        if not unchanged:
            continue
        if update.blob is None:
            if current is not None:
                lines.append(f"0 {'0' * len(current.blob)}\t".encode() + update.path.encode("utf-8", "surrogateescape") + b"\0")
        else:
            lines.append(f"{update.mode} {update.blob}\t".encode() + update.path.encode("utf-8", "surrogateescape") + b"\0")
    if lines:
        run_git(repo, ["update-index", "-z", "--index-info"], "git update-index (your index)", stdin=b"".join(lines))
        # --index-info stores no stat data, so plumbing that trusts it (`git diff-index --quiet HEAD`,
        # which scripts ask before committing) would see those notes changed until a refresh.
        # Exit code 1: some file differs from its entry (an edit made since), which stays shown as such.
        run_git(repo, ["update-index", "-q", "--refresh"], "git update-index --refresh (your index)", ok=(0, 1))
