"""Repository-wide pytest hook: a notebook cell run by nbval must print no warnings and no JVM noise.

``--nbval-lax`` only checks that cells run; this adds the promise made to students that the
outputs stay clean (no stderr stream, no log4j WARN lines, no Python warnings).
"""

from __future__ import annotations

import re

import pytest

# Every run checks that notebooks clean up and that no lab JVM outlives it (tests/lab_processes.py).
pytest_plugins = ["tests.lab_processes"]

NOISE = re.compile(r"\bWARN\b|Warning:|WARNING|Exception in thread|at org\.apache\.")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    result = yield
    outputs = getattr(item, "test_outputs", None)  # set by nbval on notebook cells only
    for output in outputs or []:
        text = "".join(output.get("text", ""))
        if output.get("name") == "stderr" or NOISE.search(text):
            raise AssertionError(f"the cell printed noise a student should not see: {text[:300]!r}")
    return result
