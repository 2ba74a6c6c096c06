"""The lab's SparkSession: the Kafka connector on the classpath, quiet, and cleanly stoppable.

Spark silently ignores jars set after its JVM started, so the connector goes into the builder,
before ``getOrCreate()``. Notebook 00 shows the whole ``SparkSession.builder`` chain in a cell;
:func:`get_spark` runs that same chain (every other notebook, the tests, ``sensor-alerts`` and the
benchmark call it). Both take their plumbing from here: :func:`connector_jars` (resolved by
``lab_utils.stack.jvm``, the same version as the installed pyspark), :func:`session_settings`
(logs to ``.lab/logs/spark.log``, temp files under ``.lab/spark``, UI off unless ``LAB_SPARK_UI=1``,
driver on 127.0.0.1) and :func:`quiet_launch` (keeps the JVM's own output out of the cell).
:func:`stop_spark` ends the JVM too.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from pyspark import SparkContext
from pyspark.errors import PySparkException
from pyspark.sql import SparkSession

from lab_utils.config import LabConfig
from lab_utils.errors import LabError
from lab_utils.stack.account import use_account
from lab_utils.stack.class_archive import class_archive_options
from lab_utils.stack.jvm import POM_DIR, connector_jars, jvm_output_to, require_java
from lab_utils.stack.messages import shown

CONNECTOR_MARK = "spark-sql-kafka-0-10"
SettingValue = bool | float | int | str | None  # what builder.config(map=...) accepts
# On a standalone cluster (make spark-cluster) a session takes at most 2 cores and 512 MB per executor,
# so a class's sessions share the workers instead of the first one taking them all.
STANDALONE: dict[str, SettingValue] = {"spark.cores.max": "2", "spark.executor.memory": "512m"}


@contextlib.contextmanager
def quiet_launch(config: LabConfig) -> Iterator[None]:
    """Wrap the session's creation: check Java 17+, keep Spark on 127.0.0.1, send the JVM's output to a log.

    Python workers use this kernel's interpreter (and so its packages); the JVM's stdout and stderr go
    to ``.lab/logs/spark-jvm.out`` for its whole life, so no JVM line ever lands in a cell.
    """
    require_java()
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"  # never bind to, or advertise, a public interface
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    with jvm_output_to(config.lab_home / "logs" / "spark-jvm.out"):
        yield


_temp_folders: set[Path] = set()  # the temp folders this process gave Spark; stop_spark deletes them


def _session_tmp(config: LabConfig) -> Path:
    """This process's own Spark temp folder: two kernels (or a kernel and a test) never share one."""
    return config.lab_home / "spark" / "tmp" / str(os.getpid())


def session_settings(config: LabConfig) -> dict[str, SettingValue]:
    """The plumbing settings of every lab session (``builder.config(map=...)``): nothing a lesson is about.

    Logs to a file, temp files in the project, the driver on 127.0.0.1, the UI off, Arrow for
    ``toPandas()``, and caps on what Spark remembers of past jobs, so a streaming kernel stays small.
    """
    tmp = _session_tmp(config)
    tmp.mkdir(parents=True, exist_ok=True)
    _temp_folders.add(tmp)
    java_options = " ".join(
        [
            f"-Djava.io.tmpdir={tmp}",
            "-XX:-UsePerfData",  # no /tmp/hsperfdata_* left behind
            f"-Dlog4j2.configurationFile={POM_DIR / 'spark-log4j2.properties'}",
            f"-Dlab.spark.log={config.lab_home / 'logs' / 'spark.log'}",
        ]
        # Short CI runs: compile with C1 only. A session starts with about half the CPU; long runs
        # (class, benchmark) keep the optimizing compiler.
        + (["-XX:TieredStopAtLevel=1"] if config.profile == "fast" else [])
        + class_archive_options()  # the classes make setup archived: half the CPU to start
    )
    return {
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.driver.host": "127.0.0.1",
        "spark.ui.enabled": str(config.spark_ui).lower(),
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.extraJavaOptions": java_options,
        "spark.executor.extraJavaOptions": java_options,
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.streaming.forceDeleteTempCheckpointLocation": "true",
        "spark.sql.adaptive.enabled": "false",
        # Spark SQL's warehouse (an empty spark-warehouse/ folder) goes under .lab, not beside the notebook.
        "spark.sql.warehouse.dir": str(config.lab_home / "spark" / "warehouse"),
        # Spark remembers every job, stage and SQL run of a micro-batch (1,000 of each by default):
        # ~3 MB/min of live heap in a streaming kernel until the cap. Keep the recent ones only.
        "spark.ui.retainedJobs": "100",
        "spark.ui.retainedStages": "100",
        "spark.ui.retainedTasks": "1000",
        "spark.sql.ui.retainedExecutions": "50",
        "spark.sql.streaming.ui.retainedQueries": "20",
        "spark.sql.streaming.ui.retainedProgressUpdates": "100",
    } | (STANDALONE if config.spark_master.startswith("spark://") else {})


