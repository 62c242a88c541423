"""Where chat files' bytes live: a local directory (the default) or an S3-compatible bucket.

Both sit behind `FileStore`. An upload arrives as a file on disk (incoming.py: the request body
is streamed into the store's `incoming` directory), and `put_file` takes that file over: the
local store renames it into place (no copy at all: the incoming directory is inside the store's
own), S3 uploads it from disk in a thread. Serving reads through `open` and never holds a
whole file: the local store hands over the file's path (aiohttp sends it from disk, with range
requests and conditional GETs), S3 a body read a megabyte at a time in a thread. `get` (whole
bytes) remains for small reads.
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from frontdesk.settings import Settings
from frontdesk.storage.durable import fsync_path

# Keys are ours (ids and a suffix), never a user's file name: checked all the same, so no key
# can climb out of the directory.
_KEY = re.compile(r"[0-9a-f]{2}/[0-9a-f]{32}\.(?:bin|thumb)")


STREAM_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredObject:
    """One stored file to serve: on local disk (`path`), or read piece by piece (`chunks`)."""

    size: int
    path: Path | None = None
    chunks: Callable[[], AsyncIterator[bytes]] | None = None


class FileStore(Protocol):
    # Where uploads are received before they are stored (incoming.py).
    incoming: Path

    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def put_file(self, key: str, path: Path, content_type: str) -> None:
        """Stores the file at `path` (one in `incoming`) under `key`; `path` may be gone
        afterwards (the local store moves it)."""
        ...

    async def get(self, key: str) -> bytes | None:
        """The bytes, or None when there is no such object (deleted meanwhile)."""
        ...

    async def open(self, key: str) -> StoredObject | None:
        """The object to serve without reading it whole, or None when there is none."""
        ...

    async def delete(self, keys: Sequence[str]) -> None:
        """Deletes these objects; one already gone is fine."""
        ...


def object_key(file_id: str, suffix: str) -> str:
    """'ab/ab12...ef.bin': a two-character fan-out keeps directories small."""
    return f"{file_id[:2]}/{file_id}.{suffix}"


def _checked(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise ValueError(f"not a file key: {key!r}")
    return key


# A file is stored before its message is written, and the message says it is there: so what
# the store holds reaches the disk first (the file's data, then the directory entry that names
# it), or a power cut right after the answer could leave a message whose file is gone. About
# 3-6 ms for a 5 MB photo on this project's test machine, in a worker thread.
def _make_dirs(directory: Path) -> None:
    """The fan-out directory, made durable with its parent's entry for it when it is new."""
    if not directory.is_dir():
        directory.mkdir(parents=True, exist_ok=True)
        fsync_path(directory.parent)


