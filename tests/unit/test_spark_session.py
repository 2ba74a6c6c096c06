"""Notebook 00's SparkSession.builder cell and ``get_spark`` build the session with the same chain.

No JVM starts here: both run against a recording stand-in for ``SparkSession``, and the recorded
calls (builder methods, settings, the quiet launch around ``getOrCreate``) must be identical.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyspark.sql
import pytest

import lab_utils.spark as lab_spark
from lab_utils.config import PROJECT_ROOT, LabConfig, load_config

JARS = ["/m2/spark-sql-kafka-0-10_2.13-4.2.0.jar", "/m2/kafka-clients-3.9.2.jar"]


class _Recording:
    """Stands in for SparkSession, its Builder, the session and its SparkContext; logs every call."""

    def __init__(self, log: list[tuple[Any, ...]]) -> None:
        self.log = log
        self.version = "4.2.0"

    # SparkSession (the class)
    @property
    def builder(self) -> _Recording:
        self.log.append(("builder",))
        return self

    def getActiveSession(self) -> None:  # noqa: N802 - pyspark's name
        return None

    # SparkSession.Builder
    def master(self, url: str) -> _Recording:
        self.log.append(("master", url))
        return self

    def appName(self, name: str) -> _Recording:  # noqa: N802 - pyspark's name
        self.log.append(("appName", name))
        return self

    def config(self, key: str | None = None, value: Any = None, *, map: dict | None = None) -> _Recording:  # noqa: A002
        self.log.append(("config", key, value, json.dumps(map, sort_keys=True)))
        return self

    def getOrCreate(self) -> _Recording:  # noqa: N802 - pyspark's name
        self.log.append(("getOrCreate",))
        return self

    # SparkSession / SparkContext
    @property
    def sparkContext(self) -> _Recording:  # noqa: N802 - pyspark's name
        return self

    def setLogLevel(self, level: str) -> None:  # noqa: N802 - pyspark's name
        self.log.append(("setLogLevel", level))


def _builder_cell() -> str:
    cells = json.loads((PROJECT_ROOT / "notebooks" / "00_environment_check.ipynb").read_text())["cells"]
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    (cell,) = [source for source in sources if "SparkSession.builder" in source]
    return cell


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[list, LabConfig]]:
    log: list[tuple[Any, ...]] = []
    fake = _Recording(log)

    @contextlib.contextmanager
    def quiet_launch(config: LabConfig) -> Iterator[None]:
        log.append(("quiet_launch", str(config.lab_home)))
        yield
        log.append(("quiet_launch ends",))

    monkeypatch.setattr(pyspark.sql, "SparkSession", fake)  # what the cell imports
    monkeypatch.setattr(lab_spark, "SparkSession", fake)  # what get_spark uses
    monkeypatch.setattr(lab_spark, "quiet_launch", quiet_launch)
    monkeypatch.setattr(lab_spark, "connector_jars", lambda lab_home: list(JARS))
    yield log, dataclasses.replace(load_config(), lab_home=tmp_path)


def test_notebook_00_builds_the_session_exactly_as_get_spark_does(recorded: tuple[list, LabConfig]) -> None:
    log, config = recorded
    lab_spark.get_spark(config)
    by_get_spark = list(log)
    log.clear()
    exec(_builder_cell(), {"config": config, "print": lambda *args: None})  # noqa: S102 - the lesson's cell
    assert log == by_get_spark
    # ... and that chain is the one the lab needs: the connector given before the JVM starts, quietly.
    assert log.index(("quiet_launch", str(config.lab_home))) < log.index(("getOrCreate",))
    assert ("config", "spark.jars", ",".join(JARS), "null") in log[: log.index(("getOrCreate",))]
    assert ("setLogLevel", "ERROR") in log


def test_session_settings_keep_spark_local_quiet_and_inside_the_project(tmp_path: Path) -> None:
    config = dataclasses.replace(load_config(), lab_home=tmp_path, spark_ui=False)
    settings = lab_spark.session_settings(config)
    assert settings["spark.driver.bindAddress"] == settings["spark.driver.host"] == "127.0.0.1"
    assert settings["spark.ui.enabled"] == "false"
    java = settings["spark.driver.extraJavaOptions"]
    assert f"-Djava.io.tmpdir={tmp_path / 'spark' / 'tmp' / str(os.getpid())}" in java
    assert (
        "-Dlog4j2.configurationFile=" in java and f"-Dlab.spark.log={tmp_path / 'logs' / 'spark.log'}" in java
    )
    assert int(settings["spark.sql.ui.retainedExecutions"]) <= 100
    assert "spark.jars" not in settings  # the connector is in the visible chain, not hidden here


def test_quiet_launch_sends_what_the_jvm_prints_to_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(lab_spark, "require_java", lambda: 17)
    monkeypatch.setenv("SPARK_LOCAL_IP", "0.0.0.0")
    config = dataclasses.replace(load_config(), lab_home=tmp_path)
    with lab_spark.quiet_launch(config):
        os.write(2, b"WARN a JVM line on stderr\n")  # a child started here inherits these descriptors
        os.write(1, b"a JVM line on stdout\n")
        assert os.environ["SPARK_LOCAL_IP"] == "127.0.0.1"
    os.write(2, b"after\n")
    captured = capfd.readouterr()
    assert "JVM line" not in captured.out + captured.err and "after" in captured.err
    log = (tmp_path / "logs" / "spark-jvm.out").read_text()
    assert "WARN a JVM line on stderr" in log and "a JVM line on stdout" in log
