"""The environment check behind notebook 00 and ``python -m lab_utils.stack.doctor``.

Each check answers ✓ with what it found, or ✗ with one sentence saying how to fix it, and a
failing check never stops the others: a student sees every problem at once.
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lab_utils.config import LabConfig, load_config
from lab_utils.errors import LabError
from lab_utils.stack.messages import in_language


@dataclass(frozen=True)
class CheckResult:
    """One line of the report."""

    name: str
    ok: bool
    detail: str

    def __str__(self) -> str:
        return f"{'✓' if self.ok else '✗'} {self.name}: {self.detail}"


def _python() -> str:
    if sys.version_info[:2] > (3, 12):
        raise LabError(f"Python {platform.python_version()} is not supported yet: use Python 3.11 or 3.12.")
    return f"Python {platform.python_version()}"


def _java() -> str:
    from lab_utils.stack.jvm import require_java

    return f"Java {require_java()}"


def _connector(config: LabConfig) -> str:
    from lab_utils.stack.jvm import connector_jars, spark_version

    names = [Path(jar).name for jar in connector_jars(config.lab_home)]
    expected = f"spark-sql-kafka-0-10_2.13-{spark_version()}.jar"
    if expected not in names:
        raise LabError(f"The Spark Kafka connector {expected} is missing: run `make setup`.")
    return f"pyspark {spark_version()} with {expected} ({len(names)} jars)"


def _broker(config: LabConfig) -> str:
    from lab_utils.clients import broker_down_message
    from lab_utils.stack.broker import broker_answers

    if not broker_answers(config.bootstrap_list[0], config.connect_timeout_s):
        raise LabError(broker_down_message(config.bootstrap_servers))
    return f"Kafka answers at {config.bootstrap_servers}"


def run_checks(config: LabConfig) -> list[CheckResult]:
    """Run every check; none of them raises. The details are in ``config.language``."""
    checks: list[tuple[str, Callable[[], str]]] = [
        ("Python", _python),
        ("Java", _java),
        ("Spark + Kafka connector", lambda: _connector(config)),
        ("Kafka broker", lambda: _broker(config)),
    ]
    results = []
    for name, check in checks:
        try:
            results.append(CheckResult(name, True, in_language(check(), config.language)))
        except LabError as error:
            results.append(CheckResult(name, False, in_language(str(error), config.language)))
    return results


def main() -> int:
    """Print the report; exit 1 when anything is wrong."""
    results = run_checks(load_config())
    for result in results:
        print(result)
    return 0 if all(result.ok for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
