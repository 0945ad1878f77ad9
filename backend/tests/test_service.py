"""The prediction service with the real quick-trained model behind the micro-batcher:
concurrent requests share model calls, each gets exactly the answer it would get alone,
from the model version it started with, and every model call is counted in
``sightline_batch_size``."""

from __future__ import annotations

import asyncio
import io
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from sightline.config import Settings
from sightline.data.synthetic import SHAPES
from sightline.serving.predictor import Predictor, configure_threads
from sightline.serving.service import ModelBatcher, model_batcher, run_model_batch
from tests.factories import image_bytes

# Batched and single calls may pick different kernels: equal up to float rounding.
TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def predictor(quick_model_dir: Path) -> Predictor:
    configure_threads(2)
    return Predictor("v1", quick_model_dir)


class CountedPredictor(Predictor):
    """A real predictor that records the size of each model call."""

    def __init__(self, version: str, directory: Path) -> None:
        self.calls: list[int] = []
        super().__init__(version, directory)
        self.calls.clear()  # the warm-up calls are not requests

    def predict_arrays(self, images: np.ndarray) -> np.ndarray:
        self.calls.append(len(images))
        return super().predict_arrays(images)


def decoded(seed: int, shape: str = "circle") -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(image_bytes(shape, seed=seed))).convert("RGB"))


def alone(predictor: Predictor, image: np.ndarray) -> np.ndarray:
    return predictor.predict_arrays(image[None])[0]


async def infer_all(
    batcher: ModelBatcher, predictors: list[Predictor], images: list[np.ndarray]
) -> list[np.ndarray]:
    try:
        pairs = zip(predictors, images, strict=True)
        return list(await asyncio.gather(*(batcher.submit(pair) for pair in pairs)))
    finally:
        await batcher.stop()


def test_concurrent_requests_share_model_calls_and_get_their_own_answers(
    settings: Settings, quick_model_dir: Path
) -> None:
    model = CountedPredictor("v1", quick_model_dir)
    images = [decoded(seed, SHAPES[seed % 3]) for seed in range(20)]
    batcher = model_batcher(settings.model_copy(update={"batch_max_size": 8}))
    results = asyncio.run(infer_all(batcher, [model] * 20, images))
    assert model.calls == [8, 8, 4]
    for image, result in zip(images, results, strict=True):
        np.testing.assert_allclose(result, alone(model, image), atol=TOLERANCE)
    assert len({int(np.argmax(r)) for r in results}) > 1  # really different answers


def test_each_request_is_answered_by_the_model_it_started_with(quick_model_dir: Path) -> None:
    # As during a hot swap: two loaded versions in one batch.
    old, new = CountedPredictor("v1", quick_model_dir), CountedPredictor("v2", quick_model_dir)
    images = [decoded(seed) for seed in range(6)]
    # The second version's head is scaled, so its answers differ from the first's.
    head = new.model.get_layer("backbone").get_layer("head")
    head.kernel.assign(head.kernel * 3.0)
    results = run_model_batch([(m, image) for m, image in zip([old, new] * 3, images, strict=True)])
    assert (old.calls, new.calls) == ([3], [3])  # one model call per version
    for model, image, result in zip([old, new] * 3, images, results, strict=True):
        np.testing.assert_allclose(result, alone(model, image), atol=TOLERANCE)
    assert not np.allclose(alone(old, images[0]), alone(new, images[0]), atol=1e-3)


def test_a_failed_model_call_fails_its_requests_only(
    settings: Settings, predictor: Predictor
) -> None:
    async def scenario() -> tuple[BaseException | np.ndarray, np.ndarray]:
        batcher = model_batcher(settings)
        try:
            wrong_size = np.zeros((16, 16, 3), np.uint8)
            failed = (
                await asyncio.gather(
                    batcher.submit((predictor, wrong_size)), return_exceptions=True
                )
            )[0]
            return failed, await batcher.submit((predictor, decoded(1)))
        finally:
            await batcher.stop()

    failed, later = asyncio.run(scenario())
    assert isinstance(failed, ValueError)
    np.testing.assert_allclose(later, alone(predictor, decoded(1)), atol=TOLERANCE)


