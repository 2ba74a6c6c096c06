"""A class's Kafka cluster on one server, with an account per student (``make classroom``).

Three KRaft nodes (each broker and controller, like ``make cluster``), set up as an instructor would run
them for 30 to 60 students:

- the client listener speaks SASL/SCRAM-SHA-256; the brokers talk to each other on it as ``admin``;
- the controller listener is PLAINTEXT on 127.0.0.1 (KRaft controllers cannot use SCRAM), so whoever
  connects there is ``User:ANONYMOUS``, a super user: never open the controller ports beyond the machine;
- the ``StandardAuthorizer`` with ``allow.everyone.if.no.acl.found=false``: what no ACL allows is refused;
- an ``admin`` account (a super user, created when the storage is formatted, ``--add-scram``) and one
  account per student, ``s01`` ... ``sNN``: everything on the topics and consumer groups whose names start
  with ``s01.`` (prefixed ACLs), reading the class topic ``sensor-suhu``, nothing else;
- a quota per user (bytes per second produced and fetched): one flooding student cannot starve the class.

Everything lives in ``.lab/classroom`` (mode 0700): the nodes, ``admin.env`` and ``students/sNN.env``, the
settings files (mode 0600, generated passwords) that students point LAB_SETTINGS_FILE at.

    python -m lab_utils.stack.class_cluster start [--students 30] [--base-port 9192] [--host 127.0.0.1]
    python -m lab_utils.stack.class_cluster reset s07    # a new password; s07's topics and groups deleted
    python -m lab_utils.stack.class_cluster status | stop
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kafka.admin import (
    ACL,
    ACLOperation,
    ACLPermissionType,
    ACLResourcePatternType,
    KafkaAdminClient,
    ResourcePattern,
    ResourceType,
    UserScramCredentialUpsertion,
)
from kafka.errors import KafkaError, TopicAlreadyExistsError

from lab_utils.clients import admin_client
from lab_utils.config import LabConfig, load_config
from lab_utils.errors import LabError, run_cli
from lab_utils.stack import broker
from lab_utils.stack.account import client_properties, kafka_security
from lab_utils.stack.jvm import broker_classpath, kafka_version
from lab_utils.stack.private_files import (
    new_password,
    private_folder,
    read_settings,
    settings_text,
    write_private,
)

ADMIN = "admin"
MECHANISM = "SCRAM-SHA-256"
BASE_PORT = 9192  # nodes at 9192, 9194, 9196 (controllers one above): beside a laptop broker on 9092
STUDENTS = 30
CLASS_TOPIC = "sensor-suhu"  # the class's shared topic: the instructor writes, every student may read
# Per user over the whole cluster: thousands of readings a second, far above a lesson's needs. Kafka enforces
# a quota on each broker alone, so each node is given its share (``per_broker``).
PRODUCE_BYTES_PER_S = 256 * 1024
FETCH_BYTES_PER_S = 1024 * 1024


@dataclass(frozen=True)
class ClassCluster:
    """Where a class cluster keeps its files, and the ports its nodes use."""

    home: Path
    base_port: int = BASE_PORT
    host: str = "127.0.0.1"  # where the client listeners listen and what they advertise

    @property
    def nodes(self) -> list[tuple[broker.BrokerPaths, str]]:
        return [
            (paths, address.replace("127.0.0.1", self.host, 1))
            for paths, address in broker.cluster_nodes(self.home / "nodes", self.base_port)
        ]

    @property
    def bootstrap(self) -> str:
        return ",".join(address for _, address in self.nodes)

    @property
    def admin_file(self) -> Path:
        return self.home / "admin.env"

    def student_file(self, name: str) -> Path:
        return self.home / "students" / f"{name}.env"

    def running(self) -> bool:
        return all(broker._read_pid(paths) is not None for paths, _ in self.nodes)


def default_class(config: LabConfig, base_port: int = BASE_PORT, host: str = "127.0.0.1") -> ClassCluster:
    """The class cluster under the lab's home (``.lab/classroom``)."""
    return ClassCluster(config.lab_home / "classroom", base_port, host)


