"""Send simulated readings to Kafka: the reference producer and its delivery settings.

Notebook 02 writes this producer in its cells: a ``KafkaProducer`` with the settings of
:func:`producer_settings` (key: ``sensor_id`` as UTF-8 bytes; value: the reading's fields as JSON;
``acks="all"`` and idempotence, so a retried send is never written twice), a ``send`` loop in a
``threading.Thread`` with a stop ``Event``, and delivery callbacks that count acknowledgements.
``BackgroundProducer`` is the same producer, packaged for notebooks 03 to 08, the benchmark and the
tests (``lab_utils/programs/sensor_producer.py`` follows the same settings); notebook 02's self-check
compares its cell with these settings (:func:`reference_differences`). ``stop()`` flushes, so every
reading that was accepted is delivered or counted as failed, never silently dropped.

Notebook 02's self-checks prove a student's code on records it sends and reads back by (partition,
offset): :func:`probe_producer` (the producer cell), :func:`try_send_loop` (the send loop, run on test
sensors only this run uses) and :func:`stored_problems` (what a record read back holds). While the loop
exercise is not done, the cells after it run :func:`send_loop`, the finished loop.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError
from kafka.serializer import DefaultSerializer, JsonSerializer

from lab_utils.clients import make_producer
from lab_utils.config import LabConfig
from lab_utils.errors import LabError
from lab_utils.reference.consumer import read_at
from lab_utils.reference.readings import InvalidReading, Reading, iso_utc, parse, validate
from lab_utils.reference.topics import ensure_topic
from lab_utils.sensors import SensorSimulator
from lab_utils.stack.messages import in_language

# Wait for every in-sync replica (acks="all"), and let the broker drop a retried duplicate (idempotence).
DELIVERY: dict[str, Any] = {"acks": "all", "enable_idempotence": True}
FLUSH_TIMEOUT_S = 30.0
# Wait up to 5 ms to fill a batch of up to 64 KiB: imperceptible at 3 sensors, and at 1,000 sensors
# a few large requests instead of thousands of tiny ones (about +15% readings/s, see make bench).
BATCHING = {"linger_ms": 5, "batch_size": 64 * 1024}


def producer_settings() -> dict[str, Any]:
    """The rules every producer of readings follows (notebook 02's ``KafkaProducer(...)`` cell too).

    The key is the ``sensor_id`` as UTF-8 bytes (``"S1"`` -> ``b"S1"``), so each sensor's readings
    share a partition and stay in order; the value is :meth:`Reading.to_dict` as UTF-8 JSON, which
    is exactly :meth:`Reading.to_json`.
    """
    return {"key_serializer": DefaultSerializer(), "value_serializer": JsonSerializer()} | DELIVERY


def reference_differences(producer: KafkaProducer, sample: Reading | None = None) -> list[str]:
    """How a producer built in a notebook cell departs from :func:`producer_settings` (empty: none).

    Compares the delivery settings, and the key and value bytes the producer's serializers make of a
    sample reading with the reference's (``sensor_id`` encoded, :meth:`Reading.to_json`).
    """
    sample = sample or Reading("S1", 70.4, "2026-11-27T10:00:00.000Z")
    settings, problems = producer.config, []
    if settings["acks"] not in ("all", -1):
        problems.append(f'acks is {settings["acks"]!r}, the reference waits for all replicas (acks="all")')
    if not settings["enable_idempotence"]:
        problems.append("enable_idempotence is off: a retried send could be stored twice")
    for name, data, expected in (
        ("key", sample.sensor_id, sample.sensor_id.encode("utf-8")),
        ("value", sample.to_dict(), sample.to_json()),
    ):
        serializer = settings[f"{name}_serializer"]
        try:
            made = data if serializer is None else serializer.serialize("", [], data)
        except Exception as error:  # noqa: BLE001 - any failure is a difference worth one sentence
            made = f"{type(error).__name__}: {error}"
        if made != expected:
            fix = "DefaultSerializer()" if name == "key" else "JsonSerializer()"
            problems.append(
                f"the {name} {data!r} becomes {made!r}, the reference sends {expected!r} "
                f"(set {name}_serializer={fix})"
            )
    return problems


def stored_problems(record: Any, key: str, value: dict[str, Any] | None = None) -> list[str]:
    """Why a record read back at its (partition, offset) is not the reading sent (empty: it is).

    ``record`` is a ``ConsumerRecord`` or None (nothing there); ``value`` the dict that was sent, or
    None for "any valid reading of the sensor ``key``". Each sentence names the likely slip.
    """
    if record is None:
        return ["Kafka holds no record at that partition and offset"]
    where = f"the record at p{record.partition}@{record.offset}"
    if record.key is None:
        return [f"{where} has no key: send it with key={key!r}"]
    if record.key == json.dumps(key).encode():
        return [
            f"{where} has the key {record.key!r}, JSON text with quotes: the key needs DefaultSerializer()"
        ]
    if record.key != key.encode():
        return [f"{where} has the key {record.key!r}, not {key.encode()!r}"]
    try:
        body = json.loads(record.value)
    except (TypeError, ValueError):
        return [f"{where} holds {record.value[:60]!r}, which is not JSON"]
    if isinstance(body, str):
        return [
            f"{where} holds a JSON string, {record.value[:40]!r}...: your value was JSON encoded twice. "
            "The JsonSerializer already calls json.dumps, so send the dict itself"
        ]
    if value is not None and body != value:
        return [f"{where} holds {body}, not the reading you were asked to send, {value}"]
    try:
        reading = parse(record.value)
    except InvalidReading as invalid:
        return [f"{where} holds {body}, not a valid reading ({invalid.reason})"]
    if reading.sensor_id != key:
        return [f"{where} holds a reading of {reading.sensor_id!r}, but its key is {key!r}"]
    return []


def probe_producer(producer: KafkaProducer, *, config: LabConfig) -> tuple[tuple[int, int] | None, list[str]]:
    """Notebook 02's check of the student's producer: its settings, then a test reading sent and read back.

    The test reading comes from a sensor only this run uses, at exactly 80.0 °C. Returns its (partition,
    offset) and the problems found (empty: the producer works as the reference does).
    """
    probe = Reading(f"check-{uuid.uuid4().hex[:6]}", 80.0, iso_utc(datetime.now(UTC)))
    problems = reference_differences(producer, probe)
    if problems:
        return None, problems
    metadata = producer.send(config.topic, key=probe.sensor_id, value=probe.to_dict()).get(timeout=10)
    at = (metadata.partition, metadata.offset)
    return at, stored_problems(read_at([at], config=config).get(at), probe.sensor_id, probe.to_dict())


def send_loop(
    producer: KafkaProducer,
    topic: str,
    interval_s: float,
    stop: threading.Event,
    sent: list[Reading],
    on_delivered: Callable[..., None],
    on_failed: Callable[..., None],
) -> Callable[[SensorSimulator, float], None]:
    """Notebook 02's ``send_readings``, finished: what its later cells run while the exercise is not done."""

    def send_readings(simulator: SensorSimulator, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not stop.is_set() and time.monotonic() < deadline:
            for reading in simulator.tick():
                future = producer.send(topic, key=reading.sensor_id, value=reading.to_dict())
                future.add_callback(on_delivered, reading).add_errback(on_failed, reading)
                sent.append(reading)
            stop.wait(interval_s)  # one interval, but wakes at once when stop is set

    return send_readings


@dataclass
class _Trial:
    """One run of a student's loop in a thread: how long it ran (None: it did not end), what it raised."""

    seconds: float | None
    error: BaseException | None
    readings: int
    flat_out: bool


def _trial(
    loop: Callable[[SensorSimulator, float], None],
    sensors: SensorSimulator,
    seconds: float,
    stop: threading.Event,
    sent: list[Reading],
    interval_s: float,
    stop_after_s: float | None = None,
) -> _Trial:
    """Run ``loop(sensors, seconds)`` in a thread, set ``stop`` after ``stop_after_s``, and time it.

    A loop that never waits is stopped as soon as it sent more than a few rounds' worth of readings.
    """
    errors: list[BaseException] = []

    def run() -> None:
        try:
            loop(sensors, seconds)
        except Exception as error:  # noqa: BLE001 - the check reports it in one sentence
            errors.append(error)

    stop.clear()
    before, most = len(sent), 3 * len(sensors.machines) * (int(seconds / interval_s) + 3)
    thread = threading.Thread(target=run, name="send-loop-check", daemon=True)
    started = time.monotonic()
    thread.start()
    limit = started + (seconds if stop_after_s is None else stop_after_s) + interval_s + 3.0
    flat_out = False
    while thread.is_alive() and time.monotonic() < limit:
        if stop_after_s is not None and time.monotonic() - started >= stop_after_s:
            stop.set()
        if len(sent) - before > most:
            flat_out = True
            stop.set()
        thread.join(timeout=0.02)
    ran = None if thread.is_alive() else time.monotonic() - started
    stop.set()
    thread.join(timeout=5)
    return _Trial(ran, errors[0] if errors else None, len(sent) - before, flat_out)


def try_send_loop(
    loop: Callable[[SensorSimulator, float], None],
    stop: threading.Event,
    sent: list[Reading],
    delivered: dict[tuple[int, int], Reading],
    failed: list[Any],
    producer: KafkaProducer,
    *,
    config: LabConfig,
) -> list[str]:
    """Notebook 02's check of the student's send loop; returns the problems found (empty: none).

    The loop runs twice in a thread, on two test sensors only this run uses: once until its deadline
    (four intervals), once with a long deadline until ``stop`` is set. Then every reading the callbacks
    reported is read back at its (partition, offset) and compared with what was sent.
    """
    sensors = SensorSimulator(count=2, seed=2)
    tag = uuid.uuid4().hex[:6]
    for machine in sensors.machines:
        machine.sensor_id = f"{machine.sensor_id}-check-{tag}"
    for bucket in (sent, delivered, failed):
        bucket.clear()
    interval = config.interval_s
    deadline_run = _trial(loop, sensors, 4 * interval, stop, sent, interval)
    stop_run = None
    if deadline_run.error is None and not deadline_run.flat_out and deadline_run.seconds is not None:
        stop_run = _trial(loop, sensors, 60.0, stop, sent, interval, stop_after_s=2 * interval)
    producer.flush(timeout=FLUSH_TIMEOUT_S)
    for run in (deadline_run, stop_run):
        if run is not None and run.error is not None:
            return [f"it stopped with {type(run.error).__name__}: {run.error}"]
    rounds = deadline_run.readings / len(sensors.machines)
    if deadline_run.flat_out:
        return [
            f"it sent {deadline_run.readings} readings at once, without waiting between rounds: "
            "end each round with stop.wait(config.interval_s)"
        ]
    if deadline_run.seconds is None:
        return [
            f"it still ran {4 * interval + interval + 3:g} s after a {4 * interval:g}-second run began: "
            "loop only while time.monotonic() < deadline"
        ]
    if rounds < 3:
        return [
            f"a {4 * interval:g}-second run sent {rounds:g} round(s) of readings, not about 4: "
            "keep sending, one round per interval, until the deadline"
        ]
    if stop_run is not None and stop_run.seconds is None:
        return ["it went on after stop was set: loop only while not stop.is_set(), and wait with stop.wait()"]
    if not sent:
        return ["`sent` is still empty: append each reading to it after you send it"]
    if failed:
        return [f"{len(failed)} of {len(sent)} sends failed, the first with {failed[0][1]!r}"]
    if len(delivered) < len(sent):
        return [
            f"on_delivered heard of {len(delivered)} of {len(sent)} readings: attach the callbacks to each "
            "future, future.add_callback(on_delivered, reading).add_errback(on_failed, reading)"
        ]
    stored = read_at(delivered, config=config)
    for at, reading in sorted(delivered.items()):
        problems = stored_problems(stored.get(at), reading.sensor_id, reading.to_dict())
        if problems:
            return problems
    return []


@dataclass(frozen=True)
class ProducerStats:
    """A snapshot of a producer's counters, safe to show in a notebook."""

    running: bool
    sent: int
    acked: int
    failed: int
    rate_per_s: float
    last_error: str | None
    last_reading: Reading | None

    @property
    def pending(self) -> int:
        """Sent but not yet confirmed: grows while the broker is away, shrinks when it is back."""
        return self.sent - self.acked - self.failed

    def __str__(self) -> str:
        state = "running" if self.running else "stopped"
        text = (
            f"{state}: sent {self.sent}, acknowledged {self.acked}, pending {self.pending}, "
            f"failed {self.failed}, {self.rate_per_s:.1f} readings/s"
        )
        return text + (f"; last error: {self.last_error}" if self.last_error else "")


class BackgroundProducer:
    """Simulated sensors sending to Kafka from a background thread; start and stop are idempotent."""

    def __init__(
        self,
        sensors: int | None = None,
        interval_s: float | None = None,
        seed: int | None = None,
        duration_s: float | None = None,
        max_rounds: int | None = None,
        topic: str | None = None,
        *,
        config: LabConfig,
        on_send: Callable[[Reading], None] | None = None,
        stories: dict[str, list[float]] | None = None,
    ) -> None:
        self.config = config
        self.topic = topic or self.config.topic
        self.interval_s = self.config.interval_s if interval_s is None else interval_s
        self.duration_s = duration_s
        self.max_rounds = max_rounds
        self.simulator = SensorSimulator(sensors or self.config.sensor_count, seed=seed, stories=stories)
        self._on_send = on_send
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._producer: KafkaProducer | None = None
        self._sent = self._acked = self._failed = 0
        self._last_error: str | None = None
        self._last_reading: Reading | None = None
        self._started_at = 0.0
        self._stopped_at: float | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> str:
        """Connect (failing fast if no broker answers) and start sending in the background."""
        if self.is_running():
            return in_language(f"The producer is already running ({self.stats()}).", self.config.language)
        if self._producer is not None:  # a bounded run that ended by itself: close it first
            self.stop()
        ensure_topic(self.topic, config=self.config)
        self._producer = make_producer(self.config, max_block_ms=5000, **producer_settings(), **BATCHING)
        self._stop.clear()
        self._started_at, self._stopped_at = time.monotonic(), None
        self._thread = threading.Thread(target=self._run, name="sensor-producer", daemon=True)
        self._thread.start()
        sensors = len(self.simulator.machines) + len(self.simulator.stories)
        started = f"Producer started: {sensors} sensors, one reading each every {self.interval_s:g} s."
        return in_language(started, self.config.language)

    def stop(self) -> str:
        """Stop sending, wait for Kafka to confirm what was sent, and close the connection."""
        if self._thread is None and self._producer is None:
            return in_language("The producer is not running.", self.config.language)
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._producer is not None:
            self._producer.flush(timeout=FLUSH_TIMEOUT_S)
            self._producer.close(timeout=5)
            self._producer = None
        self._stopped_at = time.monotonic()
        return in_language(f"Producer {self.stats()}.", self.config.language)

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until a bounded run (duration or rounds) ends; True if it ended."""
        if self._thread is not None:
            self._thread.join(timeout_s)
        return not self.is_running()

    # -- counters ---------------------------------------------------------------------------
    def stats(self) -> ProducerStats:
        with self._lock:
            end = self._stopped_at or time.monotonic()
            elapsed = end - self._started_at if self._started_at else 0.0
            return ProducerStats(
                running=self.is_running(),
                sent=self._sent,
                acked=self._acked,
                failed=self._failed,
                rate_per_s=self._acked / elapsed if elapsed else 0.0,
                last_error=self._last_error,
                last_reading=self._last_reading,
            )

    # -- the thread -------------------------------------------------------------------------
    def _run(self) -> None:
        rounds = 0
        deadline = None if self.duration_s is None else self._started_at + self.duration_s
        next_round = time.monotonic()
        first_sample = datetime.now(UTC)
        while not self._stop.is_set():
            if self.max_rounds is not None and rounds >= self.max_rounds:
                break
            if deadline is not None and time.monotonic() >= deadline:
                break
            # A sensor samples on a fixed schedule: each round is stamped with its scheduled time,
            # so timestamps stay unique and evenly spaced even when a slow send delays a round.
            for reading in self.simulator.tick(first_sample + timedelta(seconds=rounds * self.interval_s)):
                self.send(reading)
            rounds += 1
            next_round += self.interval_s  # a fixed schedule: no drift from the time sends take
            self._stop.wait(max(0.0, next_round - time.monotonic()))

    def send(self, reading: Reading) -> None:
        """Validate and send one reading; the outcome lands in the counters when Kafka answers."""
        validate(reading.sensor_id, reading.suhu, reading.ts)
        if self._producer is None:
            raise LabError("The producer is not started: call start() first.")
        try:
            future = self._producer.send(self.topic, key=reading.sensor_id, value=reading.to_dict())
        except KafkaError as error:  # not accepted (e.g. no broker for max_block_ms): count it
            self._record_failure(error)
            return
        with self._lock:
            self._sent += 1
            self._last_reading = reading
        future.add_callback(self._record_ack).add_errback(self._record_failure)
        if self._on_send is not None:
            self._on_send(reading)

    def _record_ack(self, _metadata: object) -> None:
        with self._lock:
            self._acked += 1

    def _record_failure(self, error: Exception) -> None:
        with self._lock:
            self._failed += 1
            self._last_error = f"{type(error).__name__}: {error}"


def send_raw(
    value: bytes | None, key: bytes | None = None, topic: str | None = None, *, config: LabConfig
) -> tuple[int, int]:
    """Send one record exactly as given (even a broken one) and wait for Kafka to confirm it.

    Notebook 04 and the tests use it to show what the pipeline does with bad input.
    Returns the record's (partition, offset).
    """
    producer = make_producer(config, **DELIVERY)
    try:
        metadata = producer.send(topic or config.topic, value, key=key).get(timeout=30)
    finally:
        producer.close(timeout=5)
    return metadata.partition, metadata.offset
