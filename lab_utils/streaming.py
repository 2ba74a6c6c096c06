"""Streaming-query plumbing: wait for a start, watch for a bounded time, stop by name, read offsets.

Notebooks 04-07 write their queries (``readStream``, ``writeStream``) in their cells; this module holds
what they should not have to type. A start cell first stops the query of the same name
(:func:`stop_query`), so running it twice replaces the query. :func:`watch_queries` is the bounded
loop of every streaming cell, so a headless run always ends. :func:`completed_offsets` tells which
Kafka records a query has finished, which notebook 04's self-checks compare with a ``spark.read`` of
the same offsets. :class:`LiveTable` is a bounded pandas table fed by ``foreachBatch``.
"""

from __future__ import annotations

import json
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from pyspark import SparkContext
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.streaming import StreamingQuery

from lab_utils.errors import LabError
from lab_utils.stack.account import refusal_sentence
from lab_utils.stack.messages import shown


def running_queries(spark: SparkSession) -> list[StreamingQuery]:
    """The session's running queries; none once Spark is stopped (so a cleanup cell can run twice)."""
    if SparkContext._active_spark_context is None:
        return []
    return list(spark.streams.active)


def active_query(spark: SparkSession, name: str) -> StreamingQuery | None:
    """The running query called ``name``, if any."""
    return next((q for q in running_queries(spark) if q.name == name), None)


def stop_query(spark: SparkSession, name: str) -> bool:
    """Stop the query called ``name``; False when none was running."""
    query = active_query(spark, name)
    if query is None:
        return False
    query.stop()
    return True


def stop_all_queries(spark: SparkSession) -> str:
    """Stop every running query of this session; one line saying how many (in the kernel's language)."""
    queries = running_queries(spark)
    names = [q.name for q in queries]
    for query in queries:
        query.stop()
    return shown(
        f"Stopped {len(names)} queries: {', '.join(sorted(n or '?' for n in names))}."
        if names
        else "No query was running."
    )


def raise_if_stopped(query: StreamingQuery) -> None:
    """One sentence now, instead of a wait until the timeout, when a starting query already failed."""
    if query.exception() is not None or not query.isActive:
        refused = refusal_sentence(query.exception())  # a class cluster's password or ACL, in one sentence
        raise LabError(refused or f"The query {query.name} stopped while starting: see .lab/logs/spark.log.")


def wait_until_started(queries: list[StreamingQuery], timeout_s: float = 60.0) -> None:
    """Block until every query finished its first micro-batch.

    Only then are its starting offsets fixed: a record sent before that moment may or may not be
    read from "latest", one sent after it always is.
    """
    deadline = time.monotonic() + timeout_s
    while not all(query.recentProgress for query in queries):
        for query in queries:
            raise_if_stopped(query)
        if time.monotonic() > deadline:
            raise LabError(
                f"The streaming queries did not start within {timeout_s:.0f} s: see .lab/logs/spark.log."
            )
        time.sleep(0.1)


