"""A Spark standalone cluster from the pip-installed pyspark: a master and two workers on 127.0.0.1.

``make spark-cluster`` starts it, ``make stop`` stops it. The pyspark wheel ships ``bin/spark-class`` but
no ``sbin/start-master.sh``, so this runs what those scripts run: ``spark-class
org.apache.spark.deploy.master.Master`` and ``...worker.Worker``, each in its own session, with
``SPARK_LOCAL_IP=127.0.0.1`` (the master, the workers and their web UIs listen on loopback only). A lab
session joins it with ``LAB_SPARK_MASTER=spark://127.0.0.1:7077``; ``lab_utils.spark`` then lists the
Kafka connector's jars in ``spark.jars``, which the driver serves to the executors. Files, logs and PID
files live in ``.lab/spark-cluster``.

    python -m lab_utils.stack.spark_cluster start | stop | status
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil
import pyspark

from lab_utils.config import LabConfig
from lab_utils.errors import LabError
from lab_utils.stack.broker import port_open
from lab_utils.stack.jvm import require_java
from lab_utils.stack.services import service_main, terminate

MASTER_PORT = 7077
UI_PORT = 8080  # the master's web UI (its JSON lists the workers); the workers' UIs take free ports
WORKERS = 2
WORKER_CORES = 1
WORKER_MEMORY = "1g"  # what each worker may give its executors
STOP_TIMEOUT_S = 20.0  # then SIGKILL
START_TIMEOUT_S = 90.0


@dataclass(frozen=True)
class SparkCluster:
    """Where a standalone cluster keeps its files, and its master's ports."""

    home: Path
    port: int = MASTER_PORT
    ui_port: int = UI_PORT
    workers: int = WORKERS

    @property
    def master_url(self) -> str:
        return f"spark://127.0.0.1:{self.port}"

    def pid_file(self, role: str) -> Path:
        return self.home / f"{role}.pid"

    @property
    def roles(self) -> list[str]:
        return ["master", *(f"worker-{n}" for n in range(1, self.workers + 1))]


def default_cluster(config: LabConfig) -> SparkCluster:
    return SparkCluster(config.lab_home / "spark-cluster")


def _running(cluster: SparkCluster, role: str) -> int | None:
    """The PID of the role's JVM if it still runs (else forget it)."""
    path = cluster.pid_file(role)
    try:
        pid = int(path.read_text())
        process = psutil.Process(pid)
        command = " ".join(process.cmdline())
        if process.status() != psutil.STATUS_ZOMBIE and "org.apache.spark.deploy" in command:
            return pid
    except (FileNotFoundError, ValueError, psutil.Error):
        pass
    path.unlink(missing_ok=True)
    return None


def _environment(cluster: SparkCluster) -> dict[str, str]:
    return os.environ | {
        "SPARK_HOME": str(Path(pyspark.__file__).parent),
        "SPARK_LOCAL_IP": "127.0.0.1",  # bind everything, web UIs included, to loopback
        "SPARK_DAEMON_MEMORY": "256m",  # the master and worker processes themselves; executors are apart
        "SPARK_MASTER_OPTS": "-Dspark.master.rest.enabled=false",  # no REST submission port (6066)
        "SPARK_WORKER_DIR": str(cluster.home / "work"),
        "SPARK_LOG_DIR": str(cluster.home / "logs"),
    }


def _launch(cluster: SparkCluster, role: str, arguments: list[str]) -> None:
    spark_class = Path(pyspark.__file__).parent / "bin" / "spark-class"
    with open(cluster.home / "logs" / f"{role}.out", "ab") as out:
        process = subprocess.Popen(
            ["bash", str(spark_class), *arguments], env=_environment(cluster),
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    # spark-class ends with `exec java ...`: the PID is the JVM's
    cluster.pid_file(role).write_text(str(process.pid))


def alive_workers(cluster: SparkCluster) -> int:
    """How many workers the master counts as ALIVE (0 when it does not answer)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{cluster.ui_port}/json/", timeout=2) as response:
            state = json.load(response)
    except (OSError, urllib.error.URLError, ValueError):
        return 0
    return sum(worker.get("state") == "ALIVE" for worker in state.get("workers", []))


def start_spark_cluster(config: LabConfig, cluster: SparkCluster | None = None) -> str:
    """Start the master and the workers that do not run yet; wait until all workers are ALIVE."""
    cluster = cluster or default_cluster(config)
    if all(_running(cluster, role) is not None for role in cluster.roles):
        return f"The Spark cluster already runs at {cluster.master_url} ({alive_workers(cluster)} workers)."
    require_java()
    (cluster.home / "logs").mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    if _running(cluster, "master") is None:
        if port_open(f"127.0.0.1:{cluster.port}"):
            raise LabError(f"Port {cluster.port} is taken: stop what runs there (`make stop`?) first.")
        master = ["org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(cluster.port)]
        _launch(cluster, "master", [*master, "--webui-port", str(cluster.ui_port)])
    for role in cluster.roles[1:]:
        if _running(cluster, role) is None:
            worker = ["org.apache.spark.deploy.worker.Worker", cluster.master_url, "--host", "127.0.0.1"]
            resources = ["--cores", str(WORKER_CORES), "--memory", WORKER_MEMORY, "--webui-port", "0"]
            _launch(cluster, role, [*worker, *resources, "--work-dir", str(cluster.home / "work" / role)])
    deadline = time.monotonic() + START_TIMEOUT_S
    while alive_workers(cluster) < cluster.workers:
        stopped = [role for role in cluster.roles if _running(cluster, role) is None]
        if stopped or time.monotonic() > deadline:
            why = f"{', '.join(stopped)} stopped" if stopped else f"not ready within {START_TIMEOUT_S:.0f} s"
            raise LabError(f"The Spark cluster did not start ({why}): read {cluster.home / 'logs'}.")
        time.sleep(0.5)
    return (
        f"Started a Spark {pyspark.__version__} standalone cluster in {time.monotonic() - began:.0f} s: "
        f"master {cluster.master_url}, {cluster.workers} workers of {WORKER_CORES} core and {WORKER_MEMORY}; "
        f"use it with LAB_SPARK_MASTER={cluster.master_url}."
    )


def stop_spark_cluster(home: Path) -> str:
    """Stop the workers, then the master; safe to call twice."""
    cluster = SparkCluster(home)
    roles = sorted((path.stem for path in home.glob("*.pid")), key=lambda role: role == "master")
    stopped = []
    for role in roles:
        pid = _running(cluster, role)
        if pid is None:
            continue
        terminate(pid, STOP_TIMEOUT_S)
        cluster.pid_file(role).unlink(missing_ok=True)
        stopped.append(role)
    return f"Stopped the Spark cluster ({', '.join(stopped)})." if stopped else "No Spark cluster is running."


def main(argv: list[str] | None = None) -> int:
    """``python -m lab_utils.stack.spark_cluster start|stop|status``."""
    commands: dict[str, Callable[[LabConfig], str]] = {
        "start": start_spark_cluster,
        "stop": lambda config: stop_spark_cluster(default_cluster(config).home),
        "status": lambda config: f"{alive_workers(default_cluster(config))} Spark workers alive.",
    }
    return service_main("lab_utils.stack.spark_cluster", commands, argv)


if __name__ == "__main__":
    sys.exit(main())
