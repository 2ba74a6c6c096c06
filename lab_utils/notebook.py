"""Notebook conveniences: a setup cell that prints versions, one-line errors, and self-checks.

Every notebook's first code cell calls :func:`setup`. After it, a :class:`~lab_utils.errors.LabError`
or a failed self-check shows as one line starting with ✗ instead of a traceback; the cell still
fails, so a headless run (nbval in CI) still stops there.
"""

from __future__ import annotations

import os
import platform
import sysconfig
from importlib.metadata import version

from lab_utils.config import LabConfig, load_config
from lab_utils.errors import LabError


class SelfCheckFailed(AssertionError):
    """A self-check cell found the pipeline misbehaving."""


def _one_line(shell, etype, value, tb, tb_offset=None) -> list[str]:  # noqa: ANN001 - IPython's signature
    """Show the error as one line, but as a real error: the cell fails and nbval sees it."""
    lines = [f"✗ {value}"]
    shell._showtraceback(etype, value, lines)
    return lines


def _put_lab_tools_on_path() -> None:
    """Let ``!kafka-topics ...`` in a cell find the lab's Kafka tools, however Jupyter was started."""
    scripts = sysconfig.get_path("scripts")
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


def setup(show_versions: bool = True) -> LabConfig:
    """Install the one-line error display and print what this notebook runs on."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((LabError, SelfCheckFailed), _one_line)
    _put_lab_tools_on_path()
    config = load_config()
    if show_versions:
        packages = ", ".join(f"{name} {version(name)}" for name in ("pyspark", "kafka-python", "pandas"))
        print(f"Python {platform.python_version()}, {packages}")
        print(f"Kafka at {config.bootstrap_servers}, topic {config.topic!r}, profile {config.profile!r}")
    return config


def check(condition: bool, success: str, failure: str) -> None:
    """A self-check: print ✓ and the success line, or fail the cell with the failure line."""
    if not condition:
        raise SelfCheckFailed(failure)
    print(f"✓ {success}")