def student_names(count: int) -> list[str]:
    """``s01`` ... ``s30`` (three digits from 100 students on)."""
    width = max(2, len(str(count)))
    return [f"s{number:0{width}d}" for number in range(1, count + 1)]


def account_config(
    config: LabConfig, cluster: ClassCluster, user: str, password: str, prefix: str
) -> LabConfig:
    """``config`` as the account ``user`` on the class cluster (what its settings file says)."""
    return dataclasses.replace(
        config,
        bootstrap_servers=cluster.bootstrap,
        replication_factor=3,
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism=MECHANISM,
        sasl_username=user,
        sasl_password=password,
        name_prefix=prefix,
        topic=prefix + CLASS_TOPIC,
        dlq_topic=f"{prefix}{CLASS_TOPIC}-dlq",
    )


def _account_settings(cluster: ClassCluster, user: str, password: str, prefix: str) -> dict[str, str]:
    settings = {
        "LAB_BOOTSTRAP_SERVERS": cluster.bootstrap,
        "LAB_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "LAB_SASL_MECHANISM": MECHANISM,
        "LAB_SASL_USERNAME": user,
        "LAB_SASL_PASSWORD": password,
        "LAB_REPLICATION_FACTOR": "3",
    }
    return settings | ({"LAB_PREFIX": prefix} if prefix else {})


def _write_account(cluster: ClassCluster, path: Path, user: str, password: str, prefix: str) -> None:
    comment = (
        f"Kafka Sensor Lab: the account {user} on the class cluster (written by `make classroom`).\n"
        "Keep this file private (mode 600). Use it with: export LAB_SETTINGS_FILE=<this file>\n"
        + (f"Your topics and consumer groups start with {prefix}; the class topic {CLASS_TOPIC} is read-only."
           if prefix else "A super user: every topic, group, ACL and quota.")
    )  # fmt: skip
    write_private(path, settings_text(_account_settings(cluster, user, password, prefix), comment))


def node_properties(
    cluster: ClassCluster, paths: broker.BrokerPaths, port: int, node_id: int, admin_password: str
) -> str:
    """A node of the lab's cluster (``broker.server_properties``) with SASL/SCRAM, ACLs and super users."""
    voters = ",".join(
        f"{n}@127.0.0.1:{cluster.base_port + 2 * (n - 1) + 1}" for n in range(1, len(cluster.nodes) + 1)
    )
    settings = dict(
        line.split("=", 1) for line in broker.server_properties(paths, port, node_id, voters).splitlines()
    )
    jaas = (
        "org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="{ADMIN}" password="{admin_password}";'
    )
    settings |= {
        "listeners": f"CLIENT://{cluster.host}:{port},CONTROLLER://127.0.0.1:{port + 1}",
        "advertised.listeners": f"CLIENT://{cluster.host}:{port}",
        "inter.broker.listener.name": "CLIENT",
        "listener.security.protocol.map": "CLIENT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT",
        "sasl.enabled.mechanisms": MECHANISM,
        "sasl.mechanism.inter.broker.protocol": MECHANISM,
        f"listener.name.client.{MECHANISM.lower()}.sasl.jaas.config": jaas,
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        # ANONYMOUS: the other nodes on the PLAINTEXT controller listener (loopback only).
        "super.users": f"User:{ADMIN};User:ANONYMOUS",
        "allow.everyone.if.no.acl.found": "false",
    }
    return "".join(f"{key}={value}\n" for key, value in settings.items())


