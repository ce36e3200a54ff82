"""One exception type for problems a user can fix (bad params, bad source).

Stages print these as a single line and exit non-zero instead of a traceback.
"""


class SongspaceError(Exception):
    """A problem the user can fix; the message names the file or key and what to do."""
