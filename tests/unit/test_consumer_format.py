"""What the live consumer prints for each record."""

from __future__ import annotations

from lab_utils.reference.consumer import Received, format_received
from lab_utils.reference.readings import Reading


def test_alert_lines_are_marked_and_others_are_not() -> None:
    hot = format_received(Received(0, 7, Reading("S1", 80.5, "2026-11-27T10:00:00.000Z")), 80.0)
    exact = format_received(Received(0, 8, Reading("S1", 80.0, None)), 80.0)
    assert "p0@7" in hot and "S1" in hot and "80.5 °C" in hot and "⚠ ABOVE 80 °C" in hot
    assert "⚠" not in exact


def test_invalid_records_show_their_reason() -> None:
    line = format_received(Received(2, 3, None, "not JSON"), 80.0)
    assert line.startswith("·") and "p2@3" in line and "not JSON" in line


def test_a_kafka_record_is_parsed_and_formatted_on_its_own() -> None:
    from kafka.consumer.fetcher import ConsumerRecord

    from lab_utils.reference.consumer import format_record, received_from

    def record(value: bytes) -> ConsumerRecord:
        return ConsumerRecord("sensor-suhu", 1, -1, 42, 0, 0, b"S1", value, [], None, 2, len(value), -1)

    good = record(b'{"sensor_id": "S1", "suhu": 85.5}')
    assert received_from(good) == Received(1, 42, Reading("S1", 85.5))
    assert format_record(good, 80.0) == format_received(Received(1, 42, Reading("S1", 85.5)), 80.0)
    broken = format_record(record(b"very hot"), 80.0)
    assert "p1@42" in broken and "not JSON" in broken