def _format(paths: broker.BrokerPaths, classpath: list[str], cluster_id: str, admin_password: str) -> None:
    """Format a node's storage with the admin's SCRAM credential. The arguments go through a private
    argument file (``java @file``), so the password never shows on a command line (``ps``)."""
    if (paths.data / "meta.properties").exists():
        return
    argfile = write_private(
        paths.home / "format.args",
        "kafka.tools.StorageTool\nformat\n"
        f"--cluster-id={cluster_id}\n--config\n{paths.properties}\n"
        f"--add-scram\n{MECHANISM}=[name={ADMIN},password={admin_password}]\n",
    )
    try:
        result = subprocess.run(
            broker._java_command(paths, classpath, f"@{argfile}"), capture_output=True, text=True, timeout=120
        )
    finally:
        argfile.unlink(missing_ok=True)
    if result.returncode != 0:
        (paths.logs / "format.log").write_text(result.stdout + result.stderr)
        raise LabError(f"Formatting the class cluster's storage failed: read {paths.logs / 'format.log'}.")


def _admin_answers(admin: LabConfig) -> Callable[[str], bool]:
    def answers(address: str) -> bool:
        try:
            client = KafkaAdminClient(
                bootstrap_servers=[address], bootstrap_timeout_ms=2000, **kafka_security(admin)
            )
        except KafkaError:
            return False
        try:
            return bool(client.describe_cluster()["brokers"])
        except KafkaError:
            return False
        finally:
            client.close()

    return answers


def _admin_password(cluster: ClassCluster) -> str:
    if cluster.admin_file.exists():
        password = read_settings(cluster.admin_file)["LAB_SASL_PASSWORD"]
        _write_account(cluster, cluster.admin_file, ADMIN, password, "")  # the current ports
        return password
    if (cluster.nodes[0][0].data / "meta.properties").exists():
        raise LabError(
            f"{cluster.admin_file} is missing, so nobody can administer this class cluster: "
            f"delete {cluster.home} to start a new class."
        )
    password = new_password()
    _write_account(cluster, cluster.admin_file, ADMIN, password, "")
    return password


def _start_nodes(config: LabConfig, cluster: ClassCluster, admin: LabConfig) -> None:
    classpath = broker_classpath(config.lab_home)
    cluster_id_file = cluster.home / "cluster.id"
    if not cluster_id_file.exists():
        cluster_id_file.write_text(broker.new_cluster_id())
    cluster_id = cluster_id_file.read_text().strip()
    launched = []
    for node_id, (paths, address) in enumerate(cluster.nodes, 1):
        if broker._read_pid(paths) is not None:
            continue
        if broker.port_open(address) or broker.port_open(f"127.0.0.1:{broker.split_address(address)[1] + 1}"):
            raise LabError(
                f"Port {address} (or the one above it) is taken: stop what runs there, or use --base-port."
            )
        properties = node_properties(
            cluster, paths, broker.split_address(address)[1], node_id, admin.sasl_password
        )
        broker._prepare(paths, properties)
        paths.properties.chmod(0o600)
        _format(paths, classpath, cluster_id, admin.sasl_password)
        launched.append((paths, address, broker._launch(paths, classpath)))
    for paths, address, pid in launched:
        broker._wait_until_ready(address, pid, paths, answers=_admin_answers(admin))


def _acls(student: str, prefix: str) -> list[ACL]:
    principal = f"User:{student}"
    allow = lambda operation, kind, name, pattern: ACL(  # noqa: E731
        principal, "*", operation, ACLPermissionType.ALLOW, ResourcePattern(kind, name, pattern)
    )
    return [
        allow(ACLOperation.ALL, ResourceType.TOPIC, prefix, ACLResourcePatternType.PREFIXED),
        allow(ACLOperation.ALL, ResourceType.GROUP, prefix, ACLResourcePatternType.PREFIXED),
        allow(ACLOperation.READ, ResourceType.TOPIC, CLASS_TOPIC, ACLResourcePatternType.LITERAL),
    ]


def _students(cluster: ClassCluster, count: int) -> dict[str, str]:
    """Every student's password: the one in their settings file, or a new one (and a new file)."""
    passwords = {}
    for name in student_names(count):
        path = cluster.student_file(name)
        passwords[name] = read_settings(path)["LAB_SASL_PASSWORD"] if path.exists() else new_password()
    return passwords


