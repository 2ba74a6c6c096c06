"""A class account in this process: every Kafka client uses it, and its refusals read as one sentence.

On a class's secured cluster (``make classroom``; a student sets LAB_SETTINGS_FILE) the lab's own clients
take the account from ``config`` (``lab_utils.clients``, ``config.spark_kafka_options``). A notebook cell
shows the library's plain calls instead, ``KafkaProducer(bootstrap_servers=...)`` and
``spark.readStream.format("kafka")``, so :func:`use_account` (called by ``setup()``) makes the account
the default of those calls too: kafka-python's ``DEFAULT_CONFIG`` of the producer, consumer and admin
client, and the options that ``format("kafka")`` of Spark's readers and writers starts with. A cell that
sets an option itself still wins. Without an account nothing is installed and nothing changes.

:func:`refusal_sentence` turns what a refusal looks like (kafka-python's ``TopicAuthorizationFailedError``,
``GroupAuthorizationFailedError``, a bootstrap timeout after a failed SASL login; Spark's
``TopicAuthorizationException`` or ``SaslAuthenticationException`` deep in a Java trace) into one sentence
that says what to change. ``lab_utils.notebook``, ``lab_utils.clients`` and ``lab_utils.streaming`` ask it.
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
import socket
import time
from collections.abc import Callable
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.errors import (
    ClusterAuthorizationFailedError,
    GroupAuthorizationFailedError,
    KafkaTimeoutError,
    SaslAuthenticationFailedError,
    TopicAuthorizationFailedError,
)

from lab_utils.config import LabConfig

KAFKA_PYTHON_CLIENTS = (KafkaProducer, KafkaConsumer, KafkaAdminClient)
AUTH_MEMORY_S = 60.0  # a bootstrap timeout this soon after a failed login is that login's fault
_state: dict[str, Any] = {"config": None, "kafka": {}, "spark": {}}
_originals: dict[tuple[type, str], Any] = {}


def kafka_security(config: LabConfig) -> dict[str, str]:
    """The account as kafka-python options, ``KafkaProducer(..., **kafka_security(config))``; {} if none."""
    if config.security_protocol == "PLAINTEXT":
        return {}
    return {
        "security_protocol": config.security_protocol,
        "sasl_mechanism": config.sasl_mechanism,
        "sasl_plain_username": config.sasl_username,
        "sasl_plain_password": config.sasl_password,
    }


def jaas_config(config: LabConfig) -> str:
    """The account as a Java client's ``sasl.jaas.config`` line (quotes and backslashes escaped)."""
    module = "plain.PlainLoginModule" if config.sasl_mechanism == "PLAIN" else "scram.ScramLoginModule"
    user, password = (
        value.replace("\\", "\\\\").replace('"', '\\"')
        for value in (config.sasl_username, config.sasl_password)
    )
    return f'org.apache.kafka.common.security.{module} required username="{user}" password="{password}";'


def spark_kafka_options(config: LabConfig) -> dict[str, str]:
    """The account as options of Spark's Kafka source and sink, ``.options(**spark_kafka_options(config))``.

    With a prefix, the group ids Spark's source makes up start with it too (``groupIdPrefix``), so a
    class cluster's group ACLs allow them.
    """
    options = {"groupIdPrefix": f"{config.name_prefix}spark-kafka"} if config.name_prefix else {}
    if config.security_protocol != "PLAINTEXT":
        options |= {
            "kafka.security.protocol": config.security_protocol,
            "kafka.sasl.mechanism": config.sasl_mechanism,
            "kafka.sasl.jaas.config": jaas_config(config),
        }
    return options


def client_properties(config: LabConfig) -> str:
    """The account as a Java client's properties file (``--command-config`` of Kafka's tools).

    A properties file reads a backslash as an escape, so each one of the JAAS line is doubled.
    """
    return "".join(
        f"{key.removeprefix('kafka.')}={value.replace(chr(92), chr(92) * 2)}\n"  # Java reads \\ as \
        for key, value in spark_kafka_options(config).items()
        if key.startswith("kafka.")
    )


class _FailedLogins(logging.Handler):
    """Remembers kafka-python's last failed SASL login. Its bootstrap retries a refused login until the
    timeout and then raises only "Unable to bootstrap"; the log record is where the reason is."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.at = -math.inf

    def emit(self, record: logging.LogRecord) -> None:
        arguments = record.args if isinstance(record.args, tuple) else ()
        if any(isinstance(argument, SaslAuthenticationFailedError) for argument in arguments):
            self.at = time.monotonic()


_failed_logins = _FailedLogins()


def watch_logins() -> None:
    """Start remembering failed SASL logins (a handler on the ``kafka`` logger; idempotent)."""
    logger = logging.getLogger("kafka")
    if _failed_logins not in logger.handlers:
        logger.addHandler(_failed_logins)


def login_failed_recently() -> bool:
    return time.monotonic() - _failed_logins.at < AUTH_MEMORY_S


def _spark_classes() -> list[Any]:
    from pyspark.sql.readwriter import DataFrameReader, DataFrameWriter
    from pyspark.sql.streaming.readwriter import DataStreamReader, DataStreamWriter

    classes: list[Any] = [DataFrameReader, DataFrameWriter, DataStreamReader, DataStreamWriter]
    with contextlib.suppress(ImportError):  # a Spark Connect session's (LAB_SPARK_REMOTE) have their own
        from pyspark.sql.connect import readwriter
        from pyspark.sql.connect.streaming import readwriter as streaming

        classes += [readwriter.DataFrameReader, readwriter.DataFrameWriter]
        classes += [streaming.DataStreamReader, streaming.DataStreamWriter]
    return classes


def _kafka_format(original: Callable[..., Any]) -> Callable[..., Any]:
    def format(self: Any, source: str) -> Any:  # noqa: A001 - the method it stands in for
        chosen = original(self, source)
        if str(source).lower() == "kafka":
            for key, value in _state["spark"].items():
                chosen = chosen.option(key, value)
        return chosen

    format.__doc__ = original.__doc__
    return format


def use_account(config: LabConfig) -> str | None:
    """Make ``config``'s account the default of the Kafka clients a cell builds itself; None without one."""
    if config.security_protocol == "PLAINTEXT" and not config.name_prefix:
        return None
    watch_logins()
    kafka = kafka_security(config) | {"bootstrap_timeout_ms": int(config.connect_timeout_s * 1000)}
    _state.update(config=config, kafka=kafka, spark=spark_kafka_options(config))
    for client in KAFKA_PYTHON_CLIENTS:
        _originals.setdefault((client, "DEFAULT_CONFIG"), dict(client.DEFAULT_CONFIG))
        client.DEFAULT_CONFIG.update(kafka)
    for reader_or_writer in _spark_classes():
        if (reader_or_writer, "format") not in _originals:
            _originals[(reader_or_writer, "format")] = reader_or_writer.format
            reader_or_writer.format = _kafka_format(reader_or_writer.format)
    prefix = f", topics and groups {config.name_prefix}*" if config.name_prefix else ""
    return f"Account {config.sasl_username or '(none)'} ({config.security_protocol}{prefix})"


