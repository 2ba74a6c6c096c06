"""kafka-python clients that fail fast, with one sentence, when no broker answers.

kafka-python 3 waits 30 s to bootstrap by default and then raises a bare ``KafkaTimeoutError``.
Every client in the lab is built here instead, with ``bootstrap_timeout_ms`` from
``LAB_CONNECT_TIMEOUT_S`` (3 s) and an error that names the fix. Used by topics, producer, consumer.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError

from lab_utils.config import LabConfig
from lab_utils.errors import LabError
from lab_utils.stack.account import kafka_security, refusal_sentence, watch_logins

Client = TypeVar("Client")


def broker_down_message(bootstrap_servers: str) -> str:
    """The one sentence a student sees when the broker does not answer."""
    return (
        f"No Kafka broker answers at {bootstrap_servers}: start one with `make broker` "
        "(or `docker compose up -d`), or set LAB_BOOTSTRAP_SERVERS to your cluster."
    )


def _connect(factory: Callable[..., Client], config: LabConfig, **options: Any) -> Client:
    if kafka_security(config):
        watch_logins()  # a refused password shows only in kafka-python's log: remember it for the sentence
    try:
        return factory(
            bootstrap_servers=config.bootstrap_list,
            bootstrap_timeout_ms=int(config.connect_timeout_s * 1000),
            client_id="kafka-sensor-lab",
            **kafka_security(config),  # a class cluster's account (LAB_SETTINGS_FILE); nothing otherwise
            **options,
        )
    except KafkaError as error:
        raise LabError(
            refusal_sentence(error, config) or broker_down_message(config.bootstrap_servers)
        ) from error


def make_producer(config: LabConfig, **options: Any) -> KafkaProducer:
    """A producer with kafka-python 3's safe defaults (acks=all, idempotent) unless overridden."""
    return _connect(KafkaProducer, config, **options)


def make_consumer(config: LabConfig, **options: Any) -> KafkaConsumer:
    """A consumer (not yet subscribed) on the lab's cluster."""
    return _connect(KafkaConsumer, config, **options)


@contextlib.contextmanager
def admin_client(config: LabConfig) -> Iterator[KafkaAdminClient]:
    """An admin client that is always closed, for topic work."""
    admin = _connect(KafkaAdminClient, config)
    try:
        yield admin
    finally:
        admin.close()
