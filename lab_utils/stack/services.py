"""What the lab's background services share: the Kafka broker, the Spark cluster, the Spark Connect server.
You need not read this.

Each is a Java process the lab starts and records in a PID file. They stop the same way, and each module's
``python -m ... start|stop|status`` command line reads the same way.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Mapping

import psutil

from lab_utils.config import LabConfig, load_config
from lab_utils.errors import run_cli

KILL_WAIT_S = 10.0


def terminate(pid: int, timeout_s: float) -> None:
    """Ask the process to stop (SIGTERM: Kafka closes its logs, Spark its sessions), then force it (SIGKILL)
    if it has not ended within ``timeout_s``, so a stop never leaves a service behind.

    Waiting also reaps the process when this one started it. A process already gone is not an error.
    """
    try:
        process = psutil.Process(pid)
        process.terminate()
        process.wait(timeout=timeout_s)
    except psutil.TimeoutExpired:
        with contextlib.suppress(psutil.Error):
            process.kill()
            process.wait(timeout=KILL_WAIT_S)
    except psutil.Error:
        pass


def service_main(
    module: str,
    commands: Mapping[str, Callable[[LabConfig], str]],
    argv: list[str] | None = None,
    other_usage: str = "",
) -> int:
    """``python -m MODULE COMMAND``: run one of ``commands`` with the lab's settings and print its line.

    ``other_usage`` names what the caller handled itself before, for the usage line.
    """
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] not in commands:
        usage = "|".join([*commands, other_usage] if other_usage else commands)
        print(f"usage: python -m {module} {usage}", file=sys.stderr)
        return 2
    return run_cli(lambda: print(commands[args[0]](load_config())))
