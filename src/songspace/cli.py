"""Entry-point wrapper shared by every stage script in stages/."""

import sys
from collections.abc import Callable

from songspace.errors import SongspaceError


def run_stage(main: Callable[[], None]) -> None:
    """Run a stage's ``main``; a user-fixable problem becomes one line on stderr, exit 2."""
    try:
        main()
    except SongspaceError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("error: interrupted; outputs were written atomically, nothing partial is left",
              file=sys.stderr)
        sys.exit(130)
