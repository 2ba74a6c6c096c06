"""Shared fixtures: a real Kafka broker and a real SparkSession, started once per test session."""

from __future__ import annotations

import contextlib
import random
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab_utils.config import LabConfig, load_config


def _ephemeral_floor() -> int:
    """The lowest port the OS hands out for outgoing connections (Linux: 32768)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port_block(size: int) -> int:
    """The first of ``size`` consecutive free loopback ports (a local cluster needs six).

    Below the ephemeral range: there, a client's outgoing connection (one broker calling another) can
    take a port between this probe and the broker's bind, which a fresh-clone run once saw.
    """
    top = min(_ephemeral_floor(), 32768) - size
    for _ in range(200):
        start = random.randint(10000, top)
        try:
            with contextlib.ExitStack() as stack:
                for port in range(start, start + size):
                    stack.enter_context(socket.socket()).bind(("127.0.0.1", port))
        except OSError:
            continue
        return start
    raise RuntimeError("no block of free loopback ports")


def free_port_pair() -> int:
    """A loopback port p such that p and p + 1 are both free (a broker and its controller)."""
    return free_port_block(2)


def listening_addresses(pid: int) -> set[tuple[str, int]]:
    """The (ip, port) pairs a process listens on, IPv4-mapped IPv6 shown as IPv4."""
    import ipaddress

    import psutil

    found = set()
    for connection in psutil.Process(pid).net_connections():
        if connection.status == psutil.CONN_LISTEN:
            ip = ipaddress.ip_address(connection.laddr.ip)
            mapped = getattr(ip, "ipv4_mapped", None)
            found.add((str(mapped or ip), connection.laddr.port))
    return found


@pytest.fixture(scope="session")
def broker() -> Iterator[LabConfig]:
    """The lab's broker (started here, and stopped after, unless one already answers)."""
    from lab_utils.stack.broker import broker_running

    config = load_config()
    with broker_running(config):
        yield config


@pytest.fixture(scope="session")
def spark(broker: LabConfig):
    """The lab's SparkSession with the Kafka connector; its JVM ends with the test session."""
    from lab_utils.spark import get_spark, stop_spark

    session = get_spark(broker)
    yield session
    stop_spark()


@pytest.fixture
def topic_name() -> str:
    """A fresh topic name per test, so tests never see each other's records."""
    return f"test-{uuid.uuid4().hex[:10]}"
