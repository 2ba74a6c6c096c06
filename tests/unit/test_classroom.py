"""The classroom traffic (lab_utils.stack.classroom) holds what it promises to throw at the notebooks."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from lab_utils.reference import readings
from lab_utils.stack import classroom


def test_classic_bursts_share_one_millisecond_without_key_or_ts() -> None:
    rng = random.Random(1)
    for _ in range(50):
        burst = classroom.classic_burst(rng, 1_795_000_000_123)
        bodies = [json.loads(record.value) for record in burst]
        assert len(burst) >= 3
        assert {record.timestamp_ms for record in burst} == {1_795_000_000_123}
        assert all(
            record.key is None and "ts" not in body for record, body in zip(burst, bodies, strict=True)
        )
        assert len({body["sensor_id"] for body in bodies}) == 1  # one sensor, several readings
        assert burst[0].value == burst[1].value  # two different readings, byte for byte alike
        assert all(readings.parse(record.value).sensor_id in {"S1", "S2", "S3"} for record in burst)


@pytest.mark.parametrize("value", classroom.MALFORMED)
def test_every_malformed_record_is_rejected_by_the_lab_rules(value: bytes) -> None:
    with pytest.raises(readings.InvalidReading):
        readings.parse(value)


def test_a_round_holds_every_kind_and_the_readings_are_valid() -> None:
    records = classroom.one_round(random.Random(7))
    assert {record.kind for record in records} == {
        "classic burst", "foreign sensor", "second S1", "malformed", "ts past or future",
    }  # fmt: skip
    for record in records:
        if record.kind != "malformed":
            readings.parse(record.value)  # a valid reading, however odd its source
    foreign = next(readings.parse(r.value) for r in records if r.kind == "foreign sensor")
    assert foreign.sensor_id not in {"S1", "S2", "S3"}
    assert readings.parse(next(r.value for r in records if r.kind == "second S1")).sensor_id == "S1"


def test_odd_timestamps_are_far_from_now() -> None:
    rng = random.Random(3)
    now = datetime.now(UTC)
    for _ in range(40):
        ts = readings.parse(classroom.odd_time(rng, now).value).ts
        assert abs(datetime.fromisoformat(ts.replace("Z", "+00:00")) - now) >= timedelta(hours=5)


def test_the_neighbour_mixes_every_kind() -> None:
    stream = classroom.neighbour_records(random.Random(5))
    kinds = {next(stream).kind for _ in range(400)}
    assert kinds == {"classic burst", "foreign sensor", "second S1", "malformed", "ts past or future"}
