"""A class on one Spark Connect server, for ``make bench`` (issue 22, item 3: what one student costs).

A Spark Connect server (``lab_utils.stack.spark_connect``) is started for the run in a temporary folder on a
free port, and stopped at the end. Students join it 1, then 10, 20 and 40 at once: each student is a process
of its own, as a student's kernel would be, running notebook 04's query over Connect (the Kafka source on the
class topic from "latest", ``from_json``, ``suhu > 80``, a memory sink named ``alerts``, a 1 s trigger) and
reading the newest alerts into pandas every 2 s, as the live chart does. The class topic gets 4 readings a
second per student (notebook 04's producer: 3 sensors and the scripted machine), and the benchmark sends one
hot probe reading a second, stamped with its send time.

Measured at each class size, over a steady window: the server's RSS (its JVM: the driver and the executors'
threads of every session) and its CPU; each student process's RSS; the alert latency, from a probe's send
to its row first seen in a student's pandas frame (so it includes the 2 s poll). Beside them, one student
the way the lab runs today: the same student process with Spark ``local[2]`` in it (kernel + driver JVM).

``benchmarks/bench.py`` prints these as the section "connect" (``BENCH_ONLY=connect``: this alone).
``python benchmarks/connect_bench.py student REMOTE TOPIC NAME`` is one student (REMOTE ``local`` for the
kernel's own JVM); only this module starts it. It stops when its standard input closes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import select
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil
from classroom_bench import Row

from lab_utils.clients import make_producer
from lab_utils.config import PROJECT_ROOT, LabConfig, load_config
from lab_utils.errors import LabError
from lab_utils.reference.topics import ensure_topic
from lab_utils.stack.spark_connect import (
    ConnectServer,
    running_pid,
    start_connect_server,
    stop_connect_server,
)
from lab_utils.topics import delete_topic

CLASS_SIZES = (1, 10, 20, 40)
READINGS_PER_STUDENT_S = 4
POLL_S = 2.0
ALERTS_SQL = "SELECT sensor_id, ts FROM alerts ORDER BY timestamp DESC, offset DESC LIMIT 500"
STUDENT_LIFETIME_S = 900.0  # a student process never outlives a broken benchmark by long


def student(remote: str, topic: str, name: str) -> None:
    """One student: notebook 04's alerts query, polled every 2 s; prints READY, then a JSON line per probe
    seen (its latency), until standard input closes."""
    from pyspark.sql.functions import col

    from lab_utils.reference.parsing import json_readings, kafka_source
    from lab_utils.spark import get_spark, stop_spark

    config = dataclasses.replace(load_config(), topic=topic)
    if remote != "local":
        joiner = ";" if "/;" in remote else "/;"  # a token is a parameter already
        config = dataclasses.replace(config, spark_remote=f"{remote}{joiner}user_id={name}")
    spark = get_spark(config)
    alerts = json_readings(kafka_source(spark, config)).where(col("suhu") > config.threshold)
    query = (
        alerts.writeStream.format("memory")
        .queryName("alerts")
        .outputMode("append")
        .trigger(processingTime="1 second")
        .start()
    )
    deadline = time.monotonic() + 120
    while not query.recentProgress and time.monotonic() < deadline:
        time.sleep(0.5)
    print("READY" if query.recentProgress else "NOT STARTED", flush=True)
    seen: set[str] = set()
    ends = time.monotonic() + STUDENT_LIFETIME_S
    while time.monotonic() < ends and not select.select([sys.stdin], [], [], POLL_S)[0]:
        frame = spark.sql(ALERTS_SQL).toPandas()
        now = time.time()
        progress: dict[str, Any] = dict(query.lastProgress or {})
        print(json.dumps({"batch_ms": progress.get("durationMs", {}).get("triggerExecution")}), flush=True)
        for sensor_id, ts in zip(frame["sensor_id"], frame["ts"], strict=True):
            if str(sensor_id).startswith("probe-") and sensor_id not in seen:
                seen.add(sensor_id)
                print(json.dumps({"probe": sensor_id, "latency": now - float(ts)}), flush=True)
    query.stop()
    stop_spark()


class Student:
    """A student process, and the probe latencies it reports (read in a thread)."""

    def __init__(self, remote: str, topic: str, name: str, home: Path) -> None:
        environment = {"LAB_HOME": str(home), "LAB_PROFILE": "normal", "PYTHONUNBUFFERED": "1"}
        (home / "logs").mkdir(parents=True, exist_ok=True)
        self.errors = open(home / "logs" / f"student-{name}.err", "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "student", remote, topic, name],
            env={**os.environ, **environment}, cwd=PROJECT_ROOT, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errors,
        )  # fmt: skip
        self.ready = threading.Event()
        self.failed = False
        self.latencies: dict[str, float] = {}
        self.batches: list[tuple[float, float]] = []  # (when, the last batch's duration in ms)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.strip() in ("READY", "NOT STARTED"):
                self.failed = line.strip() != "READY"
                self.ready.set()
            elif line.startswith("{"):
                seen = json.loads(line)
                if "probe" in seen:
                    self.latencies[seen["probe"]] = seen["latency"]
                elif seen["batch_ms"] is not None:
                    self.batches.append((time.time(), seen["batch_ms"]))
        self.failed = self.failed or not self.ready.is_set()
        self.ready.set()

    def rss_mb(self) -> float:
        """The process and its children (a local JVM), in MB."""
        try:
            root = psutil.Process(self.process.pid)
            return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)]) / 1e6
        except psutil.Error:
            return 0.0

    def close(self) -> None:
        """Ask the student to stop its query and leave (it ends when its standard input closes)."""
        assert self.process.stdin is not None
        with contextlib.suppress(OSError):
            self.process.stdin.close()

    def wait(self, deadline: float) -> None:
        try:
            self.process.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.errors.close()


def stop_students(students: list[Student], timeout_s: float = 90.0) -> None:
    """All at once: one slow student (its query's stop waits for its batch) must not hold up the rest."""
    for one in students:
        one.close()
    deadline = time.monotonic() + timeout_s
    for one in students:
        one.wait(deadline)


class Feeder:
    """The class topic's traffic: ``rate`` readings a second (a tenth of them hot), and one probe a second
    stamped with its send time; ``probes`` remembers when each was sent."""

    def __init__(self, config: LabConfig, topic: str) -> None:
        self.config, self.topic, self.rate = config, topic, 0.0
        self.probes: dict[str, float] = {}
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        producer = make_producer(self.config, linger_ms=0)
        sent, began, next_probe = 0, time.monotonic(), time.monotonic()
        while not self.stop_event.is_set():
            now = time.monotonic()
            if now >= next_probe:
                name = f"probe-{len(self.probes)}"
                self.probes[name] = time.time()
                value = {"sensor_id": name, "suhu": 90.0, "ts": repr(self.probes[name])}
                producer.send(self.topic, json.dumps(value).encode(), key=name.encode())
                next_probe += 1.0
            due = int((now - began) * self.rate)
            for number in range(sent, due):
                sensor = f"S{number % 160}"
                value = {"sensor_id": sensor, "suhu": 85.0 if number % 10 == 0 else 60.0}
                producer.send(self.topic, json.dumps(value).encode(), key=sensor.encode())
            sent = max(sent, due)
            self.stop_event.wait(0.05)
        producer.flush(timeout=10)
        producer.close(timeout=5)

    def set_rate(self, rate: float) -> None:
        self.rate = rate


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentiles(samples: list[float]) -> tuple[float, float]:
    if len(samples) < 2:
        return (samples[0], samples[0]) if samples else (float("nan"), float("nan"))
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94]


