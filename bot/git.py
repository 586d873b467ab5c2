"""The only module that talks to git: find the repo, check it, commit, push.

Small plain functions over a GitPython `Repo`, which the caller opens once per
run with `open_repo` in a `with` block: a long-lived Repo keeps `git cat-file`
processes alive, and a daemon would leak them run after run.

Staging and committing go through the git command line (`repo.git.add`,
`repo.git.commit`), not `repo.index.add`: GitPython's index ignores
`.gitattributes` filters and line-ending rules, so a note would be committed
with bytes git itself would never store. The committer identity is set
explicitly, or git and GitPython invent `user@hostname` on a bare server.
Pathspecs are literal (`GIT_LITERAL_PATHSPECS`): a note called `[Draft] x.md`
is a name, not a glob.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from pathlib import Path
from typing import Iterator, Mapping, NamedTuple, Sequence

from git import GitCommandError, InvalidGitRepositoryError, NoSuchPathError, PushInfo, Repo

# Files git keeps in its folder while an operation waits for the user.
OPERATIONS = (
    ("MERGE_HEAD", "a merge"),
    ("rebase-merge", "a rebase"),
    ("rebase-apply", "a rebase (or `git am`)"),
    ("CHERRY_PICK_HEAD", "a cherry-pick"),
    ("REVERT_HEAD", "a revert"),
)
PUSH_FAILED = PushInfo.ERROR | PushInfo.REJECTED | PushInfo.REMOTE_REJECTED | PushInfo.REMOTE_FAILURE


class GitError(Exception):
    """A git problem that stops the run (exit 3)."""


class PushResult(NamedTuple):
    commit: str  # HEAD after pushing: `pull --rebase` gives the commit a new sha
    pushed: bool
    note: str | None = None  # why nothing was pushed, when that is not a failure


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


def _prefix(repo: Repo, vault: Path) -> str:
    """The vault folder relative to the work tree, '' at the top, with a trailing '/'."""
    relative = vault.resolve().relative_to(Path(repo.working_tree_dir).resolve()).as_posix()
    return "" if relative == "." else relative + "/"


def repo_paths(repo: Repo, vault: Path, paths: Sequence[str]) -> list[str]:
    prefix = _prefix(repo, vault)
    return [prefix + path for path in paths]


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


def _status_reason(code: str) -> str:
    if code == "??":
        return "is not committed to git yet (untracked); left as it is until it is committed"
    if code == "!!":
        return "is ignored by git; left as it is (vaultbot commits what it changes)"
    return "has uncommitted changes; left as it is (the first run after they are committed updates it)"


def notes_to_leave(repo: Repo, vault: Path, paths: Sequence[str]) -> dict[str, str]:
    """Of `paths` (vault-relative), those a commit must not touch, each with the reason.

    A note someone has modified or staged but not committed is theirs until they
    commit it; an untracked or ignored note is not ours to commit either.
    """
    if not paths:
        return {}
    prefix = _prefix(repo, vault)
    output = repo.git.status("--porcelain=v1", "-z", "--untracked-files=all", "--ignored=matching", "--", *(prefix + p for p in paths))
    leave: dict[str, str] = {}
    entries = iter(output.split("\0"))
    for entry in entries:
        if len(entry) < 4:
            continue
        code, path = entry[:2], entry[3:]
        if code[0] in "RC":
            next(entries, None)  # the rename's source path follows
        if path.startswith(prefix):
            leave[path[len(prefix):]] = _status_reason(code)
    return leave


def parse_identity(author: str) -> tuple[str, str]:
    """('Name', 'email') from 'Name <email>' (bot/config.py has validated the form)."""
    name, _, email = author.partition("<")
    return name.strip(), email.strip().rstrip(">").strip()


def _identity_env(author: str) -> dict[str, str]:
    name, email = parse_identity(author)
    return {"GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email}


def commit_message(files_by_rule: Mapping[str, Sequence[str]], notes: int, first_line: str | None = None) -> str:
    """`vaultbot: N notes updated (rule n, ...)`, then each rule and its files."""
    counted = sorted(((rule, files) for rule, files in files_by_rule.items() if files), key=lambda item: -len(item[1]))
    counts = ", ".join(f"{rule} {len(files)}" for rule, files in counted)
    title = first_line.strip() if first_line and first_line.strip() else f"vaultbot: {notes} note{'s' if notes != 1 else ''} updated ({counts})"
    body = [f"{rule} ({len(files)}):\n" + "".join(f"  {path}\n" for path in files) for rule, files in counted]
    return title + "\n\n" + "\n".join(body)


def files_by_rule(changes: Sequence[tuple[str, Sequence[str]]]) -> dict[str, list[str]]:
    """{rule: [paths]} from (path, rules) pairs, in the order the rules ran."""
    by_rule: dict[str, list[str]] = defaultdict(list)
    for path, rules in changes:
        for rule in rules:
            by_rule[rule].append(path)
    return dict(by_rule)


def _git_failure(action: str, error: GitCommandError) -> GitError:
    detail = (error.stderr or "").strip().replace("stderr: ", "").strip("'\n ") or str(error)
    return GitError(f"{action} failed: {detail}")


def commit(repo: Repo, vault: Path, paths: Sequence[str], message: str, author: str) -> str | None:
    """Commit exactly `paths` (vault-relative; written, added or removed); the sha, or None when nothing changed.

    `git commit -- paths` commits those paths only, so whatever else the user
    has staged stays staged and out of vaultbot's commit. A removed path is
    staged as a removal, so a note moved by the run is recorded as a rename.
    """
    if not paths:
        return None
    targets = repo_paths(repo, vault, paths)
    try:
        repo.git.add("--all", "--", *targets)
        if not repo.git.diff("--cached", "--name-only", "--", *targets):
            return None
        repo.git.commit("--author", author, "-m", message, "--", *targets, env=_identity_env(author))
    except GitCommandError as error:
        raise _git_failure("git commit", error) from None
    return repo.head.commit.hexsha


def _upstream(repo: Repo) -> tuple[str, str, str]:
    """(remote, local branch, remote branch) the current branch pushes to."""
    branch = repo.active_branch
    tracking = branch.tracking_branch()
    if tracking is not None:
        return tracking.remote_name, branch.name, tracking.remote_head
    if any(remote.name == "origin" for remote in repo.remotes):
        return "origin", branch.name, branch.name
    raise GitError(f"push: branch {branch.name} has no upstream and there is no remote 'origin'")


def _push_once(repo: Repo, remote: str, branch: str, remote_branch: str) -> tuple[bool, bool, str]:
    """(pushed, rejected as not a fast-forward, git's summary)."""
    try:
        infos = repo.remote(remote).push(f"refs/heads/{branch}:refs/heads/{remote_branch}")
    except (GitCommandError, ValueError) as error:
        return False, False, str(getattr(error, "stderr", "") or error).strip()
    if not infos:
        return False, False, "git push reported nothing"
    failed = [info for info in infos if info.flags & PUSH_FAILED]
    if not failed:
        return True, False, ""
    rejected = any(info.flags & PushInfo.REJECTED for info in failed)
    return False, rejected, "; ".join(info.summary.strip() for info in failed)


def push(repo: Repo, author: str) -> PushResult:
    """Push the current branch; once rejected, `pull --rebase` and try again. Never forces.

    Raises GitError when the push fails; the local commit is kept either way.
    """
    if repo.head.is_detached:
        return PushResult(repo.head.commit.hexsha, False, "HEAD is detached: the commit was made, but pushing needs a branch")
    remote, branch, remote_branch = _upstream(repo)
    pushed, rejected, detail = _push_once(repo, remote, branch, remote_branch)
    if not pushed and rejected:
        try:
            repo.git.pull("--rebase", remote, remote_branch, env=_identity_env(author))
        except GitCommandError as error:
            if operation_in_progress(repo):
                with contextlib.suppress(GitCommandError):
                    repo.git.rebase("--abort")
            raise GitError(
                f"push to {remote}/{remote_branch} was rejected and `git pull --rebase` failed "
                f"({_git_failure('pull', error)}); the commit is kept locally"
            ) from None
        pushed, _, detail = _push_once(repo, remote, branch, remote_branch)
    sha = repo.head.commit.hexsha
    if not pushed:
        raise GitError(f"push to {remote}/{remote_branch} failed: {detail or 'unknown error'}; the commit {sha[:12]} is kept locally")
    return PushResult(sha, True)
