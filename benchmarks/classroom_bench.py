"""The class cluster's figures for ``make bench`` (issue 22, a class on shared servers).

A class cluster (``lab_utils.stack.class_cluster``: three KRaft nodes, SASL/SCRAM, prefixed ACLs, a quota
per user) is started for the run in a temporary folder, on free ports beside the lab's broker, and stopped
at the end. Each student's ``LabConfig`` is built as the lab builds it from their settings file.

- Start-up: ``start_class`` for 30 students from nothing, and until every account has logged in and read
  the class topic's metadata.
- Alert latency: 5 quiet students, each a kafka-python producer sending readings to a topic of its own and
  a consumer reading them back (send -> receive), first with the class quiet, then while a sixth student
  floods (another process: a producer in a tight loop with large batches). Beside it the bytes/s the
  flooder got through, next to the quota (``PRODUCE_BYTES_PER_S``).
- One student's cost: the RSS of a notebook kernel and its Spark driver JVM (the kernel's process tree,
  sampled each second) while notebook 04's instructor cells run up to the live chart, as a student on the
  class cluster (``LAB_PROFILE=fast``, Spark ``local[2]`` in the kernel).

``benchmarks/bench.py`` prints these as the section "classroom" (``BENCH_ONLY=classroom``: this alone).
``python benchmarks/classroom_bench.py flood SECONDS TOPIC`` is the flooding student (its account from
LAB_SETTINGS_FILE); only this module starts it.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

import nbformat
import psutil
from kafka import TopicPartition
from kafka.errors import KafkaError

from lab_utils.clients import make_consumer, make_producer
from lab_utils.config import PROJECT_ROOT, LabConfig, load_config
from lab_utils.errors import LabError
from lab_utils.reference.topics import ensure_topic
from lab_utils.stack.class_cluster import (
    BASE_PORT,
    CLASS_TOPIC,
    PRODUCE_BYTES_PER_S,
    ClassCluster,
    account_config,
    per_broker,
    start_class,
    stop_class,
    student_names,
)
from lab_utils.stack.grading.kernel import NotebookKernel
from lab_utils.stack.private_files import read_settings

STUDENTS = 30
QUIET_STUDENTS = 5
QUIET_PER_S = 5  # readings a second per quiet student (a lesson's producer sends 1-4)
FLOOD_VALUE_BYTES = 8 * 1024
FLOOD_IN_FLIGHT_BYTES = 32 * 1024 * 1024  # kafka-python 3 has no buffer_memory: the Java producer's default
LIVE_CHART_CELL = "22"  # notebook 04's live chart: the cells up to and including it run


class Row(NamedTuple):
    """One measured figure of the section (bench.py makes it a ``Result``)."""

    name: str
    value: float
    unit: str
    note: str = ""


def _free_base_port() -> int:
    """``BASE_PORT`` when its six ports are free, else the first free block of six above it."""
    for base in range(BASE_PORT, BASE_PORT + 1000, 10):
        try:
            with socket.socket() as a, socket.socket() as b, socket.socket() as c:
                for sock, port in ((a, base), (b, base + 2), (c, base + 4)):
                    sock.bind(("127.0.0.1", port))
            with socket.socket() as a, socket.socket() as b, socket.socket() as c:
                for sock, port in ((a, base + 1), (b, base + 3), (c, base + 5)):
                    sock.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise LabError(f"No six free ports from {BASE_PORT} on for a class cluster.")


def student(config: LabConfig, cluster: ClassCluster, name: str) -> LabConfig:
    """``name``'s account, as their settings file (written by ``start_class``) gives it."""
    password = read_settings(cluster.student_file(name))["LAB_SASL_PASSWORD"]
    return account_config(config, cluster, name, password, f"{name}.")


def _percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94]


def _usable(account: LabConfig, deadline: float) -> float:
    """When ``account`` first logged in and saw the class topic's partitions (retried until ``deadline``)."""
    while time.monotonic() < deadline:
        try:
            consumer = make_consumer(account)
            try:
                if consumer.partitions_for_topic(CLASS_TOPIC):
                    return time.monotonic()
            finally:
                consumer.close()
        except (KafkaError, LabError):
            pass
        time.sleep(0.2)
    raise LabError(f"{account.sasl_username} could not use the class cluster within the time allowed.")


