"""Start, stop and check a local single-node Apache Kafka broker (KRaft) without Docker.

``make broker`` / ``make stop`` and the test suite call this; notebook 00 calls
:func:`broker_status`. The broker is real Apache Kafka from Maven Central (see ``lab_utils.stack.jvm``),
combined broker + controller, listening on 127.0.0.1 only, with its data, logs and PID file under
``.lab/kafka`` (ignored by git). Everything is idempotent: starting a running broker or stopping a
stopped one only says so, and a broker that someone else runs (a Docker one) is used, never touched.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from lab_utils.config import LabConfig, load_config
from lab_utils.errors import LabError, run_cli
from lab_utils.stack.jvm import POM_DIR, broker_classpath, java_executable, kafka_version, require_java
from lab_utils.stack.services import service_main, terminate

START_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class BrokerPaths:
    """Where one local broker keeps its files."""

    home: Path

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    @property
    def properties(self) -> Path:
        return self.home / "server.properties"

    @property
    def pid_file(self) -> Path:
        return self.home / "broker.pid"


def default_paths(config: LabConfig) -> BrokerPaths:
    """The local broker's folder under the lab's home (``.lab/kafka``)."""
    return BrokerPaths(config.lab_home / "kafka")


def cluster_home(config: LabConfig) -> Path:
    """The local cluster's folder under the lab's home (``.lab/cluster``), a node per subfolder."""
    return config.lab_home / "cluster"


def broker_answers(address: str, timeout_s: float = 2.0) -> bool:
    """True when a Kafka broker at ``address`` answers a metadata request."""
    try:
        admin = KafkaAdminClient(bootstrap_servers=[address], bootstrap_timeout_ms=int(timeout_s * 1000))
    except KafkaError:
        return False
    try:
        admin.describe_cluster()
        return True
    except KafkaError:
        return False
    finally:
        admin.close()


def split_address(address: str) -> tuple[str, int]:
    """``'127.0.0.1:9092'`` -> ``('127.0.0.1', 9092)``."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise LabError(
            f"{address!r} is not a host:port address: set LAB_BOOTSTRAP_SERVERS like 127.0.0.1:9092."
        )
    return host.strip("[]"), int(port)


def port_open(address: str, timeout_s: float = 1.0) -> bool:
    """True when something accepts TCP connections at ``address``."""
    host, port = split_address(address)
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def server_properties(paths: BrokerPaths, port: int, node_id: int = 1, voters: str | None = None) -> str:
    """The configuration of a combined broker + controller that listens on loopback only.

    Without ``voters`` it is a one-node cluster; with them (``1@127.0.0.1:9093,2@...``) one node of
    a cluster whose internal topics keep three replicas.
    """
    replicas, min_isr = ("3", "2") if voters else ("1", "1")
    quorum = (
        {"controller.quorum.voters": voters}
        if voters
        else {"controller.quorum.bootstrap.servers": f"127.0.0.1:{port + 1}"}
    )
    settings = {
        "process.roles": "broker,controller",
        "node.id": str(node_id),
        "listeners": f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{port + 1}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        **quorum,
        "log.dirs": str(paths.data),
        "offsets.topic.replication.factor": replicas,
        "transaction.state.log.replication.factor": replicas,
        "transaction.state.log.min.isr": min_isr,
        "share.coordinator.state.topic.replication.factor": replicas,
        "share.coordinator.state.topic.min.isr": min_isr,
        # A classroom broker: no 3 s wait before the first consumer group starts.
        "group.initial.rebalance.delay.ms": "0",
        # Topics are created on purpose (notebook 01, reference/topics.py, `kafka-topics --create`), not by a
        # typo or with the wrong partition count; kafka-console-producer/-consumer then say how to create it.
        "auto.create.topics.enable": "false",
        "num.partitions": "1",
        "log.retention.hours": "168",
    }
    return "".join(f"{key}={value}\n" for key, value in settings.items())


def _read_pid(paths: BrokerPaths) -> int | None:
    """The PID of the broker this lab started, if that process still runs (else forget it)."""
    try:
        pid = int(paths.pid_file.read_text().strip())
        if "kafka.Kafka" in psutil.Process(pid).cmdline() and _process_alive(pid):
            return pid
    except (FileNotFoundError, ValueError, psutil.Error):
        pass
    paths.pid_file.unlink(missing_ok=True)
    return None


