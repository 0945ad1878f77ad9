"""Micro-batching: concurrent calls share one call of a batch function.

``MicroBatcher[T_IN, T_OUT]`` knows nothing about models (like BentoML's
CorkDispatcher): it is given a function from a list of inputs to a list of outputs,
one per input, sync or async, and callers ``await batcher.submit(item)``.

A caller announces itself while it prepares its input (``incoming``: decoding an
upload, say), then submits and awaits its own output. One collector task on the event
loop takes the oldest waiting item and, while other callers are still preparing theirs,
lets them join it until that item has waited ``max_wait_ms`` (or ``max_size`` are
waiting); then it runs them as one batch. While that batch runs, the next one forms, so
under load batches grow by themselves and nobody waits for the timer; an item that
comes alone never waits at all, since nobody is on the way to join it.

A sync batch function runs on one worker thread, one batch at a time: the function is
expected to use the cores itself (TensorFlow spreads one call over them), and two
concurrent calls would only fight for them.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Generic, TypeVar, cast

log = logging.getLogger(__name__)

T_IN = TypeVar("T_IN")
T_OUT = TypeVar("T_OUT")

SyncBatchFunction = Callable[[list[T_IN]], Sequence[T_OUT]]
AsyncBatchFunction = Callable[[list[T_IN]], Awaitable[Sequence[T_OUT]]]


class BatcherClosed(RuntimeError):
    """The batcher is stopping or stopped: the item was not run."""


@dataclass(slots=True)
class _Waiting(Generic[T_IN, T_OUT]):
    item: T_IN
    future: asyncio.Future[T_OUT]
    enqueued_at: float


@dataclass
class BatchStats:
    """Batches run since start, by size (for the benchmark and tests)."""

    batches: int = 0
    items: int = 0
    largest: int = 0
    sizes: dict[int, int] = field(default_factory=dict)

    def record(self, size: int) -> None:
        self.batches += 1
        self.items += size
        self.largest = max(self.largest, size)
        self.sizes[size] = self.sizes.get(size, 0) + 1

    @property
    def mean_size(self) -> float:
        return self.items / self.batches if self.batches else 0.0


class MicroBatcher(Generic[T_IN, T_OUT]):
    def __init__(
        self,
        batch_function: SyncBatchFunction[T_IN, T_OUT] | AsyncBatchFunction[T_IN, T_OUT],
        *,
        max_size: int = 64,
        max_wait_ms: float = 2.0,
        name: str = "micro-batcher",
    ) -> None:
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        self.batch_function = batch_function
        self.is_async = inspect.iscoroutinefunction(batch_function)
        self.max_size = max_size
        self.max_wait = max(0.0, max_wait_ms) / 1000
        self.name = name
        self.stats = BatchStats()
        self._waiting: deque[_Waiting[T_IN, T_OUT]] = deque()
        self._incoming = 0  # callers preparing their input, about to submit()
        self._arrived = asyncio.Event()
        self._collector: asyncio.Task[None] | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._closing = False

    @property
    def running(self) -> bool:
        return self._collector is not None and not self._collector.done()

    def start(self) -> None:
        """Start the collector on the running event loop (idempotent)."""
        if self.running:
            return
        self._closing = False
        self._arrived = asyncio.Event()  # bound to this loop
        if not self.is_async:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix=self.name)
        self._collector = asyncio.create_task(self._collect(), name=self.name)

    async def stop(self, timeout: float = 10.0) -> None:
        """Run what is already waiting, then stop; later submissions are refused."""
        self._closing = True
        self._arrived.set()
        collector, self._collector = self._collector, None
        if collector is not None:
            try:
                await asyncio.wait_for(asyncio.shield(collector), timeout)
            except TimeoutError:
                collector.cancel()
                log.warning("%s stopped with items still waiting", self.name)
        self._fail_waiting(BatcherClosed(f"{self.name} is stopped"))
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    @contextmanager
    def incoming(self) -> Iterator[None]:
        """Counts a caller as on its way for as long as the block runs, so the collector
        waits for it; it calls ``submit`` right after, or fails."""
        self._incoming += 1
        try:
            yield
        finally:
            self._incoming -= 1
            self._arrived.set()  # re-check: it arrives now, or is not coming

    async def submit(self, item: T_IN) -> T_OUT:
        """The batch function's output for ``item``, computed in a batch with others."""
        if self._closing:
            raise BatcherClosed(f"{self.name} is stopping")
        self.start()
        loop = asyncio.get_running_loop()
        waiting: _Waiting[T_IN, T_OUT] = _Waiting(item, loop.create_future(), loop.time())
        self._waiting.append(waiting)
        self._arrived.set()
        return await waiting.future

    async def _collect(self) -> None:
        while not (self._closing and not self._waiting):
            batch = await self._next_batch()
            if batch:
                await self._run(batch)

    async def _next_batch(self) -> list[_Waiting[T_IN, T_OUT]]:
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

    async def _run(self, batch: list[_Waiting[T_IN, T_OUT]]) -> None:
        # Items whose caller went away (cancelled) are not run.
        live = [waiting for waiting in batch if not waiting.future.done()]
        if not live:
            return
        try:
            outputs = await self._call([waiting.item for waiting in live])
            if len(outputs) != len(live):
                raise RuntimeError(f"{len(live)} items in, {len(outputs)} outputs out")
        except Exception as exc:
            log.exception("%s: a batch of %d failed", self.name, len(live))
            for waiting in live:
                if not waiting.future.done():
                    waiting.future.set_exception(exc)
            return
        self.stats.record(len(live))
        for waiting, output in zip(live, outputs, strict=True):
            if not waiting.future.done():
                waiting.future.set_result(output)

    async def _call(self, items: list[T_IN]) -> Sequence[T_OUT]:
        if self.is_async:
            function = cast(AsyncBatchFunction[T_IN, T_OUT], self.batch_function)
            return await function(items)
        assert self._executor is not None
        function_sync = cast(SyncBatchFunction[T_IN, T_OUT], self.batch_function)
        return await asyncio.get_running_loop().run_in_executor(
            self._executor, function_sync, items
        )

    def _fail_waiting(self, error: Exception) -> None:
        while self._waiting:
            waiting = self._waiting.popleft()
            if not waiting.future.done():
                waiting.future.set_exception(error)
