"""Apache Kafka's own command-line tools (``kafka-topics``, ``kafka-console-producer``...) without a Kafka
download and without Docker.

``make setup`` writes one small launcher per tool into the lab's environment (``.venv/bin``, or the conda
environment's ``bin``). Each runs the real Apache Kafka class that ``bin/kafka-*.sh`` of a Kafka download
runs, with ``java -cp`` on the jars Maven resolved from ``jvm/kafka-tools.xml``: the same Kafka release as
the local broker. Log lines go to ``.lab/logs/kafka-tools.log`` (``jvm/tools-log4j2.properties``), so a
terminal shows only what the tool prints, plus one line per error.

Before the JVM starts, a launcher turns two silent waits into one sentence each: no broker answers at
``--bootstrap-server``; and, for the console producer and consumer, the topic does not exist on a broker
that does not create topics when they are first used (the lab's broker and docker-compose's do not: Kafka
would block 60 s on the first record and then fail it, or wait forever for a topic nobody creates).
"""

from __future__ import annotations

import os
import secrets
import shlex
import socket
import sys
import sysconfig
from pathlib import Path

from lab_utils.config import LabConfig, load_config
from lab_utils.errors import LabError, run_cli
from lab_utils.stack.account import client_properties, kafka_security
from lab_utils.stack.jvm import POM_DIR, java_executable, kafka_version, tools_classpath
from lab_utils.stack.private_files import write_private

# The command a Kafka download names ``bin/<name>.sh``, and the class it runs (checked in the 4.1.1 jar).
TOOLS = {
    "kafka-topics": "org.apache.kafka.tools.TopicCommand",
    "kafka-console-producer": "org.apache.kafka.tools.ConsoleProducer",
    "kafka-console-consumer": "org.apache.kafka.tools.consumer.ConsoleConsumer",
    "kafka-consumer-groups": "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
    "kafka-get-offsets": "org.apache.kafka.tools.GetOffsetShell",
}
# Tools that read or write one topic: the lab checks that it exists before the JVM starts.
TOPIC_TOOLS = {"kafka-console-producer", "kafka-console-consumer"}
# A connection that needs settings (TLS, SASL) the check cannot read: then Kafka alone decides.
_CONFIG_FILES = ("--command-config", "--producer.config", "--consumer.config")
_SECURITY_WORDS = ("security.protocol", "sasl.", "ssl.")
CONNECT_TIMEOUT_S = 3.0


def option_value(args: list[str], name: str) -> str | None:
    """The value of ``--name value`` or ``--name=value`` in a Kafka tool's arguments (the last one wins)."""
    value = None
    for index, arg in enumerate(args):
        if arg == name and index + 1 < len(args):
            value = args[index + 1]
        elif arg.startswith(f"{name}="):
            value = arg.partition("=")[2]
    return value


def _addresses(bootstrap: str) -> list[tuple[str, int]]:
    found = []
    for server in filter(None, (part.strip() for part in bootstrap.split(","))):
        host, _, port = server.rpartition(":")
        if host and port.isdigit():
            found.append((host.strip("[]"), int(port)))
    return found


def broker_reachable(bootstrap: str, timeout_s: float = CONNECT_TIMEOUT_S) -> bool:
    """True when at least one bootstrap address accepts a TCP connection (or none can be read:
    then the tool itself explains the address)."""
    addresses = _addresses(bootstrap)
    for host, port in addresses:
        try:
            with socket.create_connection((host, port), timeout=timeout_s):
                return True
        except OSError:
            continue
    return not addresses


def create_command(config: LabConfig, bootstrap: str, topic: str) -> str:
    """The kafka-topics command that creates ``topic`` (the lab's topic with the lab's partitions)."""
    partitions = config.partitions if topic == config.topic else 1
    return (
        f"kafka-topics --bootstrap-server {bootstrap} --create --topic {shlex.quote(topic)} "
        f"--partitions {partitions} --replication-factor {config.replication_factor}"
    )


def missing_topic_message(config: LabConfig, bootstrap: str, topic: str) -> str | None:
    """One sentence when ``topic`` does not exist and the broker will not create it on first use; None
    when the topic exists, the broker creates topics itself, or the broker cannot be asked."""
    from kafka import KafkaAdminClient
    from kafka.admin import ConfigResource, ConfigResourceType
    from kafka.errors import KafkaError

    try:
        admin = KafkaAdminClient(
            bootstrap_servers=[server.strip() for server in bootstrap.split(",") if server.strip()],
            bootstrap_timeout_ms=int(CONNECT_TIMEOUT_S * 1000),
            client_id="kafka-sensor-lab-tools",
            **kafka_security(config),
        )
    except KafkaError:
        return None
    try:
        if topic in admin.list_topics():
            return None
        broker_id = str(admin.describe_cluster()["brokers"][0]["broker_id"])
        resource = ConfigResource(ConfigResourceType.BROKER, broker_id, configs=None)
        settings = admin.describe_configs([resource], config_filter="all")["broker"][broker_id]
        if settings.get("auto.create.topics.enable", {}).get("value") != "false":
            return None
    except (KafkaError, KeyError, IndexError):
        return None
    finally:
        admin.close()
    return (
        f"Topic {topic!r} does not exist, and the broker at {bootstrap} does not create topics when they are "
        f"first used: create it first with `{create_command(config, bootstrap, topic)}`, then run this again."
    )