def forget_account() -> None:
    """Undo :func:`use_account` (tests)."""
    for (owner, name), original in _originals.items():
        if name == "DEFAULT_CONFIG":
            owner.DEFAULT_CONFIG.clear()  # type: ignore[attr-defined]
            owner.DEFAULT_CONFIG.update(original)  # type: ignore[attr-defined]
        else:
            setattr(owner, name, original)
    _originals.clear()
    _state.update(config=None, kafka={}, spark={})


def _names(text: str) -> str:
    """The topic or group names a refusal mentions, quoted: ``'s02.x'``; empty when it names none."""
    found = (
        re.findall(r"Topic(?:State|Result)?\((?:version=\d+, )?name='([^']+)'", text)  # kafka-python's admin
        or re.findall(r"GROUP/([^\s:]+)", text)
        or re.findall(r"Not authorized to access (?:topics|group): \[?([^\]\n]+)\]?", text)  # Java clients
        or re.findall(r"AuthorizationFailedError: \{?([^\n]+?)\}?$", text.strip())  # kafka-python's clients
    )
    names = [name.strip(" '\"") for part in found for name in part.split(",")]
    return ", ".join(f"'{name}'" for name in dict.fromkeys(names) if name and " " not in name)


def _answers_tcp(config: LabConfig) -> bool:
    """Whether a bootstrap address accepts TCP connections (a broker is there, whatever it then says)."""
    for server in config.bootstrap_list:
        host, _, port = server.rpartition(":")
        with (
            contextlib.suppress(OSError, ValueError),
            socket.create_connection((host.strip("[]"), int(port)), 1),
        ):
            return True
    return False


def _login_refused(error: BaseException, text: str, config: LabConfig | None) -> bool:
    """A refused login: Kafka's own error, or a bootstrap that timed out with an account while the brokers
    answer. A broker closes a refused SCRAM login, and kafka-python then often sees only a lost connection
    (under load, always): its log may or may not name the refusal, so the open ports count too."""
    if isinstance(error, SaslAuthenticationFailedError) or "SaslAuthenticationException" in text:
        return True
    if not (isinstance(error, KafkaTimeoutError) and "bootstrap" in text):
        return False
    secured = config is not None and config.security_protocol != "PLAINTEXT"
    return login_failed_recently() or (secured and _answers_tcp(config))  # type: ignore[arg-type]


def _kind(error: BaseException, text: str, config: LabConfig | None) -> str | None:
    if _login_refused(error, text, config):
        return "login"
    if isinstance(error, TopicAuthorizationFailedError) or "TopicAuthorizationException" in text:
        return "topic"
    if isinstance(error, GroupAuthorizationFailedError) or "GroupAuthorizationException" in text:
        return "group"
    if isinstance(error, ClusterAuthorizationFailedError) or "ClusterAuthorizationException" in text:
        return "cluster"
    return None


def refusal_sentence(error: BaseException | None, config: LabConfig | None = None) -> str | None:
    """One sentence for an error that means Kafka refused this account; None for any other error."""
    if error is None:
        return None
    text = str(getattr(error, "desc", None) or error)
    config = config or _state["config"]
    kind = _kind(error, text, config)
    if kind is None:
        return None
    user = (
        f"the account {config.sasl_username!r}"
        if config is not None and config.sasl_username
        else "this client"
    )
    prefix = config.name_prefix if config is not None else ""
    names = _names(text)
    if kind == "login":
        return (
            f"Kafka did not let {user} log in: check the user name and password in the settings file your "
            "instructor gave you (LAB_SETTINGS_FILE), or ask for a new one."
        )
    if kind == "cluster":
        return f"Kafka refused {user}: only the cluster's administrator may do that."
    what = "topic" if kind == "topic" else "consumer group"
    which = f"the {what} {names}" if names else f"a {what}"
    if prefix:
        rule = f"your {what}s must start with {prefix!r} (config.{what.split()[-1]}_name('...') adds it)" + (
            ", and the class topic is read-only." if kind == "topic" else "."
        )
    else:
        rule = "the cluster's ACLs do not allow it; ask whoever runs the cluster."
    return f"Kafka refused {user} {which}: {rule}"
