"""A shared Spark Connect server (``lab_utils.stack.spark_connect``), as the benchmark measures it.

It is not the class setting (README, "A class on one server"), but ``LAB_SPARK_REMOTE`` is a lab setting, so
these hold what it promises: the server listens on 127.0.0.1 only and refuses a client without its token, and
notebook 04's query runs over it as a student of the class cluster, with the account's Kafka options and the
memory sink. (``foreachBatch`` runs too, but on the server: what its function prints lands in the server's
log, not in the student's cell or terminal, so ``sensor-alerts`` over Connect prints nothing.)
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import Iterator

import pytest

from lab_utils.config import PROJECT_ROOT, load_config
from lab_utils.reference.topics import ensure_topic
from lab_utils.stack.spark_connect import (
    ConnectServer,
    running_pid,
    start_connect_server,
    stop_connect_server,
)
from tests.classroom.conftest import ALERTS, Class, send_edge_readings
from tests.conftest import free_port_block, listening_addresses

pytestmark = pytest.mark.integration

COUNT_ONE_ROW = (
    "from lab_utils.config import load_config; from lab_utils.spark import get_spark; "
    "print(get_spark(load_config()).range(1).count())"
)


@pytest.fixture(scope="module")
def connect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectServer]:
    home = tmp_path_factory.mktemp("spark-connect")
    server = ConnectServer(home, home / "logs", free_port_block(1), token=secrets.token_hex(16))
    try:
        print(start_connect_server(load_config(), server))
        yield server
    finally:
        print(stop_connect_server(server))


def _client(
    remote: str, arguments: list[str], timeout_s: float, environment: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """A student's process with ``LAB_SPARK_REMOTE``: no JVM of its own."""
    return subprocess.run(
        [sys.executable, *arguments], capture_output=True, text=True, timeout=timeout_s, cwd=PROJECT_ROOT,
        env={**environment, "LAB_SPARK_REMOTE": remote},
    )  # fmt: skip


def test_the_server_listens_on_loopback_only_and_needs_its_token(connect_server: ConnectServer) -> None:
    pid = running_pid(connect_server)
    assert pid is not None
    assert {ip for ip, port in listening_addresses(pid) if port == connect_server.port} == {"127.0.0.1"}
    environment = dict(os.environ)
    right = _client(connect_server.remote, ["-c", COUNT_ONE_ROW], 120, environment)
    assert right.returncode == 0 and right.stdout == "1\n", right.stderr[-2000:]
    wrong_token = connect_server.remote.replace(connect_server.token or "", "0" * 32)
    wrong = _client(wrong_token, ["-c", COUNT_ONE_ROW], 120, environment)
    assert wrong.returncode != 0 and "1\n" not in wrong.stdout


# Notebook 04's query, as the student writes it, over Connect: every record in the topic once, into the memory
# sink, read back into pandas. Prints where each alert lives in Kafka.
NOTEBOOK_04_QUERY = """
import json
from pyspark.sql.functions import col
from lab_utils.config import load_config
from lab_utils.reference.parsing import json_readings, kafka_source
from lab_utils.spark import get_spark
config = load_config()
spark = get_spark(config)
records = kafka_source(spark, config, starting_offsets="earliest")
alerts = json_readings(records).where(col("suhu") > config.threshold)
query = alerts.writeStream.format("memory").queryName("alerts").trigger(availableNow=True).start()
query.awaitTermination(200)
for row in spark.sql("SELECT sensor_id, suhu, partition, offset FROM alerts").toPandas().itertuples():
    print(json.dumps([row.sensor_id, row.suhu, row.partition, row.offset]))
"""


def test_notebook_04s_query_runs_over_spark_connect_as_a_student(
    classroom: Class, connect_server: ConnectServer
) -> None:
    s01 = classroom.account("s01")
    topic = f"connect-{uuid.uuid4().hex[:6]}"
    config = dataclasses.replace(s01, topic=s01.topic_name(topic))
    ensure_topic(config=config)
    where = send_edge_readings(config)
    environment = classroom.environment("s01", LAB_TOPIC=topic)
    job = _client(connect_server.remote, ["-c", NOTEBOOK_04_QUERY], 280, environment)
    assert job.returncode == 0, job.stderr[-2000:]
    alerts = {(sensor_id, suhu): (p, o) for sensor_id, suhu, p, o in map(json.loads, job.stdout.splitlines())}
    assert alerts == {key: where[key] for key in ALERTS}