def _java_command(paths: BrokerPaths, classpath: list[str], main_class: str, *args: str) -> list[str]:
    return [
        java_executable(), "-Xms256m", "-Xmx768m", "-XX:-UsePerfData",
        "-Djava.awt.headless=true", "-Djava.net.preferIPv4Stack=true",
        f"-Djava.io.tmpdir={paths.home}",
        f"-Dkafka.logs.dir={paths.logs}",
        f"-Dlog4j2.configurationFile={POM_DIR / 'broker-log4j2.properties'}",
        "-cp", os.pathsep.join(classpath), main_class, *args,
    ]  # fmt: skip


def _format_storage(paths: BrokerPaths, classpath: list[str], cluster_id: str | None = None) -> None:
    """Format the KRaft storage once. A lone node is its own controller (``--standalone``); the
    nodes of a cluster share a cluster id and find their voters in their configuration."""
    if (paths.data / "meta.properties").exists():
        return
    extra = ["--standalone"] if cluster_id is None else []
    cluster_id = cluster_id or new_cluster_id()
    command = _java_command(
        paths,
        classpath,
        "kafka.tools.StorageTool",
        "format",
        *extra,
        # One word: a random id can start with "-" (1 in 64), which would read as an option.
        f"--cluster-id={cluster_id}",
        "--config",
        str(paths.properties),
    )
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        (paths.logs / "format.log").write_text(result.stdout + result.stderr)
        raise LabError(
            f"Formatting the Kafka storage failed (see {paths.logs / 'format.log'}): "
            "run `make reset` and try again."
        )


def new_cluster_id() -> str:
    """A random KRaft cluster id (a UUID in URL-safe base64, as Kafka writes them)."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def _launch(paths: BrokerPaths, classpath: list[str]) -> int:
    """Start ``kafka.Kafka`` in its own session (Ctrl-C or a dying kernel must not kill it)."""
    with open(paths.logs / "server.out", "ab") as out:
        process = subprocess.Popen(
            _java_command(paths, classpath, "kafka.Kafka", str(paths.properties)),
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    paths.pid_file.write_text(str(process.pid))
    return process.pid


def _prepare(paths: BrokerPaths, properties: str) -> None:
    require_java()
    for folder in (paths.data, paths.logs):
        folder.mkdir(parents=True, exist_ok=True)
    paths.properties.write_text(properties)


def _wait_until_ready(
    address: str, pid: int, paths: BrokerPaths, answers: Callable[[str], bool] = broker_answers
) -> None:
    """Wait until the broker ``answers`` (a metadata request; on a secured cluster, one with an account)."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        # The process itself, not _read_pid: right after the fork its command line is still Python's,
        # and _read_pid would forget the PID of a broker that is starting fine (and leave it running).
        if not _process_alive(pid):
            paths.pid_file.unlink(missing_ok=True)
            raise LabError(
                f"The Kafka broker stopped while starting: read {paths.logs / 'server.log'} "
                f"(is port {address} taken?)."
            )
        if port_open(address, 0.5) and answers(address):
            return
        time.sleep(0.5)
    raise LabError(
        f"The Kafka broker did not answer within {START_TIMEOUT_S:.0f} s: read {paths.logs / 'server.log'}."
    )


def start_broker(config: LabConfig, paths: BrokerPaths | None = None) -> str:
    """Make sure a broker answers at the lab's address; start a local one only if none does.

    Returns one line saying what happened, for the caller to print.
    """
    paths = paths or default_paths(config)
    address = config.bootstrap_list[0]
    if _read_pid(paths) is not None:
        return f"The lab's Kafka broker is already running at {address}."
    if port_open(address):
        return f"A Kafka broker not started by this lab already answers at {address}: using it."
    host, port = split_address(address)
    if host not in {"127.0.0.1", "localhost"}:
        raise LabError(
            f"No broker answers at {address}, and the lab only starts brokers on 127.0.0.1: "
            "start that cluster, or unset LAB_BOOTSTRAP_SERVERS."
        )
    _prepare(paths, server_properties(paths, port))
    classpath = broker_classpath(config.lab_home)
    _format_storage(paths, classpath)
    pid = _launch(paths, classpath)
    _wait_until_ready(address, pid, paths)
    return f"Started Apache Kafka {kafka_version()} (KRaft) at {address}, PID {pid}."


CLUSTER_SIZE = 3


def cluster_nodes(home: Path, base_port: int = 9092) -> list[tuple[BrokerPaths, str]]:
    """The three nodes of the local cluster: node n listens on base_port + 2(n-1) (and +1 for its
    controller), so node 1 answers at the same address as the single broker."""
    return [
        (BrokerPaths(home / f"node-{n}"), f"127.0.0.1:{base_port + 2 * (n - 1)}")
        for n in range(1, CLUSTER_SIZE + 1)
    ]