def _set_up_accounts(
    config: LabConfig, cluster: ClassCluster, admin: LabConfig, passwords: dict[str, str]
) -> None:
    """SCRAM credentials (upserted: the same password again is no change), ACLs, the class topic, quotas."""
    with admin_client(admin) as client:
        upserts = [
            UserScramCredentialUpsertion(name, MECHANISM, password) for name, password in passwords.items()
        ]
        failed = {
            user: error for user, error in client.alter_user_scram_credentials(upserts).items() if error
        }
        acls = [acl for name in passwords for acl in _acls(name, f"{name}.")]
        failed |= {str(i): str(error) for i, error in enumerate(client.create_acls(acls)["failed"])}
        try:
            spec = {"num_partitions": 3, "replication_factor": 3, "configs": {"min.insync.replicas": "2"}}
            client.create_topics({CLASS_TOPIC: spec}, wait_for_metadata=True)
        except TopicAlreadyExistsError:
            pass
    if failed:
        raise LabError(f"The class cluster refused some accounts or ACLs: {failed}.")
    for name, password in passwords.items():  # written again: the same password, the current ports
        _write_account(cluster, cluster.student_file(name), name, password, f"{name}.")
    _default_quota(config, cluster, admin)


def per_broker(bytes_per_s: int, cluster: ClassCluster) -> int:
    """One node's share of a user's quota: each broker counts only what it serves, so a user sending to
    leaders on all three nodes would otherwise get three times the class-wide figure."""
    return bytes_per_s // len(cluster.nodes)


def _default_quota(config: LabConfig, cluster: ClassCluster, admin: LabConfig) -> None:
    """Each user's own quota (``--entity-default``), with Kafka's ConfigCommand (``kafka-configs``)."""
    properties = write_private(cluster.home / "admin.properties", client_properties(admin))
    produce, fetch = (per_broker(rate, cluster) for rate in (PRODUCE_BYTES_PER_S, FETCH_BYTES_PER_S))
    quota = f"producer_byte_rate={produce},consumer_byte_rate={fetch}"
    paths = cluster.nodes[0][0]
    command = broker._java_command(
        paths, broker_classpath(config.lab_home), "kafka.admin.ConfigCommand",
        "--bootstrap-server", cluster.bootstrap, "--command-config", str(properties),
        "--alter", "--add-config", quota, "--entity-type", "users", "--entity-default",
    )  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        (paths.logs / "quota.log").write_text(result.stdout + result.stderr)
        raise LabError(f"Setting the students' quota failed: read {paths.logs / 'quota.log'}.")


def start_class(config: LabConfig, students: int = STUDENTS, cluster: ClassCluster | None = None) -> str:
    """Start (or complete) the class cluster: nodes, accounts, ACLs, quotas, settings files. Idempotent."""
    cluster = cluster or default_class(config)
    began = time.monotonic()
    private_folder(cluster.home)
    private_folder(cluster.home / "students")
    admin = account_config(config, cluster, ADMIN, _admin_password(cluster), "")
    passwords = _students(cluster, students)
    was_running = cluster.running()
    _start_nodes(config, cluster, admin)
    _set_up_accounts(config, cluster, admin, passwords)
    what = "is already running" if was_running else f"started in {time.monotonic() - began:.0f} s"
    return (
        f"The class cluster (Apache Kafka {kafka_version()}, SASL/SCRAM, ACLs, quotas) {what} "
        f"at {cluster.bootstrap}.\n"
        f"{len(passwords)} student accounts, each with its own settings file (mode 600) in "
        f"{cluster.home / 'students'}/.\n"
        "Hand each student only their own file (it holds their password): e.g. on the server\n"
        f"  install -m 600 -o s01 {cluster.student_file(student_names(1)[0])} /home/s01/kafka-lab.env\n"
        "and set LAB_SETTINGS_FILE=~/kafka-lab.env in their environment (JupyterHub: Spawner.environment).\n"
        f"The admin's file is {cluster.admin_file}; a forgotten password: "
        "`python -m lab_utils.stack.class_cluster reset s07`."
    )


