"""The micro-batcher with the real quick-trained model: concurrent requests share
model calls, and each gets exactly the answer it would get alone."""

from __future__ import annotations

import asyncio
import contextlib
import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from sightline.config import Settings
from sightline.data.synthetic import SHAPES
from sightline.errors import ModelUnavailable
from sightline.serving.batching import MicroBatcher
from sightline.serving.predictor import Predictor, configure_threads
from tests.conftest import image_bytes

# Batched and single calls may pick different kernels: equal up to float rounding.
TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def predictor(quick_model_dir: Path) -> Predictor:
    configure_threads(2)
    return Predictor("v1", quick_model_dir)


def decoded(seed: int, shape: str = "circle") -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(image_bytes(shape, seed=seed))).convert("RGB"))


def alone(predictor: Predictor, image: np.ndarray) -> np.ndarray:
    return predictor.predict_arrays(image[None])[0]


async def predict_all(
    batcher: MicroBatcher, predictors: list[Predictor], images: list[np.ndarray]
) -> list[np.ndarray]:
    try:
        return list(
            await asyncio.gather(
                *(batcher.predict(p, image) for p, image in zip(predictors, images, strict=True))
            )
        )
    finally:
        await batcher.stop()


def test_concurrent_requests_share_batches_and_get_their_own_answers(
    predictor: Predictor,
) -> None:
    images = [decoded(seed, SHAPES[seed % 3]) for seed in range(20)]
    batcher = MicroBatcher(max_size=8, max_wait_ms=0)
    results = asyncio.run(predict_all(batcher, [predictor] * 20, images))
    # All 20 arrive before the collector first runs: batches of 8, 8 and 4.
    assert batcher.stats.sizes == {8: 2, 4: 1}
    for image, result in zip(images, results, strict=True):
        np.testing.assert_allclose(result, alone(predictor, image), atol=TOLERANCE)
    assert len({int(np.argmax(r)) for r in results}) > 1  # really different answers


def test_each_request_is_answered_by_the_model_it_started_with(
    predictor: Predictor, quick_model_dir: Path
) -> None:
    # As during a hot swap: two loaded versions in one gathering.
    other = Predictor("v2", quick_model_dir)
    images = [decoded(seed) for seed in range(6)]
    predictors = [predictor, other] * 3
    batcher = MicroBatcher(max_size=64, max_wait_ms=0)
    results = asyncio.run(predict_all(batcher, predictors, images))
    assert batcher.stats.sizes == {3: 2}  # one model call per version
    for image, result in zip(images, results, strict=True):
        np.testing.assert_allclose(result, alone(predictor, image), atol=TOLERANCE)


def test_a_failed_model_call_fails_its_requests_only(predictor: Predictor) -> None:
    async def scenario() -> tuple[BaseException | np.ndarray, np.ndarray]:
        batcher = MicroBatcher(max_size=8, max_wait_ms=0)
        try:
            wrong_size = np.zeros((16, 16, 3), np.uint8)
            failed = (
                await asyncio.gather(batcher.predict(predictor, wrong_size), return_exceptions=True)
            )[0]
            return failed, await batcher.predict(predictor, decoded(1))
        finally:
            await batcher.stop()

    failed, later = asyncio.run(scenario())
    assert isinstance(failed, ValueError)
    np.testing.assert_allclose(later, alone(predictor, decoded(1)), atol=TOLERANCE)


def test_stop_answers_waiting_requests_then_refuses_new_ones(predictor: Predictor) -> None:
    async def scenario() -> tuple[list[np.ndarray], BaseException | None]:
        batcher = MicroBatcher(max_size=4, max_wait_ms=1000)
        waiting = [asyncio.ensure_future(batcher.predict(predictor, decoded(s))) for s in range(6)]
        await asyncio.sleep(0)  # let them queue
        await batcher.stop()
        answered = [task.result() for task in waiting]
        try:
            await batcher.predict(predictor, decoded(0))
        except ModelUnavailable as exc:
            return answered, exc
        return answered, None

    answered, refused = asyncio.run(scenario())
    assert len(answered) == 6 and isinstance(refused, ModelUnavailable)


def test_a_lone_request_does_not_wait_for_company(predictor: Predictor) -> None:
    async def scenario() -> np.ndarray:
        batcher = MicroBatcher(max_size=8, max_wait_ms=600_000)  # ten minutes
        try:
            # Nobody else is decoding: waiting the ten minutes would time this out.
            return await asyncio.wait_for(batcher.predict(predictor, decoded(3)), 60)
        finally:
            await batcher.stop()

    np.testing.assert_allclose(
        asyncio.run(scenario()), alone(predictor, decoded(3)), atol=TOLERANCE
    )


def test_a_request_still_decoding_is_waited_for(predictor: Predictor) -> None:
    async def scenario() -> MicroBatcher:
        batcher = MicroBatcher(max_size=2, max_wait_ms=600_000)
        try:
            with batcher.incoming():  # the second request, decoding its upload
                first = asyncio.ensure_future(batcher.predict(predictor, decoded(1)))
                await asyncio.sleep(0.2)
                assert not first.done()  # held for the one on its way
            second = await batcher.predict(predictor, decoded(2))
            np.testing.assert_allclose(second, alone(predictor, decoded(2)), atol=TOLERANCE)
            await first
            return batcher
        finally:
            await batcher.stop()

    assert asyncio.run(scenario()).stats.sizes == {2: 1}  # one model call for both


def test_a_request_that_fails_to_decode_is_not_waited_for(predictor: Predictor) -> None:
    async def scenario() -> np.ndarray:
        batcher = MicroBatcher(max_size=8, max_wait_ms=600_000)
        try:
            first = None
            with contextlib.suppress(ValueError), batcher.incoming():
                first = asyncio.ensure_future(batcher.predict(predictor, decoded(4)))
                await asyncio.sleep(0)
                raise ValueError("not an image")  # it never reaches predict()
            assert first is not None
            return await asyncio.wait_for(first, 60)
        finally:
            await batcher.stop()

    np.testing.assert_allclose(
        asyncio.run(scenario()), alone(predictor, decoded(4)), atol=TOLERANCE
    )


def test_concurrent_http_requests_match_unbatched_inference(
    settings: Settings, predictor: Predictor
) -> None:
    from sightline.api.main import create_app

    settings.batch_max_wait_ms = 20.0  # a generous window, so requests meet
    uploads = [image_bytes(SHAPES[i % 3], seed=100 + i) for i in range(16)]
    with TestClient(create_app(settings)) as client, ThreadPoolExecutor(8) as pool:
        answers = list(
            pool.map(
                lambda data: client.post("/api/predict", files={"file": ("x.png", data)}), uploads
            )
        )
        batch = client.post(
            "/api/predict/batch",
            files=[("files", (f"{i}.png", data)) for i, data in enumerate(uploads)],
        )
    assert all(answer.status_code == 200 for answer in answers)
    assert len({answer.json()["id"] for answer in answers}) == len(uploads)
    for data, answer, in_batch in zip(uploads, answers, batch.json()["results"], strict=True):
        expected = alone(predictor, decoded_upload(data))
        for body in (answer.json(), in_batch):
            got = np.array(list(body["probabilities"].values()))
            np.testing.assert_allclose(got, expected, atol=TOLERANCE)
            assert body["prediction"] == predictor.class_names[int(np.argmax(expected))]


def decoded_upload(data: bytes) -> np.ndarray:
    from sightline.data.preprocessing import image_to_input

    return image_to_input(data, (32, 32))