def batch_size_histogram(client: TestClient) -> tuple[float, float]:
    """(model calls, images) counted in sightline_batch_size so far."""
    text = client.get("/metrics").text
    count = re.search(r"^sightline_batch_size_count (\S+)$", text, re.MULTILINE)
    total = re.search(r"^sightline_batch_size_sum (\S+)$", text, re.MULTILINE)
    return (float(count[1]), float(total[1])) if count and total else (0.0, 0.0)


def test_concurrent_http_requests_match_unbatched_inference_and_are_CountedPredictor(
    settings: Settings, predictor: Predictor
) -> None:
    from sightline.api.main import create_app

    settings.batch_max_wait_ms = 20.0  # a generous window, so requests meet
    uploads = [image_bytes(SHAPES[i % 3], seed=100 + i) for i in range(16)]
    with TestClient(create_app(settings)) as client, ThreadPoolExecutor(8) as pool:
        calls_before, images_before = batch_size_histogram(client)
        answers = list(
            pool.map(
                lambda data: client.post("/api/predict", files={"file": ("x.png", data)}), uploads
            )
        )
        batch = client.post(
            "/api/predict/batch",
            files=[("files", (f"{i}.png", data)) for i, data in enumerate(uploads)],
        )
        calls, images = batch_size_histogram(client)
    assert all(answer.status_code == 200 for answer in answers)
    assert len({answer.json()["id"] for answer in answers}) == len(uploads)
    # Every image went through exactly one observed model call, and they were shared.
    assert images - images_before == 2 * len(uploads)
    assert 1 <= calls - calls_before < 2 * len(uploads)
    for data, answer, in_batch in zip(uploads, answers, batch.json()["results"], strict=True):
        expected = alone(predictor, decoded_upload(data))
        for body in (answer.json(), in_batch):
            got = np.array(list(body["probabilities"].values()))
            np.testing.assert_allclose(got, expected, atol=TOLERANCE)
            assert body["prediction"] == predictor.class_names[int(np.argmax(expected))]


def decoded_upload(data: bytes) -> np.ndarray:
    from sightline.data.preprocessing import image_to_input

    return image_to_input(data, (32, 32))


def solid_png(width: int, height: int) -> bytes:
    """A few hundred bytes that decode to width x height pixels."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_small_uploads_of_many_pixels_are_decoded_and_limits_still_hold(
    settings: Settings, predictor: Predictor
) -> None:
    """Small uploads decode on the event loop, bounded in pixels: one that expands past
    that bound is still answered (decoded in a thread), and the service's own pixel
    limit refuses it on either path."""
    from sightline.api.main import create_app
    from sightline.serving.service import INLINE_DECODE_BYTES, INLINE_DECODE_PIXELS

    wide = solid_png(1200, 1200)
    assert len(wide) <= INLINE_DECODE_BYTES and INLINE_DECODE_PIXELS < 1200 * 1200
    with TestClient(create_app(settings)) as client:
        answer = client.post("/api/predict", files={"file": ("wide.png", wide)})
        assert answer.status_code == 200, answer.text
        got = np.array(list(answer.json()["probabilities"].values()))
        np.testing.assert_allclose(got, alone(predictor, decoded_upload(wide)), atol=TOLERANCE)

        settings.max_image_pixels = 1000 * 1000  # over the inline bound: the thread refuses
        refused = client.post("/api/predict", files={"file": ("wide.png", wide)})
        assert refused.status_code == 413 and "pixels" in refused.json()["detail"]

        settings.max_image_pixels = 100 * 100  # under the inline bound: refused inline
        refused = client.post("/api/predict", files={"file": ("mid.png", solid_png(120, 120))})
        assert refused.status_code == 413 and "pixels" in refused.json()["detail"]
        small = client.post("/api/predict", files={"file": ("ok.png", solid_png(32, 32))})
        assert small.status_code == 200
