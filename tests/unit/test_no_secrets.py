"""No credentials are committed: no passwords, keys or tokens with values in tracked files."""

from __future__ import annotations

import re
import subprocess

import pytest

from lab_utils.config import PROJECT_ROOT

SECRET = re.compile(
    r"(password|passwd|secret|token|api[_-]?key|access[_-]?key)\s*[:=]\s*['\"][A-Za-z0-9/+_\-]{8,}"
    r"|(?-i:^\s*(export\s+)?[A-Z_]*(PASSWORD|TOKEN|SECRET|API_KEY)=[^\s$]{8,})"  # shell, .env files
    r"|[?&]token=[0-9a-f]{16,}"  # a Jupyter URL with its token
    r"|gh[pousr]_[A-Za-z0-9]{30,}"  # GitHub tokens
    r"|AKIA[0-9A-Z]{16}"  # AWS access key ids
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----",
    re.I | re.M,
)


@pytest.mark.parametrize(
    "leak",
    [
        # Split in two so that this file itself holds no match.
        "password = 'hunter2" + "hunter2'",
        'JUPYTER_TOKEN: "0123456' + '789abcdef0123"',
        "export JUPYTER_TOKEN=0123456" + "789abcdef0123",
        "open http://127.0.0.1:8888/lab?token=3f9a0c5" + "1d2e84b7a9c6d",
        "ghp_" + "a1B2" * 9,
        "AKIA" + "ABCDEFGHIJKLMNOP",
        "-----BEGIN RSA PRIVATE" + " KEY-----",
    ],
)
def test_the_pattern_finds_each_kind_of_secret(leak: str) -> None:
    assert SECRET.search(leak)


def test_no_credentials_in_tracked_files() -> None:
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert len(tracked) > 20  # the listing worked
    offenders = [path for path in tracked if SECRET.search((PROJECT_ROOT / path).read_text(errors="ignore"))]
    assert offenders == []
