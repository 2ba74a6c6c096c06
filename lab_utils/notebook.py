"""Notebook conveniences: a setup cell that prints versions, one-line errors, and self-checks.

Every notebook's first code cell calls :func:`setup`. After it, the mistakes students make (a
:class:`~lab_utils.errors.LabError`, a failed self-check, a name not defined yet, a column Spark cannot
find, a query that failed, a value that is not JSON) show as one line starting with ✗ instead of a
traceback; the cell still fails, so a headless run still stops there. ``%tb`` in a new cell shows the
full traceback of the last error.

Exercises use three calls: :func:`check` (the self-check), :func:`answered` (its first line: "not done
yet" while the answer is still empty) and :func:`answer_or_reference` (a later cell that needs the
exercise's result uses the reference answer while the exercise is not done).
"""

from __future__ import annotations

import json
import os
import platform
import sysconfig
from collections.abc import Callable, Sized
from importlib.metadata import version
from types import TracebackType
from typing import Any, TypeVar

from kafka.errors import KafkaError, KafkaTimeoutError, RebalanceInProgressError

from lab_utils.clients import broker_down_message
from lab_utils.config import LabConfig, load_config
from lab_utils.errors import LabError
from lab_utils.stack.account import refusal_sentence, use_account
from lab_utils.stack.messages import SHOWN_IN, in_language

T = TypeVar("T")
TRACEBACK_HINT = "Run %tb in a new cell to see the full traceback."
# The language of the lab's own lines in this kernel: setup() sets it from the settings (LAB_LANG).
_shown_in = SHOWN_IN  # the same dict: helpers without a config read it too


class SelfCheckFailed(AssertionError):
    """A self-check cell found the pipeline misbehaving."""


class NotDoneYet(SelfCheckFailed):
    """A self-check ran before its exercise was written."""


def kafka_error_sentence(error: KafkaError, bootstrap_servers: str) -> str:
    """What a kafka-python error raised by a student's own client means, in one sentence."""
    text = str(error)
    if isinstance(error, KafkaTimeoutError) and "bootstrap" in text.lower():
        return broker_down_message(bootstrap_servers)
    if isinstance(error, KafkaTimeoutError) and "metadata" in text.lower():
        return (
            f"Kafka did not find the topic in time ({text}): does it exist? Create it first (notebook 01, "
            "or `kafka-topics --create`), then run this cell again."
        )
    if isinstance(error, RebalanceInProgressError):
        return (
            "Kafka refused the commit because the group was being rebalanced; nothing is lost: "
            "subscribe() before partitions_for_topic() (notebook 03, section 1) and run the cell again."
        )
    return f"Kafka refused: {type(error).__name__}: {text}"


def _first_line(error: BaseException) -> str:
    """The first line of an error's message, without Spark's JVM stack trace or SQLSTATE tail."""
    text = str(getattr(error, "desc", None) or error).strip()
    line = text.splitlines()[0] if text else type(error).__name__
    return line.split(" SQLSTATE:")[0].strip()


def error_sentence(error: BaseException, bootstrap_servers: str) -> str:
    """The one line a student sees for an error their cell raised (the ✗ is added by the display)."""
    from pyspark.errors import AnalysisException, IllegalArgumentException, StreamingQueryException

    refused = refusal_sentence(error)  # a class cluster's refusal, from kafka-python or Spark
    if refused:
        return refused
    if isinstance(error, KafkaError):
        return kafka_error_sentence(error, bootstrap_servers)
    if isinstance(error, (LabError, SelfCheckFailed)):
        return str(error)
    if isinstance(error, NameError):
        return (
            f"{error}: run the cells above this one first (Run ▸ Run All Above Selected Cell), "
            "or check the spelling."
        )
    if isinstance(error, AnalysisException):
        return f"Spark cannot run this query: {_first_line(error)} {TRACEBACK_HINT}"
    if isinstance(error, StreamingQueryException):
        return f"The streaming query failed: {_first_line(error)} {TRACEBACK_HINT}"
    if isinstance(error, IllegalArgumentException):  # an option missing or wrong, a query name in use
        return f"Spark refused: {_first_line(error)} {TRACEBACK_HINT}"
    if isinstance(error, json.JSONDecodeError):
        return f"That value is not JSON ({error}): print it to see what it really holds."
    return f"{type(error).__name__}: {_first_line(error)} {TRACEBACK_HINT}"


