"""The GitHub Action's steps, run as a runner runs them, on a real temporary vault repository."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.pull_request import BRANCH_NOTE
from bot.today import today
from tests.vaults import REPO, git, write_vault

ACTION = yaml.safe_load((REPO / "action.yml").read_text())
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
ANN = "---\ntype: person\nlast_contact: unknown\n---\n# Ann\n"
CALL = "---\ndate: 2026-11-20\ntype: meeting\n---\nCall with [[Ann]] about pricing.\n"


TOKEN = "ghs_workflow_token_for_the_test"


def expand(value: str, inputs: dict[str, str], steps: dict[str, dict[str, str]]) -> str:
    """What the runner does to `${{ }}` in a step's `env:`: inputs, earlier steps' outputs, the action's path, the token."""

    def one(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression == "github.action_path":
            return str(REPO)
        if expression == "github.token":
            return TOKEN
        if expression.startswith("steps."):
            step, _, output = expression.removeprefix("steps.").partition(".outputs.")
            return steps.get(step, {}).get(output, "")
        assert expression.startswith("inputs."), expression
        name = expression.removeprefix("inputs.")
        return expand(inputs.get(name, str(ACTION["inputs"][name].get("default", ""))), inputs, steps)

    return EXPRESSION.sub(one, value)


def run_action(workspace: Path, runner: Path, inputs: dict[str, str], path: str | None = None) -> subprocess.CompletedProcess:
    """Each `run:` step of action.yml in bash, with the runner's variables set.

    `uses:` steps (setup-python, the cache) and the install step are the runner's
    business: vaultbot is already installed in this interpreter, which stands in
    for the virtual environment the install step makes (reinstalling from the
    checkout would replace the developer's editable install). Each step gets its
    own `$GITHUB_OUTPUT`, as on a runner; the run step's is `runner/output`.
    """
    summary = runner / "summary"
    base = {
        **os.environ,
        "PATH": os.pathsep.join(filter(None, [path, str(Path(sys.executable).parent), os.environ["PATH"]])),
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_ACTION_PATH": str(REPO),
        "RUNNER_TEMP": str(runner),
        "RUNNER_OS": "Linux",
        "GITHUB_REPOSITORY": "owner/vault",
    }
    steps: dict[str, dict[str, str]] = {"install": {"python": sys.executable}}
    result = None
    for step in ACTION["runs"]["steps"]:
        if "run" not in step or step["id"] == "install":
            continue
        output = runner / ("output" if step["id"] == "run" else f"output-{step['id']}")
        output.write_text("")
        env = {
            **base,
            "GITHUB_OUTPUT": str(output),
            **{name: expand(str(value), inputs, steps) for name, value in step.get("env", {}).items()},
        }
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        steps[step["id"]] = dict(line.split("=", 1) for line in output.read_text().splitlines())
        if result.returncode:
            break
    assert result is not None
    return result


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A vault repository checked out from a bare remote, as actions/checkout leaves it."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    origin = tmp_path / "origin"
    origin.mkdir()
    git(origin, "init", "-q", "-b", "main")
    write_vault(
        origin / "notes",
        {".vaultbot.yaml": "rules:\n  last-contact: {create_missing: false}\n", "People/Ann.md": ANN, "Meetings/2026-11-20 Call.md": CALL},
    )
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "notes")
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(origin), str(bare))
    workspace = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(bare), str(workspace))
    return workspace


@pytest.fixture
def runner(tmp_path: Path) -> Path:
    folder = tmp_path / "runner"
    folder.mkdir()
    return folder


def outputs(runner: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in (runner / "output").read_text().splitlines())


# The simulated runner runs the steps in bash and puts a `gh` script on PATH, as on Linux.
ON_A_RUNNER = pytest.mark.posix("simulates a Linux runner: bash steps, a `gh` stand-in script")


def test_no_input_is_expanded_inside_a_script() -> None:
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step["id"]
    workflow = (REPO / "examples" / "vault-maintenance.yml").read_text()
    for step in yaml.safe_load(workflow)["jobs"]["vaultbot"]["steps"]:
        assert "${{" not in step.get("run", "")


