"""The hostile-upload corpus: every kind of bad (or merely exotic) file an image service
on the internet receives, and how each upload endpoint must answer it.

Used by tests/hostile/test_corpus.py (in-process) and bench/hostile_corpus.py (against a
real `sightline serve`, ten times over). Files are generated here, deterministically;
nothing is downloaded. Exotic but valid images must be classified (200); everything
else must get a 4xx JSON error, never a 5xx.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
from PIL import Image

OK = frozenset({200})
NOT_IMAGE = frozenset({415})
TOO_LARGE = frozenset({413})
# The endpoint limits these tests assume: the Settings defaults.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class FileCase:
    """One uploaded file, and what /api/predict must answer (batch, explain and the
    training upload follow from it: see test_corpus.py)."""

    name: str
    filename: str
    data: bytes
    content_type: str
    expect: frozenset[int]
    zip: bool = False  # sent to /api/upload-training-data without class_name


def zip_case(
    name: str, filename: str, data: bytes, content_type: str = "application/zip"
) -> FileCase:
    """A zip archive: no image for the prediction endpoints, and the training upload
    reads it as a zip whatever its name and content type."""
    return FileCase(name, filename, data, content_type, NOT_IMAGE, zip=True)


@dataclass(frozen=True)
class Endpoint:
    path: str
    field: str
    multi: bool
    admin: bool = False
    params: dict[str, str] = field(default_factory=dict)


def endpoints(class_name: str) -> list[Endpoint]:
    return [
        Endpoint("/api/predict", "file", multi=False),
        Endpoint("/api/predict/batch", "files", multi=True),
        Endpoint("/api/explain", "file", multi=False),
        Endpoint(
            "/api/upload-training-data",
            "files",
            multi=True,
            admin=True,
            params={"class_name": class_name},
        ),
    ]


# ---------------------------------------------------------------------- images


def encode(image: Image.Image, fmt: str, **kwargs: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def photo(size: tuple[int, int] = (48, 40), seed: int = 0) -> Image.Image:
    """A noisy RGB picture (width, height): compresses like a photo, not like a bomb."""
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    )


def bilevel_png(width: int, height: int) -> bytes:
    """A valid all-black 1-bit PNG, built row by row: width x height pixels from a file
    of a few kB (a decompression bomb when the area is large), without ever holding
    the image in memory here."""
    row = b"\x00" + bytes((width + 7) // 8)
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row) for _ in range(height)]
    idat = b"".join(parts) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def corrupt_png() -> bytes:
    """A PNG whose image data fails its CRC."""
    data = bytearray(encode(photo(seed=3), "PNG"))
    idat = data.index(b"IDAT")
    data[idat + 10] ^= 0xFF
    return bytes(data)


def corrupt_jpeg() -> bytes:
    """A JPEG with its entropy-coded data overwritten: decoders may still draw it."""
    data = bytearray(encode(photo(seed=4), "JPEG"))
    start = data.index(b"\xff\xda") + 20
    data[start : start + 200] = bytes(range(200))
    return bytes(data)


def animated_gif() -> bytes:
    frames = [photo(seed=s).convert("P") for s in range(3)]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=50, loop=0)


def multipage_tiff() -> bytes:
    pages = [photo(seed=s) for s in range(3)]
    return encode(pages[0], "TIFF", save_all=True, append_images=pages[1:])


def palette_with_transparency() -> bytes:
    image = photo(seed=5).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    return encode(image, "PNG", transparency=0)


def sixteen_bit() -> bytes:
    ramp = np.linspace(0, 65535, 48 * 40).reshape(40, 48).astype(np.uint16)
    return encode(Image.fromarray(ramp), "PNG")


def rgba() -> bytes:
    image = photo(seed=6).convert("RGBA")
    image.putalpha(128)
    return encode(image, "PNG")


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="32" '
    b'height="32"><script>alert(1)</script><circle cx="16" cy="16" r="8"/></svg>'
)
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


# ---------------------------------------------------------------------- zips


def make_zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_bomb(class_name: str, megabytes: int = 200) -> bytes:
    """One member that inflates from ~200 kB to ``megabytes`` MB of zeros."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open(f"{class_name}/bomb.png", "w", force_zip64=True) as member,
    ):
        chunk = bytes(1 << 20)
        for _ in range(megabytes):
            member.write(chunk)
    return buffer.getvalue()


