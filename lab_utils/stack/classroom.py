"""A classroom's traffic on the lab's topic: what other people's programs send while your notebook runs.

In class, ``sensor-suhu`` is shared. Other students run the assignment's classic producer (payloads
without ``ts``, sent in bursts: several readings of one sensor in the same millisecond), their own sensors
(S7, X1, ...), a second laptop that also sends S1, test lines typed into ``kafka-console-producer`` or
kcat, broken JSON, and readings whose ``ts`` is years in the past or in the future. A notebook's
self-checks must stay true statements on such a topic.

The headless notebook run uses this module through the repository's ``conftest.py``: before the first
notebook it seeds the topic with a class's worth of such records, then a background "classroom
neighbour" keeps sending a few per second until the test session ends (``LAB_CLASSROOM=0`` turns both
off). It is an independent client on purpose: plain kafka-python, not the lab's producer. By hand, against
the broker of ``config.bootstrap_servers`` (the shared one, or a class's):

    python -m lab_utils.stack.classroom seed             # one class's worth of untidy records
    python -m lab_utils.stack.classroom neighbour 300    # 300 s of background traffic (Ctrl-C stops it)
"""

from __future__ import annotations

import json
import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kafka import KafkaAdminClient, KafkaProducer
from kafka.errors import KafkaError, TopicAlreadyExistsError

from lab_utils.config import LabConfig, load_config
from lab_utils.errors import LabError, run_cli
from lab_utils.stack.account import kafka_security

NEIGHBOUR_RATE_PER_S = 3.0  # about three records a second: a few busy classmates, not a load test
NEIGHBOUR_MAX_S = 30 * 60.0  # a neighbour always stops by itself, even if nobody stops it
SEED_ROUNDS = 12  # each round sends one record of every kind below: about 160 records

# Records that are not readings, as a class types or breaks them.
MALFORMED = (
    b"not JSON at all",
    b"hello",  # a kafka-console-producer test line
    b"",
    b'{"sensor_id": "S9", "suhu": "very hot"}',
    b'{"sensor_id": "S3", "suhu": null}',
    b'{"suhu": 71.2}',  # no sensor_id
    b'{"sensor": "S2", "suhu": 85}',  # a misspelt field name
    b'{"sensor_id": "S2", "suhu": 9999}',  # a broken sensor: impossible temperature
    b"[1, 2, 3]",
    b"\xff\xfe not UTF-8",
    b'{"sensor_id": "S1", "suhu": 75.5',  # cut off
    b'{"sensor_id": "S2", "suhu": NaN}',
    b'{"sensor_id": "S1", "suhu": 75.5, "ts": "yesterday"}',
)
FOREIGN_SENSORS = ("S7", "X1", "S4", "mesin-2")


@dataclass(frozen=True)
class Record:
    """One record a classmate sends: kind (for the tally), key, value, and Kafka timestamp if forced."""

    kind: str
    key: bytes | None
    value: bytes
    timestamp_ms: int | None = None


def _reading(sensor_id: str, suhu: float, ts: datetime | None = None) -> bytes:
    payload: dict[str, object] = {"sensor_id": sensor_id, "suhu": suhu}
    if ts is not None:
        payload["ts"] = ts.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return json.dumps(payload).encode()


def classic_burst(rng: random.Random, now_ms: int) -> list[Record]:
    """The assignment's producer in a loop without sleep: one sensor, several readings, one millisecond.

    No key and no ``ts`` (event time falls back to the Kafka timestamp, which all of them share); two of
    them are byte-for-byte identical, as two different readings of a coarse sensor can be.
    """
    sensor_id = rng.choice(("S1", "S2", "S3"))
    first = rng.randint(60, 100)  # the classic producer sends whole degrees
    values = [first, first, *(rng.randint(60, 100) for _ in range(rng.randint(1, 3)))]
    return [Record("classic burst", None, _reading(sensor_id, value), now_ms) for value in values]


def foreign_reading(rng: random.Random, now: datetime) -> Record:
    """A classmate's own sensor, keyed by its id."""
    sensor_id = rng.choice(FOREIGN_SENSORS)
    return Record(
        "foreign sensor", sensor_id.encode(), _reading(sensor_id, round(rng.uniform(60, 95), 1), now)
    )


def second_s1(rng: random.Random, now: datetime) -> Record:
    """Another laptop that also calls its sensor S1 (sent by a second producer)."""
    return Record("second S1", b"S1", _reading("S1", round(rng.uniform(65, 92), 1), now))


def malformed(rng: random.Random) -> Record:
    """A record that is not a valid reading."""
    return Record("malformed", rng.choice((None, b"S9", b"test")), rng.choice(MALFORMED))


def odd_time(rng: random.Random, now: datetime) -> Record:
    """A reading whose ``ts`` is far in the past (a dead RTC battery) or in the future (a wrong clock)."""
    shift = rng.choice(
        (timedelta(days=-365 * 25), timedelta(days=-400), timedelta(days=365), timedelta(hours=6))
    )
    sensor_id = rng.choice(("S1", "S2", "S3"))
    return Record(
        "ts past or future", sensor_id.encode(), _reading(sensor_id, rng.choice((70.5, 84.5)), now + shift)
    )


def one_round(rng: random.Random) -> list[Record]:
    """One record of every kind (a burst counts as one), in a shuffled order."""
    now = datetime.now(UTC)
    records = [foreign_reading(rng, now), second_s1(rng, now), malformed(rng), odd_time(rng, now)]
    rng.shuffle(records)
    return classic_burst(rng, int(now.timestamp() * 1000)) + records


