"""Preprocessing: every image mode and quirk a user can send becomes the same RGB input."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from sightline.data.preprocessing import decode_image, image_to_input, to_rgb
from sightline.errors import InvalidImage, TooLarge
from tests.factories import encode

RED = (220, 20, 30)


def solid(mode: str, size: tuple[int, int] = (40, 30)) -> Image.Image:
    return Image.new("RGB", size, RED).convert(mode)


@pytest.mark.parametrize("mode", ["RGB", "L", "P", "RGBA", "CMYK", "LA", "I;16", "I", "F"])
def test_every_mode_becomes_rgb_uint8(mode: str) -> None:
    image = solid(mode) if mode not in ("I;16", "I", "F") else Image.new(mode, (40, 30), 300)
    out = to_rgb(image)
    assert out.mode == "RGB"
    assert out.size == (40, 30)


def test_cmyk_jpeg_keeps_its_colour() -> None:
    data = encode(solid("CMYK"), "JPEG", quality=95)
    pixel = image_to_input(data, (8, 8))[4, 4]
    assert pixel[0] > 150 and pixel[1] < 90 and pixel[2] < 90  # still red


def test_sixteen_bit_png_is_scaled_not_clipped() -> None:
    ramp = (np.arange(64 * 64).reshape(64, 64) * 16).astype(np.uint16)
    data = encode(Image.fromarray(ramp), "PNG")
    out = image_to_input(data, (64, 64))
    assert out.dtype == np.uint8
    assert out.max() >= 250 and out.min() == 0  # the full range survives


def test_transparency_is_composited_on_white() -> None:
    rgba = Image.new("RGBA", (16, 16), (0, 0, 0, 0))
    out = image_to_input(encode(rgba, "PNG"), (16, 16))
    assert (out == 255).all()


def test_palette_with_transparency() -> None:
    image = Image.new("P", (16, 16), 0)
    image.putpalette([0, 0, 0] * 256)
    data = encode(image, "PNG", transparency=0)
    assert (image_to_input(data, (16, 16)) == 255).all()


def test_exif_orientation_is_applied() -> None:
    # A 40x20 landscape image stored with "rotate 90" in EXIF is portrait when upright.
    image = Image.new("RGB", (40, 20), RED)
    exif = Image.Exif()
    exif[0x0112] = 6
    upright = decode_image(encode(image, "JPEG", exif=exif.tobytes()))
    assert upright.size == (20, 40)


def test_first_frame_of_an_animation() -> None:
    frames = [Image.new("RGB", (16, 16), c) for c in ((255, 0, 0), (0, 0, 255))]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=50)
    pixel = image_to_input(buffer.getvalue(), (16, 16))[8, 8]
    assert pixel[0] > 200 and pixel[2] < 50


def test_resize_is_antialiased_to_model_size() -> None:
    # A fine checkerboard averages to grey when antialiased; nearest-neighbour would not.
    board = (np.indices((256, 256)).sum(axis=0) % 2 * 255).astype(np.uint8)
    out = image_to_input(encode(Image.fromarray(board, "L"), "PNG"), (32, 32))
    assert out.shape == (32, 32, 3)
    assert 100 < out.mean() < 155 and out.std() < 30


def test_empty_text_and_truncated_are_refused() -> None:
    with pytest.raises(InvalidImage) as empty:
        image_to_input(b"")
    assert empty.value.code == "empty_file"
    with pytest.raises(InvalidImage):
        image_to_input(b"this is not an image")
    noise = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    jpeg = encode(Image.fromarray(noise), "JPEG")
    with pytest.raises(InvalidImage) as truncated:
        image_to_input(jpeg[: len(jpeg) // 2])
    assert truncated.value.code == "corrupt_image"


def test_pixel_limit_is_an_error_not_a_warning() -> None:
    data = encode(Image.new("L", (2000, 2000)), "PNG")
    with pytest.raises(TooLarge, match="pixels"):
        image_to_input(data, max_pixels=1_000_000)
