"""Entry-point wrapper shared by every stage script in stages/."""

import sys
from collections.abc import Callable

from songspace import kernels
from songspace.errors import SongspaceError
from songspace.models.spec import method_from_args
from songspace.params import load_params


def run_stage(main: Callable[[], None]) -> None:
    """Run a stage's ``main``; a user-fixable problem becomes one line on stderr, exit 2.

    A stage whose CPU kernels could not be pinned (it imported numpy or torch before
    songspace) stops before computing anything: its numbers would depend on the CPU.
    """
    try:
        if problem := kernels.late_import_error(sys.argv[0]):
            raise SongspaceError(problem)
        main()
    except SongspaceError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("error: interrupted; outputs were written atomically, nothing partial is left",
              file=sys.stderr)
        sys.exit(130)


def method_and_params() -> tuple[str, dict]:
    """A per-method stage's method (``python stages/<stage>.py <method>``, one of
    params.yaml's methods) and the validated params."""
    params = load_params()
    return method_from_args(sys.argv[1:], params), params
