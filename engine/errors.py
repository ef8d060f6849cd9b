"""Exceptions that name what is wrong (column, parameter, line) so users can fix their input."""


class DeepbrookError(Exception):
    """Base class of every error Deepbrook raises on purpose."""


class ParseError(DeepbrookError):
    """A file could not be parsed; carries the line and column when known."""

    def __init__(self, message, line=None, column=None, path=None):
        super().__init__(message)
        self.line = line
        self.column = column
        self.path = path


class ParameterError(DeepbrookError):
    """Parameters failed validation; ``messages`` holds every problem found."""

    def __init__(self, message, messages=()):
        super().__init__(message)
        self.messages = list(messages)


class TrainingError(DeepbrookError):
    """Training could not continue (diverged, cancelled on error, bad data)."""


class WorkspaceError(DeepbrookError):
    """A workspace operation failed (bad name, missing object, unreadable file)."""


class ModelFormatError(DeepbrookError):
    """A saved model could not be read: missing, empty, truncated, damaged, foreign or hostile (the message names
    the file and the reason)."""