def patch_single_member_zip(
    data: bytes, *, flags: int | None = None, method: int | None = None, size: int | None = None
) -> bytes:
    """Rewrite fields of a one-member zip's local and central headers: a zip that lies
    about its size, claims encryption, or names a compression method nobody has."""
    out = bytearray(data)
    local, central = 0, data.rindex(b"PK\x01\x02")
    assert out[local : local + 4] == b"PK\x03\x04"
    for base, flags_at, method_at, size_at in ((local, 6, 8, 22), (central, 8, 10, 24)):
        if flags is not None:
            struct.pack_into("<H", out, base + flags_at, flags)
        if method is not None:
            struct.pack_into("<H", out, base + method_at, method)
        if size is not None:
            struct.pack_into("<I", out, base + size_at, size)
    return bytes(out)


def lying_zip_bomb(class_name: str) -> bytes:
    """Declares a 1 kB member that inflates to 20 MB: the ratio check sees 1 kB."""
    bomb = make_zip({f"{class_name}/small.png": bytes(20 << 20)})
    return patch_single_member_zip(bomb, size=1000)


def good_member() -> bytes:
    return encode(photo(seed=7), "PNG")


# ---------------------------------------------------------------------- the corpus


@cache
def file_cases(class_name: str) -> tuple[FileCase, ...]:
    """Built once per process (the bombs take a second). Zips hold ``class_name``
    folders, a class the model knows, so only their hostility can get them refused."""
    c = class_name
    jpeg = encode(photo(seed=1), "JPEG")
    png = encode(photo(seed=2), "PNG")
    cases = [
        FileCase("empty", "empty.png", b"", "image/png", NOT_IMAGE),
        FileCase("text", "notes.txt", b"just some text\n" * 20, "text/plain", NOT_IMAGE),
        FileCase("html", "page.html", HTML, "text/html", NOT_IMAGE),
        FileCase(
            "random bytes",
            "noise.jpg",
            np.random.default_rng(0).bytes(64 * 1024),
            "image/jpeg",
            NOT_IMAGE,
        ),
        FileCase("truncated jpeg", "cut.jpg", jpeg[: len(jpeg) // 2], "image/jpeg", NOT_IMAGE),
        FileCase("truncated png", "cut.png", png[: len(png) // 2], "image/png", NOT_IMAGE),
        # Baseline JPEG decoders draw garbage rather than fail: either answer is fine.
        FileCase("corrupt jpeg", "bad.jpg", corrupt_jpeg(), "image/jpeg", OK | NOT_IMAGE),
        FileCase("corrupt png", "bad.png", corrupt_png(), "image/png", NOT_IMAGE),
        FileCase(
            "decompression bomb", "bomb.png", bilevel_png(20_000, 20_000), "image/png", TOO_LARGE
        ),
        # Under the pixel limit but 36 MP: decoded (and explained) within bounded memory.
        FileCase("large sparse image", "big.png", bilevel_png(6_000, 6_000), "image/png", OK),
        FileCase(
            "1x100000",
            "tall.png",
            encode(Image.new("RGB", (1, 100_000), "red"), "PNG"),
            "image/png",
            OK,
        ),
        FileCase(
            "100000x1",
            "wide.png",
            encode(Image.new("RGB", (100_000, 1), "blue"), "PNG"),
            "image/png",
            OK,
        ),
        FileCase(
            "cmyk jpeg", "cmyk.jpg", encode(photo(seed=8).convert("CMYK"), "JPEG"), "image/jpeg", OK
        ),
        FileCase("16-bit png", "deep.png", sixteen_bit(), "image/png", OK),
        FileCase(
            "palette with transparency", "pal.png", palette_with_transparency(), "image/png", OK
        ),
        FileCase("alpha", "alpha.png", rgba(), "image/png", OK),
        FileCase("animated gif", "anim.gif", animated_gif(), "image/gif", OK),
        FileCase("multi-page tiff", "pages.tiff", multipage_tiff(), "image/tiff", OK),
        FileCase("svg", "vector.svg", SVG, "image/svg+xml", NOT_IMAGE),
        FileCase("webp", "pic.webp", encode(photo(seed=9), "WEBP"), "image/webp", OK),
        FileCase("bmp", "pic.bmp", encode(photo(seed=10), "BMP"), "image/bmp", OK),
        FileCase("ico", "favicon.ico", encode(photo((32, 32), seed=11), "ICO"), "image/x-icon", OK),
        FileCase(
            "pdf",
            "doc.pdf",
            b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF",
            "application/pdf",
            NOT_IMAGE,
        ),
        FileCase(
            "eps",
            "art.eps",
            b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 32 32\n",
            "application/postscript",
            NOT_IMAGE,
        ),
        FileCase("png declared as text", "pic.txt", png, "text/plain", OK),
        FileCase("no content type", "pic", png, "application/octet-stream", OK),
        FileCase("traversal filename", "../../../etc/passwd.png", png, "image/png", OK),
        FileCase("long filename", "x" * 1000 + ".png", png, "image/png", OK),
        FileCase(
            "oversized file", "huge.png", png + bytes(MAX_UPLOAD_BYTES), "image/png", TOO_LARGE
        ),
        zip_case(
            "zip renamed .jpg", "photo.jpg", make_zip({f"{c}/a.png": good_member()}), "image/jpeg"
        ),
        zip_case(
            "zip slip",
            "slip.zip",
            make_zip(
                {
                    "../../evil/a.png": good_member(),
                    "/abs/b.png": good_member(),
                    f"{c}/../../c.png": good_member(),
                }
            ),
        ),
        zip_case(
            "nested zip",
            "nested.zip",
            make_zip(
                {
                    f"{c}/inner.zip": make_zip({f"{c}/a.png": good_member()}),
                    f"{c}/inner.png": make_zip({f"{c}/b.png": good_member()}),
                }
            ),
        ),
        zip_case("zip bomb", "bomb.zip", zip_bomb(c)),
        zip_case(
            "zip lying about its size",
            "liar.zip",
            lying_zip_bomb(c),
        ),
        zip_case(
            "zip with an encrypted member",
            "locked.zip",
            patch_single_member_zip(make_zip({f"{c}/a.png": good_member()}), flags=1),
        ),
        zip_case(
            "zip with an unknown compression",
            "odd.zip",
            patch_single_member_zip(make_zip({f"{c}/a.png": good_member()}), method=99),
        ),
        zip_case(
            "zip with unknown classes",
            "classes.zip",
            make_zip(
                {
                    f"../{c}/a.png": good_member(),
                    "not-a-class/a.png": good_member(),
                    f"{c}\\..\\..\\b.png": good_member(),
                    f"{c}/.hidden.png": good_member(),
                }
            ),
        ),
        zip_case(
            "truncated zip",
            "cut.zip",
            make_zip({f"{c}/a.png": good_member()})[:-30],
        ),
    ]
    return tuple(cases)


# Requests that are wrong as requests, not as files: each endpoint gets each one.
RequestBuilder = Callable[[Endpoint], dict[str, Any]]


def _huge_field(endpoint: Endpoint) -> dict[str, Any]:
    png = encode(photo(seed=12), "PNG")
    return {
        "files": [(endpoint.field, ("a.png", png, "image/png"))],
        "data": {"comment": "x" * (2 * 1024 * 1024)},
    }


def _filename_over_header_limit(endpoint: Endpoint) -> dict[str, Any]:
    png = encode(photo(seed=15), "PNG")
    return {"files": [(endpoint.field, ("x" * 5000 + ".png", png, "image/png"))]}


def _control_characters_in_filename(endpoint: Endpoint) -> dict[str, Any]:
    """NUL and a terminal escape in the filename, sent raw (httpx would escape them)."""
    part = (
        b'--hostile\r\nContent-Disposition: form-data; name="'
        + endpoint.field.encode()
        + b'"; filename="a\x00b\x1b[31m.png"\r\nContent-Type: image/png\r\n\r\n'
    )
    return {
        "content": part + encode(photo(seed=16), "PNG") + b"\r\n--hostile--\r\n",
        "headers": {"content-type": "multipart/form-data; boundary=hostile"},
    }


def _many_files(endpoint: Endpoint) -> dict[str, Any]:
    png = encode(photo((8, 8), seed=13), "PNG")
    return {"files": [(endpoint.field, (f"{i}.png", png, "image/png")) for i in range(1001)]}


def _json_body(endpoint: Endpoint) -> dict[str, Any]:
    return {"json": {"file": "aGVsbG8="}}


def _wrong_field(endpoint: Endpoint) -> dict[str, Any]:
    return {"files": [("image", ("a.png", encode(photo(seed=14), "PNG"), "image/png"))]}


def _no_body(endpoint: Endpoint) -> dict[str, Any]:
    return {}


def _bad_boundary(endpoint: Endpoint) -> dict[str, Any]:
    return {
        "content": b'--nope\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc',
        "headers": {"content-type": "multipart/form-data; boundary=other"},
    }


def _form_urlencoded(endpoint: Endpoint) -> dict[str, Any]:
    return {"data": {endpoint.field: "not a file"}}


def _chunked_over_limit(endpoint: Endpoint) -> dict[str, Any]:
    """No Content-Length: the streamed bytes must be counted (70 MB, over every limit)."""
    boundary = b"hostile"

    def body() -> Any:
        yield (
            b"--"
            + boundary
            + b'\r\nContent-Disposition: form-data; name="'
            + endpoint.field.encode()
            + b'"; filename="a.png"\r\n'
            + b"Content-Type: image/png\r\n\r\n"
        )
        chunk = bytes(1 << 20)
        for _ in range(70):
            yield chunk
        yield b"\r\n--" + boundary + b"--\r\n"

    return {"content": body(), "headers": {"content-type": "multipart/form-data; boundary=hostile"}}


def _declared_over_limit(endpoint: Endpoint) -> dict[str, Any]:
    """A Content-Length over every endpoint's limit (70 MB): refused before reading."""
    part = (
        b'--hostile\r\nContent-Disposition: form-data; name="'
        + endpoint.field.encode()
        + b'"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n'
    )
    return {
        "content": part + bytes(70 << 20) + b"\r\n--hostile--\r\n",
        "headers": {"content-type": "multipart/form-data; boundary=hostile"},
    }


REQUEST_CASES: dict[str, tuple[RequestBuilder, frozenset[int]]] = {
    "huge multipart field": (_huge_field, frozenset({400, 413})),
    "1001 files": (_many_files, frozenset({400, 413})),
    "control characters in the filename": (_control_characters_in_filename, OK),
    "filename over the part-header limit": (_filename_over_header_limit, frozenset({400})),
    "json instead of multipart": (_json_body, frozenset({422})),
    "wrong field name": (_wrong_field, frozenset({422})),
    "no body": (_no_body, frozenset({422})),
    "bad multipart boundary": (_bad_boundary, frozenset({400, 422})),
    "form-urlencoded": (_form_urlencoded, frozenset({422})),
    "chunked body over the limit": (_chunked_over_limit, frozenset({413})),
    "content-length over the limit": (_declared_over_limit, frozenset({413})),
}


# ---------------------------------------------------------------------- judging answers

# Exotic but legitimate: a zip of class folders sent under an image's name is a zip.
ACCEPTED_ZIPS = frozenset({"zip renamed .jpg"})


def judge_error(status: int, body: Any) -> list[str]:
    """Problems with an answer's shape: never a 5xx, always JSON, errors {detail, code}."""
    if status >= 500:
        return [f"answered {status}"]
    if not isinstance(body, dict):
        return [f"answered {status} with a body that is not a JSON object"]
    if status >= 400:
        if not (isinstance(body.get("detail"), str) and isinstance(body.get("code"), str)):
            return [f"error {status} without detail and code: {body}"]
        if status == 413 and not any(ch.isdigit() for ch in body["detail"]):
            return [f"413 without the limit in its message: {body['detail']!r}"]
    return []


def judge_file(endpoint: Endpoint, case: FileCase, status: int, body: Any) -> list[str]:
    """Problems with the answer to one file of the corpus; [] when it is right."""
    if problems := judge_error(status, body):
        return problems
    if not endpoint.multi:
        if status not in case.expect:
            return [f"answered {status}, expected {sorted(case.expect)}: {body}"]
        if status == 200 and "prediction" not in body:
            return [f"200 without a prediction: {body}"]
        if status == 200 and endpoint.path == "/api/explain" and not body.get("heatmap_png"):
            return ["explain answered without a heat map"]
        return []
    if status != 200:
        return [f"answered {status}, expected 200 with a report per file: {body}"]
    if endpoint.admin:
        return _judge_upload(case, body)
    return _judge_batch(case, body)


def _judge_batch(case: FileCase, body: dict[str, Any]) -> list[str]:
    results = body.get("results", [])
    if len(results) != 1:
        return [f"expected one result, got {results}"]
    result = results[0]
    if 200 not in case.expect and "error" not in result:
        return [f"classified a file that should be refused: {result}"]
    if case.expect == OK and "prediction" not in result:
        return [f"refused a valid image: {result}"]
    if "error" in result and not {"detail", "code"} <= set(result["error"]):
        return [f"per-file error without detail and code: {result}"]
    return []


def _judge_upload(case: FileCase, body: dict[str, Any]) -> list[str]:
    if not {"uploaded", "duplicates", "rejected", "class_counts"} <= set(body):
        return [f"not an upload report: {body}"]
    kept = body["uploaded"] + body["duplicates"]
    if case.expect == OK and not case.zip and (kept != 1 or body["rejected"]):
        return [f"a valid image was not kept: {body}"]
    if 200 not in case.expect and case.name not in ACCEPTED_ZIPS:
        if kept:
            return [f"kept something from a hostile file: {body}"]
        if not body["rejected"]:
            return [f"a hostile file was neither kept nor reported: {body}"]
    return []


def judge_request(expect: frozenset[int], status: int, body: Any) -> list[str]:
    if problems := judge_error(status, body):
        return problems
    if status not in expect:
        return [f"answered {status}, expected {sorted(expect)}: {body}"]
    return []