def _join(students: list[Student], timeout_s: float) -> tuple[str, float]:
    """Wait (bounded) until every student's query ran its first batch: how many did, and the seconds it took.

    A slow join is a result (the server is out of CPU), not a failure: those students keep trying.
    """
    began = time.monotonic()
    for one in students:
        one.ready.wait(max(1.0, began + timeout_s - time.monotonic()))
    started = sum(one.ready.is_set() and not one.failed for one in students)
    if not started:
        raise LabError(f"None of {len(students)} students started their query: read their logs.")
    late = "" if started == len(students) else f" ({len(students) - started} not yet)"
    return f"{started} of {len(students)}{late}", time.monotonic() - began


def _window(server_pid: int, students: list[Student], seconds: float) -> dict[str, float]:
    """Sample the server's RSS each second for ``seconds``; its CPU and the students' over the window."""
    server = psutil.Process(server_pid)
    clients = [psutil.Process(one.process.pid) for one in students]
    server.cpu_percent()
    for client in clients:
        client.cpu_percent()
    rss = []
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        time.sleep(1.0)
        rss.append(server.memory_info().rss / 1e6)
    return {
        "server_rss": max(rss),
        "server_cpu": server.cpu_percent(),
        "clients_cpu": sum(client.cpu_percent() for client in clients),
        "client_rss": statistics.median(one.rss_mb() for one in students),
    }


def _latencies(students: list[Student], probes: dict[str, float], start: float, end: float) -> list[float]:
    sent_in = {name for name, at in probes.items() if start <= at < end}
    return [x for one in students for name, x in one.latencies.items() if name in sent_in]