def watch_queries(
    queries: list[StreamingQuery],
    seconds: float,
    every_s: float = 1.0,
    on_update: Callable[[], None] | None = None,
) -> None:
    """Let ``queries`` run for ``seconds`` (``config.stream_seconds`` in a demo), calling ``on_update``
    every ``every_s`` seconds; fail with one sentence if a query stops."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        time.sleep(min(every_s, left))
        for query in queries:
            if not query.isActive:
                stopped = (
                    f"The query {query.name} stopped: see .lab/logs/spark.log, then run its start cell again."
                )
                raise LabError(refusal_sentence(query.exception()) or stopped)
        if on_update is not None:
            on_update()


@dataclass(frozen=True)
class OffsetRange:
    """Kafka records of one topic from ``start`` (inclusive) to ``end`` (exclusive), per partition."""

    topic: str
    start: dict[int, int]
    end: dict[int, int]

    def _json(self, offsets: dict[int, int]) -> str:
        return json.dumps({self.topic: {str(partition): offset for partition, offset in offsets.items()}})

    @property
    def starting_offsets(self) -> str:
        """The range's start as ``spark.read``'s ``startingOffsets`` option wants it (JSON)."""
        return self._json(self.start)

    @property
    def ending_offsets(self) -> str:
        """The range's end as ``spark.read``'s ``endingOffsets`` option wants it (JSON)."""
        return self._json(self.end)

    def records(self) -> int:
        """How many Kafka records the range holds."""
        return sum(max(0, end - max(self.start.get(partition, 0), 0)) for partition, end in self.end.items())

    def within(self, rows: pd.DataFrame) -> pd.DataFrame:
        """The rows (with ``partition`` and ``offset`` columns) whose record lies in the range."""
        start = rows["partition"].map(lambda partition: self.start.get(int(partition), 0))
        end = rows["partition"].map(lambda partition: self.end.get(int(partition), 0))
        return rows[(rows["offset"] >= start) & (rows["offset"] < end)]


def _offsets(reported: str | dict[str, dict[str, int]] | None) -> dict[str, dict[str, int]] | None:
    """A progress report's offsets (a JSON text in PySpark, "null" for a query's first batch)."""
    value: dict[str, dict[str, int]] | None = json.loads(reported) if isinstance(reported, str) else reported
    return value or None


def completed_offsets(query: StreamingQuery) -> OffsetRange:
    """The Kafka records the query's reported micro-batches have finished, as an :class:`OffsetRange`.

    The range starts where the query's second micro-batch started: the first batch's start (the
    "latest" offsets of the moment the query started) is not reported. Every row a batch wrote to
    the sink is in the sink before the batch is reported, so the rows of the range are all there,
    which makes it the offsets to compare a memory table with a ``spark.read`` of the same records
    (notebook 04's self-checks).
    """
    reports = [report["sources"][0] for report in query.recentProgress if report["sources"]]
    if not reports:
        raise LabError(f"The query {query.name} has not finished a micro-batch yet: try again in a second.")
    end = _offsets(reports[-1]["endOffset"]) or {}
    starts = [offsets for offsets in (_offsets(report["startOffset"]) for report in reports) if offsets]
    start = starts[0] if starts else end
    if len(end) != 1:
        raise LabError(f"The query {query.name} reads {len(end)} topics; compare one topic at a time.")
    topic = next(iter(end))
    ends = {int(partition): offset for partition, offset in end[topic].items()}
    begins = {int(partition): offset for partition, offset in start.get(topic, {}).items()}
    # A partition the first reported batch did not know yet was read from its earliest record (-2).
    return OffsetRange(topic, {partition: begins.get(partition, -2) for partition in ends}, ends)


def batch_to_pandas(batch: DataFrame) -> pd.DataFrame:
    """One micro-batch as pandas (through Arrow)."""
    with warnings.catch_warnings():
        # A batch interrupted by query.stop() would make PySpark warn about Arrow; the stop is intended.
        warnings.simplefilter("ignore", UserWarning)
        return batch.toPandas()


class LiveTable:
    """A pandas table that a streaming query keeps up to date, holding at most ``max_rows`` rows.

    Spark's memory sink keeps every row in the driver forever; a LiveTable receives each
    micro-batch through ``foreachBatch``, keeps the newest rows, and is read without running a
    Spark job. With ``key`` columns a newer row replaces the older one with the same key, which
    is what an ``update``-mode aggregation (a window whose average changes) needs.
    """

    def __init__(self, name: str, max_rows: int, key: list[str] | None = None) -> None:
        self.name = name
        self.key = key
        self.max_rows = max_rows
        self.batches = 0
        self.columns: list[str] = []  # known once a query feeds the table
        self._frame = pd.DataFrame()
        self._lock = threading.Lock()

    def write_batch(self, batch: DataFrame, _batch_id: int) -> None:
        """The ``foreachBatch`` function: merge one micro-batch into the table."""
        self.append(batch_to_pandas(batch))

    def append(self, rows: pd.DataFrame) -> None:
        """Merge new rows (already in pandas) into the table, keeping the newest ``max_rows``."""
        with self._lock:
            self.batches += 1
            if rows.empty:
                return
            merged = rows if self._frame.empty else pd.concat([self._frame, rows], ignore_index=True)
            if self.key:
                merged = merged.drop_duplicates(self.key, keep="last")
            self._frame = merged.tail(self.max_rows).reset_index(drop=True)

    def frame(self) -> pd.DataFrame:
        """A copy of the table right now (with its columns even while it is still empty)."""
        with self._lock:
            return self._frame.copy() if not self._frame.empty else pd.DataFrame(columns=self.columns)

    def clear(self) -> None:
        with self._lock:
            self._frame = pd.DataFrame()