def neighbour_records(rng: random.Random) -> Iterator[Record]:
    """An endless mix with the same kinds in the proportions of a class: mostly classic producers."""
    while True:
        now = datetime.now(UTC)
        roll = rng.random()
        if roll < 0.25:
            yield from classic_burst(rng, int(now.timestamp() * 1000))
        elif roll < 0.5:
            yield foreign_reading(rng, now)
        elif roll < 0.7:
            yield second_s1(rng, now)
        elif roll < 0.9:
            yield malformed(rng)
        else:
            yield odd_time(rng, now)


class Classroom:
    """Two independent kafka-python producers (the classic producer's laptop and another student's)."""

    def __init__(self, config: LabConfig, seed: int = 2026) -> None:
        self.config = config
        self.rng = random.Random(seed)
        self.sent: Counter[str] = Counter()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        options = {
            "bootstrap_servers": self.config.bootstrap_list,
            "bootstrap_timeout_ms": int(self.config.connect_timeout_s * 1000),
            "linger_ms": 0,
            **kafka_security(self.config),  # on a class cluster: the account of LAB_SETTINGS_FILE
        }
        try:
            self._ensure_topic()
            self._classic = KafkaProducer(client_id="classroom-classic-producer", **options)
            self._other = KafkaProducer(client_id="classroom-other-laptop", **options)
        except KafkaError as error:
            raise LabError(
                f"The classroom could not reach Kafka at {self.config.bootstrap_servers}"
                f" ({error.__class__.__name__}): start the broker with `make broker`."
            ) from None

    def _ensure_topic(self) -> None:
        """Create the topic as the lab does if it is missing (never deletes or changes one)."""
        admin = KafkaAdminClient(
            bootstrap_servers=self.config.bootstrap_list,
            bootstrap_timeout_ms=int(self.config.connect_timeout_s * 1000),
            **kafka_security(self.config),
        )
        try:
            spec = {
                "num_partitions": self.config.partitions,
                "replication_factor": self.config.replication_factor,
            }
            admin.create_topics({self.config.topic: spec}, wait_for_metadata=True)
        except TopicAlreadyExistsError:
            pass
        finally:
            admin.close()

    def send(self, records: list[Record]) -> None:
        """Send ``records``: the second S1 from the other laptop, everything else from the classic one."""
        for record in records:
            producer = self._other if record.kind == "second S1" else self._classic
            producer.send(
                self.config.topic, value=record.value, key=record.key, timestamp_ms=record.timestamp_ms
            )
            self.sent[record.kind] += 1

    def seed(self, rounds: int = SEED_ROUNDS) -> int:
        """Send ``rounds`` rounds of every kind now, and wait until Kafka has them all."""
        before = self.total
        for _ in range(rounds):
            self.send(one_round(self.rng))
        self.flush()
        return self.total - before

    def flush(self) -> None:
        for producer in (self._classic, self._other):
            producer.flush(timeout=30)

    def start_neighbour(
        self, rate_per_s: float = NEIGHBOUR_RATE_PER_S, max_s: float = NEIGHBOUR_MAX_S
    ) -> None:
        """Send about ``rate_per_s`` records a second from a background thread, for at most ``max_s``."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._neighbour, args=(rate_per_s, max_s), name="classroom-neighbour", daemon=True
        )
        self._thread.start()

    def _neighbour(self, rate_per_s: float, max_s: float) -> None:
        deadline = time.monotonic() + max_s
        records = neighbour_records(self.rng)
        try:
            while time.monotonic() < deadline and not self._stop.wait(self.rng.expovariate(rate_per_s)):
                self.send([next(records)])
        except Exception as error:  # reported by stop(); the thread just ends
            self._error = error

    def stop(self) -> str:
        """Stop the neighbour, deliver what it sent, close both producers; one line about what was sent."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        for producer in (self._classic, self._other):
            producer.close(timeout=10)
        if self._error is not None:
            raise LabError(f"The classroom neighbour stopped early: {self._error!r}")
        return f"The classroom sent {self.total} records to {self.config.topic}: {self.kinds()}."

    @property
    def total(self) -> int:
        """How many records this classroom sent."""
        return sum(self.sent.values())

    def kinds(self) -> str:
        """How many of each kind, e.g. ``52 classic burst, 12 malformed``."""
        return ", ".join(f"{count} {kind}" for kind, count in sorted(self.sent.items()))


def _neighbour_for(config: LabConfig, seconds: float) -> None:
    classroom = Classroom(config)
    print(f"Sending a classroom's traffic to {classroom.config.topic} for {seconds:g} s (Ctrl-C stops it).")
    classroom.start_neighbour(max_s=seconds)
    try:
        time.sleep(seconds)
    finally:
        print(classroom.stop())


def main(argv: list[str] | None = None) -> int:
    """``python -m lab_utils.stack.classroom seed`` or ``... neighbour SECONDS``."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["seed"]:
        return run_cli(lambda: print(_seed_once(load_config())))
    if len(args) == 2 and args[0] == "neighbour" and args[1].replace(".", "", 1).isdigit():
        return run_cli(lambda: _neighbour_for(load_config(), float(args[1])))
    print("usage: python -m lab_utils.stack.classroom seed | neighbour SECONDS", file=sys.stderr)
    return 2


def _seed_once(config: LabConfig) -> str:
    classroom = Classroom(config)
    classroom.seed()
    return classroom.stop()


if __name__ == "__main__":
    sys.exit(main())
