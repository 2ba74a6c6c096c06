"""Stopping a service never leaves it behind, and the service command lines refuse what they do not know."""

from __future__ import annotations

import subprocess
import sys

import psutil
import pytest

from lab_utils.stack.services import service_main, terminate

IGNORES_SIGTERM = (
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "print('ready', flush=True); time.sleep(60)"
)


def _started(code: str) -> subprocess.Popen[str]:
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline() == "ready\n"
    return process


def test_a_service_that_stops_on_sigterm_is_stopped_and_reaped() -> None:
    process = _started("import time; print('ready', flush=True); time.sleep(60)")
    terminate(process.pid, timeout_s=10)
    assert not psutil.pid_exists(process.pid)  # ended and reaped: a zombie would still exist


def test_a_service_that_ignores_sigterm_is_killed_after_the_timeout() -> None:
    process = _started(IGNORES_SIGTERM)
    terminate(process.pid, timeout_s=0.5)
    assert not psutil.pid_exists(process.pid)  # it would sleep 60 s more


def test_a_process_already_gone_is_not_an_error() -> None:
    process = _started("print('ready', flush=True)")
    process.wait(timeout=10)
    terminate(process.pid, timeout_s=1)


def test_an_unknown_command_prints_the_usage(capsys: pytest.CaptureFixture[str]) -> None:
    commands = {"start": lambda config: "started", "stop": lambda config: "stopped"}
    assert service_main("lab_utils.stack.example", commands, ["restart"], other_usage="run -- COMMAND") == 2
    assert capsys.readouterr().err == "usage: python -m lab_utils.stack.example start|stop|run -- COMMAND\n"
    assert service_main("lab_utils.stack.example", commands, ["stop"]) == 0
    assert capsys.readouterr().out == "stopped\n"