def start_up(config: LabConfig, cluster: ClassCluster, students: int) -> list[Row]:
    """``start_class`` from an empty folder; then every account logs in at once and reads metadata."""
    began = time.monotonic()
    start_class(config, students, cluster)
    returned = time.monotonic() - began
    accounts = [student(config, cluster, name) for name in student_names(students)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        times = list(pool.map(lambda account: _usable(account, began + 300), accounts))
    usable = max(times) - began
    return [
        Row(f"start_class, {students} students (3 nodes, accounts, ACLs, quota)", returned, "s",
            "from an empty folder: format, start, SCRAM users, prefixed ACLs, class topic, quota"),
        Row(f"... until all {students} accounts logged in and read {CLASS_TOPIC}", usable, "s",
            "each account a kafka-python consumer (SCRAM-SHA-256) asking for the class topic's partitions"),
    ]  # fmt: skip


class QuietStudent:
    """A student's producer sending readings stamped with their send time to the student's own topic, and
    a consumer (assigned, positioned at the end before the first send) reading them back."""

    def __init__(self, account: LabConfig, topic: str) -> None:
        self.account, self.topic = account, topic
        self.samples: list[tuple[float, float]] = []  # (sent at, seconds to receive)
        self.stop_event = threading.Event()
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _send(self) -> None:
        producer = make_producer(self.account, linger_ms=0)  # the lab's defaults: acks=all, idempotent
        while not self.stop_event.is_set():
            value = {"sensor_id": f"{self.account.sasl_username}-S1", "suhu": 85.0, "sent": time.time()}
            producer.send(self.topic, json.dumps(value).encode(), key=b"S1")
            self.stop_event.wait(1 / QUIET_PER_S)
        producer.flush(timeout=10)
        producer.close(timeout=5)

    def _run(self) -> None:
        try:
            consumer = make_consumer(self.account, enable_auto_commit=False)
            partitions = None
            for _ in range(50):
                partitions = consumer.partitions_for_topic(self.topic)
                if partitions:
                    break
                time.sleep(0.2)
            assigned = [TopicPartition(self.topic, number) for number in sorted(partitions or [])]
            consumer.assign(assigned)
            consumer.seek_to_end()
            for partition in assigned:
                consumer.position(partition)
            sender = threading.Thread(target=self._send, daemon=True)
            sender.start()
            self.ready.set()
            while sender.is_alive() or not self.stop_event.is_set():
                self._receive(consumer, 100)
            self._receive(consumer, 1000)  # the last ones in flight
            consumer.close()
        except BaseException as error:  # noqa: BLE001 - reported by the caller
            self.error = error
            self.ready.set()

    def _receive(self, consumer: Any, timeout_ms: int) -> None:
        for batch in consumer.poll(timeout_ms=timeout_ms).values():
            now = time.time()
            for record in batch:
                sent = json.loads(record.value)["sent"]
                self.samples.append((sent, now - sent))

    def between(self, start: float, end: float) -> list[float]:
        return [latency for sent, latency in self.samples if start <= sent < end]


def _flooder(cluster: ClassCluster, name: str, seconds: float, topic: str) -> subprocess.Popen[str]:
    """The flooding student, in a process of its own (a tight Python loop would hold this one's GIL)."""
    return subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "flood", str(seconds), topic],
        env={**os.environ, "LAB_SETTINGS_FILE": str(cluster.student_file(name))},
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