def start_cluster(config: LabConfig, base_port: int = 9092, home: Path | None = None) -> str:
    """Start a local 3-broker KRaft cluster (three real Kafka processes); idempotent like start_broker."""
    nodes = cluster_nodes(home or cluster_home(config), base_port)
    bootstrap = ",".join(address for _, address in nodes)
    if all(_read_pid(paths) is not None for paths, _ in nodes):
        return f"The lab's Kafka cluster is already running at {bootstrap}."
    if port_open(nodes[0][1]):
        return (
            f"A Kafka broker already answers at {nodes[0][1]}: stop it first (`make stop`, or stop Docker's)."
        )
    voters = ",".join(
        f"{n}@127.0.0.1:{split_address(address)[1] + 1}" for n, (_, address) in enumerate(nodes, 1)
    )
    cluster_id = new_cluster_id()
    classpath = broker_classpath(config.lab_home)
    launched = []
    for node_id, (paths, address) in enumerate(nodes, 1):
        if _read_pid(paths) is None:
            _prepare(paths, server_properties(paths, split_address(address)[1], node_id, voters))
            _format_storage(paths, classpath, cluster_id)
            launched.append((paths, address, _launch(paths, classpath)))
    for paths, address, pid in launched:
        _wait_until_ready(address, pid, paths)
    return (
        f"Started a {CLUSTER_SIZE}-broker Apache Kafka {kafka_version()} cluster at {bootstrap}; use it with "
        f"LAB_BOOTSTRAP_SERVERS={bootstrap} LAB_REPLICATION_FACTOR=3."
    )


def stop_cluster(home: Path, base_port: int = 9092) -> str:
    """Stop the nodes of the lab's cluster that run; safe to call twice."""
    stopped = [
        stop_broker(paths) for paths, _ in cluster_nodes(home, base_port) if _read_pid(paths) is not None
    ]
    return (
        f"Stopped {len(stopped)} brokers of the lab's cluster."
        if stopped
        else "No cluster started by this lab is running."
    )


def stop_broker(paths: BrokerPaths) -> str:
    """Stop the broker this lab started (never one it did not start); safe to call twice."""
    pid = _read_pid(paths)
    if pid is None:
        return "No Kafka broker started by this lab is running."
    terminate(pid, STOP_TIMEOUT_S)  # Kafka shuts down cleanly on SIGTERM
    paths.pid_file.unlink(missing_ok=True)
    return f"Stopped the lab's Kafka broker (PID {pid})."


def _process_alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def broker_status(config: LabConfig, paths: BrokerPaths | None = None) -> str:
    """One line: who serves the lab's address, if anyone."""
    paths = paths or default_paths(config)
    address = config.bootstrap_list[0]
    pid = _read_pid(paths)
    if pid is not None:
        listens = re.search(r"advertised\.listeners=PLAINTEXT://(\S+)", paths.properties.read_text())
        return f"The lab's Kafka broker runs at {listens.group(1) if listens else '?'} (PID {pid})."
    if port_open(address):
        return f"A Kafka broker not started by this lab answers at {address}."
    return f"No Kafka broker answers at {address}: start one with `make broker`."


@contextlib.contextmanager
def broker_running(config: LabConfig, paths: BrokerPaths | None = None) -> Iterator[str]:
    """Keep a broker up inside the block; stop it afterwards only if this block started it."""
    paths = paths or default_paths(config)
    started_here = _read_pid(paths) is None and not port_open(config.bootstrap_list[0])
    message = start_broker(config, paths)
    try:
        yield message
    finally:
        if started_here:
            print(stop_broker(paths), flush=True)


def run_with_broker(config: LabConfig, command: list[str]) -> int:
    """Run ``command`` with a broker up (``make test``); stop it after if it was started for this."""
    with broker_running(config) as message:
        print(message, flush=True)
        return subprocess.call(command)


COMMANDS: dict[str, Callable[[LabConfig], str]] = {
    "start": start_broker,
    "cluster": start_cluster,
    "stop": lambda config: f"{stop_broker(default_paths(config))}\n{stop_cluster(cluster_home(config))}",
    "status": broker_status,
}


def main(argv: list[str] | None = None) -> int:
    """``python -m lab_utils.stack.broker start|cluster|stop|status|run -- COMMAND...``."""
    args = sys.argv[1:] if argv is None else argv
    if args[:2] == ["run", "--"] and len(args) > 2:
        return run_cli(lambda: run_with_broker(load_config(), args[2:]))
    return service_main("lab_utils.stack.broker", COMMANDS, args, other_usage="run -- COMMAND...")


if __name__ == "__main__":
    sys.exit(main())