def _pyspark_errors() -> tuple[type[BaseException], ...]:
    from pyspark.errors import AnalysisException, IllegalArgumentException, StreamingQueryException

    return (AnalysisException, StreamingQueryException, IllegalArgumentException)


def _quiet_spark_error_logs() -> None:
    """PySpark 4 also logs each AnalysisException as a JSON record of several KB on stderr, in the cell;
    the one-line display already says what it says (and ``%tb`` shows the rest)."""
    import logging

    from pyspark.logger import PySparkLogger

    for name in ("DataFrameQueryContextLogger", "SQLQueryContextLogger"):
        PySparkLogger.getLogger(name).setLevel(logging.CRITICAL)


def _one_line_handler(bootstrap_servers: str) -> Callable[..., list[str]]:
    """IPython's exception hook: one line, but a real error (the cell fails and nbval sees it).

    It also keeps the error where ``%tb`` looks for it, so a student can still ask for the traceback.
    """

    def show(
        shell: Any,
        etype: type[BaseException],
        value: BaseException,
        tb: TracebackType | None,
        tb_offset: int | None = None,
    ) -> list[str]:
        import sys

        sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb
        lines = [f"✗ {in_language(error_sentence(value, bootstrap_servers), _shown_in['language'])}"]
        shell._showtraceback(etype, value, lines)
        return lines

    return show


def _put_lab_tools_on_path() -> None:
    """Let ``!kafka-topics ...`` in a cell find the lab's Kafka tools, however Jupyter was started."""
    scripts = sysconfig.get_path("scripts")
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


def setup(show_versions: bool = True) -> LabConfig:
    """Install the one-line error display and print what this notebook runs on."""
    from IPython import get_ipython
    from py4j.protocol import Py4JJavaError  # type: ignore[import-untyped]

    _put_lab_tools_on_path()
    config = load_config()
    _shown_in["language"] = config.language
    account = use_account(config)  # a class cluster's account (LAB_SETTINGS_FILE): the cells' clients use it
    shell = get_ipython()
    if shell is not None:
        handler = _one_line_handler(config.bootstrap_servers)
        students_mistakes = (LabError, SelfCheckFailed, KafkaError, NameError, json.JSONDecodeError)
        refusals = (Py4JJavaError,) if account else ()  # a Spark read refused by the class cluster's ACLs
        shell.set_custom_exc(students_mistakes + _pyspark_errors() + refusals, handler)
    _quiet_spark_error_logs()
    if show_versions:
        packages = ", ".join(f"{name} {version(name)}" for name in ("pyspark", "kafka-python", "pandas"))
        print(f"Python {platform.python_version()}, {packages}")
        line = f"Kafka at {config.bootstrap_servers}, topic {config.topic!r}, profile {config.profile!r}"
        print(in_language(line, config.language))
        if account:
            print(in_language(account, config.language))
    return config


def check(condition: bool, success: str, failure: str) -> None:
    """A self-check: print ✓ and the success line, or fail the cell with the failure line."""
    if not condition:
        raise SelfCheckFailed(failure)
    print(f"✓ {in_language(success, _shown_in['language'])}")


def is_empty(answer: object) -> bool:
    """Whether an exercise's answer is still what the cell starts it as: None or an empty collection."""
    return answer is None or (isinstance(answer, Sized) and len(answer) == 0)


def answered(**answers: object) -> None:
    """The first line of a self-check: fail with "not done yet" while an answer is still empty.

    ``answered(metadata=metadata)`` names the variable the exercise fills in, so the ✗ line says which.
    """
    missing = [name for name, answer in answers.items() if is_empty(answer)]
    if missing:
        names = ", ".join(f"`{name}`" for name in missing)
        raise NotDoneYet(
            f"Not done yet: {names} is still empty. Write your code in the exercise cell above "
            "(where it says YOUR CODE HERE), run it, then run this check again."
        )


def answer_or_reference(name: str, answer: T | None, reference: Callable[[], T]) -> T:
    """An exercise's result for the cells after it: the student's, or the reference while it is empty.

    A student stuck on one exercise can still run the rest of the notebook; the line printed says so.
    """
    if answer is not None and not is_empty(answer):
        return answer
    line = f"· `{name}` is not done yet, so the next cells use the reference answer instead."
    print(in_language(line, _shown_in["language"]))
    return reference()
