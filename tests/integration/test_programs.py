"""The terminal programs on the real broker: what test_pipeline.py does not run (live alerts, groups)."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys

import pytest

from lab_utils.config import LabConfig
from lab_utils.reference.producer import send_raw
from lab_utils.reference.topics import ensure_topic

pytestmark = pytest.mark.integration


def _run(program: str, *args: str, topic: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", f"lab_utils.programs.sensor_{program}", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "LAB_TOPIC": topic, **env},
        timeout=240,
    )


def test_live_alerts_print_each_alert_as_it_comes_and_stop_on_ctrl_c(
    broker: LabConfig, topic_name: str
) -> None:
    config = dataclasses.replace(broker, topic=topic_name)
    ensure_topic(config=config)
    coordinates = {}
    for sensor_id, suhu in (("S1", 79.9), ("S2", 80.0), ("S3", 80.1), ("S1", 95)):
        value = json.dumps({"sensor_id": sensor_id, "suhu": suhu}).encode()
        coordinates[sensor_id, float(suhu)] = send_raw(value, key=sensor_id.encode(), config=config)
    expected = {key: coordinates[key] for key in (("S3", 80.1), ("S1", 95.0))}
    # Micro-batches (not --available-now): the first reads the topic from its start, then the job waits.
    command = [sys.executable, "-m", "lab_utils.programs.sensor_alerts", "--from-beginning", "--json"]
    env = {**os.environ, "LAB_TOPIC": topic_name}
    job = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        lines = [job.stdout.readline() for _ in expected]  # blocks until each alert is printed
        job.send_signal(signal.SIGINT)  # Ctrl-C
        _, errors = job.communicate(timeout=60)
    finally:
        job.kill()
        job.wait()
    assert all(lines), f"the job ended before printing every alert: {errors}"
    alerts = {(a["sensor_id"], a["suhu"]): (a["partition"], a["offset"]) for a in map(json.loads, lines)}
    assert alerts == expected
    assert job.returncode == 0 and errors.splitlines() == [
        f"Watching {topic_name} (threshold 80 °C)...",
        "Interrupted.",
    ]


def test_consumer_group_carries_on_where_it_stopped(broker: LabConfig, topic_name: str) -> None:
    config = dataclasses.replace(broker, topic=topic_name)
    ensure_topic(config=config)
    sent = [
        send_raw(json.dumps({"sensor_id": "S1", "suhu": 70 + i}).encode(), b"S1", config=config)
        for i in range(3)
    ]
    group = f"{topic_name}-group"
    first = _run(
        "consumer",
        "--group",
        group,
        "--from-beginning",
        "--max-messages",
        "3",
        "--timeout",
        "30",
        topic=topic_name,
    )
    assert first.returncode == 0, first.stderr
    assert [line.split()[0] for line in first.stdout.splitlines()] == [f"p{p}@{o}" for p, o in sent]
    later = send_raw(b"not json", b"S1", config=config)
    second = _run("consumer", "--group", group, "--max-messages", "1", "--timeout", "30", topic=topic_name)
    assert second.returncode == 0, second.stderr
    assert second.stdout.split() == ["·", f"p{later[0]}@{later[1]}", "skipped:", "not", "JSON"]
