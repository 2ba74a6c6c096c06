"""Configuration: course defaults, environment overrides, and one-sentence errors for bad values."""

from __future__ import annotations

import pytest

from lab_utils.config import load_config
from lab_utils.errors import LabError


def test_defaults_keep_the_course_names(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "LAB_TOPIC",
        "LAB_THRESHOLD",
        "LAB_SENSORS",
        "LAB_BOOTSTRAP_SERVERS",
        "LAB_PROFILE",
        "LAB_TIMEZONE",
    ):
        monkeypatch.delenv(name, raising=False)
    config = load_config()
    assert config.topic == "sensor-suhu"
    assert config.dlq_topic == "sensor-suhu-dlq"
    assert config.threshold == 80.0
    assert config.sensor_count == 3
    assert config.bootstrap_list == ["127.0.0.1:9092"]
    assert config.spark_master == "local[2]"
    assert (config.warehouse_temperature_topic, config.warehouse_humidity_topic) == (
        "sensor-suhu-gudang",
        "sensor-kelembaban-gudang",
    )
    assert (config.humidity_threshold, config.join_window_s) == (70.0, 10.0)


def test_fast_profile_shortens_every_bounded_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAB_PROFILE", "normal")
    normal = load_config()
    monkeypatch.setenv("LAB_PROFILE", "fast")
    fast = load_config()
    assert fast.stream_seconds < normal.stream_seconds
    assert fast.consume_seconds < normal.consume_seconds
    assert fast.produce_seconds < normal.produce_seconds
    assert normal.stream_seconds >= 60  # long enough to watch in class


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAB_BOOTSTRAP_SERVERS", "10.0.0.1:9092, 10.0.0.2:9092")
    monkeypatch.setenv("LAB_SENSORS", "100")
    monkeypatch.setenv("LAB_SPARK_MASTER", "spark://head:7077")
    config = load_config()
    assert config.bootstrap_list == ["10.0.0.1:9092", "10.0.0.2:9092"]
    assert config.sensor_count == 100
    assert config.spark_master == "spark://head:7077"


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("LAB_THRESHOLD", "hot", "not a number"),
        ("LAB_SENSORS", "2.5", "whole number"),
        ("LAB_SENSORS", "0", "whole number"),
        ("LAB_PROFILE", "turbo", "unknown"),
        ("LAB_TIMEZONE", "Jakarta/Mars", "time zone"),
    ],
)
def test_bad_values_are_explained_in_one_sentence(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, words: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(LabError, match=words) as caught:
        load_config()
    assert name in str(caught.value)
    assert "\n" not in str(caught.value)
