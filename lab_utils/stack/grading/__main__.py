"""``python -m lab_utils.stack.grading SUBMISSIONS``: the same as ``lab-grade``."""

import sys

from lab_utils.stack.grading.cli import main

sys.exit(main())
