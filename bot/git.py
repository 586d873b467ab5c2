"""Talking to git: find the repository, check it, read HEAD and the work tree's state.

`open_repo` opens the repository holding a vault with GitPython (a `with`
block: a long-lived Repo keeps `git cat-file` processes alive, and a daemon
would leak them run after run). Everything else runs the git command line
through `run_git`, which feeds paths, messages and object lists on stdin (so no
argument list grows with the vault), sets `GIT_LITERAL_PATHSPECS` (a note called
`[Draft] x.md` is a name, not a glob), and turns any failure into one GitError
line that names the step. No string from a note or from the user ever lands
where git would read an option: the only paths on a command line are the vault
folder itself, after `--`, and a note's path glued to `--path=` (one note per
`hash-object`, for notes with filters).

Committing lives in bot/git_commit.py, the crash journal in bot/journal.py and
pushing in bot/git_push.py.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Collection, Iterator, Mapping, NamedTuple, Sequence

from git import InvalidGitRepositoryError, NoSuchPathError, Repo

from bot.errors import RunFailed

# Files git keeps in its folder while an operation waits for the user.
OPERATIONS = (
    ("MERGE_HEAD", "a merge"),
    ("rebase-merge", "a rebase"),
    ("rebase-apply", "a rebase (or `git am`)"),
    ("CHERRY_PICK_HEAD", "a cherry-pick"),
    ("REVERT_HEAD", "a revert"),
)


class GitError(RunFailed):
    """A git problem that stops the run (exit 3); the message names the step."""


@contextlib.contextmanager
def open_repo(vault: Path) -> Iterator[Repo | None]:
    """The repository holding `vault` (which may be a subfolder of it), or None; closed on exit."""
    try:
        repo = Repo(vault, search_parent_directories=True)
    except (InvalidGitRepositoryError, NoSuchPathError):
        yield None
        return
    if repo.bare or repo.working_tree_dir is None:
        repo.close()
        yield None
        return
    repo.git.update_environment(GIT_LITERAL_PATHSPECS="1")
    with repo:
        yield repo


def private_dir(repo: Repo) -> Path:
    """`.git/vaultbot/`: the journal, temporary blobs and fast-import marks live here."""
    return Path(repo.git_dir) / "vaultbot"


def call_git(
    repo: Repo, args: Sequence[str], step: str, *, stdin: bytes | None = None, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess:
    """`git ARGS` in the work tree, `stdin` fed to it, whatever its exit code; GitError when git cannot start."""
    command = [repo.git.GIT_PYTHON_GIT_EXECUTABLE or "git", *args]
    environment = {**os.environ, "GIT_LITERAL_PATHSPECS": "1", "GIT_TERMINAL_PROMPT": "0", **(env or {})}
    try:
        return subprocess.run(command, cwd=repo.working_tree_dir, input=stdin, capture_output=True, env=environment)
    except OSError as error:
        raise GitError(f"{step} failed: {error.strerror or error}") from None


def run_git(
    repo: Repo,
    args: Sequence[str],
    step: str,
    *,
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
    ok: tuple[int, ...] = (0,),
) -> bytes:
    """`git ARGS` in the work tree, `stdin` fed to it; its stdout. GitError names `step` when the
    exit code is not in `ok`."""
    done = call_git(repo, args, step, stdin=stdin, env=env)
    if done.returncode not in ok:
        raise GitError(f"{step} failed: {first_lines(done.stderr) or f'exit code {done.returncode}'}")
    return done.stdout


def first_lines(stderr: bytes) -> str:
    """git's message, without hints, in one line."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip() and not line.startswith("hint:")]
    return "; ".join(lines[:3])


def prefix(repo: Repo, vault: Path) -> str:
    """The vault folder relative to the work tree, '' at the top, with a trailing '/'."""
    assert repo.working_tree_dir is not None, "open_repo hands out only repositories with a work tree"
    relative = vault.resolve().relative_to(Path(repo.working_tree_dir).resolve()).as_posix()
    return "" if relative == "." else relative + "/"


