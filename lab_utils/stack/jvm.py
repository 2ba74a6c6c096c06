"""Java and Maven plumbing: check the JVM, resolve Kafka and the Spark connector from Maven Central.

The local broker (``lab_utils.stack.broker``), Kafka's command-line tools (``lab_utils.stack.kafka_tools``)
and the Spark session (``lab_utils.spark``) need jars.
Maven resolves them from the small POMs in ``lab_utils/stack/jvm/`` into its own cache (~/.m2); the
resolved classpath is remembered under ``.lab/jvm`` so later runs, even offline, start at once.
``make setup`` runs ``python -m lab_utils.stack.jvm fetch``, which also writes the tools' launchers
(``kafka-topics``...) into the lab's environment, and Spark's class archive (``stack.class_archive``).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from lab_utils.config import LabConfig, load_config
from lab_utils.errors import LabError, run_cli

POM_DIR = Path(__file__).resolve().parent / "jvm"
MIN_JAVA = 17
_JAR_VERSION = re.compile(r"-\d+(?:\.\d+)*(?:[.\-][\w.]+)?\.jar$")


def java_executable() -> str:
    """The ``java`` Spark and the broker will use: ``$JAVA_HOME/bin/java`` first, then PATH."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return str(Path(java_home) / "bin" / "java")
    found = shutil.which("java")
    if not found:
        raise LabError(
            f"Java is not installed: install a JDK {MIN_JAVA}+ "
            "(apt-get install openjdk-17-jdk, or use the conda environment.yml)."
        )
    return found


def java_version() -> int:
    """The major version of that Java (17 for '17.0.15'), read from ``java -version``."""
    java = java_executable()
    result = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', result.stderr + result.stdout)
    if not match:
        raise LabError(f"Could not read the version of {java}: check that it is a working JDK.")
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 else major


def require_java() -> int:
    """Fail with one sentence unless Java 17 or newer is available."""
    major = java_version()
    if major < MIN_JAVA:
        raise LabError(
            f"Java {major} is too old: Spark 4 and Kafka 4 need Java {MIN_JAVA}+; "
            "install openjdk-17 and point JAVA_HOME at it."
        )
    return major


def pom_property(pom: str, name: str) -> str:
    """A ``<properties>`` value of one of the lab's POMs (e.g. the Kafka version)."""
    text = (POM_DIR / pom).read_text()
    match = re.search(rf"<{re.escape(name)}>([^<]+)</{re.escape(name)}>", text)
    if not match:
        raise KeyError(f"{name} is not set in {pom}")
    return match.group(1)


def _resolve_classpath(pom: str, properties: dict[str, str], cache: Path) -> list[str]:
    """Ask Maven for the runtime classpath of ``pom``; reuse the cached answer while its jars exist."""
    if cache.exists():
        jars = cache.read_text().split(os.pathsep)
        if jars and all(Path(jar).exists() for jar in jars):
            return jars
    mvn = shutil.which("mvn")
    if not mvn:
        raise LabError(
            "Maven (mvn) is not installed, and the lab needs it once to fetch Kafka and the Spark "
            "connector: install it (apt-get install maven, or use the conda environment.yml)."
        )
    cache.parent.mkdir(parents=True, exist_ok=True)
    command = [
        mvn, "--batch-mode", "--quiet", "-f", str(POM_DIR / pom),
        "dependency:build-classpath", "-DincludeScope=runtime",
        f"-Dmdep.outputFile={cache}",
        *(f"-D{key}={value}" for key, value in properties.items()),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    if result.returncode != 0 or not cache.exists():
        log = cache.with_suffix(".maven.log")
        log.write_text(result.stdout + result.stderr)
        raise LabError(
            f"Maven could not fetch the jars of {pom} from Maven Central (details in {log}): "
            "check the network connection, then run `make setup` again."
        )
    return cache.read_text().split(os.pathsep)


@contextlib.contextmanager
def jvm_output_to(log_file: Path) -> Iterator[None]:
    """Point file descriptors 1 and 2 at ``log_file`` while the JVM is launched.

    The JVM inherits them for its whole life, so its own stderr lines (JDK warnings, anything
    log4j did not catch) go to the log file and never into a notebook cell or a terminal.
    """
    log_file.parent.mkdir(parents=True, exist_ok=True)
    saved = [os.dup(1), os.dup(2)]
    with open(log_file, "ab") as log:
        try:
            os.dup2(log.fileno(), 1)
            os.dup2(log.fileno(), 2)
            yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)


def kafka_version() -> str:
    """The Apache Kafka version the local broker runs."""
    return pom_property("kafka-broker.xml", "kafka.version")


def broker_classpath(lab_home: Path) -> list[str]:
    """Jars of the Apache Kafka broker (server, KRaft, storage tool, log4j2 binding)."""
    cache = lab_home / "jvm" / f"kafka-broker-{kafka_version()}.classpath"
    return _resolve_classpath("kafka-broker.xml", {}, cache)


def tools_classpath(lab_home: Path) -> list[str]:
    """Jars of Kafka's command-line tools (``kafka-tools``), the same Kafka release as the broker."""
    version = kafka_version()
    cache = lab_home / "jvm" / f"kafka-tools-{version}.classpath"
    return _resolve_classpath("kafka-tools.xml", {"kafka.version": version}, cache)


def spark_version() -> str:
    """The installed pyspark version: the connector must match it exactly."""
    import pyspark

    return pyspark.__version__


def _artifact_name(jar: str) -> str:
    """``kafka-clients-3.9.2.jar`` -> ``kafka-clients``: compares jars across versions."""
    return _JAR_VERSION.sub("", Path(jar).name)


def connector_jars(lab_home: Path) -> list[str]:
    """Jars the Spark Kafka connector adds to pyspark: its own and those pyspark lacks.

    Jars pyspark ships already (scala-library, hadoop-client, slf4j...) are left out, so the driver
    never sees two versions of one library.
    """
    import pyspark

    version = spark_version()
    cache = lab_home / "jvm" / f"spark-kafka-{version}.classpath"
    jars = _resolve_classpath("spark-kafka.xml", {"spark.version": version}, cache)
    shipped = {_artifact_name(jar.name) for jar in (Path(pyspark.__file__).parent / "jars").glob("*.jar")}
    return [jar for jar in jars if _artifact_name(jar) not in shipped]


def fetch_all(config: LabConfig) -> None:
    """Resolve every jar the lab needs, once, so the lab and the tests can start offline."""
    require_java()
    lab_home = config.lab_home
    print(f"Kafka {kafka_version()} broker: {len(broker_classpath(lab_home))} jars ready.")
    from lab_utils.stack.kafka_tools import TOOLS, install_tools  # it imports this module

    jars, folder = len(tools_classpath(lab_home)), install_tools()
    print(f"Kafka {kafka_version()} command-line tools: {jars} jars ready; {', '.join(TOOLS)} in {folder}.")
    print(f"Spark Kafka connector {spark_version()}: {len(connector_jars(lab_home))} jars ready.")
    from lab_utils.stack.class_archive import build  # it imports this module

    build(config)


def main(argv: list[str] | None = None) -> int:
    """``python -m lab_utils.stack.jvm fetch``: used by ``make setup``."""
    args = sys.argv[1:] if argv is None else argv
    if args != ["fetch"]:
        print("usage: python -m lab_utils.stack.jvm fetch", file=sys.stderr)
        return 2
    return run_cli(lambda: fetch_all(load_config()))


if __name__ == "__main__":
    sys.exit(main())