class LocalFileStore:
    """Files in a directory (FRONTDESK_FILES_DIR). Writes go to a temporary file first and are
    renamed into place, so a reader never sees half a file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        # inside the root: same file system, so an upload is renamed into place, not copied
        self.incoming = root / ".incoming"

    def _path(self, key: str) -> Path:
        return self.root / _checked(key)

    def _put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        _make_dirs(path.parent)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        fsync_path(path.parent)

    def _put_file(self, key: str, source: Path) -> None:
        path = self._path(key)
        fsync_path(source)  # whoever wrote it (the request, an image worker)
        _make_dirs(path.parent)
        os.replace(source, path)
        fsync_path(path.parent)

    def _get(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def _delete(self, keys: Sequence[str]) -> None:
        for key in keys:
            self._path(key).unlink(missing_ok=True)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self._put, key, data)

    async def put_file(self, key: str, path: Path, content_type: str) -> None:
        await asyncio.to_thread(self._put_file, key, path)

    async def get(self, key: str) -> bytes | None:
        return await asyncio.to_thread(self._get, key)

    async def open(self, key: str) -> StoredObject | None:
        path = self._path(key)
        try:
            size = (await asyncio.to_thread(path.stat)).st_size
        except FileNotFoundError:
            return None
        return StoredObject(size, path=path)

    async def delete(self, keys: Sequence[str]) -> None:
        if keys:
            await asyncio.to_thread(self._delete, list(keys))


class S3FileStore:
    """Objects in a bucket of any S3-compatible store.

    The client is boto3 (AWS's own SDK, maintained with the API), each call in a worker
    thread. Not aiobotocore: it pins botocore to a narrow range that must move in step with
    boto3 and moto, and chat files are a few calls per upload, so a thread per call costs
    nothing that matters while keeping one dependency that every S3 provider documents.
    """

    def __init__(
        self,
        bucket: str,
        *,
        incoming: Path,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
    ) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix
        self.incoming = incoming
        self._client: Any = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=Config(
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=5,
                read_timeout=30,
                # path-style works with every S3-compatible store (MinIO, Ceph, moto)
                s3={"addressing_style": "path"},
            ),
        )

    def _key(self, key: str) -> str:
        return self.prefix + _checked(key)

    def _get(self, key: str) -> bytes | None:
        try:
            answer = self._client.get_object(Bucket=self.bucket, Key=self._key(key))
        except self._client.exceptions.NoSuchKey:
            return None
        body: bytes = answer["Body"].read()
        return body

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(
            partial(
                self._client.put_object,
                Bucket=self.bucket,
                Key=self._key(key),
                Body=data,
                ContentType=content_type,
            )
        )

    def _put_file(self, key: str, path: Path, content_type: str) -> None:
        # One PutObject that botocore reads from the open file (checksum, then the body), in
        # this worker thread: the file is never in memory as a whole.
        with path.open("rb") as body:
            self._client.put_object(
                Bucket=self.bucket, Key=self._key(key), Body=body, ContentType=content_type
            )

    async def put_file(self, key: str, path: Path, content_type: str) -> None:
        await asyncio.to_thread(self._put_file, key, path, content_type)

    async def get(self, key: str) -> bytes | None:
        return await asyncio.to_thread(self._get, key)

    def _get_object(self, key: str) -> Any | None:
        try:
            return self._client.get_object(Bucket=self.bucket, Key=self._key(key))
        except self._client.exceptions.NoSuchKey:
            return None

    async def open(self, key: str) -> StoredObject | None:
        answer = await asyncio.to_thread(self._get_object, key)
        if answer is None:
            return None
        body = answer["Body"]

        async def chunks() -> AsyncIterator[bytes]:
            try:
                while chunk := await asyncio.to_thread(body.read, STREAM_CHUNK):
                    yield chunk
            finally:
                body.close()

        return StoredObject(int(answer["ContentLength"]), chunks=chunks)

    async def delete(self, keys: Sequence[str]) -> None:
        # DeleteObjects takes up to 1,000 keys a call; a missing key is not an error.
        keys = list(keys)
        for start in range(0, len(keys), 1000):
            batch = [{"Key": self._key(key)} for key in keys[start : start + 1000]]
            await asyncio.to_thread(
                partial(
                    self._client.delete_objects,
                    Bucket=self.bucket,
                    Delete={"Objects": batch, "Quiet": True},
                )
            )


def create_file_store(settings: Settings) -> FileStore:
    """S3 when FRONTDESK_FILES_S3_BUCKET is set, else the local directory."""
    if settings.files_s3_bucket:
        return S3FileStore(
            settings.files_s3_bucket,
            # uploads wait on this machine's temporary directory (TMPDIR) until they are
            # sent to the bucket
            incoming=Path(tempfile.gettempdir()) / "frontdesk-incoming",
            prefix=settings.files_s3_prefix,
            endpoint_url=settings.files_s3_endpoint_url,
            region=settings.files_s3_region,
            access_key_id=settings.files_s3_access_key_id,
            secret_access_key=settings.files_s3_secret_access_key,
        )
    return LocalFileStore(settings.chat_files_dir)
