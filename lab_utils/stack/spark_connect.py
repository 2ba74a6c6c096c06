"""A Spark Connect server from the pip-installed pyspark: one Spark driver that a class's kernels share.

``python -m lab_utils.stack.spark_connect start`` starts it, ``stop`` stops it. A student's kernel then
needs no JVM of its own: with ``LAB_SPARK_REMOTE=sc://127.0.0.1:15002`` ``lab_utils.spark.get_spark``
returns a Spark Connect session (pyspark's thin gRPC client), and the queries run in this one server, a
session per kernel. The pyspark wheel has no ``sbin/start-connect-server.sh``, so this runs what that
script runs: ``spark-submit --class org.apache.spark.sql.connect.service.SparkConnectServer``, with the
Kafka connector's jars in ``--jars`` and gRPC bound to 127.0.0.1. Its log is ``.lab/logs/spark-connect.log``
(the JVM's own output ``spark-connect.out`` beside it), its PID file ``.lab/spark-connect/server.pid``.

tests/classroom/test_spark_connect.py holds that it listens on 127.0.0.1 only, refuses a wrong token, and runs
notebook 04's query for a student of the class cluster. What a shared server does not give (read in Spark
4.2's sources): one shared token at most (``SPARK_CONNECT_AUTHENTICATE_TOKEN``), not one account per student;
the user id is whatever the client says; and every student's Python code (foreachBatch functions, UDFs)
runs on the server as the server's one OS user, its prints in the server's log. Fit for an instructor's demo
or a class that trusts itself, not for the lab's "nobody touches another's work" class.

    python -m lab_utils.stack.spark_connect start | stop | status
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pyspark

from lab_utils.config import LabConfig
from lab_utils.errors import LabError
from lab_utils.stack.broker import port_open
from lab_utils.stack.jvm import POM_DIR, connector_jars, require_java
from lab_utils.stack.services import service_main, terminate

PORT = 15002  # Spark Connect's own default
SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"
MASTER = "local[*]"  # the server's executors are threads in its JVM, one task slot per core
DRIVER_MEMORY = "4g"  # the heap every session's queries and memory tables share
STOP_TIMEOUT_S = 30.0  # then SIGKILL
START_TIMEOUT_S = 120.0
TOKEN_VARIABLE = "SPARK_CONNECT_AUTHENTICATE_TOKEN"  # the server and pyspark's client both read it


@dataclass(frozen=True)
class ConnectServer:
    """Where a Spark Connect server keeps its files, its port, and its one shared token (None: no token)."""

    home: Path
    logs: Path
    port: int = PORT
    token: str | None = field(default=None, repr=False)
    master: str = MASTER
    driver_memory: str = DRIVER_MEMORY

    @property
    def pid_file(self) -> Path:
        return self.home / "server.pid"

    @property
    def remote(self) -> str:
        """The ``sc://`` address a client uses (``LAB_SPARK_REMOTE``). pyspark sends a token only over
        TLS, or over its local credentials when the host is spelt ``localhost``: so ``localhost`` then."""
        if self.token is None:
            return f"sc://127.0.0.1:{self.port}"
        return f"sc://localhost:{self.port}/;token={self.token}"


def default_server(config: LabConfig) -> ConnectServer:
    return ConnectServer(config.lab_home / "spark-connect", config.lab_home / "logs")


def running_pid(server: ConnectServer) -> int | None:
    """The PID of the server's JVM if it still runs (else forget it)."""
    try:
        pid = int(server.pid_file.read_text())
        process = psutil.Process(pid)
        if process.status() != psutil.STATUS_ZOMBIE and SERVER_CLASS in " ".join(process.cmdline()):
            return pid
    except (FileNotFoundError, ValueError, psutil.Error):
        pass
    server.pid_file.unlink(missing_ok=True)
    return None


def server_settings(config: LabConfig, server: ConnectServer) -> dict[str, str]:
    """What the server runs with: loopback only, the lab's log file, its temp files in its own folder,
    and caps on what Spark remembers of past jobs (a server runs for a whole class, not one lesson)."""
    tmp = server.home / "tmp"
    java_options = " ".join(
        [
            f"-Djava.io.tmpdir={tmp}",
            "-XX:-UsePerfData",
            f"-Dlog4j2.configurationFile={POM_DIR / 'spark-log4j2.properties'}",
            f"-Dlab.spark.log={server.logs / 'spark-connect.log'}",
        ]
    )
    return {
        "spark.connect.grpc.binding.address": "127.0.0.1",
        "spark.connect.grpc.binding.port": str(server.port),
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.extraJavaOptions": java_options,
        "spark.local.dir": str(tmp),
        "spark.ui.enabled": str(config.spark_ui).lower(),
        # Each session's micro-batches take turns with the others' instead of queueing behind them.
        "spark.scheduler.mode": "FAIR",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": "2",
        "spark.sql.adaptive.enabled": "false",
        "spark.sql.streaming.forceDeleteTempCheckpointLocation": "true",
        "spark.sql.warehouse.dir": str(server.home / "warehouse"),
        "spark.ui.retainedJobs": "100",
        "spark.ui.retainedStages": "100",
        "spark.ui.retainedTasks": "1000",
        "spark.sql.ui.retainedExecutions": "50",
        "spark.sql.streaming.ui.retainedQueries": "200",
        "spark.sql.streaming.ui.retainedProgressUpdates": "100",
    }


