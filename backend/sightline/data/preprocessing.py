"""The one place images become model input, for training and serving alike.

The saved model takes raw 0-255 RGB at its input size and normalises inside itself,
so all that happens here is decoding: any format Pillow reads, EXIF orientation
applied, any mode to RGB, the first frame of animations, and an antialiased resize.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from sightline.errors import InvalidImage, TooLarge

DEFAULT_MAX_PIXELS = 40_000_000
# Formats a client may send; anything else (EPS, PDF, ...) is refused, because some
# Pillow plugins shell out or parse far more than an image classifier needs.
ALLOWED_FORMATS = frozenset(
    {"JPEG", "PNG", "GIF", "BMP", "TIFF", "WEBP", "ICO", "PPM", "MPO", "DIB", "TGA"}
)
# Only these plugins may even parse the header: Pillow otherwise tries every plugin it
# has (PSD, FLI, SGI, ...), each more parser code exposed to hostile bytes. MPO files
# open through the JPEG plugin.
OPENERS = tuple(sorted(ALLOWED_FORMATS - {"MPO"}))


def decode_image(
    data: bytes,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_frames: int | None = None,
    draft_size: tuple[int, int] | None = None,
) -> Image.Image:
    """Decode bytes into an upright RGB image, or raise InvalidImage / TooLarge.

    ``draft_size`` (width, height) lets JPEG decode at a reduced scale when only a
    small image is wanted, which is most of the cost for large photos.
    """
    if not data:
        raise InvalidImage("The file is empty.", code="empty_file")
    image = _open_checked(data, max_pixels=max_pixels, max_frames=max_frames)
    try:
        image.seek(0)
        if draft_size is not None and image.format == "JPEG":
            image.draft("RGB", draft_size)
        image = ImageOps.exif_transpose(image) or image
        return to_rgb(image)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise InvalidImage(
            f"The image could not be decoded: it is truncated or corrupt ({exc}).",
            code="corrupt_image",
        ) from exc


def _open_checked(data: bytes, *, max_pixels: int, max_frames: int | None) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Pillow only warns between max_pixels and 2x; make every bomb an error.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=OPENERS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise TooLarge(f"The image has too many pixels (limit {max_pixels}).") from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise InvalidImage(
            "The file is not an image Sightline can read (JPEG, PNG, GIF, BMP, TIFF, WebP...).",
        ) from exc
    if image.format not in ALLOWED_FORMATS:
        raise InvalidImage(f"Image format {image.format} is not supported.")
    width, height = image.size
    if width < 1 or height < 1:
        raise InvalidImage("The image has no pixels.", code="corrupt_image")
    if width * height > max_pixels:
        raise TooLarge(
            f"The image is {width}x{height} = {width * height} pixels; the limit is {max_pixels}."
        )
    n_frames = getattr(image, "n_frames", 1)
    if max_frames is not None and n_frames > max_frames:
        raise TooLarge(f"The image has {n_frames} frames; the limit is {max_frames}.")
    return image


def to_rgb(image: Image.Image) -> Image.Image:
    """Any Pillow mode to 8-bit RGB; transparency is composited onto white."""
    if image.mode == "RGB":
        image.load()
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        array = np.asarray(image, dtype=np.float64)
        peak = array.max() if array.size else 0.0
        scale = 255.0 / peak if peak > 255 else 1.0
        image = Image.fromarray(np.clip(array * scale, 0, 255).astype(np.uint8))
    elif image.mode == "F":
        array = np.asarray(image, dtype=np.float64)
        lo, hi = float(array.min()), float(array.max())
        span = hi - lo or 1.0
        image = Image.fromarray(((array - lo) / span * 255).astype(np.uint8))
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def resize_for_model(image: Image.Image, size: tuple[int, int]) -> np.ndarray:
    """Antialiased resize to (height, width); returns uint8 (H, W, 3)."""
    height, width = size
    if image.size != (width, height):
        image = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return np.asarray(image, dtype=np.uint8)


def image_to_input(
    data: bytes,
    size: tuple[int, int] = (32, 32),
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_frames: int | None = None,
) -> np.ndarray:
    """Bytes of any supported image to the model's raw uint8 input (H, W, 3)."""
    image = decode_image(
        data, max_pixels=max_pixels, max_frames=max_frames, draft_size=(size[1] * 4, size[0] * 4)
    )
    return resize_for_model(image, size)
