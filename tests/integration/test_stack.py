"""The local stack for real: Apache Kafka (KRaft) from Maven Central and Spark with its Kafka connector."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from lab_utils.clients import make_consumer, make_producer
from lab_utils.config import LabConfig, load_config
from lab_utils.errors import LabError
from lab_utils.reference.topics import ensure_topic
from lab_utils.stack import broker
from tests.conftest import free_port_pair, listening_addresses

pytestmark = pytest.mark.integration


def _broker_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lab_utils.stack.broker", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )


def test_produce_then_consume_with_kafka_python(broker: LabConfig, topic_name: str) -> None:
    ensure_topic(topic_name, config=broker)
    producer = make_producer(broker)
    sent = [{"sensor_id": f"S{i % 3 + 1}", "suhu": 70.0 + i} for i in range(10)]
    for reading in sent:
        producer.send(topic_name, json.dumps(reading).encode(), key=str(reading["sensor_id"]).encode()).get(
            timeout=10
        )
    producer.close()

    consumer = make_consumer(broker, auto_offset_reset="earliest", consumer_timeout_ms=5000)
    consumer.subscribe([topic_name])
    received = [json.loads(record.value) for record in consumer]
    consumer.close()
    assert sorted(received, key=lambda r: r["suhu"]) == sent


def test_spark_batch_reads_the_topic_through_the_connector(spark, broker: LabConfig, topic_name: str) -> None:
    ensure_topic(topic_name, config=broker)
    producer = make_producer(broker)
    for i in range(7):
        producer.send(topic_name, json.dumps({"sensor_id": "S1", "suhu": 75 + i}).encode(), key=b"S1")
    producer.flush()
    producer.close()

    frame = (
        spark.read.format("kafka")
        .option("kafka.bootstrap.servers", broker.bootstrap_servers)
        .option("subscribe", topic_name)
        .load()
        .selectExpr("CAST(key AS STRING) AS key", "CAST(value AS STRING) AS value")
        .toPandas()
    )
    assert len(frame) == 7
    assert set(frame["key"]) == {"S1"}
    assert sorted(json.loads(v)["suhu"] for v in frame["value"]) == list(range(75, 82))


def test_broker_down_is_one_sentence_after_the_connect_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """LAB_CONNECT_TIMEOUT_S=1 is obeyed: far from kafka-python's own 30 s wait, on any load."""
    port = free_port_pair()
    monkeypatch.setenv("LAB_BOOTSTRAP_SERVERS", f"127.0.0.1:{port}")
    monkeypatch.setenv("LAB_CONNECT_TIMEOUT_S", "1")
    started = time.monotonic()
    with pytest.raises(LabError) as caught:
        make_producer(load_config())
    elapsed = time.monotonic() - started
    message = str(caught.value)
    assert elapsed < 10
    assert message.startswith(f"No Kafka broker answers at 127.0.0.1:{port}: start one with `make broker`")
    assert "\n" not in message


def test_local_broker_lifecycle_is_idempotent_and_leaves_no_process(tmp_path: Path) -> None:
    """`make broker` twice, `make stop` twice, on a private port and folder."""
    port = free_port_pair()
    env = {**os.environ, "LAB_HOME": str(tmp_path), "LAB_BOOTSTRAP_SERVERS": f"127.0.0.1:{port}"}

    try:
        first = _broker_cli("start", env=env)
        assert first.returncode == 0, first.stderr
        assert first.stdout.startswith("Started Apache Kafka 4.")
        pid = int((tmp_path / "kafka" / "broker.pid").read_text())
        assert listening_addresses(pid) == {("127.0.0.1", port), ("127.0.0.1", port + 1)}

        second = _broker_cli("start", env=env)
        assert second.returncode == 0
        assert "already running" in second.stdout

        assert "Stopped" in _broker_cli("stop", env=env).stdout
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
        assert "No Kafka broker started by this lab" in _broker_cli("stop", env=env).stdout
    finally:
        _broker_cli("stop", env=env)  # whatever failed above, no broker of this test keeps running


def test_a_cluster_id_starting_with_a_dash_still_formats_and_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Random ids are URL-safe base64: about 1 in 64 begins with "-", which a command line parser
    would take for an option (a CI run failed that way)."""
    monkeypatch.setattr(broker, "new_cluster_id", lambda: "-EOJOHzLTy2rdJfCnP_w8Q")
    paths = broker.BrokerPaths(tmp_path / "kafka")
    config = dataclasses.replace(load_config(), bootstrap_servers=f"127.0.0.1:{free_port_pair()}")
    try:
        assert broker.start_broker(config, paths).startswith("Started Apache Kafka 4.")
        assert "cluster.id=-EOJOHzLTy2rdJfCnP_w8Q" in (paths.data / "meta.properties").read_text()
    finally:
        broker.stop_broker(paths)


def test_start_uses_a_broker_it_did_not_start(broker: LabConfig, tmp_path: Path) -> None:
    env = {**os.environ, "LAB_HOME": str(tmp_path)}
    try:
        result = _broker_cli("start", env=env)
        assert result.returncode == 0
        assert "not started by this lab already answers" in result.stdout
        assert not (tmp_path / "kafka" / "broker.pid").exists()
        assert "No Kafka broker started by this lab" in _broker_cli("stop", env=env).stdout
    finally:
        _broker_cli("stop", env=env)  # stops only a broker this test's folder started, never the shared one


def test_stop_spark_ends_the_jvm_and_cleans_its_temp_files(broker: LabConfig) -> None:
    code = (
        "from lab_utils.config import load_config\n"
        "from lab_utils.spark import get_spark, stop_spark\n"
        "from pyspark import SparkContext\n"
        "s = get_spark(load_config()); s.range(3).count()\n"
        "import os; print(SparkContext._gateway.proc.pid, os.getpid(), flush=True)\n"
        "print(stop_spark())\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    jvm_pid, python_pid = map(int, result.stdout.split()[:2])
    assert "Spark stopped." in result.stdout
    assert not psutil.pid_exists(jvm_pid)
    assert not (broker.lab_home / "spark" / "tmp" / str(python_pid)).exists()
    assert result.stderr == ""  # no JVM noise reaches the terminal


def test_the_spark_driver_maps_the_class_archive_setup_wrote(spark) -> None:
    """make setup wrote the archive; the session's JVM maps it (it would ignore a stale one silently)."""
    from pyspark import SparkContext

    from lab_utils.stack.class_archive import spark_archive

    assert spark_archive().exists(), "make setup writes the class archive"
    gateway = SparkContext._gateway
    assert gateway is not None
    maps = Path(f"/proc/{gateway.proc.pid}/maps").read_text()
    assert str(spark_archive()) in maps
