"""Spark's parser and the Python parser agree on every kind of record, valid or not.

One set of rules (lab_utils/reference/readings.py): JSON as RFC 8259 defines it, read with the limits of
Spark's parser, then the reading's own rules. Each case below is one record and the reason both parsers must
give it (None: a valid reading). The groups after BASICS hold the inputs on which Python's json module
and Spark's try_parse_json disagreed until both followed those rules (NOT_STANDARD_JSON: the ones they
already agreed on).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pyspark.sql import DataFrame, SparkSession

from lab_utils.reference import readings as rules
from lab_utils.reference.parsing import alerts, parse_readings, rejected_records, valid_readings
from lab_utils.reference.readings import InvalidReading, parse

pytestmark = pytest.mark.integration

KAFKA_TIME = datetime(2026, 11, 27, 10, 0, 0, tzinfo=UTC)

CaseList = list[tuple[bytes | None, str | None]]
BASICS: CaseList = [
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
    (b'{"sensor_id": "S1", "suhu": -60}', rules.SUHU_OUT_OF_RANGE),
    (b'{"sensor_id": "S1", "suhu": 501}', rules.SUHU_OUT_OF_RANGE),
    (b'{"sensor_id": "S1", "suhu": 70, "ts": "yesterday"}', rules.BAD_TS),
]


def _reading(extra: bytes) -> bytes:
    """A valid reading with ``extra`` as the value of one more field, "x"."""
    return b'{"sensor_id": "S1", "suhu": 70, "x": ' + extra + b"}"


def _nested(levels: int) -> bytes:
    """A reading whose objects and arrays nest ``levels`` deep (the reading itself is level 1)."""
    return _reading(b"[" * (levels - 1) + b"]" * (levels - 1))


def _named(name: bytes) -> bytes:
    return b'{"sensor_id": "S1", "suhu": 70, "' + name + b'": 1}'


def _ts(ts: bytes) -> bytes:
    return b'{"sensor_id": "S1", "suhu": 70, "ts": "' + ts + b'"}'


# JSON per RFC 8259 has no NaN or Infinity (Python's json module reads them; Spark's parser does not):
# anywhere in a record they make it "not JSON", whichever field, wherever, however deep.
NAN_AND_INFINITY: CaseList = [
    (b'{"sensor_id": "S1", "suhu": NaN}', rules.NOT_JSON),
    (b'{"sensor_id": "S1", "suhu": Infinity}', rules.NOT_JSON),
    (b'{"sensor_id": "S1", "suhu": -Infinity}', rules.NOT_JSON),
    (b'{"suhu": NaN}', rules.NOT_JSON),  # not "missing sensor_id": the record is not JSON at all
    (b'{"sensor_id": NaN, "suhu": 70}', rules.NOT_JSON),
    (b'{"sensor_id": "S1", "suhu": 70, "ts": Infinity}', rules.NOT_JSON),
    (b'{"sensor_id": "S1", "suhu": 70, "x": NaN}', rules.NOT_JSON),  # an extra field, last key
    (b'{"x": -Infinity, "sensor_id": "S1", "suhu": 70}', rules.NOT_JSON),  # first key
    (_reading(b'{"y": NaN}'), rules.NOT_JSON),  # nested in an object
    (_reading(b"[1, Infinity]"), rules.NOT_JSON),  # nested in an array
    (_reading(b"[[{}, [-Infinity]]]"), rules.NOT_JSON),
    (b"NaN", rules.NOT_JSON),  # top level
    (b"Infinity", rules.NOT_JSON),
    (b" -Infinity ", rules.NOT_JSON),
    (b"[NaN]", rules.NOT_JSON),
    (_reading(b"nan"), rules.NOT_JSON),
    (_reading(b"+Infinity"), rules.NOT_JSON),
    (b'{"sensor_id": "NaN", "suhu": 70}', None),  # in a string it is just text
    (b'{"sensor_id": "S1", "suhu": "NaN"}', rules.SUHU_NOT_NUMBER),
]

# Other JSON that Python's json module and Spark's parser read differently unless told: the lab takes
# Spark's answer (RFC 8259's, where RFC 8259 is silent: Jackson's defaults) on both sides.
DUPLICATE_NAMES: CaseList = [
    (b'{"sensor_id": "S1", "suhu": 70, "sensor_id": "S2"}', rules.NOT_JSON),  # Python kept the last
    (b'{"sensor_id": "S1", "suhu": 70, "suhu": 95}', rules.NOT_JSON),
    (_reading(b'{"a": 1, "a": 2}'), rules.NOT_JSON),
    (b'{"sensor_id": "S1", "suhu": 70, "sensor\\u005fid": "S2"}', rules.NOT_JSON),  # the same name, escaped
]
LARGE_NUMBERS: CaseList = [
    (b'{"sensor_id": "S1", "suhu": 1e400}', rules.SUHU_OUT_OF_RANGE),  # beyond a double, not "infinite"
    (b'{"sensor_id": "S1", "suhu": -1e400}', rules.SUHU_OUT_OF_RANGE),
    (b'{"sensor_id": "S1", "suhu": 1' + b"0" * 400 + b"}", rules.SUHU_OUT_OF_RANGE),  # Python crashed
    (b'{"sensor_id": "S1", "suhu": 100000000000000000000000000000000000000000}', rules.SUHU_OUT_OF_RANGE),
    (b'{"sensor_id": "S1", "suhu": 1e-400}', None),  # 0.0 on both sides
    (b'{"sensor_id": "S1", "suhu": 70.00000000000000000000000000000000000000000000000001}', None),
    (b'{"sensor_id": "S1", "suhu": 80.000000000000000000000001}', None),  # 80.0: not an alert either side
    (_reading(b"1" * 1000), None),  # Jackson reads numbers of up to 1000 digits
    (_reading(b"1" * 1001), rules.NOT_JSON),
    (_reading(b"-" + b"1" * 1000), None),  # the sign is not a digit
    (_reading(b"1." + b"1" * 999), None),
    (_reading(b"1" * 1000 + b".5"), rules.NOT_JSON),
    (_reading(b"1e+" + b"1" * 999), None),
    (_reading(b"1e-" + b"1" * 1000), rules.NOT_JSON),
    (_reading(b"1" * 5000), rules.NOT_JSON),  # also past Python's 4300-digit limit for int()
]
LONE_SURROGATES: CaseList = [
    (b'{"sensor_id": "\\ud800", "suhu": 70}', rules.NOT_JSON),
    (_reading(b'"\\udc00"'), rules.NOT_JSON),
    (_reading(b'"\\uDBFF x"'), rules.NOT_JSON),
    (_reading(b'"\\ude00\\ud83d"'), rules.NOT_JSON),  # a pair in the wrong order
    (b'{"sensor_id": "S1", "suhu": 70, "\\ud800": 1}', rules.NOT_JSON),  # in a name
    (b'"\\ud800"', rules.NOT_JSON),  # not JSON before it is not an object
    (b'{"sensor_id": "\\ud83d\\ude00", "suhu": 70}', None),  # a pair is one character, an emoji
    (b'{"sensor_id": "\xf0\x9f\x98\x80", "suhu": 70}', None),
    (_reading(b'"\\\\ud800"'), None),  # an escaped backslash, then the text "ud800"
]
NOT_STANDARD_JSON: CaseList = [  # refused by both parsers already; kept so that it stays so
    (b'{"sensor_id": "S1", "suhu": 70,}', rules.NOT_JSON),
    (_reading(b"[1, 2,]"), rules.NOT_JSON),
    (_reading(b"[1,,2]"), rules.NOT_JSON),
    (b"{'sensor_id': 'S1', 'suhu': 70}", rules.NOT_JSON),
    (b'{sensor_id: "S1", "suhu": 70}', rules.NOT_JSON),
    (b'{"sensor_id": "S1", "suhu": 70 /* degrees */}', rules.NOT_JSON),
    (b'{"sensor_id": "S1", "suhu": 070}', rules.NOT_JSON),
    (b'{"sensor_id": "S1", "suhu": +70}', rules.NOT_JSON),
    (b'{"sensor_id": "S1", "suhu": .5}', rules.NOT_JSON),
    (b'{"sensor_id": "S1", "suhu": 70.}', rules.NOT_JSON),
    (b'{"sensor_id": "S1", "suhu": 0x46}', rules.NOT_JSON),
    (_reading(b"True"), rules.NOT_JSON),
    (_reading(b'"\\x41"'), rules.NOT_JSON),
    (_reading(b'"a\tb"'), rules.NOT_JSON),  # a raw control character in a string
    (b'\xef\xbb\xbf{"sensor_id": "S1", "suhu": 70}', rules.NOT_JSON),  # a byte order mark
    (b'\x0c{"sensor_id": "S1", "suhu": 70}', rules.NOT_JSON),  # form feed is not JSON whitespace
    (b"   ", rules.NOT_JSON),
]
# Spark's parser stops after the first value (try_parse_json reads '{"suhu": 70} junk'); json.loads does not.
AFTER_THE_VALUE: CaseList = [
    (b'{"sensor_id": "S1", "suhu": 70} x', rules.NOT_JSON),
    (b'{"sensor_id": "S1", "suhu": 70}{"sensor_id": "S1", "suhu": 71}', rules.NOT_JSON),
    (b'{"sensor_id": "S1", "suhu": 70}, 1', rules.NOT_JSON),
    (b'{"sensor_id": "S1", "suhu": 70}]', rules.NOT_JSON),
    (b'{"sensor_id": "S1", "suhu": 70} ] [', rules.NOT_JSON),
    (b'{"sensor_id": "S1", "suhu": 70}\x00', rules.NOT_JSON),
    (b'{"sensor_id": "S1", "suhu": 70, "x": "\\\\"} ]', rules.NOT_JSON),
    (b'{"sensor_id": "S1", "suhu": 70} {}', rules.NOT_JSON),
    (b'{"sensor_id": "S1", "suhu": 70}}', rules.NOT_JSON),
    (b'{"sensor_id": "S1", "suhu": 70} x}', rules.NOT_JSON),
    (b'{"sensor_id": "S1", "suhu": 70, "x": "}"} "}"', rules.NOT_JSON),
    (b"[1] [2]", rules.NOT_JSON),
    (b"[1]]", rules.NOT_JSON),
    (b"[[1], 2] x]", rules.NOT_JSON),
    (b"5 5", rules.NOT_JSON),
    (b"truex", rules.NOT_JSON),
    (b'"a"] [', rules.NOT_JSON),
    (b'\r\n{"sensor_id": "S1", "suhu": 70}\r\n ', None),  # JSON whitespace around the value is fine
    (_reading(b'["]", "\\"]", "[", {"y": []}]'), None),  # brackets inside strings are text
    (_reading(b'{"y": {"z": "}\\"}"}}'), None),
    (_reading(b'["' + b'\\"' * 100_000 + b'"]'), None),
    (_reading(b'["' + b'\\"' * 100_000 + b'"]') + b"]", rules.NOT_JSON),
    (b"null", rules.NOT_OBJECT),
    (b'[{"sensor_id": "S1", "suhu": 70}]', rules.NOT_OBJECT),
]
LIMITS: CaseList = [
    (_nested(1000), None),  # Jackson's limit: 1000 levels; Python crashed with RecursionError from ~980
    (_nested(1001), rules.NOT_JSON),
    (b"[" * 1000 + b"]" * 1000, rules.NOT_OBJECT),
    (b"[" * 1001 + b"]" * 1001, rules.NOT_JSON),
    (b"[" * 100_000, rules.NOT_JSON),
    (_named(b"a" * 50_000), None),  # Jackson's limit on a name: 50,000 UTF-16 units
    (_named(b"a" * 50_001), rules.NOT_JSON),
    (_named("\U0001f600".encode() * 25_000), None),  # an emoji is two UTF-16 units
    (_named("\U0001f600".encode() * 25_001), rules.NOT_JSON),
    (_named(b"\\u0061" * 50_001), rules.NOT_JSON),  # the name as read, not as written
]
SENSOR_IDS: CaseList = [  # a sensor_id is a JSON string with something other than whitespace in it
    (b'{"sensor_id": 1, "suhu": 70}', rules.NO_SENSOR_ID),  # Spark read it as "1"
    (b'{"sensor_id": true, "suhu": 70}', rules.NO_SENSOR_ID),
    (b'{"sensor_id": 1e400, "suhu": 70}', rules.NO_SENSOR_ID),
    (b'{"sensor_id": {"id": "S1"}, "suhu": 70}', rules.NO_SENSOR_ID),
    (b'{"sensor_id": ["S1"], "suhu": 70}', rules.NO_SENSOR_ID),
    (b'{"sensor_id": null, "suhu": 70}', rules.NO_SENSOR_ID),
    (b'{"sensor_id": "\\t", "suhu": 70}', rules.NO_SENSOR_ID),  # Spark's trim() only trims spaces
    (b'{"sensor_id": "\\u00a0\\u3000", "suhu": 70}', rules.NO_SENSOR_ID),
    (b'{"sensor_id": "\\u001c", "suhu": 70}', rules.NO_SENSOR_ID),  # str.isspace() says so
    (b'{"sensor_id": "\\u200b", "suhu": 70}', None),  # a zero-width space is not whitespace to Python
    (b'{"sensor_id": " S1 ", "suhu": 70}', None),
]
TIMES: CaseList = [  # ts: readings.TS_PATTERN, then a date that exists
    (_ts(b"2026-11-27"), None),
    (_ts(b"2026-11-27 10:00:00"), None),  # str(datetime.now())
    (_ts(b"2026-11-27T10:00:00.123456789Z"), None),
    (_ts(b"2026-11-27T17:00:00+07:00"), None),
    (_ts(b"2026-11-27T10:00:00+18:00"), None),
    (_ts(b"2024-02-29T10:00:00Z"), None),
    (b'{"sensor_id": "S1", "suhu": 70, "ts": null}', None),
    (b'{"sensor_id": "S1", "suhu": 70, "ts": 2026}', rules.BAD_TS),  # Spark read it as the year 2026
    (b'{"sensor_id": "S1", "suhu": 70, "ts": 1764237600}', rules.BAD_TS),
    (b'{"sensor_id": "S1", "suhu": 70, "ts": {"t": "2026-11-27"}}', rules.BAD_TS),
    (b'{"sensor_id": "S1", "suhu": 70, "ts": ["2026-11-27T10:00:00Z"]}', rules.BAD_TS),
    (b'{"sensor_id": "S1", "suhu": 70, "ts": true}', rules.BAD_TS),
    (b'{"sensor_id": "S1", "suhu": 70, "ts": -1e400}', rules.BAD_TS),
    (_ts(b"2026"), rules.BAD_TS),
    (_ts(b"2026-11"), rules.BAD_TS),
    (_ts(b"10:00:00"), rules.BAD_TS),  # Spark took today's date
    (_ts(b"2026-11-27T10:00"), rules.BAD_TS),
    (_ts(b"2026-11-27T10:00Z"), rules.BAD_TS),
    (_ts(b"20261127T100000Z"), rules.BAD_TS),
    (_ts(b"2026-W48-5"), rules.BAD_TS),
    (_ts(b"2026-11-27T10:00:00,5Z"), rules.BAD_TS),
    (_ts(b"2026-11-27\\t10:00:00"), rules.BAD_TS),
    (_ts(b" 2026-11-27T10:00:00Z"), rules.BAD_TS),
    (_ts(b"2026-11-27T10:00:00Z\\n"), rules.BAD_TS),
    (_ts(b"2026-11-27T10:00:00 UTC"), rules.BAD_TS),
    (_ts(b"2026-11-27T10:00:00+0700"), rules.BAD_TS),
    (_ts(b"2026-11-27T10:00:00+19:00"), rules.BAD_TS),
    (_ts(b"0000-01-01T00:00:00Z"), rules.BAD_TS),
    (_ts(b"12026-11-27T10:00:00Z"), rules.BAD_TS),
    (_ts(b"2026-02-29T10:00:00Z"), rules.BAD_TS),
    (_ts(b"2026-11-27T24:00:00Z"), rules.BAD_TS),
    (_ts(b"2026-11-27T23:59:60Z"), rules.BAD_TS),
]

CASES: CaseList = (
    BASICS
    + NAN_AND_INFINITY
    + DUPLICATE_NAMES
    + LARGE_NUMBERS
    + LONE_SURROGATES
    + NOT_STANDARD_JSON
    + AFTER_THE_VALUE
    + LIMITS
    + SENSOR_IDS
    + TIMES
)


def _offset_of(value: bytes) -> int:
    """Each case is sent at the offset of its place in CASES."""
    return [case for case, _ in CASES].index(value)


def _python_reason(value: bytes | None) -> str | None:
    try:
        parse(value)
    except InvalidReading as invalid:
        return invalid.reason
    return None


def _case_id(value: bytes | None) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else f"{shown[:50]}...({len(value or b'')} bytes)"


def test_every_case_is_a_different_record() -> None:
    assert len({value for value, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(("value", "reason"), CASES, ids=[_case_id(value) for value, _ in CASES])
def test_python_parser_gives_the_expected_reason(value: bytes | None, reason: str | None) -> None:
    assert _python_reason(value) == reason


@pytest.fixture(scope="module")
def parsed(spark: SparkSession) -> DataFrame:
    rows = [(b"k", value, 0, offset, KAFKA_TIME) for offset, (value, _) in enumerate(CASES)]
    records = spark.createDataFrame(
        rows, "key binary, value binary, partition int, offset long, timestamp timestamp"
    )
    return parse_readings(records)


def test_spark_parser_gives_the_same_reason_for_every_record(parsed: DataFrame) -> None:
    by_offset = {
        row["offset"]: row["reject_reason"] for row in parsed.select("offset", "reject_reason").collect()
    }
    differences = [
        (_case_id(value), reason, by_offset[offset])
        for offset, (value, reason) in enumerate(CASES)
        if by_offset[offset] != reason
    ]
    assert differences == [], "(record, expected, Spark's reason)"


def test_both_parsers_read_the_same_sensor_id_and_suhu(parsed: DataFrame) -> None:
    spark_rows = {row["offset"]: (row["sensor_id"], row["suhu"]) for row in valid_readings(parsed).collect()}
    python_rows = {
        offset: (reading.sensor_id, reading.suhu)
        for offset, (value, reason) in enumerate(CASES)
        if reason is None and (reading := parse(value))
    }
    assert len(python_rows) == sum(1 for _, reason in CASES if reason is None) > 20
    assert spark_rows == python_rows


def test_event_time_falls_back_to_the_kafka_timestamp(parsed: DataFrame) -> None:
    valid = {row["offset"]: row for row in valid_readings(parsed).collect()}
    assert valid[0]["event_time"].replace(tzinfo=UTC) == datetime(2026, 11, 27, 10, 0, 1, 250000, tzinfo=UTC)
    assert valid[1]["event_time"].replace(tzinfo=UTC) == KAFKA_TIME
    assert valid[1]["suhu"] == 70.0


def test_alerts_are_strictly_above_80(parsed: DataFrame) -> None:
    flagged = [(row["sensor_id"], row["suhu"]) for row in alerts(valid_readings(parsed), 80.0).collect()]
    assert flagged == [("S3", 80.1)]


def test_rejected_view_keeps_reason_and_the_start_of_the_value(parsed: DataFrame) -> None:
    rejected = rejected_records(parsed).toPandas()
    assert len(rejected) == sum(1 for _, reason in CASES if reason)
    row = rejected.set_index("offset").loc[_offset_of(b"suhu=70")]
    assert (row["reason"], row["value_start"]) == (rules.NOT_JSON, "suhu=70")
    string_suhu = rejected.set_index("offset").loc[_offset_of(b'{"sensor_id": "S1", "suhu": "70"}')]
    assert json.loads(str(string_suhu["value_start"]))["suhu"] == "70"


def test_rejected_bytes_that_are_not_utf8_reach_pandas_readably(parsed: DataFrame) -> None:
    row = rejected_records(parsed).toPandas().set_index("offset").loc[_offset_of(b"\xff\xfe\x00garbage")]
    assert row["reason"] == rules.NOT_UTF8
    assert row["value_start"].startswith("\ufffd")
