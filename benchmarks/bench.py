"""``make bench``: how fast and how lean the lab's pipeline is, next to the plain kafka-python baseline.

Every comparison runs in this one process, one after the other, so ratios hold on a noisy machine.
Results are printed as a table and written to ``results/bench-<time>.md`` and ``.json``.
``BENCH_QUICK=1`` shortens every run (a smoke test of the benchmark itself, not a measurement).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import psutil
from pyspark import SparkContext
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from lab_utils.clients import make_consumer, make_producer
from lab_utils.config import PROJECT_ROOT, LabConfig, load_config
from lab_utils.realtime import alerts_topic, ensure_alerts_topic, realtime_config, wait_until_running
from lab_utils.reference.parsing import alerts, kafka_source, parse_readings, valid_readings
from lab_utils.reference.pipeline import SensorPipeline
from lab_utils.reference.producer import BackgroundProducer
from lab_utils.reference.readings import Reading, iso_utc, parse
from lab_utils.reference.realtime_alerts import (
    CHECKPOINT_EVERY,
    AlertWatcher,
    new_job_id,
    start_realtime_alerts,
    stop_realtime,
)
from lab_utils.reference.topics import ensure_topic
from lab_utils.spark import get_spark, stop_spark
from lab_utils.topics import delete_topic

sys.path.insert(0, str(Path(__file__).parent))  # the warehouse join's figures live next door
import classroom_bench  # noqa: E402
import connect_bench  # noqa: E402
import join_bench  # noqa: E402

QUICK = os.environ.get("BENCH_QUICK") == "1"
RESULTS = PROJECT_ROOT / "results"
STARTED = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclasses.dataclass
class Result:
    """One measured figure."""

    section: str
    name: str
    value: float
    unit: str
    note: str = ""


@contextlib.contextmanager
def _topic(config: LabConfig, name: str) -> Iterator[LabConfig]:
    """A fresh 3-partition topic (and its dead-letter topic) for one measurement, deleted afterwards
    so that the broker does not carry millions of old readings into the next measurement."""
    topic = f"bench-{name}-{int(time.time())}"
    ensure_topic(topic, partitions=3, config=config)
    try:
        yield dataclasses.replace(config, topic=topic, dlq_topic=f"{topic}-dlq")
    finally:
        for created in (topic, f"{topic}-dlq"):
            delete_topic(created, config)


def _percentiles(samples: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def _hot_sender(config: LabConfig, count: int, per_second: float) -> threading.Thread:
    """Send ``count`` readings above 80 °C, each stamped with its send time, in a thread."""

    def send() -> None:
        producer = make_producer(config, linger_ms=0)
        for number in range(count):
            reading = Reading(f"S{number % 3 + 1}", 85.0 + number % 5, iso_utc(datetime.now(UTC)))
            producer.send(config.topic, reading.to_json(), key=reading.sensor_id.encode())
            time.sleep(1 / per_second)
        producer.flush()
        producer.close()

    return threading.Thread(target=send, daemon=True)


def latency_pipeline(
    spark: SparkSession, config: LabConfig, trigger_s: float, poll_s: float, count: int
) -> list[float]:
    """Seconds from a reading's send time to its row being visible in the pandas alerts table."""
    with _topic(config, "latency") as topic_config:
        pipeline = SensorPipeline(spark, config=dataclasses.replace(topic_config, trigger_seconds=trigger_s))
        pipeline.start()
        sender = _hot_sender(topic_config, count, per_second=20)
        seen: dict[tuple[str, object], float] = {}
        sender.start()
        deadline = time.monotonic() + count / 20 + 30
        while len(seen) < count and time.monotonic() < deadline:
            now = datetime.now(UTC).timestamp()
            frame = pipeline.tables["alerts"].frame()
            for sensor_id, event_time in zip(
                frame.get("sensor_id", []), frame.get("event_time", []), strict=True
            ):
                seen.setdefault((sensor_id, event_time), now - event_time.replace(tzinfo=UTC).timestamp())
            time.sleep(poll_s)
        pipeline.stop()
        sender.join()
    return list(seen.values())


