"""Thin helpers over Beam's FileSystems, so every path works the same locally and on gs://."""

from __future__ import annotations

import io
import json
import os
import posixpath
from typing import BinaryIO

import google_crc32c
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems


def is_local(path: str) -> bool:
    return "://" not in path


def join(base: str, *parts: str) -> str:
    if is_local(base):
        return os.path.join(base, *parts)
    return posixpath.join(base, *parts)


def open_read(path: str) -> BinaryIO:
    """Raw bytes, never auto-decompressed (regmeter sniffs compression from magic bytes)."""
    return FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED)


def write_bytes(path: str, data: bytes) -> None:
    if is_local(path):
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)  # Beam's writers don't always
        tmp = f"{path}.tmp-{os.getpid()}"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        return
    with FileSystems.create(path, mime_type="application/octet-stream", compression_type=CompressionTypes.UNCOMPRESSED) as f:
        f.write(data)


def read_bytes(path: str) -> bytes:
    with open_read(path) as f:
        return f.read()


def write_json(path: str, obj) -> None:
    write_bytes(path, (json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n").encode())


def exists(path: str) -> bool:
    return os.path.exists(path) if is_local(path) else FileSystems.exists(path)


def list_files(prefix: str) -> list[str]:
    """Every file below a directory/prefix."""
    if is_local(prefix):
        out = []
        for dirpath, _, files in os.walk(prefix):
            out += [os.path.join(dirpath, f) for f in files]
        return sorted(out)
    try:
        result = FileSystems.match([prefix.rstrip("/") + "/**"])[0]
    except Exception:
        return []
    return sorted(m.path for m in result.metadata_list)


def delete_tree(prefix: str) -> None:
    if is_local(prefix):
        import shutil

        shutil.rmtree(prefix, ignore_errors=True)
        return
    files = list_files(prefix)
    if files:
        FileSystems.delete(files)


class Crc32cReader(io.RawIOBase):
    """Passes a stream through while computing its CRC32C (the checksum GCS keeps per object)."""

    def __init__(self, raw: BinaryIO):
        self._raw = raw
        self._crc = google_crc32c.Checksum()
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        # Only the rewind after sniffing magic bytes is supported; restart the checksum.
        if offset != 0 or whence != io.SEEK_SET:
            raise io.UnsupportedOperation("Crc32cReader only rewinds to the start")
        self._crc = google_crc32c.Checksum()
        self.bytes_read = 0
        return self._raw.seek(0)

    def readinto(self, buffer) -> int:
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self._crc.update(data)
        self.bytes_read += n
        return n

    @property
    def crc32c(self) -> str:
        return self._crc.hexdigest().decode()

    def close(self) -> None:
        self._raw.close()
        super().close()
