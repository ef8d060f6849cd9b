"""H2O's exception classes, so ``except H2OValueError`` in existing scripts catches what it caught before.

``H2OValueError`` is a ``ValueError`` (bad arguments on the client side); ``H2OResponseError`` stands for what the
H2O server refused (here: the engine's parameter validation), with H2O's "Details: ERRR on field" lines.
"""


class H2OError(Exception):
    """Base class of every error this package raises on purpose."""


class H2OSoftError(H2OError):
    """An error caused by the caller (H2O prints these without a traceback)."""


class H2OValueError(H2OSoftError, ValueError):
    """An argument has the right type but a wrong value."""

    def __init__(self, message, var_name=None, skip_frames=0):
        super().__init__(message)
        self.var_name = var_name
        self.skip_frames = skip_frames


class H2OTypeError(H2OSoftError, TypeError):
    """An argument has the wrong type."""

    def __init__(self, var_name=None, var_value=None, var_type_name=None, exp_type_name=None, message=None,
                 skip_frames=0):
        if message is None:
            message = f"Argument `{var_name}` should be {exp_type_name}, got {var_type_name} {var_value!r}"
        super().__init__(message)
        self.var_name = var_name


class H2OResponseError(H2OError):
    """What the H2O server would have answered with an error (illegal model parameters, missing keys)."""


class H2OServerError(H2OError):
    """An unexpected failure inside the engine."""


class H2ODeprecationWarning(DeprecationWarning):
    """A deprecated H2O name was used."""
