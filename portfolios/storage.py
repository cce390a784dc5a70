"""Where evidence files live: a small interface, a local-folder backend by default.

Keys are server-generated (never derived from what the learner sent), so a key can always be
mapped to a path inside the storage root. An S3-compatible backend implements the same four
methods: ``save`` writes the whole stream under a new key, ``open`` returns a readable binary
stream, ``delete`` is idempotent, ``exists`` answers without reading the object.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app

_KEY = re.compile(r"^[0-9a-f]{32}$")


class Storage(Protocol):
    def save(self, key: str, stream: BinaryIO) -> None: ...
    def open(self, key: str) -> BinaryIO: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...


def new_key() -> str:
    """A fresh, unguessable storage key (128 random bits, hex)."""
    return secrets.token_hex(16)


class LocalStorage:
    """Files under ``root/ab/abcdef...`` (``root`` is outside the static folder)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, key: str) -> Path:
        if not _KEY.match(key):
            raise ValueError("not a storage key")
        return self.root / key[:2] / key

    def save(self, key: str, stream: BinaryIO) -> None:
        target = self.path_for(key)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
        if target.exists():
            raise FileExistsError(key)
        stream.seek(0)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(stream, out, 1024 * 1024)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o640)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def open(self, key: str) -> BinaryIO:
        return self.path_for(key).open("rb")

    def delete(self, key: str) -> None:
        self.path_for(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self.path_for(key).is_file()


def storage() -> Storage:
    """The app's evidence storage (``app.extensions["evidence_storage"]`` may replace it)."""
    found = current_app.extensions.get("evidence_storage")
    if found is None:
        found = LocalStorage(Path(current_app.instance_path) / "evidence")
        current_app.extensions["evidence_storage"] = found
    return found
