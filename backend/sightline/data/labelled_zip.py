"""Zips of labelled images: which member is which class (and which split), from the
zip's listing alone, before a byte of any image is read.

Two layouts: ``<class>/<image>`` (one folder per class), or ``train/<class>/<image>``
with an optional ``test/<class>/<image>``. One folder wrapping everything (what zipping
a folder makes) is looked through. The legacy layout (``/upload-training-data``) takes
the folder an image sits in as its class, at any depth. Members are never extracted by
name; their bytes are read in memory, within the limits on count, size and ratio.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from sightline.data.datasets import IMAGE_SUFFIXES
from sightline.data.names import printable
from sightline.errors import InvalidField, TooLarge

SPLITS = ("train", "test")
MAX_CLASS_NAME = 128  # the width of training_uploads.class_name
LAYOUT = (
    "<class>/<image> (one folder per class), or train/<class>/<image> "
    "with an optional test/<class>/<image>"
)

# What zipfile raises on hostile archives; all of them mean "refuse this member".
ZIP_READ_ERRORS = (
    zipfile.BadZipFile,
    ValueError,
    RuntimeError,
    NotImplementedError,
    EOFError,
    OSError,
    zlib.error,
)


@dataclass(frozen=True)
class ZipLimits:
    max_files: int
    max_uncompressed_bytes: int
    max_ratio: float
    max_member_bytes: int


@dataclass(frozen=True)
class LabelledMember:
    filename: str  # "<zip name>:<member path>", printable: what reports name
    class_name: str
    split: str | None  # "train" / "test" from the folder; None without split folders
    info: zipfile.ZipInfo


@dataclass
class LabelledZip:
    """A zip's labelled members, and the members refused (filename, reason)."""

    archive: zipfile.ZipFile | None
    members: list[LabelledMember] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)

    def read(self, member: LabelledMember) -> bytes:
        """The member's bytes; raises one of ZIP_READ_ERRORS when they cannot be read
        (a failing CRC, encryption, an unknown compression)."""
        assert self.archive is not None
        return self.archive.read(member.info)


def is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def class_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a class name, or None when it can."""
    if not name.strip():
        return "A class name cannot be blank."
    if len(name) > MAX_CLASS_NAME:
        return f"A class name has at most {MAX_CLASS_NAME} characters, not {len(name)}."
    if printable(name, MAX_CLASS_NAME) != name or "/" in name or "\\" in name:
        return f"{printable(name)!r} cannot be a class name: no control characters or slashes."
    return None


def read_labelled_zip(
    name: str, data: bytes, limits: ZipLimits, *, legacy: bool = False
) -> LabelledZip:
    """The zip's members with their class and split. Raises 413 past the limits and 422
    ``no_class_folders`` when no image sits in a class folder; an unreadable zip is one
    rejection."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [info for info in archive.infolist() if not info.is_dir()]
    except ZIP_READ_ERRORS as exc:
        return LabelledZip(None, rejected=[(name, f"The zip could not be read: {exc}.")])
    _check_limits(name, infos, limits)
    parsed = LabelledZip(archive)
    images: list[tuple[zipfile.ZipInfo, str, tuple[str, ...]]] = []
    for info in infos:
        member = printable(f"{name}:{info.filename}")
        if _unsafe_member(info.filename):
            parsed.rejected.append((member, "Unsafe path in the zip (absolute or '..'); skipped."))
        elif _is_image(info.filename):
            images.append((info, member, PurePosixPath(info.filename).parts))
    labels = _legacy_labels(images) if legacy else _labels(images)
    for (info, member, _parts), label in zip(images, labels, strict=True):
        if isinstance(label, str):
            parsed.rejected.append((member, label))
            continue
        class_name, split = label
        problem = class_name_problem(class_name) or _size_problem(info, limits)
        if problem:
            parsed.rejected.append((member, problem))
            continue
        parsed.members.append(LabelledMember(member, class_name, split, info))
    if not any(isinstance(label, tuple) for label in labels) and (images or not parsed.rejected):
        # Nothing in a class folder: a layout mistake, said once rather than per image.
        found = "its images outside class folders" if images else "no images"
        raise InvalidField(f"{name} has {found}: lay it out as {LAYOUT}.", code="no_class_folders")
    return parsed


Label = tuple[str, str | None] | str  # (class, split), or why the member has no class


def _labels(images: list[tuple[zipfile.ZipInfo, str, tuple[str, ...]]]) -> list[Label]:
    paths = _without_wrapper([parts for _info, _member, parts in images])
    by_split = any(len(parts) > 1 and parts[0] in SPLITS for parts in paths)
    return [_label(parts, by_split) for parts in paths]


def _label(parts: tuple[str, ...], by_split: bool) -> Label:
    if by_split:
        if parts[0] in SPLITS and len(parts) == 3:
            return parts[1], parts[0]
        return f"Not in a class folder under train/ or test/: expected {LAYOUT}."
    if len(parts) == 2:
        return parts[0], None
    where = "at the top of the zip" if len(parts) == 1 else "nested below its class folder"
    return f"An image {where}: expected {LAYOUT}."


def _without_wrapper(paths: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The paths without the folders that wrap every image (what zipping a folder adds)."""
    while paths and all(
        len(parts) >= 3 and parts[0] == paths[0][0] and parts[0] not in SPLITS for parts in paths
    ):
        paths = [parts[1:] for parts in paths]
    return paths


def _legacy_labels(images: list[tuple[zipfile.ZipInfo, str, tuple[str, ...]]]) -> list[Label]:
    """The folder an image sits in is its class, at any depth (no splits)."""
    return [
        (parts[-2], None)
        if len(parts) >= 2
        else f"An image at the top of the zip: expected {LAYOUT}."
        for _info, _member, parts in images
    ]


def _check_limits(name: str, infos: list[zipfile.ZipInfo], limits: ZipLimits) -> None:
    if len(infos) > limits.max_files:
        raise TooLarge(
            f"{name} has {len(infos)} files; the limit is {limits.max_files}.",
            code="zip_too_many_files",
        )
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed_bytes:
        raise TooLarge(
            f"{name} unpacks to {total} bytes; the limit is {limits.max_uncompressed_bytes}.",
            code="zip_too_large",
        )


def _size_problem(info: zipfile.ZipInfo, limits: ZipLimits) -> str | None:
    ratio = info.file_size / max(1, info.compress_size)
    if ratio > limits.max_ratio or info.file_size > limits.max_member_bytes:
        return (
            f"Compressed {ratio:.0f}:1 to {info.file_size} bytes: over the limits "
            f"({limits.max_ratio:.0f}:1, {limits.max_member_bytes} bytes)."
        )
    return None


def _unsafe_member(member: str) -> bool:
    path = PurePosixPath(member.replace("\\", "/"))
    return path.is_absolute() or ".." in path.parts or ":" in member


def _is_image(member: str) -> bool:
    """An image file, not hidden, not macOS metadata (__MACOSX)."""
    path = PurePosixPath(member)
    hidden = any(part.startswith(".") or part == "__MACOSX" for part in path.parts)
    return path.suffix.lower() in IMAGE_SUFFIXES and not hidden