@ON_A_RUNNER
def test_the_action_commits_pushes_and_reports(workspace: Path, runner: Path, tmp_path: Path) -> None:
    result = run_action(workspace, runner, {"vault-path": "notes"})
    assert result.returncode == 0, result.stderr
    sha = git(workspace, "rev-parse", "HEAD").strip()
    assert outputs(runner) == {"changed": "2", "commit": sha, "pull-request": ""}
    assert git(tmp_path / "remote.git", "rev-parse", "main").strip() == sha
    assert git(workspace, "log", "-1", "--format=%s").startswith("vaultbot: 2 notes updated")
    summary = (runner / "summary").read_text()
    assert "**2 notes updated**" in summary and f"`{sha[:12]}`" in summary
    assert "| Rule | Files |" in summary
    assert "| last-contact (1) | `People/Ann.md` |" in summary


@ON_A_RUNNER
def test_dry_run_changes_nothing_and_reports(workspace: Path, runner: Path) -> None:
    head = git(workspace, "rev-parse", "HEAD").strip()
    result = run_action(workspace, runner, {"vault-path": "notes", "dry-run": "true", "rules": "last-contact"})
    assert result.returncode == 0, result.stderr
    assert outputs(runner) == {"changed": "1", "commit": "", "pull-request": ""}
    assert git(workspace, "rev-parse", "HEAD").strip() == head and git(workspace, "status", "--porcelain") == ""
    assert "**1 note would change** (dry run)" in (runner / "summary").read_text()


@ON_A_RUNNER
def test_warnings_go_to_the_summary(workspace: Path, runner: Path) -> None:
    write_vault(workspace / "notes", {"Broken.md": "---\n: [unclosed\n---\nbody\n"})
    git(workspace, "add", "-A")
    git(workspace, "commit", "-q", "-m", "broken note")
    result = run_action(workspace, runner, {"vault-path": "notes", "push": "false"})
    assert result.returncode == 0, result.stderr
    summary = (runner / "summary").read_text()
    assert "### Warnings (1)" in summary and "`Broken.md`" in summary
    assert "::warning::Broken.md" in result.stdout


@ON_A_RUNNER
def test_inputs_are_data_not_shell(workspace: Path, runner: Path) -> None:
    message = '"; touch pwned #'
    result = run_action(workspace, runner, {"vault-path": "notes", "commit-message": message, "push": "false"})
    assert result.returncode == 0, result.stderr
    assert git(workspace, "log", "-1", "--format=%s").strip() == message
    assert not list(workspace.parent.rglob("pwned")) and not (REPO / "pwned").exists()
    failed = run_action(workspace, runner, {"vault-path": "notes'; touch pwned #"})
    assert failed.returncode == 2
    assert not list(workspace.parent.rglob("pwned"))
    assert "The run failed (exit 2)" in (runner / "summary").read_text()


def test_the_actions_steps_reach_inputs_only_through_env() -> None:
    steps = {step.get("id"): step for step in ACTION["runs"]["steps"]}
    run = steps["run"]["env"]
    for name in ACTION["inputs"]:
        if name != "python-version":  # setup-python's own `with:`
            assert any(f"inputs.{name} }}}}" in str(value) for value in run.values()), name


@ON_A_RUNNER
def test_pip_downloads_are_cached_under_a_key_of_the_actions_pyproject(workspace: Path, runner: Path) -> None:
    assert run_action(workspace, runner, {"vault-path": "notes", "dry-run": "true"}).returncode == 0
    cache = next(step for step in ACTION["runs"]["steps"] if str(step.get("uses", "")).startswith("actions/cache@"))
    assert cache["with"] == {"path": "${{ steps.pip-cache.outputs.dir }}", "key": "${{ steps.pip-cache.outputs.key }}"}
    computed = dict(line.split("=", 1) for line in (runner / "output-pip-cache").read_text().splitlines())
    digest = hashlib.sha256((REPO / "pyproject.toml").read_bytes()).hexdigest()[:16]
    assert computed["key"] == f"vaultbot-pip-Linux-{platform.python_version()}-{digest}"
    assert Path(computed["dir"]).is_absolute()


