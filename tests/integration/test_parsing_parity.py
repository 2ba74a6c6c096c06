"""Spark's parser and the Python parser agree on every kind of record, valid or not."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from lab_utils import readings as rules
from lab_utils.readings import InvalidReading, parse
from lab_utils.streaming import alerts, parse_readings, rejected_records, valid_readings

pytestmark = pytest.mark.integration

KAFKA_TIME = datetime(2026, 11, 27, 10, 0, 0, tzinfo=UTC)

CASES: list[tuple[bytes | None, str | None]] = [
    (b'{"sensor_id": "S1", "suhu": 70.4, "ts": "2026-11-27T10:00:01.250Z"}', None),
    (b'{"sensor_id": "S1", "suhu": 70}', None),  # the classic assignment's payload
    (b'{"sensor_id": "S2", "suhu": 80.0}', None),
    (b'{"sensor_id": "S3", "suhu": 80.1, "machine": "press-7"}', None),  # unknown fields are fine
    (b' \n\t{"sensor_id": "S1", "suhu": 7.05e1}', None),  # leading whitespace, exponent
    (b"", rules.EMPTY),
    (None, rules.EMPTY),
    (b"\xff\xfe\x00garbage", rules.NOT_UTF8),
    (b"suhu=70", rules.NOT_JSON),
    (b"[1, 2, 3]", rules.NOT_OBJECT),
    (b' "S1"', rules.NOT_OBJECT),
    (b"42", rules.NOT_OBJECT),
    (b'{"suhu": 70}', rules.NO_SENSOR_ID),
    (b'{"sensor_id": "", "suhu": 70}', rules.NO_SENSOR_ID),
    (b'{"sensor_id": "S1"}', rules.NO_SUHU),
    (b'{"sensor_id": "S1", "suhu": null}', rules.SUHU_NULL),
    (b'{"sensor_id": "S1", "suhu": "70"}', rules.SUHU_NOT_NUMBER),
    (b'{"sensor_id": "S1", "suhu": true}', rules.SUHU_NOT_NUMBER),
    (b'{"sensor_id": "S1", "suhu": {"value": 70}}', rules.SUHU_NOT_NUMBER),
    (b'{"sensor_id": "S1", "suhu": 70000000000}', rules.SUHU_OUT_OF_RANGE),
    (b'{"sensor_id": "S1", "suhu": NaN}', rules.SUHU_NOT_FINITE),
    (b'{"sensor_id": "S1", "suhu": -60}', rules.SUHU_OUT_OF_RANGE),
    (b'{"sensor_id": "S1", "suhu": 501}', rules.SUHU_OUT_OF_RANGE),
    (b'{"sensor_id": "S1", "suhu": 70, "ts": "yesterday"}', rules.BAD_TS),
]


def _offset_of(value: bytes) -> int:
    """Each case is sent at the offset of its place in CASES."""
    return [case for case, _ in CASES].index(value)


def _python_reason(value: bytes | None) -> str | None:
    try:
        parse(value)
    except InvalidReading as invalid:
        return invalid.reason
    return None


@pytest.mark.parametrize(("value", "reason"), CASES)
def test_python_parser_gives_the_expected_reason(value: bytes | None, reason: str | None) -> None:
    assert _python_reason(value) == reason


@pytest.fixture(scope="module")
def parsed(spark):
    rows = [(b"k", value, 0, offset, KAFKA_TIME) for offset, (value, _) in enumerate(CASES)]
    records = spark.createDataFrame(
        rows, "key binary, value binary, partition int, offset long, timestamp timestamp"
    )
    return parse_readings(records)


def test_spark_parser_gives_the_same_reason_for_every_record(parsed) -> None:
    by_offset = {row["offset"]: row["reject_reason"] for row in parsed.collect()}
    assert [by_offset[i] for i in range(len(CASES))] == [reason for _, reason in CASES]


def test_event_time_falls_back_to_the_kafka_timestamp(parsed) -> None:
    valid = {row["offset"]: row for row in valid_readings(parsed).collect()}
    assert valid[0]["event_time"].replace(tzinfo=UTC) == datetime(2026, 11, 27, 10, 0, 1, 250000, tzinfo=UTC)
    assert valid[1]["event_time"].replace(tzinfo=UTC) == KAFKA_TIME
    assert valid[1]["suhu"] == 70.0


def test_alerts_are_strictly_above_80(parsed) -> None:
    flagged = [(row["sensor_id"], row["suhu"]) for row in alerts(valid_readings(parsed), 80.0).collect()]
    assert flagged == [("S3", 80.1)]


def test_rejected_view_keeps_reason_and_the_start_of_the_value(parsed) -> None:
    rejected = rejected_records(parsed).toPandas()
    assert len(rejected) == sum(1 for _, reason in CASES if reason)
    row = rejected.set_index("offset").loc[_offset_of(b"suhu=70")]
    assert (row["reason"], row["value_start"]) == (rules.NOT_JSON, "suhu=70")
    string_suhu = rejected.set_index("offset").loc[_offset_of(b'{"sensor_id": "S1", "suhu": "70"}')]
    assert json.loads(string_suhu["value_start"])["suhu"] == "70"


def test_rejected_bytes_that_are_not_utf8_reach_pandas_readably(parsed) -> None:
    row = rejected_records(parsed).toPandas().set_index("offset").loc[_offset_of(b"\xff\xfe\x00garbage")]
    assert row["reason"] == rules.NOT_UTF8
    assert row["value_start"].startswith("\ufffd")
