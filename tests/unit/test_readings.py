"""The rules of a valid reading, including the exact-threshold rule."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

import pytest

from lab_utils.reference import readings as rules
from lab_utils.reference.readings import InvalidReading, Reading, parse, validate


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
def test_validate_names_the_broken_rule(fields: tuple[object, ...], reason: str) -> None:
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


def _reason(value: bytes) -> str | None:
    try:
        parse(value)
    except InvalidReading as invalid:
        return invalid.reason
    return None


@pytest.mark.parametrize(
    "value",
    [
        b'{"sensor_id": "S1", "suhu": NaN}',
        b'{"sensor_id": "S1", "suhu": 70, "x": [1, {"y": -Infinity}]}',
        b"Infinity",
        b'{"sensor_id": "S1", "suhu": 70, "suhu": 71}',
        b'{"sensor_id": "S1", "suhu": 70, "x": "\\ud800"}',
        b'{"sensor_id": "S1", "suhu": 70} {"sensor_id": "S1", "suhu": 71}',
    ],
)
def test_what_rfc_8259_does_not_allow_is_not_json(value: bytes) -> None:
    """Python's json module reads each of these by default; Spark's parser reads none of them."""
    assert _reason(value) == rules.NOT_JSON


def test_nan_from_python_code_has_its_own_reason() -> None:
    assert Reading("S1", 70.0) == validate("S1", 70)
    with pytest.raises(InvalidReading) as caught:
        validate("S1", float("nan"))
    assert caught.value.reason == rules.SUHU_NOT_FINITE


def test_numbers_beyond_a_double_are_out_of_range_not_a_crash() -> None:
    with pytest.raises(InvalidReading) as caught:
        validate("S1", 10**400)  # math.isfinite() raised OverflowError on it
    assert caught.value.reason == rules.SUHU_OUT_OF_RANGE
    assert _reason(b'{"sensor_id": "S1", "suhu": 1e400}') == rules.SUHU_OUT_OF_RANGE
    assert _reason(b'{"sensor_id": "S1", "suhu": -1' + b"0" * 999 + b"}") == rules.SUHU_OUT_OF_RANGE


def _nested(levels: int) -> bytes:
    return b'{"sensor_id": "S1", "suhu": 70, "x": ' + b"[" * (levels - 1) + b"]" * (levels - 1) + b"}"


def _from_deep_in_the_stack(frames: int, value: bytes) -> str | None:
    return _reason(value) if frames == 0 else _from_deep_in_the_stack(frames - 1, value)


def test_nesting_up_to_the_limit_reads_whatever_the_callers_stack() -> None:
    limit = sys.getrecursionlimit()
    assert _from_deep_in_the_stack(limit - 200, _nested(rules.MAX_NESTING)) is None
    assert _from_deep_in_the_stack(limit - 200, _nested(rules.MAX_NESTING + 1)) == rules.NOT_JSON
    assert sys.getrecursionlimit() == limit


@pytest.mark.parametrize("value", [b"[" * 1_000_000, b'{"a": ' * 200_000, b'[{"a": [' * 50_000 + b"1"])
def test_deep_nesting_is_not_json_never_a_recursion_error(value: bytes) -> None:
    assert _reason(value) == rules.NOT_JSON


def test_blank_is_what_str_strip_removes() -> None:
    """Spark trims ``BLANK`` from sensor_id; it must be exactly Python's idea of whitespace."""
    whitespace = "".join(ch for ch in map(chr, range(sys.maxunicode + 1)) if ch.isspace())
    assert whitespace == rules.BLANK


@pytest.mark.parametrize(
    ("ts", "valid"),
    [
        ("2026-11-27T10:00:00.123Z", True),  # what iso_utc writes
        ("2026-11-27 10:00:00.123456", True),  # str(datetime.now())
        ("2026-11-27T10:00:00.123456+00:00", True),  # datetime.now(UTC).isoformat()
        ("2026-11-27", True),
        ("2026-11-27T10:00Z", False),  # seconds are needed
        ("2026-11-27T10:00:00+0700", False),  # and a colon in the offset
        ("2026-02-30T10:00:00Z", False),  # a date that does not exist
        ("٢٠٢٦-11-27", False),  # ASCII digits only
    ],
)
def test_ts_rule(ts: str, valid: bool) -> None:
    assert (_reason(json.dumps({"sensor_id": "S1", "suhu": 70, "ts": ts}).encode()) is None) is valid


def test_the_producers_own_times_follow_the_ts_rule() -> None:
    assert rules.iso_utc(datetime(2026, 11, 27, 10, tzinfo=UTC)) == "2026-11-27T10:00:00.000Z"
    assert validate("S1", 70, rules.iso_utc(datetime.now(UTC))).ts is not None
