"""The project's exceptions and warnings. Every message says what was expected, what
arrived, and how to fix it."""

from __future__ import annotations


class TaggerError(Exception):
    """Base class of every error this package raises on purpose."""


class ConfigError(TaggerError, ValueError):
    """A configuration value or key is not allowed."""


class LabelError(TaggerError, ValueError):
    """A label is not in the codebook's label space."""


class DataError(TaggerError, ValueError):
    """A corpus file or record is missing, unreadable or invalid.

    Carries where the problem is, so the message names file, line, id and field.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        record_id: str | None = None,
        field: str | None = None,
    ) -> None:
        self.path, self.line, self.record_id, self.field = path, line, record_id, field
        where = []
        if path is not None:
            where.append(f"{path}" + (f":{line}" if line is not None else ""))
        if record_id is not None:
            where.append(f"id={record_id}")
        if field is not None:
            where.append(f"field {field!r}")
        self.reason = message
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


class SpecError(TaggerError, ValueError):
    """A corpus SPEC string names no known format."""


class ModelLoadError(TaggerError):
    """A saved model directory is missing, incomplete, tampered with or too new."""

    @classmethod
    def incomplete(cls, path, exc: Exception) -> ModelLoadError:
        """The error for a model directory whose files are missing or do not fit."""
        return cls(f"model directory {str(path)!r} is incomplete or from another version: {exc!r}")


class InputError(TaggerError, TypeError):
    """The predict API received input of the wrong type."""


class TaggerWarning(UserWarning):
    """Base class of the project's warnings."""


class DataWarning(TaggerWarning):
    """A corpus row was skipped or repaired; the warning says which and why."""
