"""completed_offsets: the Kafka records a streaming query has finished, read from its progress reports."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pandas as pd
import pytest

from lab_utils.errors import LabError
from lab_utils.streaming import OffsetRange, completed_offsets


def _query(*batches: tuple[dict | None, dict]) -> SimpleNamespace:
    """A stand-in for a StreamingQuery whose progress reports read ``(start, end)`` offsets per batch."""
    reports = [
        {"sources": [{"startOffset": json.dumps(start), "endOffset": json.dumps(end)}]}
        for start, end in batches
    ]
    return SimpleNamespace(name="q", recentProgress=reports)


def test_the_range_runs_from_the_second_batch_to_the_last_one() -> None:
    done = completed_offsets(
        _query(
            (None, {"t": {"0": 10, "1": 5}}),  # batch 0: read from "latest", which is not reported
            ({"t": {"0": 10, "1": 5}}, {"t": {"0": 14, "1": 5}}),
            ({"t": {"0": 14, "1": 5}}, {"t": {"0": 20, "1": 9}}),
        )
    )
    assert done == OffsetRange("t", {0: 10, 1: 5}, {0: 20, 1: 9})
    assert done.records() == 14
    assert json.loads(done.starting_offsets) == {"t": {"0": 10, "1": 5}}
    assert json.loads(done.ending_offsets) == {"t": {"0": 20, "1": 9}}


def test_only_the_first_batch_gives_an_empty_range() -> None:
    done = completed_offsets(_query((None, {"t": {"0": 3}})))
    assert done.records() == 0
    assert done.within(pd.DataFrame({"partition": [0], "offset": [2]})).empty


def test_within_keeps_the_rows_whose_record_is_in_the_range() -> None:
    done = OffsetRange("t", {0: 10, 1: 5}, {0: 20, 1: 9})
    rows = pd.DataFrame({"partition": [0, 0, 0, 1, 1, 2], "offset": [9, 10, 19, 8, 9, 0]})
    kept = done.within(rows)
    assert list(zip(kept["partition"], kept["offset"], strict=True)) == [(0, 10), (0, 19), (1, 8)]


def test_a_partition_discovered_later_counts_from_its_earliest_record() -> None:
    done = completed_offsets(
        _query(({"t": {"0": 1}}, {"t": {"0": 2}}), ({"t": {"0": 2}}, {"t": {"0": 3, "1": 4}}))
    )
    assert json.loads(done.starting_offsets) == {"t": {"0": 1, "1": -2}}  # -2: earliest, for spark.read
    assert done.records() == 2 + 4


def test_a_query_without_a_finished_batch_says_so_in_one_sentence() -> None:
    with pytest.raises(LabError, match="has not finished a micro-batch"):
        completed_offsets(SimpleNamespace(name="q", recentProgress=[]))