def latency_baseline(config: LabConfig, count: int) -> list[float]:
    """The floor: a plain kafka-python consumer applying the same filter (suhu > 80)."""
    latencies: list[float] = []
    with _topic(config, "latency-baseline") as topic_config:
        consumer = make_consumer(topic_config, auto_offset_reset="latest")
        consumer.subscribe([topic_config.topic])
        consumer.poll(timeout_ms=2000)  # join and position before sending
        sender = _hot_sender(topic_config, count, per_second=20)
        sender.start()
        deadline = time.monotonic() + count / 20 + 30
        while len(latencies) < count and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=100).values():
                now = datetime.now(UTC).timestamp()
                for record in batch:
                    reading = parse(record.value)
                    if reading.is_alert(config.threshold) and reading.ts is not None:
                        latencies.append(now - datetime.fromisoformat(reading.ts).timestamp())
        consumer.close()
        sender.join()
    return latencies


def _realtime_run(
    spark: SparkSession, config: LabConfig, count: int, checkpoint_every: str
) -> tuple[list[float], str]:
    """One real-time query on the topic: send ``count`` hot readings, collect their alerts' latencies.

    Also returns what Spark's own progress reports say about the pauses between two real-time batches.
    """
    job = new_job_id("bench")
    watcher = AlertWatcher(config, jobs={job})
    query = start_realtime_alerts(spark, config, job, checkpoint_every=checkpoint_every)
    latencies: list[float] = []
    try:
        wait_until_running(spark, query, config.partitions)
        sender = _hot_sender(config, count, per_second=20)
        sender.start()
        deadline = time.monotonic() + count / 20 + 30
        while len(latencies) < count and time.monotonic() < deadline:
            latencies += [alert.latency_s for alert in watcher.poll(0.1)]
        sender.join()
        reports = [json.loads(progress.json) for progress in query.recentProgress]
    finally:
        stop_realtime(query, config)
        watcher.close()
    # A batch's triggerExecution is its addBatch (the long-running tasks) plus the work between two batches.
    gaps = [r["durationMs"]["triggerExecution"] - r["durationMs"].get("addBatch", 0) for r in reports]
    note = (
        f"{len(reports)} batches ended; between batches (median) {statistics.median(gaps):.0f} ms"
        if gaps
        else "no batch ended during the run"
    )
    return latencies, note


def latency_realtime(
    config: LabConfig, count: int, checkpoints: tuple[str, ...], warmup: int = 40
) -> dict[str, tuple[list[float], str]]:
    """Seconds from a reading's send time to its alert on the alerts topic, seen by a kafka-python consumer,
    with Spark's real-time mode, for each checkpoint interval in ``checkpoints``.

    Runs in its own Spark session with a task slot per partition (``lab_utils.realtime.realtime_config``):
    call it while no other session runs in this process. A warm-up run comes first (the JVM compiles the
    hot paths; the Kafka sink connects its producer on the first alert).
    """
    with _topic(config, "latency-realtime") as topic_config:
        topic_config = dataclasses.replace(topic_config, partitions=3)
        try:
            ensure_alerts_topic(topic_config)
            spark = get_spark(realtime_config(topic_config))
            _realtime_run(spark, topic_config, warmup, CHECKPOINT_EVERY)
            return {every: _realtime_run(spark, topic_config, count, every) for every in checkpoints}
        finally:
            stop_spark()
            delete_topic(alerts_topic(topic_config), config)


def producer_throughput(config: LabConfig, readings: int) -> tuple[float, float]:
    """Readings/s acknowledged: BackgroundProducer (acks=all, idempotent) vs a tuned kafka-python producer."""
    sensors = 1000
    with _topic(config, "producer-lab") as lab_config:
        lab = BackgroundProducer(
            sensors=sensors, interval_s=0, max_rounds=readings // sensors, config=lab_config
        )
        started = time.perf_counter()
        lab.start()
        lab.wait()
        lab.stop()
        lab_rate = lab.stats().acked / (time.perf_counter() - started)

    payloads = [
        Reading(f"S{i % sensors}", 70.0, iso_utc(datetime.now(UTC))).to_json() for i in range(readings)
    ]
    with _topic(config, "producer-tuned") as tuned_config:
        producer = make_producer(
            tuned_config, linger_ms=20, batch_size=512 * 1024, compression_type="gzip", acks=1
        )
        started = time.perf_counter()
        for index, payload in enumerate(payloads):
            producer.send(tuned_config.topic, payload, key=f"S{index % sensors}".encode())
        producer.flush()
        tuned_rate = readings / (time.perf_counter() - started)
        producer.close()
    return lab_rate, tuned_rate