@ON_A_RUNNER
def test_a_runner_with_pips_cache_turned_off_still_names_a_cache_folder(
    workspace: Path, runner: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `pip cache dir` fails when PIP_NO_CACHE_DIR is set (some self-hosted runners); an empty
    # `path:` makes actions/cache fail the whole step ("Input required and not supplied: path").
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    assert run_action(workspace, runner, {"vault-path": "notes", "dry-run": "true"}).returncode == 0
    computed = dict(line.split("=", 1) for line in (runner / "output-pip-cache").read_text().splitlines())
    assert computed["dir"] == str(runner / "vaultbot-pip-cache")


# -- "today" in a time zone ---------------------------------------------------------------------


def _meeting_on(workspace: Path, day: datetime.date) -> None:
    write_vault(workspace / "notes", {f"Meetings/{day} Late call.md": f"---\ndate: {day}\ntype: meeting\n---\nLate call with [[Ann]].\n"})
    git(workspace, "add", "-A")
    git(workspace, "commit", "-q", "-m", "a meeting")


@ON_A_RUNNER
def test_the_timezone_input_or_setting_decides_today(workspace: Path, runner: Path) -> None:
    # UTC+14 and UTC-12 are 26 hours apart: their dates always differ.
    east, west = today("Etc/GMT-14"), today("Etc/GMT+12")
    _meeting_on(workspace, east)
    ann = workspace / "notes" / "People" / "Ann.md"
    start = git(workspace, "rev-parse", "HEAD").strip()

    assert run_action(workspace, runner, {"vault-path": "notes", "push": "false", "timezone": "Etc/GMT-14"}).returncode == 0
    assert f"last_contact: {east}\n" in ann.read_text(), "the meeting is today there"
    git(workspace, "reset", "-q", "--hard", start)
    assert run_action(workspace, runner, {"vault-path": "notes", "push": "false", "timezone": "Etc/GMT+12"}).returncode == 0
    assert "last_contact: 2026-11-20\n" in ann.read_text(), f"the meeting on {east} is still ahead on {west}"

    git(workspace, "reset", "-q", "--hard", start)
    (workspace / "notes" / ".vaultbot.yaml").write_text("timezone: Etc/GMT-14\n")
    git(workspace, "commit", "-q", "-am", "a time zone")
    assert run_action(workspace, runner, {"vault-path": "notes", "push": "false"}).returncode == 0
    assert f"last_contact: {east}\n" in ann.read_text(), "the config's timezone, without the input"


@ON_A_RUNNER
def test_an_unknown_timezone_input_stops_the_action_naming_it(workspace: Path, runner: Path) -> None:
    head = git(workspace, "rev-parse", "HEAD").strip()
    result = run_action(workspace, runner, {"vault-path": "notes", "timezone": "Mars/Base"})
    assert result.returncode == 2
    assert "vaultbot: input timezone: unknown time zone 'Mars/Base' (expected an IANA name such as Europe/Berlin)" in result.stderr
    assert outputs(runner) == {"changed": "0", "commit": "", "pull-request": ""}
    assert git(workspace, "rev-parse", "HEAD").strip() == head


# -- pull-request mode, with a `gh` that records its calls --------------------------------------

GH_STUB = """#!{python}
import json, os, sys
folder = {folder!r}
calls = os.path.join(folder, "calls.jsonl")
with open(calls, "a") as log:
    log.write(json.dumps({{"args": sys.argv[1:], "token": os.environ.get("GH_TOKEN"), "repo": os.environ.get("GH_REPO")}}) + "\\n")
state = os.path.join(folder, "pulls.json")
pulls = json.load(open(state)) if os.path.exists(state) else []
command = sys.argv[1:3]
if os.path.exists(os.path.join(folder, "fail")):
    sys.exit("gh: HTTP 403: GitHub Actions is not permitted to create or approve pull requests")
if command == ["pr", "list"]:
    print(json.dumps(pulls))
elif command == ["pr", "create"]:
    pulls.append({{"number": len(pulls) + 1, "url": f"https://github.com/owner/vault/pull/{{len(pulls) + 1}}"}})
    json.dump(pulls, open(state, "w"))
    print("Creating pull request for vaultbot/maintenance into main in owner/vault")
    print(pulls[-1]["url"])
elif command == ["pr", "edit"]:
    print(pulls[int(sys.argv[3]) - 1]["url"])
else:
    sys.exit(f"unexpected gh call: {{sys.argv[1:]}}")
"""


@pytest.fixture
def gh(tmp_path: Path) -> Path:
    """A folder holding a `gh` that records each call (calls.jsonl) and keeps its pull requests (pulls.json)."""
    folder = tmp_path / "gh"
    folder.mkdir()
    stub = folder / "gh"
    stub.write_text(GH_STUB.format(python=sys.executable, folder=str(folder)))
    stub.chmod(0o755)
    return folder


def gh_calls(gh: Path) -> list[dict]:
    log = gh / "calls.jsonl"
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    log.unlink(missing_ok=True)
    return calls


def fresh_job(tmp_path: Path, name: str) -> Path:
    """A new job's checkout of the remote's main branch."""
    workspace = tmp_path / name
    git(tmp_path, "clone", "-q", "--branch", "main", str(tmp_path / "remote.git"), str(workspace))
    return workspace


@ON_A_RUNNER
def test_pull_request_mode_pushes_its_own_branch_and_opens_then_updates_one_pull_request(
    workspace: Path, runner: Path, tmp_path: Path, gh: Path
) -> None:
    remote, inputs = tmp_path / "remote.git", {"vault-path": "notes", "pull-request": "true"}
    main_before = git(remote, "rev-parse", "main").strip()

    result = run_action(workspace, runner, inputs, path=str(gh))
    assert result.returncode == 0, result.stderr
    sha = git(workspace, "rev-parse", "HEAD").strip()
    assert git(remote, "rev-parse", "main").strip() == main_before, "the protected branch is never pushed to"
    assert git(remote, "rev-parse", "vaultbot/maintenance").strip() == sha
    assert git(remote, "rev-parse", "vaultbot/maintenance^").strip() == main_before
    title = git(workspace, "log", "-1", "--format=%s").strip()
    assert title.startswith("vaultbot: 2 notes updated")
    calls = gh_calls(gh)
    assert [call["args"][:2] for call in calls] == [["pr", "list"], ["pr", "create"]]
    assert calls[0]["args"] == [
        "pr",
        "list",
        "--head",
        "vaultbot/maintenance",
        "--base",
        "main",
        "--state",
        "open",
        "--json",
        "number,url",
        "--limit",
        "1",
    ]
    assert calls[1]["args"][:8] == ["pr", "create", "--base", "main", "--head", "vaultbot/maintenance", "--title", title]
    body = calls[1]["args"][9]
    assert "| last-contact (1) | `People/Ann.md` |" in body and body.rstrip().endswith(BRANCH_NOTE)
    assert all(call["token"] == TOKEN and call["repo"] == "owner/vault" for call in calls)
    url = "https://github.com/owner/vault/pull/1"
    assert outputs(runner) == {"changed": "2", "commit": sha, "pull-request": url}
    assert f"Pull request: {url} (pushed to `vaultbot/maintenance`)" in (runner / "summary").read_text()

    # The next day, nothing new on main: the branch already holds the changes; no push, no edit.
    again = fresh_job(tmp_path, "job-2")
    result = run_action(again, runner, inputs, path=str(gh))
    assert result.returncode == 0, result.stderr
    assert git(remote, "rev-parse", "vaultbot/maintenance").strip() == sha
    assert [call["args"][:2] for call in gh_calls(gh)] == [["pr", "list"]]
    assert outputs(runner)["pull-request"] == url
    assert "`vaultbot/maintenance` already holds these changes" in (runner / "summary").read_text()

    # main moves on: the branch is rebuilt on it and the same pull request updated.
    person = fresh_job(tmp_path, "person")
    write_vault(person / "notes", {"People/Bob.md": "---\ntype: person\n---\n# Bob\n"})
    git(person, "add", "-A")
    git(person, "commit", "-q", "-m", "Bob")
    git(person, "push", "-q", "origin", "main")
    third = fresh_job(tmp_path, "job-3")
    result = run_action(third, runner, inputs, path=str(gh))
    assert result.returncode == 0, result.stderr
    rebuilt = git(remote, "rev-parse", "vaultbot/maintenance").strip()
    assert rebuilt != sha and git(remote, "rev-parse", "vaultbot/maintenance^").strip() == git(remote, "rev-parse", "main").strip()
    calls = gh_calls(gh)
    assert [call["args"][:3] for call in calls] == [["pr", "list", "--head"], ["pr", "edit", "1"]]
    assert outputs(runner) == {"changed": "3", "commit": rebuilt, "pull-request": url}


@ON_A_RUNNER
@pytest.mark.parametrize(
    ("branch", "code", "message"),
    [
        pytest.param("main", 2, "pull-request-branch: 'main' is the checked-out branch itself", id="the-base-itself"),
        pytest.param("bad..name", 2, "pull-request-branch: 'bad..name' is not a valid branch name", id="invalid-name"),
        pytest.param("-f", 2, "pull-request-branch: '-f' is not a valid branch name", id="an-option"),
    ],
)
def test_pull_request_mode_refuses_a_branch_it_cannot_own(
    workspace: Path, runner: Path, gh: Path, branch: str, code: int, message: str
) -> None:
    result = run_action(workspace, runner, {"vault-path": "notes", "pull-request": "true", "pull-request-branch": branch}, path=str(gh))
    assert result.returncode == code
    assert message in result.stderr
    assert gh_calls(gh) == [] and git(workspace, "status", "--porcelain") == ""


@ON_A_RUNNER
def test_pull_request_mode_refuses_the_previous_branch_syntax(workspace: Path, runner: Path, gh: Path) -> None:
    # `git check-ref-format --branch @{-1}` accepts it as the branch checked out before; checking it
    # out with -B reset that branch to the base and committed there, and only the push failed.
    git(workspace, "checkout", "-q", "-b", "other")
    git(workspace, "checkout", "-q", "main")
    other = git(workspace, "rev-parse", "other").strip()
    result = run_action(workspace, runner, {"vault-path": "notes", "pull-request": "true", "pull-request-branch": "@{-1}"}, path=str(gh))
    assert result.returncode == 2
    assert "pull-request-branch: '@{-1}' is not a valid branch name" in result.stderr
    assert git(workspace, "rev-parse", "other").strip() == other
    assert gh_calls(gh) == [] and git(workspace, "status", "--porcelain") == ""
    assert git(workspace, "symbolic-ref", "--short", "HEAD").strip() == "main"


@ON_A_RUNNER
def test_pull_request_mode_needs_a_branch_checked_out(workspace: Path, runner: Path, gh: Path) -> None:
    git(workspace, "checkout", "-q", "--detach")
    result = run_action(workspace, runner, {"vault-path": "notes", "pull-request": "true"}, path=str(gh))
    assert result.returncode == 3
    assert "pull-request mode needs a checked-out branch to open the pull request into; HEAD is detached" in result.stderr
    assert gh_calls(gh) == []


@ON_A_RUNNER
def test_a_refused_pull_request_fails_the_step_and_says_why(workspace: Path, runner: Path, gh: Path, tmp_path: Path) -> None:
    (gh / "fail").touch()
    result = run_action(workspace, runner, {"vault-path": "notes", "pull-request": "true"}, path=str(gh))
    assert result.returncode == 3
    assert "GitHub Actions is not permitted to create or approve pull requests" in result.stderr
    assert "The pull request could not be opened" in (runner / "summary").read_text()
    assert git(tmp_path / "remote.git", "rev-parse", "vaultbot/maintenance").strip() == git(workspace, "rev-parse", "HEAD").strip()


def test_the_example_workflow_uses_the_documented_tag_and_only_real_inputs() -> None:
    workflow = yaml.safe_load((REPO / "examples" / "vault-maintenance.yml").read_text())
    step = next(step for step in workflow["jobs"]["vaultbot"]["steps"] if step.get("id") == "vaultbot")
    assert step["uses"] == "OWNER/vaultbot@v0"
    assert set(step["with"]) <= set(ACTION["inputs"])
    assert "uses: OWNER/vaultbot@v0" in (REPO / "README.md").read_text()


def test_the_job_summary_of_a_first_run_on_a_large_vault_stays_under_githubs_limit() -> None:
    # GitHub drops a step summary over 1 MiB whole ("upload aborted"): a first run on a 20,000-note
    # vault, every note tagged and 2,000 warned about, must still leave a summary, naming what it left out.
    from bot.action import summary

    changed = [
        {"path": f"Meetings/2026/{i:05d} - a meeting with a fairly long descriptive title.md", "rules": ["tags", "last-contact"]}
        for i in range(20_000)
    ]
    warnings = [
        {"path": f"Notes/{i:05d}.md", "message": "invalid YAML in the frontmatter: mapping values are not allowed here (line 3)"}
        for i in range(2_000)
    ]
    text = summary({"changed": changed, "warnings": warnings, "commit": "a" * 40}, False, 0, "")
    assert len(text.encode("utf-8")) < 1024 * 1024
    assert "**20000 notes updated**" in text
    assert "| tags (20000) |" in text and "and 19900 more" in text
    assert "### Warnings (2000)" in text and "and 1800 more" in text
