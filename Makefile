# Kafka Sensor Lab: the README's commands. `make lab` to teach, `make test` to check everything.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Jupyter refuses to run as root (containers, CI machines) unless told that is intended.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--ServerApp.allow_root=True)

.PHONY: setup lab test test-browser lint student grade bench broker cluster stop status reset clean help
.PHONY: classroom spark-cluster test-classroom

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; assert (3, 11) <= sys.version_info[:2] <= (3, 12), "Python 3.11 or 3.12 is needed, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	@# uv installs what pip would, downloading and building in parallel: ~40 s on a fresh machine, pip ~2 min.
	$(PY) -m pip install --quiet "uv>=0.13,<1"
	$(VENV)/bin/uv pip install --quiet --python $(PY) -e ".[dev]"
	@touch $@

setup: $(VENV)/.installed  ## create .venv, install the package, fetch Kafka, its kafka-* tools and the Spark connector
	$(PY) -m lab_utils.stack.jvm fetch

# The venv first on PATH: JupyterLab's terminals then find kafka-topics, sensor-producer and friends.
lab: setup  ## set up, start the broker if none answers, open JupyterLab on notebooks/
	$(PY) -m lab_utils.stack.broker start
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/jupyter lab --config=lab_utils/stack/jupyter_server_config.py \
		$(ROOT_FLAG) $(LAB_ARGS)

lint: setup  ## ruff over the package, the tests and the notebooks; mypy over the package and the benchmark
	$(VENV)/bin/ruff check lab_utils tests notebooks benchmarks conftest.py
	$(VENV)/bin/ruff format --check lab_utils tests notebooks benchmarks conftest.py
	$(VENV)/bin/mypy

# One pytest session, three workers, so bounded waits overlap (--dist loadgroup keeps together what shares a
# process): the unit tests; the integration tests, one after another on one worker with one SparkSession; and
# the notebook runs: nbval's English instructor notebooks (each alone in a fresh kernel; each exercise's wrong
# answers run before its right one), the student copies, and the Indonesian twins (each unsolved, then solved,
# in one kernel: tests/notebook_runs/test_twins.py). One broker for all. Two sessions in a row took ~16 min.
TEST_PATHS := tests notebooks --ignore=notebooks/id
test: setup lint  ## set up, then unit, integration and headless notebook tests on a real broker
	LAB_PROFILE=fast $(PY) -m lab_utils.stack.broker run -- \
		$(PY) -m pytest -n 3 --dist loadgroup --durations=20 $(TEST_PATHS)

# LAB_ARGS: extra `jupyter lab` options for `make lab` (the browser test passes a port and a copy of the notebooks).
test-browser: setup  ## run notebooks 00-04 in JupyterLab (as `make lab` starts it) in Chromium; shots in results/browser/
	LAB_PROFILE=fast $(PY) -m lab_utils.stack.broker run -- $(PY) -m pytest -p no:cacheprovider tests/browser

# HINTS=1: keep the cells that point students at the lab's reference answers (the instructor's choice).
student: setup  ## write the students' notebooks (exercise solutions cut out) to build/student/ and build/student/id/
	$(PY) -m lab_utils.stack.student $(if $(filter 1,$(HINTS)),--hints) notebooks build/student

# SUBMISSIONS: the folder of handed-in notebooks (an LMS export). FORCE=1 grades everything again; GRADE_ARGS
# passes other lab-grade options (--jobs 3, --only 01,04, --cell-timeout 60; `lab-grade --help`).
grade: setup  ## grade handed-in notebooks on the lab's broker: grades.csv, feedback pages (SUBMISSIONS=dir)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=folder [FORCE=1] [GRADE_ARGS=...]"; exit 2; }
	$(PY) -m lab_utils.stack.broker run -- $(PY) -m lab_utils.stack.grading "$(SUBMISSIONS)" \
		$(if $(filter 1,$(FORCE)),--force) $(GRADE_ARGS)

bench: setup  ## measure latency, throughput, scale, memory and notebook run time (about 30 min)
	$(PY) -m lab_utils.stack.broker run -- $(PY) benchmarks/bench.py

broker: setup  ## start the local Kafka broker (no Docker needed)
	$(PY) -m lab_utils.stack.broker start

cluster: setup  ## start a local 3-broker Kafka cluster on 127.0.0.1:9092,9094,9096 instead
	$(PY) -m lab_utils.stack.broker cluster

# An instructor's class on one server (README: "For instructors"). STUDENTS: how many accounts (s01, s02, ...).
STUDENTS ?= 30
classroom: setup  ## start a class's Kafka cluster: SASL/SCRAM, ACLs, quotas, a settings file per student (STUDENTS=30)
	$(PY) -m lab_utils.stack.class_cluster start --students $(STUDENTS)

spark-cluster: setup  ## start a Spark standalone master and two workers (LAB_SPARK_MASTER=spark://127.0.0.1:7077)
	$(PY) -m lab_utils.stack.spark_cluster start

# Its own class cluster and Spark cluster on free ports, in a temporary folder; the shared broker is not needed.
test-classroom: setup  ## accounts and refusals, ten students at once, notebooks 01-04 as s01, Spark standalone
	LAB_TEST_CLASSROOM=1 LAB_PROFILE=fast $(PY) -m pytest -p no:cacheprovider --durations=10 tests/classroom

stop:  ## stop what the lab started (broker, cluster, class cluster, Spark cluster, Spark Connect); safe to run twice
	@if [ -x $(PY) ]; then $(PY) -m lab_utils.stack.broker stop; fi
	@if [ -x $(PY) ]; then $(PY) -m lab_utils.stack.class_cluster stop; $(PY) -m lab_utils.stack.spark_cluster stop; fi
	@if [ -x $(PY) ]; then $(PY) -m lab_utils.stack.spark_connect stop; fi

status: setup  ## who serves the lab's bootstrap address
	$(PY) -m lab_utils.stack.broker status

reset: stop  ## forget the local broker's data and the lab's Spark state
	rm -rf .lab/kafka .lab/cluster .lab/spark .lab/logs .lab/history .lab/checkpoints

clean: stop  ## remove the virtualenv and everything under .lab
	rm -rf $(VENV) .lab