def _write_backlog(spark: SparkSession, config: LabConfig, readings: int) -> None:
    """``readings`` JSON readings (4 in 25 above 80 °C) written by Spark's own Kafka sink: 1,000,000
    take about 10 s this way, against about 50 s through kafka-python."""
    sensor = F.concat(F.lit("S"), (F.col("id") % 1000).cast("string"))
    reading = F.struct(
        sensor.alias("sensor_id"),
        (F.lit(60.0) + F.col("id") % 25).alias("suhu"),
        F.lit(iso_utc(datetime.now(UTC))).alias("ts"),
    )
    (
        spark.range(readings)
        .select(sensor.cast("binary").alias("key"), F.to_json(reading).alias("value"))
        .write.format("kafka")
        .option("kafka.bootstrap.servers", config.bootstrap_servers)
        .option("topic", config.topic)
        .save()
    )


def spark_throughput(spark: SparkSession, config: LabConfig, backlog: int) -> tuple[float, float]:
    """Rows/s over a backlog with availableNow: parse + validate + filter vs raw read-and-count.

    Both are streaming queries (start, one batch, stop): the query start-up counts, as in class.
    """

    def timed(frame: DataFrame) -> float:
        started = time.perf_counter()
        query = frame.writeStream.format("noop").trigger(availableNow=True).start()
        query.awaitTermination()
        return backlog / (time.perf_counter() - started)

    with _topic(config, "backlog") as topic_config:
        _write_backlog(spark, topic_config, backlog)
        records = kafka_source(spark, topic_config, starting_offsets="earliest", backlog=True)
        raw_rate = timed(records)
        pipeline_rate = timed(alerts(valid_readings(parse_readings(records)), config.threshold))
    return pipeline_rate, raw_rate


def _rss_mb(pids: list[int]) -> float:
    return sum(psutil.Process(pid).memory_info().rss for pid in pids) / 1e6


def live_run(
    spark: SparkSession, config: LabConfig, sensors: int, seconds: float, sample_s: float
) -> dict[str, float]:
    """Notebook 04's pipeline at ``sensors`` readings/s: lag (now - newest event time) and memory."""
    lags, memory = [], []
    with _topic(config, f"live-{sensors}") as topic_config:
        pipeline = SensorPipeline(spark, config=topic_config)
        pipeline.start()
        producer = BackgroundProducer(sensors=sensors, interval_s=1.0, config=topic_config)
        producer.start()
        gateway = SparkContext._gateway
        assert gateway is not None, "the session above started Spark's JVM"
        pids = [os.getpid(), gateway.proc.pid]
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            time.sleep(sample_s)
            frame = pipeline.tables["readings"].frame()
            if not frame.empty:
                newest = frame["event_time"].max().replace(tzinfo=UTC).timestamp()
                lags.append(datetime.now(UTC).timestamp() - newest)
            memory.append((time.monotonic() - started, _rss_mb(pids)))
        producer.stop()
        pipeline.stop()
    second_half = [m for t, m in memory if t >= seconds / 2] or [memory[-1][1]]
    half_minutes = max((memory[-1][0] - seconds / 2) / 60, 1e-9)
    tail_lags = lags[len(lags) // 2 :] or [float("inf")]
    return {
        "sent_per_s": producer.stats().acked / seconds,
        "max_lag_s": max(tail_lags),
        "rss_mb": memory[-1][1],
        "growth_mb_per_min": (second_half[-1] - second_half[0]) / half_minutes,
    }


def headless_notebooks() -> Result:
    """Wall time of the full nbval run of every notebook in the fast profile (and whether it passed)."""
    started = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "notebooks", "-q", "-p", "no:cacheprovider"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "LAB_PROFILE": "fast"},
        capture_output=True,
        text=True,
    )
    RESULTS.mkdir(exist_ok=True)
    log = RESULTS / f"bench-{STARTED}-notebooks.log"
    log.write_text(run.stdout + run.stderr)
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr[-300:]
    note = summary if run.returncode == 0 else f"FAILED: {summary} (see {log.name})"
    return Result(
        "headless", "all notebooks under nbval (fast profile)", time.perf_counter() - started, "s", note
    )


