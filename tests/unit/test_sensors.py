"""The sensor simulation: seedable, realistic episodes, course names."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from lab_utils.reference.readings import MAX_SUHU, MIN_SUHU, parse
from lab_utils.sensors import SensorSimulator, sensor_ids


def _series(seed: int, ticks: int, count: int = 3) -> dict[str, list[float]]:
    simulator = SensorSimulator(count=count, seed=seed)
    series: dict[str, list[float]] = {sensor: [] for sensor in sensor_ids(count)}
    for _ in range(ticks):
        for reading in simulator.tick(datetime(2026, 1, 1, tzinfo=UTC)):
            series[reading.sensor_id].append(reading.suhu)
    return series


def test_default_sensors_are_s1_s2_s3() -> None:
    readings = SensorSimulator(3, seed=1).tick()
    assert [r.sensor_id for r in readings] == ["S1", "S2", "S3"]


def test_same_seed_same_readings_and_different_seed_different_readings() -> None:
    assert _series(seed=5, ticks=50) == _series(seed=5, ticks=50)
    assert _series(seed=5, ticks=50) != _series(seed=6, ticks=50)


def test_every_machine_overheats_early_and_cools_down_again() -> None:
    for seed in range(20):
        for sensor, values in _series(seed=seed, ticks=120).items():
            first_alert = next(i for i, value in enumerate(values) if value > 80)
            assert first_alert <= 16, (seed, sensor)  # a short CI stream always sees alerts
            assert min(values[first_alert:]) < 75, (seed, sensor)  # episodes end: not stuck hot


def test_readings_are_mostly_idle_not_uniform_noise() -> None:
    values = [v for series in _series(seed=3, ticks=600).values() for v in series]
    share_hot = sum(v > 80 for v in values) / len(values)
    assert 0.05 < share_hot < 0.5
    assert all(MIN_SUHU < v < MAX_SUHU for v in values)


def test_readings_round_trip_through_the_wire_format() -> None:
    reading = SensorSimulator(3, seed=2).tick(datetime(2026, 11, 27, 10, 0, 0, 123000, tzinfo=UTC))[0]
    body = json.loads(reading.to_json())
    assert body == {"sensor_id": "S1", "suhu": reading.suhu, "ts": "2026-11-27T10:00:00.123Z"}
    assert parse(reading.to_json()) == reading
