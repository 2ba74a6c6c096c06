"""Everything the lab starts listens on 127.0.0.1 only, and JupyterLab keeps token authentication."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

import psutil
import pytest
from pyspark import SparkContext

from lab_utils.config import PROJECT_ROOT
from lab_utils.stack.broker import port_open
from tests.conftest import free_port_pair, listening_addresses

pytestmark = pytest.mark.integration


def test_spark_driver_listens_on_loopback_only(spark) -> None:
    jvm = SparkContext._gateway.proc.pid
    addresses = listening_addresses(jvm)
    assert addresses, "the driver JVM should listen (py4j, block manager, RPC)"
    assert {ip for ip, _ in addresses} == {"127.0.0.1"}


def test_local_broker_listens_on_loopback_only(broker) -> None:
    pid_file = broker.lab_home / "kafka" / "broker.pid"
    if not pid_file.exists():
        pytest.fail("make test starts the lab's own broker; this test checks its sockets")
    addresses = listening_addresses(int(pid_file.read_text()))
    assert {ip for ip, _ in addresses} == {"127.0.0.1"}


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_jupyterlab_listens_on_loopback_only_and_requires_its_token() -> None:
    port = free_port_pair()
    command = [
        os.path.join(os.path.dirname(sys.executable), "jupyter"),
        "lab",
        f"--config={PROJECT_ROOT / 'lab_utils' / 'stack' / 'jupyter_server_config.py'}",
        f"--ServerApp.port={port}",
        "--no-browser",
        "--ServerApp.allow_root=True",
    ]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        token = None
        deadline = time.monotonic() + 60
        while token is None and time.monotonic() < deadline:
            line = server.stdout.readline()
            if match := re.search(r"token=([0-9a-f]+)", line):
                token = match.group(1)
        assert token, "JupyterLab printed no token URL"
        while not port_open(f"127.0.0.1:{port}") and time.monotonic() < deadline:
            time.sleep(0.2)
        addresses = listening_addresses(server.pid) | {
            address for child in psutil.Process(server.pid).children(recursive=True)
            for address in listening_addresses(child.pid)
        }  # fmt: skip
        assert (("127.0.0.1", port)) in addresses
        assert {ip for ip, _ in addresses} == {"127.0.0.1"}
        assert _get(f"http://127.0.0.1:{port}/api/contents") == 403
        assert _get(f"http://127.0.0.1:{port}/api/contents?token={token}") == 200
    finally:
        server.terminate()
        server.wait(timeout=20)