def _has_connector(session: SparkSession) -> bool:
    return CONNECTOR_MARK in session.sparkContext.getConf().get("spark.jars", "")


def _remote_session(config: LabConfig) -> SparkSession:
    """A session on a shared Spark Connect server (LAB_SPARK_REMOTE, ``lab_utils.stack.spark_connect``): no
    JVM here; the server has the connector and its own log, and a Connect session has no ``sparkContext``."""
    use_account(config)
    builder = SparkSession.builder.remote(config.spark_remote).config("spark.sql.session.timeZone", "UTC")
    return builder.config("spark.sql.shuffle.partitions", "2").getOrCreate()


def get_spark(config: LabConfig) -> SparkSession:
    """The lab's SparkSession, built with notebook 00's chain once per process; later calls return it."""
    if config.spark_remote:
        return _remote_session(config)
    active = SparkSession.getActiveSession()
    if active is not None:
        if not _has_connector(active):
            raise LabError(
                "A SparkSession without the Kafka connector is already running in this kernel: "
                "restart the kernel and create sessions only with lab_utils.spark.get_spark(config)."
            )
        return active
    use_account(config)  # a class cluster's account: every format("kafka") of this process starts with it
    # The same chain as notebook 00's cell (tests/unit/test_spark_session.py keeps the two equal).
    with quiet_launch(config):
        spark = (
            SparkSession.builder.master(config.spark_master)
            .appName("kafka-sensor-lab")
            # the connector, before the JVM starts
            .config("spark.jars", ",".join(connector_jars(config.lab_home)))
            .config("spark.sql.session.timeZone", "UTC")  # times as the sensors send them
            .config("spark.sql.shuffle.partitions", "2")  # small data: 2 partitions after a shuffle, not 200
            .config(map=session_settings(config))
            .getOrCreate()
        )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


@contextlib.contextmanager
def spark_job(config: LabConfig) -> Iterator[SparkSession]:
    """A session for a terminal program: a Spark failure becomes one sentence; the JVM always stops."""
    try:
        yield get_spark(config)
    except PySparkException as error:
        first_line = str(error).strip().splitlines()[0][:300]
        raise LabError(f"The Spark job failed ({first_line}): see .lab/logs/spark.log for details.") from None
    finally:
        stop_spark()


def stop_spark() -> str:
    """Stop the session and its JVM so nothing (process or temp file) outlives the notebook."""
    gateway = SparkContext._gateway
    session = SparkSession.getActiveSession()
    if session is None and gateway is None:
        return shown("No Spark session is running.")
    if session is not None:
        session.stop()
    if gateway is not None:
        process = getattr(gateway, "proc", None)
        gateway.shutdown()
        if process is not None:
            process.stdin.close()  # pyspark's JVM exits when its stdin closes
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
    SparkContext._gateway = None
    SparkContext._jvm = None
    while _temp_folders:
        shutil.rmtree(_temp_folders.pop(), ignore_errors=True)
    return shown("Spark stopped.")
