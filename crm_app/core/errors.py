"""The errors the core raises on purpose. Each carries a message code for the i18n layer, never personal data."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FieldError:
    field: str
    code: str
    params: dict = field(default_factory=dict)


class CrmError(Exception):
    """Base of every refusal the user may see; `code` is translated by crm_app.core.i18n."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


class ValidationError(CrmError):
    """Input was refused; `errors` says per field what is wrong. Nothing was stored."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("validation_failed", count=len(errors))
        self.errors = errors

    def for_field(self, name: str) -> FieldError | None:
        return next((e for e in self.errors if e.field == name), None)


class NotFound(CrmError):
    pass


class PermissionDenied(CrmError):
    pass


class StoreLocked(CrmError):
    """Another process (usually the running app) holds the database file."""


class ConcurrentChange(CrmError):
    """Someone else changed the record at the same time; the user should reload and try again."""


class StoreWriteFailed(CrmError):
    """The server could not write the store (disk full, file too large, I/O error): nothing was saved."""


class StoreDamaged(CrmError):
    """The database file or its write-ahead log is damaged: the store is not opened, nothing is deleted."""


class BackupDamaged(CrmError):
    """A backup cannot be read, or its copy's counts and checksums differ from its manifest: nothing changed."""