def _vault_pathspec(vault_prefix: str) -> list[str]:
    return ["--", vault_prefix.rstrip("/")] if vault_prefix else []


def operation_in_progress(repo: Repo) -> str | None:
    """'a merge', 'a rebase', ... when git is waiting for the user to finish one."""
    git_dir = Path(repo.git_dir)
    for name, operation in OPERATIONS:
        if (git_dir / name).exists():
            return operation
    return None


def check_ready(repo: Repo, *, committing: bool) -> None:
    """Raise GitError when the run must not write (or commit) in this repository now."""
    operation = operation_in_progress(repo)
    if operation:
        raise GitError(f"{operation} is in progress in {repo.working_tree_dir}; finish or abort it first (nothing was written)")
    index_lock = Path(repo.git_dir) / "index.lock"
    if committing and index_lock.exists():
        raise GitError(
            f"{index_lock} exists: another git command is running, or one crashed and left it behind; "
            "if no git command is running, delete the file (nothing was written)"
        )


def head_commit(repo: Repo) -> str | None:
    """HEAD's commit id, or None on a branch with no commit yet."""
    out = run_git(repo, ["rev-parse", "-q", "--verify", "HEAD^{commit}"], "git rev-parse HEAD", ok=(0, 1)).strip()
    return out.decode() or None


class TreeEntry(NamedTuple):
    mode: str
    blob: str


FEW_PATHS = 256  # at most this many paths are named to `ls-tree` rather than listing the whole vault


def tree_entries(repo: Repo, commit: str | None, vault_prefix: str, wanted: Collection[str] | None = None) -> dict[str, TreeEntry]:
    """Repo path -> (mode, blob) of every file under the vault folder in `commit` (one `ls-tree`), or of
    those of `wanted` (repo paths) it has. A few wanted paths are named to git (a watch run's commit
    then costs what it changed, not the vault); more, and git lists the whole folder but only the
    wanted entries are decoded, so a run that changes 10,000 notes of 100,000 keeps 10,000."""
    if commit is None:
        return {}
    named = ["--", *wanted] if wanted is not None and 0 < len(wanted) <= FEW_PATHS else _vault_pathspec(vault_prefix)
    out = run_git(repo, ["ls-tree", "-r", "-z", "--full-tree", commit, *named], "git ls-tree")
    keep = None if wanted is None else {path.encode("utf-8", "surrogateescape") for path in wanted}
    entries: dict[str, TreeEntry] = {}
    for record in out.split(b"\0"):
        info, _, path = record.partition(b"\t")
        if not path or (keep is not None and path not in keep):
            continue
        mode, kind, blob = info.decode().split(" ")
        if kind == "blob":
            entries[path.decode("utf-8", "surrogateescape")] = TreeEntry(mode, blob)
    return entries


def read_blobs(repo: Repo, blobs: Sequence[str]) -> dict[str, bytes]:
    """Blob id -> its bytes, with one `git cat-file --batch` for all of them."""
    wanted = list(dict.fromkeys(blobs))
    if not wanted:
        return {}
    out = run_git(repo, ["cat-file", "--batch"], "git cat-file", stdin="".join(f"{blob}\n" for blob in wanted).encode())
    found: dict[str, bytes] = {}
    position = 0
    for blob in wanted:
        end = out.index(b"\n", position)
        header = out[position:end].decode().split(" ")
        position = end + 1
        if len(header) != 3:  # "<id> missing"
            continue
        size = int(header[2])
        found[blob] = out[position : position + size]
        position += size + 1
    return found


class WorkState(NamedTuple):
    """The vault's notes that differ from HEAD, from one `git status` (vault paths)."""

    # Files, and folders ("x/"; "" for the vault folder itself) that git lists as one entry:
    # an ignored folder, or an untracked one that is another repository.
    not_in_head: frozenset[str]  # untracked, or added to the index but never committed
    ignored: frozenset[str]
    changed: frozenset[str]  # tracked, with staged or unstaged changes (or both)