def check_arguments(config: LabConfig, tool: str, args: list[str]) -> None:
    """Raise a one-sentence LabError for a broker that does not answer or a topic that does not exist."""
    if {"--help", "-h", "--version"} & set(args):
        return
    bootstrap = option_value(args, "--bootstrap-server") or option_value(args, "--broker-list")
    if not bootstrap:
        return  # Kafka's own usage message says it is required
    if not broker_reachable(bootstrap):
        raise LabError(
            f"No Kafka broker answers at {bootstrap}: start one with `make broker` "
            "(or `docker compose up -d`), or give --bootstrap-server the address of your cluster."
        )
    topic = option_value(args, "--topic")
    if tool in TOPIC_TOOLS and topic and (kafka_security(config) or not _secured(args)):
        message = missing_topic_message(config, bootstrap, topic)
        if message:
            raise LabError(message)


def _secured(args: list[str]) -> bool:
    return any(arg.split("=")[0] in _CONFIG_FILES or any(w in arg for w in _SECURITY_WORDS) for arg in args)


def java_command(lab_home: Path, tool: str, args: list[str]) -> list[str]:
    """``java ... -cp <Kafka's jars> <the tool's class> args``, as ``bin/kafka-run-class.sh`` builds it."""
    return [
        # C1 only: a short-lived tool starts with ~40% less CPU; a console tool never needs C2's peak speed.
        java_executable(), "-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
        "-Djava.awt.headless=true", "-Djava.net.preferIPv4Stack=true",
        f"-Dkafka.logs.dir={lab_home / 'logs'}",
        f"-Dlog4j2.configurationFile={POM_DIR / 'tools-log4j2.properties'}",
        *shlex.split(os.environ.get("KAFKA_OPTS", "")),  # like Kafka's scripts (JAAS files, for example)
        "-cp", os.pathsep.join(tools_classpath(lab_home)), TOOLS[tool], *args,
    ]  # fmt: skip


# The option that names a client properties file, per tool (Kafka 4.1's names).
CONFIG_OPTION = {"kafka-console-producer": "--producer.config", "kafka-console-consumer": "--consumer.config"}


def account_arguments(config: LabConfig, tool: str, args: list[str]) -> list[str]:
    """The arguments that log a tool in with the class account (LAB_SETTINGS_FILE), unless the command
    brings its own: a client properties file (mode 0600, under ``.lab/accounts``) and, for the console
    consumer, a group with the account's prefix (Kafka's own ``console-consumer-NNNNN`` is refused)."""
    if not kafka_security(config) or _secured(args):
        return []
    properties = config.lab_home / "accounts" / f"{config.sasl_username}.properties"
    extra = [
        CONFIG_OPTION.get(tool, "--command-config"),
        str(write_private(properties, client_properties(config))),
    ]
    named = {arg.split("=")[0] for arg in args}
    if (
        tool == "kafka-console-consumer"
        and not {"--group", "--partition"} & named
        and "group.id" not in str(args)
    ):
        extra += ["--group", config.group_name(f"console-consumer-{secrets.randbelow(100_000)}")]
    return extra


def run_tool(config: LabConfig, tool: str, args: list[str]) -> int:
    """Check the arguments, then replace this process with the tool's JVM (its exit code is the tool's)."""
    check_arguments(config, tool, args)
    command = java_command(config.lab_home, tool, args + account_arguments(config, tool, args))
    sys.stdout.flush()
    os.execv(command[0], command)
    return 0  # not reached


def launcher(tool: str, python: str = sys.executable) -> str:
    """The text of the executable ``tool``: a shell script that hands its arguments to this module."""
    return (
        "#!/bin/sh\n"
        f"# {tool}: Apache Kafka's {TOOLS[tool]} ({kafka_version()}), the same as bin/{tool}.sh.\n"
        "# Written by `make setup` (lab_utils/stack/kafka_tools.py): change that file, not this one.\n"
        f'exec {shlex.quote(python)} -I -m lab_utils.stack.kafka_tools {tool} "$@"\n'
    )


def install_tools(bin_dir: Path | None = None) -> Path:
    """Write (or refresh) one launcher per tool into ``bin_dir`` (the running environment's ``bin``)."""
    bin_dir = bin_dir or Path(sysconfig.get_path("scripts"))
    try:
        bin_dir.mkdir(parents=True, exist_ok=True)
        for tool in TOOLS:
            path = bin_dir / tool
            text = launcher(tool)
            if not path.exists() or path.read_text() != text:
                path.write_text(text)
            path.chmod(0o755)
    except OSError as error:
        raise LabError(
            f"Could not write Kafka's command-line tools into {bin_dir} ({error.strerror}): "
            "run `make setup`, which installs them into the lab's .venv."
        ) from error
    return bin_dir


def main(argv: list[str] | None = None) -> int:
    """``python -m lab_utils.stack.kafka_tools TOOL ARGS...``: what the launchers run."""
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] not in TOOLS:
        print(f"usage: python -m lab_utils.stack.kafka_tools {'|'.join(TOOLS)} ARGS...", file=sys.stderr)
        return 2
    return run_cli(lambda: run_tool(load_config(), args[0], args[1:]))


if __name__ == "__main__":
    sys.exit(main())
