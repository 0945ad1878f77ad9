"""Reading uploaded files with a size limit, before the whole file is in memory."""

from __future__ import annotations

from fastapi import UploadFile

from sightline.errors import TooLarge

CHUNK = 1 << 16


async def read_limited(upload: UploadFile, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := await upload.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise TooLarge(
                f"File {upload.filename!r} is larger than the limit of {limit} bytes.",
                code="file_too_large",
            )
        chunks.append(chunk)
    return b"".join(chunks)