def work_state(repo: Repo, vault: Path) -> WorkState:
    """One `git status` over the vault folder: which files are not (exactly) what HEAD has."""
    vault_prefix = prefix(repo, vault)
    out = run_git(
        repo,
        ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignored=matching", "--no-renames", *_vault_pathspec(vault_prefix)],
        "git status",
        env={"GIT_OPTIONAL_LOCKS": "0"},  # a dry run must not even refresh the index
    )
    found: dict[str, set[str]] = defaultdict(set)
    for entry in out.split(b"\0"):
        if len(entry) < 4:
            continue
        code, path = entry[:2].decode(), entry[3:].decode("utf-8", "surrogateescape")
        if path.endswith("/") and vault_prefix.startswith(path):
            path = vault_prefix  # a folder holding the whole vault is ignored (or untracked)
        if not path.startswith(vault_prefix):
            continue
        path = path[len(vault_prefix) :]
        if code == "!!":
            found["ignored"].add(path)
        elif code == "??" or code[0] == "A":
            found["new"].add(path)
        else:
            found["changed"].add(path)
    changed = found["changed"] - found["new"]  # `git rm --cached`: deleted in the index, untracked on disk
    return WorkState(frozenset(found["new"]), frozenset(found["ignored"]), frozenset(changed))


def ignored_paths(repo: Repo, vault: Path, paths: Sequence[str]) -> set[str]:
    """Those of `paths` (vault-relative) that git ignores, with one `git check-ignore --stdin`."""
    if not paths:
        return set()
    vault_prefix = prefix(repo, vault)
    data = b"".join((vault_prefix + path).encode("utf-8", "surrogateescape") + b"\0" for path in paths)
    # check-ignore takes paths, not pathspecs, and refuses the `literal` magic the other commands get.
    env = {"GIT_LITERAL_PATHSPECS": "0"}
    out = run_git(repo, ["check-ignore", "-z", "--stdin", "--no-index"], "git check-ignore", stdin=data, env=env, ok=(0, 1))
    return {path.decode("utf-8", "surrogateescape")[len(vault_prefix) :] for path in out.split(b"\0") if path}


def parse_identity(author: str) -> tuple[str, str]:
    """('Name', 'email') from 'Name <email>' (bot/config.py has validated the form)."""
    name, _, email = author.partition("<")
    return name.strip(), email.strip().rstrip(">").strip()


def identity_env(author: str) -> dict[str, str]:
    """Author and committer for git, set explicitly: git would invent `user@hostname` on a bare server."""
    name, email = parse_identity(author)
    return {"GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email}


def commit_message(files_by_rule: Mapping[str, Sequence[str]], notes: int, first_line: str | None = None) -> str:
    """`vaultbot: N notes updated (rule n, ...)`, then each rule and its files."""
    counted = sorted(((rule, files) for rule, files in files_by_rule.items() if files), key=lambda item: -len(item[1]))
    counts = ", ".join(f"{rule} {len(files)}" for rule, files in counted)
    title = (
        first_line.strip() if first_line and first_line.strip() else f"vaultbot: {notes} note{'s' if notes != 1 else ''} updated ({counts})"
    )
    body = [f"{rule} ({len(files)}):\n" + "".join(f"  {path}\n" for path in files) for rule, files in counted]
    return title + "\n\n" + "\n".join(body)


def files_by_rule(changes: Sequence[tuple[str, Sequence[str]]]) -> dict[str, list[str]]:
    """{rule: [paths]} from (path, rules) pairs, in the order the rules ran."""
    by_rule: dict[str, list[str]] = defaultdict(list)
    for path, rules in changes:
        for rule in rules:
            by_rule[rule].append(path)
    return dict(by_rule)