def reset_student(config: LabConfig, name: str, cluster: ClassCluster | None = None) -> str:
    """A new password for ``name`` (a new settings file), and their topics and consumer groups deleted."""
    cluster = cluster or default_class(config)
    if not cluster.student_file(name).exists():
        raise LabError(f"There is no student {name!r} in {cluster.home}: names look like s07.")
    if not cluster.running():
        raise LabError("The class cluster is not running: start it with `make classroom` first.")
    admin = account_config(config, cluster, ADMIN, read_settings(cluster.admin_file)["LAB_SASL_PASSWORD"], "")
    password, prefix = new_password(), f"{name}."
    with admin_client(admin) as client:
        client.alter_user_scram_credentials([UserScramCredentialUpsertion(name, MECHANISM, password)])
        topics = [topic for topic in client.list_topics() if topic.startswith(prefix)]
        if topics:
            client.delete_topics(topics)
        groups = [group["group_id"] for group in client.list_groups() if group["group_id"].startswith(prefix)]
        if groups:
            client.delete_groups(groups)
    _write_account(cluster, cluster.student_file(name), name, password, prefix)
    return (
        f"{name} has a new password in {cluster.student_file(name)}; deleted {len(topics)} topics and "
        f"{len(groups)} consumer groups. Running kernels of {name} must restart."
    )


def stop_class(home: Path, base_port: int = BASE_PORT) -> str:
    """Stop the class cluster's nodes; its data and accounts stay for the next start. Safe to call twice."""
    running = [
        (paths, pid)
        for paths, _ in broker.cluster_nodes(home / "nodes", base_port)
        if (pid := broker._read_pid(paths))
    ]
    for _, pid in running:  # all at once: a node waiting for the others to leave the quorum would wait long
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    stopped = [broker.stop_broker(paths) for paths, _ in running]
    return (
        f"Stopped the class cluster's {len(stopped)} brokers." if stopped else "No class cluster is running."
    )


def class_status(config: LabConfig, cluster: ClassCluster | None = None) -> str:
    cluster = cluster or default_class(config)
    if cluster.running():
        count = len(list((cluster.home / "students").glob("*.env")))
        return f"The class cluster runs at {cluster.bootstrap} with {count} student accounts."
    return "No class cluster is running: start one with `make classroom`."


def main(argv: list[str] | None = None) -> int:
    """``python -m lab_utils.stack.class_cluster start|stop|status|reset NAME``."""
    parser = argparse.ArgumentParser(
        prog="python -m lab_utils.stack.class_cluster", description=__doc__.split("\n")[0]
    )
    parser.add_argument("command", choices=["start", "stop", "status", "reset"])
    parser.add_argument("name", nargs="?", help="the student to reset, e.g. s07")
    parser.add_argument("--students", type=int, default=STUDENTS)
    parser.add_argument("--base-port", type=int, default=BASE_PORT)
    parser.add_argument(
        "--host", default="127.0.0.1", help="the client listeners' address (never the controllers')"
    )
    args = parser.parse_args(argv)

    def run(config: LabConfig) -> None:
        cluster = default_class(config, args.base_port, args.host)
        if args.command == "start":
            print(start_class(config, args.students, cluster))
        elif args.command == "stop":
            print(stop_class(cluster.home, args.base_port))
        elif args.command == "status":
            print(class_status(config, cluster))
        elif not args.name:
            raise LabError("Say which student to reset: `python -m lab_utils.stack.class_cluster reset s07`.")
        else:
            print(reset_student(config, args.name, cluster))

    return run_cli(lambda: run(load_config()))


if __name__ == "__main__":
    sys.exit(main())
