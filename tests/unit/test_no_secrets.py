"""No credentials are committed: no passwords, keys or tokens with values in tracked files."""

from __future__ import annotations

import re
import subprocess

from lab_utils.config import PROJECT_ROOT

SECRET = re.compile(
    r"(password|passwd|secret|api[_-]?key|access[_-]?key)\s*[:=]\s*['\"]?[A-Za-z0-9/+]{8,}", re.I
)


def test_no_credentials_in_tracked_files() -> None:
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True
    ).stdout.split()
    offenders = [path for path in tracked if SECRET.search((PROJECT_ROOT / path).read_text(errors="ignore"))]
    assert offenders == []