def flood(seconds: float, topic: str) -> None:
    """Send 8 KiB values as fast as the cluster takes them (acks=1, 512 KiB batches, at most 32 MiB in
    flight) for ``seconds``; print, as one JSON line, when each value was acknowledged."""
    config = load_config()
    ensure_topic(topic, config=config)
    producer = make_producer(
        config, acks=1, enable_idempotence=False, linger_ms=20, batch_size=512 * 1024, max_block_ms=2000
    )
    value = os.urandom(FLOOD_VALUE_BYTES)
    acked: list[float] = []
    in_flight = threading.Semaphore(FLOOD_IN_FLIGHT_BYTES // FLOOD_VALUE_BYTES)

    def done(_: object) -> None:
        acked.append(time.monotonic())
        in_flight.release()

    print("READY", flush=True)
    began = time.monotonic()
    sent = 0
    while time.monotonic() - began < seconds:
        if not in_flight.acquire(timeout=0.1):
            continue
        try:
            future = producer.send(topic, value)
        except KafkaError:
            in_flight.release()
            continue
        future.add_callback(done)
        future.add_errback(lambda _: in_flight.release())
        sent += 1
    ended = time.monotonic()
    counted = [at - began for at in list(acked) if at <= ended]
    result = {"seconds": ended - began, "sent": sent, "acked_at": counted, "value_bytes": FLOOD_VALUE_BYTES}
    print(json.dumps(result), flush=True)
    os._exit(0)  # what is still buffered is dropped (a throttled producer's close would wait for it)


def latency(config: LabConfig, cluster: ClassCluster, quick: bool) -> list[Row]:
    """Quiet students' send -> receive latency, with the class quiet and while one more student floods."""
    window = 10.0 if quick else 30.0
    names = student_names(QUIET_STUDENTS + 1)
    stamp = int(time.time())
    quiet = []
    for name in names[:QUIET_STUDENTS]:
        account = student(config, cluster, name)
        topic = account.topic_name(f"bench-latency-{stamp}")
        ensure_topic(topic, config=account)
        quiet.append(QuietStudent(account, topic))
    for one in quiet:
        one.thread.start()
    for one in quiet:
        one.ready.wait(60)
        if one.error is not None:
            raise LabError(f"A quiet student could not start: {one.error}")
    time.sleep(3)  # warm-up: connections made, first batches through
    quiet_window = (time.time(), time.time() + window)
    time.sleep(window)
    flooder = _flooder(cluster, names[-1], window + 5, f"{names[-1]}.bench-flood-{stamp}")
    assert flooder.stdout is not None
    if flooder.stdout.readline().strip() != "READY":
        raise LabError("The flooding student did not start.")
    flood_window = (time.time() + 0.5, time.time() + 0.5 + window)
    try:
        out, _ = flooder.communicate(timeout=window + 120)
    except subprocess.TimeoutExpired:
        flooder.kill()
        out, _ = flooder.communicate()
    for one in quiet:
        one.stop_event.set()
    for one in quiet:
        one.thread.join(30)
    flooded = json.loads(out.strip().splitlines()[-1])
    before = [x for one in quiet for x in one.between(*quiet_window)]
    during = [x for one in quiet for x in one.between(*flood_window)]
    if not before or not during:
        raise LabError(f"No latency samples: {len(before)} quiet, {len(during)} during the flood.")
    (q50, q95), (f50, f95) = _percentiles(before), _percentiles(during)
    acked, size, seconds = flooded["acked_at"], flooded["value_bytes"], flooded["seconds"]
    steady = [at for at in acked if at >= 5]
    steady_rate = len(steady) * size / max(seconds - 5, 1e-9)
    overall_rate = len(acked) * size / seconds
    first_second = sum(1 for at in acked if at < 1) * size
    quota = f"quota {PRODUCE_BYTES_PER_S / 1024:,.0f} KiB/s produced per user (PRODUCE_BYTES_PER_S)"
    load = f"{QUIET_STUDENTS} students x {QUIET_PER_S} readings/s, acks=all"
    ratio = f95 / q95
    brokers = len(cluster.nodes)
    share = per_broker(PRODUCE_BYTES_PER_S, cluster) / 1024
    return [
        Row("alert latency, class quiet: p50", q50 * 1000, "ms", f"{len(before)} readings; {load}"),
        Row("alert latency, class quiet: p95", q95 * 1000, "ms", quota),
        Row("alert latency, one student flooding: p50", f50 * 1000, "ms", f"{len(during)} readings"),
        Row("alert latency, one student flooding: p95", f95 * 1000, "ms", quota),
        Row("p95 flooding / p95 quiet", ratio, "x",
            f"target within 2x: {'met' if ratio <= 2 else 'NOT met'}; p50 ratio {f50 / q50:.2f}x"),
        Row("flooding student's produced bytes/s (after 5 s)", steady_rate / 1024, "KiB/s",
            f"{quota}: each of the {brokers} brokers enforces {share:,.0f} KiB/s "
            f"(here {steady_rate / PRODUCE_BYTES_PER_S:.2f}x the quota); "
            f"{overall_rate / 1024:,.0f} KiB/s over all {seconds:.0f} s, "
            f"{first_second / 1024:,.0f} KiB in the first second; tight loop, acks=1, "
            f"{FLOOD_VALUE_BYTES // 1024} KiB values, 512 KiB batches"),
    ]  # fmt: skip


class Sample(NamedTuple):
    """The kernel's process tree at one moment (MB)."""

    at: float
    rss: float  # the sum of the processes' RSS (pages a forked worker shares with its parent counted twice)
    pss: float  # shared pages split between the processes that share them
    parts: dict[str, float]  # RSS by kind: kernel, JVM, Python workers
    workers: int
    cell: str


class _TreeSampler:
    """The RSS (and PSS) of a process and all its descendants, each second, in a thread."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.samples: list[Sample] = []
        self.cell = "kernel start"
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop_event.wait(1.0):
            parts = {"kernel": 0.0, "JVM": 0.0, "Python workers": 0.0}
            pss, workers = 0.0, 0
            for process in [self.root, *self.root.children(recursive=True)]:
                try:
                    memory = process.memory_full_info()
                    kind = "JVM" if process.name() == "java" else "kernel"
                    if process is not self.root and kind == "kernel":
                        kind, workers = "Python workers", workers + 1  # pyspark.daemon and its workers
                except psutil.Error:
                    continue
                parts[kind] += memory.rss / 1e6
                pss += memory.pss / 1e6
            self.samples.append(Sample(time.monotonic(), sum(parts.values()), pss, parts, workers, self.cell))


CLEANUP = """
from lab_utils.spark import stop_spark
from lab_utils.streaming import stop_all_queries
print(stop_all_queries(spark))
print(producer.stop())
print(stop_spark())
"""


def student_memory(config: LabConfig, cluster: ClassCluster, name: str, folder: Path) -> list[Row]:
    """Notebook 04's instructor cells up to the live chart, in a kernel as ``name``: the tree's RSS."""
    notebook = nbformat.read(PROJECT_ROOT / "notebooks" / "04_spark_streaming.ipynb", as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    last = next(i for i, cell in enumerate(code) if cell.get("id") == LIVE_CHART_CELL)
    home = folder / ".lab"
    folder.mkdir(parents=True, exist_ok=True)
    if (config.lab_home / "jvm").is_dir():
        shutil.copytree(config.lab_home / "jvm", home / "jvm")
    env = {"LAB_SETTINGS_FILE": str(cluster.student_file(name)), "LAB_PROFILE": "fast", "LAB_HOME": str(home)}
    problems: list[str] = []
    began = time.monotonic()
    with NotebookKernel(folder, env=env) as kernel:
        assert kernel.pid is not None
        sampler = _TreeSampler(kernel.pid)
        sampler.thread.start()
        spark_up = chart_s = 0.0
        try:
            for cell in code[: last + 1]:
                sampler.cell = str(cell.get("id"))
                run = kernel.run(cell.source, timeout_s=300)
                if run.error is not None:
                    problems.append(f"cell {cell.get('id')}: {run.describe()[:200]}")
                if not spark_up:
                    spark_up = time.monotonic()
                if cell.get("id") == LIVE_CHART_CELL:
                    chart_s = run.seconds
            sampler.cell = "cleanup"
            kernel.run(CLEANUP, timeout_s=120)
        finally:
            sampler.stop_event.set()
            sampler.thread.join(5)
    samples = sampler.samples
    if not samples:
        raise LabError("No memory samples of the kernel.")
    running = [s for s in samples if s.at >= spark_up and s.cell != "cleanup"] or [samples[-1]]
    peak = max(samples, key=lambda sample: sample.rss)
    split = ", ".join(f"{kind} {mb:,.0f}" for kind, mb in peak.parts.items())
    note = (
        f"kernel + Spark driver JVM (local[2]) + Python workers, as {name}: notebook 04 cells up to the live "
        f"chart ({chart_s:.0f} s, LAB_PROFILE=fast), {time.monotonic() - began:.0f} s in all; the peak (cell "
        f"{peak.cell}): {split} ({peak.workers} worker processes), PSS {peak.pss:,.0f} MB"
    )
    failed = f"; FAILED {'; '.join(problems)}" if problems else ""
    return [
        Row("one student's kernel + Spark JVM RSS: peak", peak.rss, "MB", note + failed),
        Row("one student's kernel + Spark JVM RSS: median", statistics.median(s.rss for s in running), "MB",
            f"{len(running)} samples a second apart, from Spark's start to the last cell; "
            f"PSS median {statistics.median(s.pss for s in running):,.0f} MB"),
    ]  # fmt: skip


def measure(config: LabConfig, quick: bool) -> list[Row]:
    """Every row of the section, on a class cluster started for it and stopped at the end."""
    began = time.monotonic()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-classroom-") as folder:
        base = _free_base_port()
        cluster = ClassCluster(Path(folder) / "classroom", base)
        try:
            steps: list[Callable[[], list[Row]]] = [
                lambda: start_up(config, cluster, STUDENTS),
                lambda: latency(config, cluster, quick),
                lambda: student_memory(
                    config, cluster, student_names(QUIET_STUDENTS + 2)[-1], Path(folder) / "kernel"
                ),
            ]
            for step in steps:
                rows += step()
        finally:
            stop_class(cluster.home, base)
    rows.append(
        Row("section wall time", time.monotonic() - began, "s", f"class cluster on ports {base}-{base + 5}")
    )
    return rows


if __name__ == "__main__" and sys.argv[1:2] == ["flood"]:
    flood(float(sys.argv[2]), sys.argv[3])
