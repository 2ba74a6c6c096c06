"""The rules of a valid reading, including the exact-threshold rule."""

from __future__ import annotations

import pytest

from lab_utils import readings as rules
from lab_utils.readings import InvalidReading, Reading, parse, validate


@pytest.mark.parametrize(("suhu", "alert"), [(79.9, False), (80.0, False), (80.01, True), (95.0, True)])
def test_alert_is_strictly_above_the_threshold(suhu: float, alert: bool) -> None:
    assert Reading("S1", suhu).is_alert(80.0) is alert


def test_classic_payload_with_integer_suhu_and_no_ts_is_valid() -> None:
    assert parse(b'{"sensor_id": "S1", "suhu": 70}') == Reading("S1", 70.0, None)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (("S1", True), rules.SUHU_NOT_NUMBER),  # bool is an int in Python, not a temperature
        (("S1", float("inf")), rules.SUHU_NOT_FINITE),
        ((None, 70), rules.NO_SENSOR_ID),
        (("  ", 70), rules.NO_SENSOR_ID),
        (("S1", 70, 12345), rules.BAD_TS),
    ],
)
def test_validate_names_the_broken_rule(fields: tuple, reason: str) -> None:
    with pytest.raises(InvalidReading) as caught:
        validate(*fields)
    assert caught.value.reason == reason


def test_limits_are_inclusive() -> None:
    assert validate("S1", rules.MIN_SUHU).suhu == rules.MIN_SUHU
    assert validate("S1", rules.MAX_SUHU).suhu == rules.MAX_SUHU


def test_the_wire_format_is_the_fields_as_json_with_ts_only_when_known() -> None:
    from kafka.serializer import JsonSerializer

    stamped, classic = Reading("S1", 70.4, "2026-11-27T10:00:00.000Z"), Reading("S1", 70.0)
    assert stamped.to_dict() == {"sensor_id": "S1", "suhu": 70.4, "ts": "2026-11-27T10:00:00.000Z"}
    assert classic.to_dict() == {"sensor_id": "S1", "suhu": 70.0}
    for reading in (stamped, classic):
        assert JsonSerializer().serialize("sensor-suhu", [], reading.to_dict()) == reading.to_json()
