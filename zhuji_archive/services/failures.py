"""The failures a caller of the services tells apart, for callers that may not import the storage layer
(the command line): a file that is no archive, and errors caused by the machine rather than a bug."""

from __future__ import annotations

from zhuji_archive.storage.database import DatabaseError
from zhuji_archive.storage.errors import describe_environment_error
from zhuji_archive.storage.keyring import KeyringError

__all__ = ["DatabaseError", "KeyringError", "describe_environment_error"]
