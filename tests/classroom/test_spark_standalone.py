"""The lab's Spark jobs on a standalone cluster (a master and two workers), as a student of the class cluster.

The Kafka connector's jars reach the executors through ``spark.jars``, and the account reaches Spark's
Kafka source and sink through ``spark_kafka_options`` and the ``format("kafka")`` defaults.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import uuid

import pytest

from lab_utils.config import PROJECT_ROOT
from lab_utils.errors import LabError
from lab_utils.reference.parsing import kafka_source
from lab_utils.reference.producer import send_raw
from lab_utils.reference.topics import ensure_topic
from lab_utils.spark import get_spark, stop_spark
from lab_utils.stack.account import forget_account
from lab_utils.stack.spark_cluster import SparkCluster, alive_workers
from lab_utils.streaming import wait_until_started
from tests.classroom.conftest import ALERTS, Class, send_edge_readings
from tests.conftest import listening_addresses

pytestmark = pytest.mark.integration


def test_the_spark_cluster_listens_on_loopback_only(spark_cluster: SparkCluster) -> None:
    assert alive_workers(spark_cluster) == 2
    for role in spark_cluster.roles:
        pid = int(spark_cluster.pid_file(role).read_text())
        assert {ip for ip, _ in listening_addresses(pid)} == {"127.0.0.1"}, role


def test_sensor_alerts_runs_on_the_standalone_cluster_as_a_student(
    classroom: Class, spark_cluster: SparkCluster
) -> None:
    s01 = classroom.account("s01")
    topic = f"alerts-{uuid.uuid4().hex[:6]}"
    config = dataclasses.replace(s01, topic=s01.topic_name(topic), dlq_topic=s01.topic_name(f"{topic}-dlq"))
    ensure_topic(config=config)
    where = send_edge_readings(config)
    send_raw(b"not JSON", config=config)  # to the dead-letter topic, through Spark's sink
    environment = classroom.environment("s01", LAB_TOPIC=topic, LAB_SPARK_MASTER=spark_cluster.master_url)
    job = subprocess.run(
        [sys.executable, "-m", "lab_utils.programs.sensor_alerts", "--available-now", "--json"],
        capture_output=True, text=True, timeout=280, env=environment, cwd=PROJECT_ROOT,
    )  # fmt: skip
    assert job.returncode == 0, job.stderr
    alerts = {
        (a["sensor_id"], a["suhu"]): (a["partition"], a["offset"])
        for a in map(json.loads, job.stdout.split("\n")[:-1])
    }
    assert alerts == {key: where[key] for key in ALERTS}
    assert f"1 records were not readings: sent to {config.dlq_topic}." in job.stderr


def test_spark_refuses_another_students_topic_in_one_sentence(
    classroom: Class, spark_cluster: SparkCluster
) -> None:
    s01 = dataclasses.replace(classroom.account("s01"), spark_master=spark_cluster.master_url)
    s02 = classroom.account("s02")
    ensure_topic(s02.topic, config=s02)
    spark = get_spark(s01)
    try:
        assert spark.sparkContext.master == spark_cluster.master_url
        query = (
            kafka_source(spark, s01, topic=s02.topic)
            .writeStream.format("memory")
            .queryName("not_mine")
            .start()
        )
        with pytest.raises(LabError) as caught:
            wait_until_started([query], timeout_s=60)
        query.stop()
    finally:
        stop_spark()
        forget_account()  # get_spark made s01's account the default of format("kafka") in this process
    assert str(caught.value) == (
        "Kafka refused the account 's01' a topic: your topics must start with 's01.' "
        "(config.topic_name('...') adds it), and the class topic is read-only."
    )
