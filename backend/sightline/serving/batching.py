"""Micro-batching: concurrent predictions share one model call.

A request announces itself while its upload is being decoded (``incoming``), then hands
its image to ``MicroBatcher.predict`` and awaits its own row of probabilities. One
collector task on the event loop takes the oldest waiting request and, while other
requests are still being decoded, lets them join it until that request has waited
``max_wait_ms`` (or ``max_size`` are waiting); then it runs them as one batch on a
single inference thread. While that batch runs, the next one forms, so under load
batches grow by themselves and nobody waits for the timer; a request that comes alone
never waits at all, since nobody is on the way to join it.

One inference thread, because TensorFlow already spreads one call over the cores
(see ``predictor.configure_threads``): two concurrent calls would only fight for them.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from sightline.config import Settings
from sightline.errors import ModelUnavailable
from sightline.serving.predictor import Predictor

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Waiting:
    predictor: Predictor
    image: np.ndarray
    future: asyncio.Future[np.ndarray]
    enqueued_at: float


@dataclass
class BatchStats:
    """Counts since start, for metrics and the benchmark."""

    batches: int = 0
    images: int = 0
    largest: int = 0
    sizes: dict[int, int] = field(default_factory=dict)

    def record(self, size: int) -> None:
        self.batches += 1
        self.images += size
        self.largest = max(self.largest, size)
        self.sizes[size] = self.sizes.get(size, 0) + 1

    @property
    def mean_size(self) -> float:
        return self.images / self.batches if self.batches else 0.0


class MicroBatcher:
    def __init__(self, max_size: int = 64, max_wait_ms: float = 2.0) -> None:
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        self.max_size = max_size
        self.max_wait = max(0.0, max_wait_ms) / 1000
        self.stats = BatchStats()
        self._waiting: deque[_Waiting] = deque()
        self._incoming = 0  # requests decoding their upload, about to call predict()
        self._arrived = asyncio.Event()
        self._collector: asyncio.Task[None] | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._closing = False

    @classmethod
    def from_settings(cls, settings: Settings) -> MicroBatcher:
        return cls(settings.batch_max_size, settings.batch_max_wait_ms)

    @property
    def running(self) -> bool:
        return self._collector is not None and not self._collector.done()

    def start(self) -> None:
        """Start the collector on the running event loop (idempotent)."""
        if self.running:
            return
        self._closing = False
        self._arrived = asyncio.Event()  # bound to this loop
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="sightline-infer")
        self._collector = asyncio.create_task(self._collect(), name="sightline-batcher")

    async def stop(self, timeout: float = 10.0) -> None:
        """Answer what is already waiting, then stop; later requests are refused."""
        self._closing = True
        self._arrived.set()
        collector, self._collector = self._collector, None
        if collector is not None:
            try:
                await asyncio.wait_for(asyncio.shield(collector), timeout)
            except TimeoutError:
                collector.cancel()
                log.warning("micro-batcher stopped with requests still waiting")
        self._fail_waiting(ModelUnavailable("The server is shutting down; try again."))
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    @contextmanager
    def incoming(self) -> Iterator[None]:
        """Counts a request as on its way (decoding) for as long as the block runs, so
        the collector waits for it; it calls ``predict`` right after, or fails."""
        self._incoming += 1
        try:
            yield
        finally:
            self._incoming -= 1
            self._arrived.set()  # re-check: it arrives now, or is not coming

    async def predict(self, predictor: Predictor, image: np.ndarray) -> np.ndarray:
        """Probabilities (classes,) for one uint8 image (H, W, 3), computed in a batch."""
        if self._closing:
            raise ModelUnavailable("The server is shutting down; try again.")
        self.start()
        loop = asyncio.get_running_loop()
        waiting = _Waiting(predictor, image, loop.create_future(), loop.time())
        self._waiting.append(waiting)
        self._arrived.set()
        return await waiting.future

    async def _collect(self) -> None:
        while not (self._closing and not self._waiting):
            batch = await self._next_batch()
            if batch:
                await self._run(batch)

    async def _next_batch(self) -> list[_Waiting]:
        while not self._waiting:
            if self._closing:
                return []
            self._arrived.clear()
            await self._arrived.wait()
        deadline = self._waiting[0].enqueued_at + self.max_wait
        loop = asyncio.get_running_loop()
        while len(self._waiting) < self.max_size and self._incoming and not self._closing:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            self._arrived.clear()
            try:
                async with asyncio.timeout(remaining):
                    await self._arrived.wait()
            except TimeoutError:
                break
        count = min(self.max_size, len(self._waiting))
        return [self._waiting.popleft() for _ in range(count)]

    async def _run(self, batch: list[_Waiting]) -> None:
        # Requests whose client went away are skipped; a hot swap can put two model
        # versions in one batch, and each request is answered by the one it started with.
        live = [waiting for waiting in batch if not waiting.future.done()]
        for predictor, group in _by_predictor(live):
            images = [waiting.image for waiting in group]
            assert self._executor is not None
            try:
                probabilities = await asyncio.get_running_loop().run_in_executor(
                    self._executor, _infer, predictor, images
                )
            except Exception as exc:
                log.exception("inference of a batch of %d failed", len(group))
                for waiting in group:
                    if not waiting.future.done():
                        waiting.future.set_exception(exc)
                continue
            self.stats.record(len(group))
            for waiting, row in zip(group, probabilities, strict=True):
                if not waiting.future.done():
                    waiting.future.set_result(row)

    def _fail_waiting(self, error: Exception) -> None:
        while self._waiting:
            waiting = self._waiting.popleft()
            if not waiting.future.done():
                waiting.future.set_exception(error)


def _by_predictor(batch: list[_Waiting]) -> list[tuple[Predictor, list[_Waiting]]]:
    groups: dict[int, tuple[Predictor, list[_Waiting]]] = {}
    for waiting in batch:
        groups.setdefault(id(waiting.predictor), (waiting.predictor, []))[1].append(waiting)
    return list(groups.values())


def _infer(predictor: Predictor, images: list[np.ndarray]) -> np.ndarray:
    return predictor.predict_arrays(np.stack(images))
