"""The run-level leftover check really fails a run that leaves a lab JVM behind, and kills that JVM."""

from __future__ import annotations

import psutil
import pytest

from lab_utils.config import PROJECT_ROOT

pytest_plugins = ["pytester"]
pytestmark = pytest.mark.integration  # needs Java

LEAKY_TEST = """
import subprocess
def test_starts_a_jvm_and_forgets_it(tmp_path):
    program = tmp_path / "Sleep.java"
    program.write_text("public class Sleep { public static void main(String[] a) throws Exception {"
                       " Thread.sleep(120000); } }")
    # 'kafka.Kafka' in the command line makes it look like a broker to the check.
    process = subprocess.Popen(["java", str(program), "kafka.Kafka"], start_new_session=True)
    with open("pid", "w") as pid_file:  # in the outer test's folder, the inner run's working directory
        pid_file.write(str(process.pid))
"""


def test_a_leaked_jvm_fails_the_run_and_is_killed(pytester: pytest.Pytester, monkeypatch) -> None:
    monkeypatch.setenv("LAB_LEFTOVER_GRACE_S", "2")
    monkeypatch.setenv("PYTHONPATH", str(PROJECT_ROOT))
    pytester.makepyfile(test_leak=LEAKY_TEST)
    result = pytester.runpytest_subprocess("-p", "tests.lab_processes", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*the run left 1 lab JVM(s) running (now killed)*"])
    pid = int((pytester.path / "pid").read_text())
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
