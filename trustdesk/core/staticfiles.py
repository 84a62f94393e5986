"""Static files for ``trustdesk serve``: the storage, and collecting only when needed.

``collectstatic`` with the compressed manifest storage re-hashes and re-compresses every
file, which would add seconds to each start of ``trustdesk serve``. A fingerprint of the
sources (path, size, modification time) kept beside the collected files tells whether the
work is needed.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from whitenoise.compress import Compressor
from whitenoise.storage import CompressedManifestStaticFilesStorage

_IGNORE = ["CVS", ".*", "*~"]  # collectstatic's own defaults


class _Compressor(Compressor):
    @staticmethod
    def compress_brotli(data: bytes) -> bytes:
        import brotli

        # Brotli's default quality (11) spends ~20 s on the API docs' bundles alone, which
        # would make a first `trustdesk demo` wait a minute; quality 6 takes a fraction of a
        # second for files about 10% larger, still well below gzip's.
        compressed: bytes = brotli.compress(data, quality=6)
        return compressed


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """whitenoise's hashed, pre-compressed storage, with a brotli level that collects in
    seconds."""

    def create_compressor(self, **kwargs: object) -> Compressor:
        return _Compressor(**kwargs)


def _stamp_path() -> Path:
    return Path(settings.STATIC_ROOT) / ".sources-fingerprint"


def sources_fingerprint() -> str:
    entries = []
    for finder in finders.get_finders():
        for path, storage in finder.list(_IGNORE):
            stat = os.stat(storage.path(path))
            entries.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    digest = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    for entry in sorted(entries):
        digest.update(entry.encode() + b"\n")
    return digest.hexdigest()


def collect_static_if_needed() -> bool:
    """Run ``collectstatic`` unless the collected files match the sources. True if it ran."""
    fingerprint = sources_fingerprint()
    stamp = _stamp_path()
    if stamp.exists() and stamp.read_text(encoding="utf-8") == fingerprint:
        return False
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(fingerprint, encoding="utf-8")
    return True
