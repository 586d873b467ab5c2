"""The Action's pull-request mode: vaultbot's commit on a branch of its own, and one pull request.

For repositories whose branch is protected against direct pushes. Before the
run, a local branch (`vaultbot/maintenance` by default) is started at the
checked-out branch (the base), so the run commits there; then the branch is
pushed and the `gh` CLI (on every GitHub-hosted runner) opens a pull request
into the base, or updates the one already open from that branch.

The branch belongs to vaultbot: each run rebuilds it from the base, so the
pull request always shows exactly what vaultbot would change now. The push is
`--force-with-lease` against the sha the remote had when the run looked, so a
push that raced ours is never overwritten; and a run whose commit would have
the same parent and the same files as the remote branch pushes nothing (no new
commit, no notification each day while a pull request waits for review).

Like the shell script an Action step would be, this module calls the git and
gh commands itself, each with an argument list and never through a shell.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Mapping

from bot.errors import RunFailed, UsageError

BODY_LIMIT = 60_000  # GitHub refuses pull request bodies over 65,536 characters
BRANCH_NOTE = "This branch is rebuilt by vaultbot on every run: commits pushed to it by hand are replaced."


class PullRequestError(RunFailed):
    """A git or gh step of pull-request mode failed; the message says which and why."""


class UnusableBranch(UsageError, PullRequestError):
    """The `pull-request-branch` input names no branch vaultbot can own: a usage error (exit 2), which
    whoever catches PullRequestError catches too."""


def _command(args: list[str], folder: Path, env: Mapping[str, str] | None = None) -> str:
    try:
        process = subprocess.run(args, cwd=folder, env=env, capture_output=True, encoding="utf-8", errors="replace")
    except OSError as error:  # no such program
        raise PullRequestError(f"{args[0]}: {error.strerror or error}") from None
    if process.returncode:
        detail = (process.stderr.strip() or process.stdout.strip()).splitlines()
        raise PullRequestError(f"`{' '.join(args[:3])}` failed: {detail[-1] if detail else f'exit {process.returncode}'}")
    return process.stdout


def _git(folder: Path, *args: str) -> str:
    return _command(["git", *args], folder)


def base_branch(folder: Path) -> str:
    """The checked-out branch, which the pull request goes into."""
    try:
        return _git(folder, "symbolic-ref", "--quiet", "--short", "HEAD").strip()
    except PullRequestError:
        raise PullRequestError("pull-request mode needs a checked-out branch to open the pull request into; HEAD is detached") from None


def check_branch(folder: Path, branch: str, base: str) -> None:
    try:
        named = _git(folder, "check-ref-format", "--branch", branch).strip()
    except PullRequestError:
        named = ""
    # --branch also accepts `@{-1}` and prints the branch it stands for (the one checked out
    # before); `checkout -B` would reset that branch. Only a name that is itself the branch will do.
    if named != branch:
        raise UnusableBranch(f"pull-request-branch: {branch!r} is not a valid branch name")
    if branch == base:
        raise UnusableBranch(f"pull-request-branch: {branch!r} is the checked-out branch itself; name a branch of vaultbot's own")


def start_branch(folder: Path, branch: str) -> None:
    """Make `branch` the checked-out branch, at the base's commit, so the run commits there."""
    _git(folder, "checkout", "--quiet", "-B", branch)


def _remote_sha(folder: Path, branch: str) -> str:
    listed = _git(folder, "ls-remote", "origin", f"refs/heads/{branch}").split()
    return listed[0] if listed else ""


def _same_as_remote(folder: Path, branch: str, remote_sha: str) -> bool:
    """Whether HEAD has the remote branch's parent and files (only its date and sha differ)."""
    _git(folder, "fetch", "--quiet", "--no-tags", "origin", f"refs/heads/{branch}")
    ours = _git(folder, "rev-parse", "HEAD^", "HEAD^{tree}").split()
    try:
        theirs = _git(folder, "rev-parse", f"{remote_sha}^", f"{remote_sha}^{{tree}}").split()
    except PullRequestError:  # a commit without a parent: not one of vaultbot's
        return False
    return ours == theirs


def publish(folder: Path, base: str, branch: str, body: str, env: Mapping[str, str]) -> tuple[str, bool]:
    """Push HEAD to `branch` and open or update its pull request into `base`, titled as
    HEAD's commit: (the pull request's URL, whether the branch moved)."""
    title = _git(folder, "log", "-1", "--format=%s").strip()
    remote_sha = _remote_sha(folder, branch)
    moved = not (remote_sha and _same_as_remote(folder, branch, remote_sha))
    if moved:
        _git(folder, "push", "--quiet", f"--force-with-lease=refs/heads/{branch}:{remote_sha}", "origin", f"HEAD:refs/heads/{branch}")
    if len(body) > BODY_LIMIT:
        body = body[:BODY_LIMIT] + "\n\n(cut short: the job summary has the rest)\n"
    body = f"{body}\n---\n{BRANCH_NOTE}\n"
    gh_env = dict(env)
    if env.get("GITHUB_REPOSITORY"):
        gh_env["GH_REPO"] = env["GITHUB_REPOSITORY"]  # gh would otherwise guess from the remotes
    listed = _command(
        ["gh", "pr", "list", "--head", branch, "--base", base, "--state", "open", "--json", "number,url", "--limit", "1"], folder, gh_env
    )
    try:
        open_requests = json.loads(listed or "[]")
    except ValueError:
        raise PullRequestError(f"`gh pr list` printed something other than JSON: {listed[:200]!r}") from None
    if open_requests:
        number, url = str(open_requests[0]["number"]), open_requests[0]["url"]
        if moved:
            _command(["gh", "pr", "edit", number, "--title", title, "--body", body], folder, gh_env)
        return url, moved
    created = _command(["gh", "pr", "create", "--base", base, "--head", branch, "--title", title, "--body", body], folder, gh_env)
    return created.strip().splitlines()[-1] if created.strip() else "", moved
