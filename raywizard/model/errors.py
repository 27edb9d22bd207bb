"""The small exception hierarchy that the CLI maps to messages and exit codes.

User mistakes in a spec are *Problems* (see ``problems.py``), not exceptions. Exceptions are for inputs that cannot
be read at all (a missing file, YAML that does not parse), for cluster I/O failures and for bugs.
"""

from __future__ import annotations


class RaywizardError(Exception):
    """An error with a message meant for the user and, where we know one, how to fix it."""

    exit_code = 2

    def __init__(self, message: str, fix: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return self.message if not self.fix else f"{self.message} ({self.fix})"


class InputError(RaywizardError):
    """A file, preset or flag that cannot be used as given."""


class ClusterError(RaywizardError):
    """The cluster could not be reached or refused a request."""


class Aborted(RaywizardError):
    """The user said no, or pressed Ctrl-C; nothing was written."""

    exit_code = 130
