"""One exception type for problems a student can fix, so every entry point can show one sentence.

Notebooks (via ``lab_utils.notebook.setup``) and the terminal programs print only the message of a
``LabError``, never a traceback: the message says what is wrong and the command that fixes it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable


class LabError(RuntimeError):
    """A problem with the student's environment or input, explained in one plain sentence."""


def run_cli(action: Callable[[], object]) -> int:
    """Run a terminal program's body and return its exit code.

    A ``LabError`` becomes one ``error: ...`` line on stderr and exit code 1; Ctrl-C ends quietly.
    Used by every ``main()`` in the package, so all the programs fail the same way.
    """
    try:
        result = action()
        return result if isinstance(result, int) else 0
    except LabError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 0
    except Exception as error:
        from lab_utils.stack.account import refusal_sentence  # here: that module imports this one

        refused = refusal_sentence(error)  # a class cluster refused the account: one sentence too
        if refused is None:
            raise
        print(f"error: {refused}", file=sys.stderr)
        return 1