BASELINE_CONNECT = (
    "import sys; from kafka import KafkaProducer\n"
    "try: KafkaProducer(bootstrap_servers=sys.argv[1], bootstrap_timeout_ms=int(float(sys.argv[2]) * 1000))\n"
    "except Exception as error: sys.exit(type(error).__name__)"
)


def broker_down(config: LabConfig) -> list[Result]:
    """Seconds from starting each program to its one sentence when no broker answers (nothing listens
    on port 9; the lab's connect timeout), next to a bare kafka-python producer with the same timeout."""
    timeout = str(config.connect_timeout_s)
    env = {**os.environ, "LAB_BOOTSTRAP_SERVERS": "127.0.0.1:9", "LAB_CONNECT_TIMEOUT_S": timeout}

    def seconds(command: list[str]) -> tuple[float, str]:
        started = time.perf_counter()
        run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
        return time.perf_counter() - started, run.stderr.strip()

    floor, _ = seconds([sys.executable, "-c", BASELINE_CONNECT, "127.0.0.1:9", timeout])
    found = [Result("broker down", "kafka-python producer, same timeout", floor, "s", f"timeout {timeout} s")]
    for program, args in (("producer", ["--count", "1"]), ("consumer", []), ("alerts", ["--available-now"])):
        took, said = seconds([sys.executable, "-m", f"lab_utils.programs.sensor_{program}", *args])
        one_sentence = said.startswith("error: No Kafka broker answers") and "\n" not in said
        note = "" if one_sentence else f"NOT ONE SENTENCE: {said[-200:]}"
        found += [
            Result("broker down", f"sensor-{program} to its sentence", took, "s", note),
            Result("broker down", f"sensor-{program} / baseline", took / floor, "x"),
        ]
    return found


SESSION_START = """
import resource, sys, time
from pyspark.sql import SparkSession, functions as F
from lab_utils import spark as lab_spark
from lab_utils.config import load_config
started = time.perf_counter()
if sys.argv[1] == "plain":  # what a tutorial writes: the builder with the connector, nothing else
    jars = ",".join(lab_spark.connector_jars(load_config().lab_home))
    spark = SparkSession.builder.master("local[2]").config("spark.jars", jars).getOrCreate()
else:
    if sys.argv[1] == "lab, no archive":
        lab_spark.class_archive_options = lambda: []
    spark = lab_spark.get_spark(load_config())
json = F.to_json(F.struct(F.col("id").alias("suhu")))
spark.range(1000).select(F.from_json(json, "suhu long").alias("r")).where("r.suhu > 80").count()
print(time.perf_counter() - started)
lab_spark.stop_spark()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(usage.ru_utime + usage.ru_stime)
"""


def spark_start() -> list[Result]:
    """How long a student waits for the first Spark cell: a session and its first query, each in a
    fresh process (fast profile, as in make test), next to what a tutorial's plain builder costs."""
    found, plain = [], 0.0
    for kind in ("plain", "lab, no archive", "lab"):
        runs = [
            subprocess.run([sys.executable, "-c", SESSION_START, kind], capture_output=True, text=True,
                           check=True, env={**os.environ, "LAB_PROFILE": "fast"}, cwd=PROJECT_ROOT)
            for _ in range(3)
        ]  # fmt: skip
        wall, cpu = (statistics.median(float(r.stdout.split()[i]) for r in runs) for i in (0, 1))
        plain = plain or wall
        found += [
            Result("spark start", f"{kind}: session + first query", wall, "s", f"JVM CPU {cpu:.1f} s"),
            Result("spark start", f"{kind} / plain builder", wall / plain, "x"),
        ]
    return found


