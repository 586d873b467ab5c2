"""Pushing vaultbot's commit: never forced; once rejected, `pull --rebase` and one more try.

The push runs `git push --porcelain` and reads its status lines, so a rejection
is known exactly (and nothing logs git's error text when the retry succeeds).
`pull --rebase` rewrites the work tree, so it runs only when no tracked file
has uncommitted changes: stashing them (`--autostash`) could leave them in the
stash after a conflict, out of the user's sight. With such changes the push is
refused with a message that says what to do, and the local commit stays.
"""

from __future__ import annotations

import subprocess
from typing import NamedTuple

from git import Repo

from bot.git import GitError, call_git, first_lines, identity_env, operation_in_progress, run_git


class PushResult(NamedTuple):
    commit: str  # HEAD after pushing: `pull --rebase` gives the commit a new id
    pushed: bool
    note: str | None = None  # why nothing was pushed, when that is not a failure


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
    """(pushed, rejected because the remote has commits we lack, git's reason)."""
    done = call_git(repo, ["push", "--porcelain", "--", remote, f"refs/heads/{branch}:refs/heads/{remote_branch}"], "git push")
    statuses = [line.split("\t") for line in done.stdout.decode("utf-8", "replace").splitlines() if "\t" in line]
    failed = [fields for fields in statuses if fields[0] == "!"]
    if done.returncode == 0 and not failed:
        return True, False, ""
    summary = "; ".join(fields[-1].strip() for fields in failed)
    rejected = any("[rejected]" in fields[-1] for fields in failed)
    return False, rejected, summary or first_lines(done.stderr) or f"git push exited with {done.returncode}"


def _has_uncommitted_changes(repo: Repo) -> bool:
    return bool(run_git(repo, ["status", "--porcelain=v1", "-z", "--untracked-files=no"], "git status").strip(b"\0"))


def _rebase(repo: Repo, remote: str, remote_branch: str, author: str, sha: str) -> None:
    """`git pull --rebase`, undone when it stops half-way; GitError saying why it could not run."""
    where = f"{remote}/{remote_branch}"
    if _has_uncommitted_changes(repo):
        raise GitError(
            f"push to {where} was rejected (it has commits this clone lacks), and `git pull --rebase` would have to stash "
            f"your uncommitted changes, so vaultbot did not run it; the commit {sha[:12]} is kept locally: "
            "commit or stash your changes, then pull and push"
        )
    done = call_git(
        repo, ["pull", "--rebase", "--no-autostash", "--", remote, remote_branch], "git pull --rebase", env=identity_env(author)
    )
    if done.returncode != 0:
        if operation_in_progress(repo):
            call_git(repo, ["rebase", "--abort"], "git rebase --abort")
        raise GitError(
            f"push to {where} was rejected and `git pull --rebase` failed ({_pull_failure(done)}); the commit {sha[:12]} is kept locally"
        )


def _pull_failure(done: subprocess.CompletedProcess) -> str:
    """Why `git pull --rebase` stopped: its CONFLICT lines (on stdout), else its error lines, not the
    fetch's progress ("From ...", "* branch ...") that comes first on stderr."""
    conflicts = [line.strip() for line in done.stdout.decode("utf-8", "replace").splitlines() if line.startswith("CONFLICT")]
    if conflicts:
        return "; ".join(conflicts[:3]) + ("; ..." if len(conflicts) > 3 else "")
    errors = [line for line in done.stderr.decode("utf-8", "replace").splitlines() if line.startswith(("error:", "fatal:"))]
    return first_lines("\n".join(errors).encode()) or first_lines(done.stderr) or "no reason given"


def push(repo: Repo, author: str) -> PushResult:
    """Push the current branch; once rejected, `pull --rebase` and try again. Never forces.

    Raises GitError (naming the commit kept locally) when the push fails."""
    sha = repo.head.commit.hexsha
    if repo.head.is_detached:
        return PushResult(sha, False, "HEAD is detached: the commit was made, but pushing needs a branch")
    remote, branch, remote_branch = _upstream(repo)
    pushed, rejected, detail = _push_once(repo, remote, branch, remote_branch)
    if not pushed and rejected:
        _rebase(repo, remote, remote_branch, author, sha)
        pushed, _, detail = _push_once(repo, remote, branch, remote_branch)
    sha = run_git(repo, ["rev-parse", "HEAD"], "git rev-parse").decode().strip()
    if not pushed:
        raise GitError(f"push to {remote}/{remote_branch} failed: {detail}; the commit {sha[:12]} is kept locally")
    return PushResult(sha, True)