def _command(config: LabConfig, server: ConnectServer) -> list[str]:
    spark_submit = Path(pyspark.__file__).parent / "bin" / "spark-submit"
    settings = [f"--conf={key}={value}" for key, value in server_settings(config, server).items()]
    return [
        "bash", str(spark_submit), "--class", SERVER_CLASS, "--name", "kafka-sensor-lab connect",
        "--master", server.master, "--driver-memory", server.driver_memory,
        "--jars", ",".join(connector_jars(config.lab_home)), *settings,
    ]  # fmt: skip


def _environment(server: ConnectServer) -> dict[str, str]:
    """SPARK_HOME of the wheel; the Python workers (foreachBatch, UDFs) use this interpreter; the token
    goes in the environment, not the command line that ``ps`` shows everyone."""
    environment = os.environ | {
        "SPARK_HOME": str(Path(pyspark.__file__).parent),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "PYSPARK_PYTHON": sys.executable,
    }
    environment.pop(TOKEN_VARIABLE, None)
    return environment | ({TOKEN_VARIABLE: server.token} if server.token is not None else {})


def start_connect_server(config: LabConfig, server: ConnectServer | None = None) -> str:
    """Start the server unless it runs; wait until it accepts connections."""
    server = server or default_server(config)
    if running_pid(server) is not None:
        return f"The Spark Connect server already runs at {server.remote.split('/;')[0]}."
    if port_open(f"127.0.0.1:{server.port}"):
        raise LabError(f"Port {server.port} is taken: stop what runs there (`make stop`?) first.")
    require_java()
    for folder in (server.home / "tmp", server.logs):
        folder.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    with open(server.logs / "spark-connect.out", "ab") as out:
        process = subprocess.Popen(
            _command(config, server), env=_environment(server), stdin=subprocess.DEVNULL,
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    server.pid_file.write_text(str(process.pid))  # spark-class ends with `exec java ...`: the JVM's PID
    deadline = time.monotonic() + START_TIMEOUT_S
    while not port_open(f"127.0.0.1:{server.port}", timeout_s=0.5):
        if process.poll() is not None or time.monotonic() > deadline:
            why = "it stopped" if process.poll() is not None else f"not ready within {START_TIMEOUT_S:.0f} s"
            stop_connect_server(server)
            logs = server.logs / "spark-connect.*"
            raise LabError(f"The Spark Connect server did not start ({why}): read {logs}.")
        time.sleep(0.5)
    return (
        f"Started a Spark {pyspark.__version__} Connect server in {time.monotonic() - began:.0f} s "
        f"({server.master}, {server.driver_memory} heap); use it with LAB_SPARK_REMOTE={server.remote}."
    )


def stop_connect_server(server: ConnectServer) -> str:
    """Stop the server (its sessions and their queries end with it); safe to call twice."""
    pid = running_pid(server)
    if pid is None:
        return "No Spark Connect server is running."
    terminate(pid, STOP_TIMEOUT_S)
    server.pid_file.unlink(missing_ok=True)
    return "Stopped the Spark Connect server."


def connect_status(server: ConnectServer) -> str:
    pid = running_pid(server)
    if pid is None:
        return "No Spark Connect server is running."
    rss = psutil.Process(pid).memory_info().rss / 1e6
    return f"The Spark Connect server runs at {server.remote.split('/;')[0]} (PID {pid}, {rss:,.0f} MB)."


def main(argv: list[str] | None = None) -> int:
    """``python -m lab_utils.stack.spark_connect start|stop|status``."""
    commands: dict[str, Callable[[LabConfig], str]] = {
        "start": start_connect_server,
        "stop": lambda config: stop_connect_server(default_server(config)),
        "status": lambda config: connect_status(default_server(config)),
    }
    return service_main("lab_utils.stack.spark_connect", commands, argv)


if __name__ == "__main__":
    sys.exit(main())