def class_sizes(config: LabConfig, folder: Path, window_s: float) -> list[Row]:
    """The server's and the students' figures at 1, 10, 20 and 40 students."""
    server = ConnectServer(folder / "spark-connect", folder / "logs", port=_free_port())
    topic = f"bench-connect-{int(time.time())}"
    ensure_topic(topic, partitions=3, config=config)
    feeder = Feeder(config, topic)
    feeder.thread.start()
    students: list[Student] = []
    rows: list[Row] = []
    try:
        began = time.monotonic()
        message = start_connect_server(config, server)
        rows.append(Row("server start", time.monotonic() - began, "s", message.split(";")[0]))
        pid = running_pid(server)
        assert pid is not None
        rows.append(Row("server RSS, no session", psutil.Process(pid).memory_info().rss / 1e6, "MB"))
        for size in CLASS_SIZES:
            joining = [
                Student(server.remote, topic, f"s{n:02d}", folder / "home")
                for n in range(len(students) + 1, size + 1)
            ]
            students += joining
            feeder.set_rate(READINGS_PER_STUDENT_S * size)
            joined, joined_s = _join(joining, 60 + 10 * len(joining))
            time.sleep(5)  # the last ones' first polls
            start = time.time()
            figures = _window(pid, students, window_s)
            time.sleep(POLL_S + 1)  # the window's last probes reach the students' next poll
            p50, p95 = _percentiles(_latencies(students, feeder.probes, start, start + window_s - 3))
            batches = [ms for one in students for at, ms in one.batches if start <= at < start + window_s]
            batch_ms = statistics.median(batches) if batches else float("nan")
            load = f"{size} students, {READINGS_PER_STUDENT_S * size} readings/s on the topic"
            rows += [
                Row(f"{size} students: server RSS (peak)", figures["server_rss"], "MB",
                    f"{load}; {joined} joined in {joined_s:.0f} s; window {window_s:.0f} s"),
                Row(f"{size} students: server CPU", figures["server_cpu"], "%",
                    f"of one core (2 cores); the students' processes {figures['clients_cpu']:.0f}% together"),
                Row(f"{size} students: one student's process RSS (median)", figures["client_rss"], "MB",
                    "pyspark's Connect client, pandas, the lab's helpers: no JVM"),
                Row(f"{size} students: alert latency p50", p50, "s", "probe sent -> row in the pandas poll"),
                Row(f"{size} students: alert latency p95", p95, "s", f"polls every {POLL_S:g} s"),
                Row(f"{size} students: micro-batch duration (median)", batch_ms, "ms",
                    "each query's trigger is 1 s: above 1,000 ms the class falls behind"),
            ]  # fmt: skip
            for row in rows[-6:]:  # as they come: a later failure does not lose them
                print(f"connect bench: {row.name}: {row.value:,.2f} {row.unit} ({row.note})", file=sys.stderr)
    finally:
        stop_students(students)
        feeder.stop_event.set()
        feeder.thread.join(15)
        print(stop_connect_server(server), file=sys.stderr, flush=True)
        delete_topic(topic, config)
    return rows


def local_student(config: LabConfig, folder: Path, window_s: float) -> list[Row]:
    """The same student with Spark local[2] in its own process (today's lab), for comparison."""
    topic = f"bench-connect-local-{int(time.time())}"
    ensure_topic(topic, partitions=3, config=config)
    feeder = Feeder(config, topic)
    feeder.set_rate(READINGS_PER_STUDENT_S)
    feeder.thread.start()
    one = Student("local", topic, "local", folder / "home")
    try:
        _join([one], 240)
        time.sleep(5)
        rss = []
        for _ in range(int(window_s)):
            time.sleep(1)
            rss.append(one.rss_mb())
    finally:
        stop_students([one])
        feeder.stop_event.set()
        feeder.thread.join(15)
        delete_topic(topic, config)
    return [
        Row("1 student, Spark local[2] in its process: RSS (peak)", max(rss), "MB",
            "the same student process with its own driver JVM: what each student costs today"),
    ]  # fmt: skip


def measure(config: LabConfig, quick: bool) -> list[Row]:
    """Every row of the section; ends with the class-of-40 comparison."""
    began = time.monotonic()
    window_s = 10.0 if quick else 30.0
    with tempfile.TemporaryDirectory(prefix="bench-connect-") as name:
        folder = Path(name)
        if (config.lab_home / "jvm").is_dir():  # the resolved jar lists, so nothing is resolved again
            shutil.copytree(config.lab_home / "jvm", folder / "home" / "jvm")
        server_config = dataclasses.replace(config, lab_home=folder / "home")
        rows = class_sizes(server_config, folder, window_s)
        rows += local_student(server_config, folder, window_s)
    by_name = {row.name: row for row in rows}
    server = by_name[f"{CLASS_SIZES[-1]} students: server RSS (peak)"].value
    client = by_name[f"{CLASS_SIZES[-1]} students: one student's process RSS (median)"].value
    local = by_name["1 student, Spark local[2] in its process: RSS (peak)"].value
    size = CLASS_SIZES[-1]
    over_connect = (server + size * client) / 1000
    rows.append(
        Row(f"{size} students over Connect, server + {size} clients", over_connect, "GB",
            f"{size} students: {over_connect:.1f} GB over Connect vs {size} x {local / 1000:.2f} GB = "
            f"{size * local / 1000:.0f} GB with a driver JVM each (machine: "
            f"{psutil.virtual_memory().total / 2**30:.0f} GiB)"),
    )  # fmt: skip
    rows.append(Row("section wall time", time.monotonic() - began, "s"))
    return rows


if __name__ == "__main__" and sys.argv[1:2] == ["student"]:
    student(*sys.argv[2:5])