def _grade(submissions: Path, out: Path, jobs: int) -> float:
    """Seconds ``lab-grade`` takes over a folder of handed-in notebooks (everything graded again)."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "lab_utils.stack.grading", str(submissions), "--out", str(out)]
    run = subprocess.run(
        [*command, "--jobs", str(jobs), "--force"],
        env={**os.environ, "LAB_PROFILE": "fast"},
        capture_output=True,
        text=True,
    )
    (out / "bench-run.log").write_text(run.stdout + run.stderr)
    if run.returncode != 0:
        raise RuntimeError(f"lab-grade failed: {run.stderr[-500:] or run.stdout[-500:]}")
    return time.perf_counter() - started


def grading() -> list[Result]:
    """``make grade`` on a made-up class (every student hands in the instructor's answers for every
    notebook): one student's full set at 1, 2 and 3 notebooks at a time, then 10 students at the default,
    and where a notebook's time goes (kernel start, Spark start, the checks' waits...)."""
    import tempfile

    import nbformat

    from lab_utils.stack.grading.cli import DEFAULT_JOBS
    from lab_utils.stack.grading.submissions import solved_copy

    notebooks = sorted((PROJECT_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    students = 2 if QUICK else 10
    found: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as folder:
        root = Path(folder)
        for number in range(1, students + 1):
            for path in notebooks:
                target = root / "class" / f"s{number:02d}" / path.name
                target.parent.mkdir(parents=True, exist_ok=True)
                nbformat.write(solved_copy(nbformat.read(path, as_version=4)), target)
        (root / "one" / "s01").mkdir(parents=True)
        for path in (root / "class" / "s01").iterdir():
            (root / "one" / "s01" / path.name).write_bytes(path.read_bytes())
        for jobs in (DEFAULT_JOBS,) if QUICK else (1, 2, 3):
            seconds = _grade(root / "one", root / f"out-one-{jobs}", jobs)
            found.append(
                Result("grading", f"one student's {len(notebooks)} notebooks, {jobs} at a time", seconds, "s")
            )
        seconds = _grade(root / "class", root / "out-class", DEFAULT_JOBS)
        results = [json.loads(p.read_text()) for p in (root / "out-class" / "results").glob("*/*.json")]
        verdicts = [e["result"] for r in results for e in r.get("exercises", [])]
        note = f"{verdicts.count('passed')} of {len(verdicts)} exercises passed"
        name = f"{students} students x {len(notebooks)} notebooks, {DEFAULT_JOBS} at a time"
        found.append(Result("grading", name, seconds, "s", note))
        spent: dict[str, float] = {}
        for result in results:
            for part, part_s in result.get("timings", {}).items():
                spent[part] = spent.get(part, 0.0) + part_s
        total = sum(spent.values()) or 1.0
        for part, part_s in sorted(spent.items(), key=lambda item: -item[1]):
            share = f"{100 * part_s / total:.0f}% of the notebooks' time"
            found.append(
                Result("grading", f"per notebook: {part}", part_s / max(1, len(results)), "s", share)
            )
    return found


def warehouse_join(spark: SparkSession, config: LabConfig) -> list[Result]:
    """Notebook 09's join: latency (second reading sent -> status visible) next to a kafka-python join, and
    the state's size over 10 minutes of simulated event time, for 3 and 1,000 warehouses."""
    count, minutes = (60, 2.0) if QUICK else (240, 10.0)
    join_bench.join_latency(spark, config, 0, 0.05, 40)  # warm-up
    measured = {
        "lab default (1 s trigger, 1 s poll)": join_bench.join_latency(spark, config, 1.0, 1.0, count),
        "lab tuned (no trigger delay, 50 ms poll)": join_bench.join_latency(spark, config, 0, 0.05, count),
        "kafka-python consumer, dict join": (join_bench.join_latency_baseline(config, count), None),
    }
    found = []
    for name, (samples, batch_ms) in measured.items():
        p50, p95, _ = _percentiles(samples)
        batches = "" if batch_ms is None else f"; a micro-batch took {batch_ms:,.0f} ms (median)"
        found += [
            Result("join latency", f"{name} p50", p50 * 1000, "ms", f"{len(samples)} pairs{batches}"),
            Result("join latency", f"{name} p95", p95 * 1000, "ms"),
        ]
    note = f"{minutes:g} min of event time, micro-batches of {join_bench.BATCH_S} s of it"
    for warehouses in (3, 100 if QUICK else 1_000):
        state = join_bench.join_state(
            spark, config, warehouses, minutes, (True, False) if warehouses == 3 else (True,)
        )
        kept, half = state[True], state[True][len(state[True]) // 2 :]
        found += [
            Result("join state", f"{warehouses} warehouses: rows at the end", kept[-1], "rows", note),
            Result("join state", f"{warehouses} warehouses: min / max in the 2nd half", min(half), "rows",
                   f"max {max(half):,}" + (": flat" if max(half) <= 1.25 * min(half) else ": GROWS")),
        ]  # fmt: skip
        if False in state:
            found.append(
                Result("join state", f"{warehouses} warehouses, no watermarks: rows at the end",
                       state[False][-1], "rows", "grows with every reading"),
            )  # fmt: skip
    return found


def classroom(config: LabConfig) -> list[Result]:
    """A class cluster of 30 students (issue 22): start-up, latency beside a flood, one student's memory."""
    return [Result("classroom", *row) for row in classroom_bench.measure(config, QUICK)]


def connect(config: LabConfig) -> list[Result]:
    """A class on one Spark Connect server (issue 22): its memory with 1-40 students, beside local[2]."""
    return [Result("connect", *row) for row in connect_bench.measure(config, QUICK)]


def run(step: Callable[[], list[Result]], results: list[Result]) -> None:
    found = step()
    for result in found:
        print(
            f"{result.section:<18} {result.name:<44} {result.value:>12,.2f} {result.unit:<10} {result.note}",
            flush=True,
        )
    results.extend(found)


def main() -> int:
    config = load_config()
    if os.environ.get("BENCH_ONLY") == "grading":  # the grading section alone (README, For instructors)
        graded: list[Result] = []
        run(grading, graded)
        write(graded)
        return 0
    if os.environ.get("BENCH_ONLY") == "join":  # notebook 09's join alone
        join_rows: list[Result] = []
        try:
            run(lambda: warehouse_join(get_spark(config), config), join_rows)
        finally:
            stop_spark()
        write(join_rows)
        return 0
    if os.environ.get("BENCH_ONLY") == "connect":  # the Spark Connect class server alone
        connect_rows: list[Result] = []
        run(lambda: connect(config), connect_rows)
        write(connect_rows)
        return 0
    if os.environ.get("BENCH_ONLY") == "spark-start":  # how long the first Spark cell takes
        start_rows: list[Result] = []
        run(spark_start, start_rows)
        write(start_rows)
        return 0
    if os.environ.get("BENCH_ONLY") == "broker-down":  # how fast each program says no broker answers
        down_rows: list[Result] = []
        run(lambda: broker_down(config), down_rows)
        write(down_rows)
        return 0
    if os.environ.get("BENCH_ONLY") == "classroom":  # the class cluster alone
        class_rows: list[Result] = []
        run(lambda: classroom(config), class_rows)
        write(class_rows)
        return 0
    scale = 0.1 if QUICK else 1.0
    alert_count = 60 if QUICK else 240
    results: list[Result] = []
    # Real-time mode first, in its own session (a task slot per partition); the lab's session follows.
    realtime = latency_realtime(config, alert_count, (CHECKPOINT_EVERY, "5 seconds"))
    spark = get_spark(config)
    try:

        def latency() -> list[Result]:
            found = []
            latency_pipeline(spark, config, 0, 0.05, 40)  # warm-up: the JVM compiles the hot paths
            measured = {  # measured in this order, the real-time runs already were
                "lab default (1 s trigger, 1 s poll)": (
                    latency_pipeline(spark, config, 1.0, 1.0, alert_count),
                    "",
                ),
                "lab tuned (no trigger delay, 50 ms poll)": (
                    latency_pipeline(spark, config, 0, 0.05, alert_count),
                    "",
                ),
                **{
                    f"real-time mode ({every} checkpoints), alerts topic": run
                    for every, run in realtime.items()
                },
                "kafka-python consumer + same filter": (latency_baseline(config, alert_count), ""),
            }
            p95s = {}
            for name, (samples, note) in measured.items():
                p50, p95, p99 = _percentiles(samples)
                p95s[name] = p95
                found += [
                    Result("alert latency", f"{name} p50", p50 * 1000, "ms", f"{len(samples)} alerts"),
                    Result("alert latency", f"{name} p95", p95 * 1000, "ms", note),
                    Result("alert latency", f"{name} p99", p99 * 1000, "ms"),
                ]
            floor = p95s.pop("kafka-python consumer + same filter")
            for name, p95 in p95s.items():
                found.append(Result("alert latency", f"{name} p95 / baseline p95", p95 / floor, "x"))
            return found

        def producers() -> list[Result]:
            lab_rate, tuned_rate = producer_throughput(config, int(100_000 * scale))
            return [
                Result("producer", "BackgroundProducer (acks=all, idempotent)", lab_rate, "readings/s"),
                Result("producer", "tuned kafka-python (acks=1, linger, gzip)", tuned_rate, "readings/s"),
                Result("producer", "lab / tuned", lab_rate / tuned_rate, "x"),
            ]

        def spark_backlog() -> list[Result]:
            pipeline_rate, raw_rate = spark_throughput(spark, config, int(1_000_000 * scale))
            return [
                Result("spark backlog", "parse + validate + filter (availableNow)", pipeline_rate, "rows/s"),
                Result("spark backlog", "raw Kafka read-and-count", raw_rate, "rows/s"),
                Result("spark backlog", "pipeline / raw", pipeline_rate / raw_rate, "x"),
            ]

        def scale_and_memory() -> list[Result]:
            """60 s at 100 and 10,000 sensors; 10 min at 3 and 1,000 sensors, which also give the memory."""
            found, sustained = [], 0
            for sensors, seconds in ((3, 600), (100, 60), (1_000, 600), (10_000, 60)):
                figures = live_run(spark, config, sensors, seconds * scale, 10 if seconds > 60 else 2)
                kept_up = figures["max_lag_s"] < 5
                sustained = max(sustained, sensors) if kept_up else sustained
                run_note = f"{seconds * scale / 60:g} min run"
                found += [
                    Result("scale", f"{sensors} sensors: readings sent", figures["sent_per_s"], "/s",
                           run_note),
                    Result("scale", f"{sensors} sensors: max lag (2nd half)", figures["max_lag_s"], "s",
                           "kept up" if kept_up else "FELL BEHIND"),
                ]  # fmt: skip
                if seconds > 60:
                    found += [
                        Result("memory", f"{sensors} sensors: kernel + JVM RSS at end",
                               figures["rss_mb"], "MB"),
                        Result("memory", f"{sensors} sensors: growth (2nd half)",
                               figures["growth_mb_per_min"], "MB/min", run_note),
                    ]  # fmt: skip
            found.append(Result("scale", "largest sensor count kept up", sustained, "sensors"))
            return found

        def joins() -> list[Result]:
            return warehouse_join(spark, config)

        for step in (latency, producers, spark_backlog, scale_and_memory, joins):
            run(step, results)
            write(results)  # what is measured so far survives a failure later
    finally:
        stop_spark()
    run(spark_start, results)
    write(results)
    run(lambda: broker_down(config), results)
    write(results)
    run(lambda: [headless_notebooks()], results)
    write(results)
    run(grading, results)
    write(results)
    run(lambda: classroom(config), results)
    write(results)
    run(lambda: connect(config), results)
    write(results)
    return 0


def write(results: list[Result]) -> None:
    """Markdown and JSON under results/ (git-ignored)."""
    RESULTS.mkdir(exist_ok=True)
    stamp = STARTED
    memory_gib = psutil.virtual_memory().total / 2**30
    machine = f"{psutil.cpu_count()} cores, {memory_gib:.0f} GiB, Python {platform.python_version()}, Linux"
    rows = [f"| {r.section} | {r.name} | {r.value:,.2f} {r.unit} | {r.note} |" for r in results]
    markdown = "\n".join(
        [
            f"Machine: {machine}. Quick mode: {QUICK}.",
            "",
            "| section | measure | value | note |",
            "|---|---|---|---|",
            *rows,
        ]
    )
    (RESULTS / f"bench-{stamp}.md").write_text(markdown + "\n")
    (RESULTS / f"bench-{stamp}.json").write_text(
        json.dumps(
            {"machine": machine, "quick": QUICK, "results": [dataclasses.asdict(r) for r in results]},
            indent=2,
        )
    )
    print(f"(results so far in results/bench-{stamp}.md and .json)", flush=True)


if __name__ == "__main__":
    sys.exit(main())
