"""Files that hold a password: readable and writable by their owner only (mode 0600, folders 0700).

``make classroom`` writes the students' settings files and the brokers' configuration with them, and
Kafka's command-line tools their client properties (``lab_utils.stack.kafka_tools``). A password never
goes into the repository, onto a command line, or into a file another user of the server can read.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def private_folder(path: Path) -> Path:
    """Create ``path`` (and its parents) if needed; only its owner may enter it."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def write_private(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` with mode 0600 from the first byte (an existing file is made 0600 first)."""
    private_folder(path.parent)
    if path.exists():
        path.chmod(0o600)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
    return path


def new_password() -> str:
    """A generated password: 24 URL-safe characters (144 random bits), nothing a shell or JAAS must quote."""
    return secrets.token_urlsafe(18)


def settings_text(values: dict[str, str], comment: str) -> str:
    """A settings file as ``lab_utils.config`` reads it: ``# comment`` lines, ``LAB_NAME=value`` lines."""
    header = "".join(f"# {line}\n" for line in comment.splitlines())
    return header + "".join(f"{name}={value}\n" for name, value in values.items())


def read_settings(path: Path) -> dict[str, str]:
    """The ``LAB_NAME=value`` lines of a settings file this module wrote."""
    pairs = (
        line.partition("=") for line in path.read_text().splitlines() if line and not line.startswith("#")
    )
    return {name.strip(): value.strip() for name, _, value in pairs}
