"""One exception type for problems a student can fix, so every entry point can show one sentence.

Notebooks (via ``lab_utils.notebook.setup``) and the terminal programs print only the message of a
``LabError``, never a traceback: the message says what is wrong and the command that fixes it.
"""

from __future__ import annotations


class LabError(RuntimeError):
    """A problem with the student's environment or input, explained in one plain sentence."""
