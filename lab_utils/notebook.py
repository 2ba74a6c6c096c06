"""Notebook conveniences: a setup cell that prints versions, one-line errors, and self-checks.

Every notebook's first code cell calls :func:`setup`. After it, a :class:`~lab_utils.errors.LabError`
or a failed self-check shows as one line starting with ✗ instead of a traceback; the cell still
fails, so a headless run (nbval in CI) still stops there.
"""

from __future__ import annotations

import os
import platform
import sysconfig
from collections.abc import Callable
from importlib.metadata import version
from types import TracebackType
from typing import Any

from kafka.errors import KafkaError, KafkaTimeoutError

from lab_utils.clients import broker_down_message
from lab_utils.config import LabConfig, load_config
from lab_utils.errors import LabError


class SelfCheckFailed(AssertionError):
    """A self-check cell found the pipeline misbehaving."""


def kafka_error_sentence(error: KafkaError, bootstrap_servers: str) -> str:
    """What a kafka-python error raised by a student's own client means, in one sentence."""
    text = str(error)
    if isinstance(error, KafkaTimeoutError) and "bootstrap" in text.lower():
        return broker_down_message(bootstrap_servers)
    if isinstance(error, KafkaTimeoutError) and "metadata" in text.lower():
        return (
            f"Kafka did not find the topic in time ({text}): does it exist? Create it first (notebook 01, "
            "or `kafka-topics --create`), then run this cell again."
        )
    return f"Kafka refused: {type(error).__name__}: {text}"


def _one_line_handler(bootstrap_servers: str) -> Callable[..., list[str]]:
    """IPython's exception hook: one line, but a real error (the cell fails and nbval sees it)."""

    def show(
        shell: Any,
        etype: type[BaseException],
        value: BaseException,
        tb: TracebackType | None,
        tb_offset: int | None = None,
    ) -> list[str]:
        message = kafka_error_sentence(value, bootstrap_servers) if isinstance(value, KafkaError) else value
        lines = [f"✗ {message}"]
        shell._showtraceback(etype, value, lines)
        return lines

    return show


def _put_lab_tools_on_path() -> None:
    """Let ``!kafka-topics ...`` in a cell find the lab's Kafka tools, however Jupyter was started."""
    scripts = sysconfig.get_path("scripts")
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


def setup(show_versions: bool = True) -> LabConfig:
    """Install the one-line error display and print what this notebook runs on."""
    from IPython import get_ipython

    _put_lab_tools_on_path()
    config = load_config()
    shell = get_ipython()
    if shell is not None:
        handler = _one_line_handler(config.bootstrap_servers)
        shell.set_custom_exc((LabError, SelfCheckFailed, KafkaError), handler)
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
