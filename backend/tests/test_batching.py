"""The micro-batcher's scheduling, with plain functions (no model): who shares a batch,
who waits for whom, what a failure reaches, and how it stops. The model behind it is
tested in test_service.py."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Sequence

import pytest

from sightline.serving.batching import BatcherClosed, MicroBatcher

# Waits that must not happen: a test that hit one would time out instead of passing.
NEVER_MS = 600_000


class Doubler:
    """A sync batch function that records the batches it is called with."""

    def __init__(self) -> None:
        self.calls: list[list[int]] = []

    def __call__(self, items: list[int]) -> list[int]:
        self.calls.append(list(items))
        return [2 * item for item in items]


async def submit_all(batcher: MicroBatcher[int, int], items: Sequence[int]) -> list[int]:
    try:
        return list(await asyncio.gather(*(batcher.submit(item) for item in items)))
    finally:
        await batcher.stop()


def test_concurrent_submissions_share_batches_and_get_their_own_outputs() -> None:
    double = Doubler()
    batcher = MicroBatcher(double, max_size=8, max_wait_ms=0)
    outputs = asyncio.run(submit_all(batcher, range(20)))
    assert outputs == [2 * item for item in range(20)]
    # All 20 arrive before the collector first runs: batches of 8, 8 and 4, in order.
    assert double.calls == [list(range(8)), list(range(8, 16)), list(range(16, 20))]
    assert batcher.stats.sizes == {8: 2, 4: 1}


def test_an_async_batch_function_is_awaited_on_the_loop() -> None:
    threads: list[str] = []

    async def square(items: list[int]) -> list[int]:
        threads.append(threading.current_thread().name)
        await asyncio.sleep(0)
        return [item * item for item in items]

    batcher = MicroBatcher(square, max_size=4, max_wait_ms=0)
    assert asyncio.run(submit_all(batcher, [1, 2, 3])) == [1, 4, 9]
    assert threads == [threading.main_thread().name]


def test_a_sync_batch_function_runs_off_the_event_loop() -> None:
    threads: list[str] = []

    def where(items: list[int]) -> list[str]:
        threads.append(threading.current_thread().name)
        return ["" for _ in items]

    asyncio.run(submit_all(MicroBatcher(where, name="batch-test"), [1]))
    assert threads[0].startswith("batch-test")


def test_a_failed_batch_fails_its_items_only() -> None:
    def picky(items: list[int]) -> list[int]:
        if -1 in items:
            raise ValueError("no negatives")
        return items

    async def scenario() -> tuple[BaseException | int, int]:
        batcher = MicroBatcher(picky, max_size=8, max_wait_ms=0)
        try:
            failed = (await asyncio.gather(batcher.submit(-1), return_exceptions=True))[0]
            return failed, await batcher.submit(5)
        finally:
            await batcher.stop()

    failed, later = asyncio.run(scenario())
    assert isinstance(failed, ValueError) and later == 5


def test_a_batch_function_that_loses_outputs_fails_the_batch() -> None:
    async def scenario() -> list[BaseException | int]:
        batcher = MicroBatcher(lambda items: items[:-1], max_size=8, max_wait_ms=0)
        try:
            return await asyncio.gather(
                *(batcher.submit(i) for i in range(3)), return_exceptions=True
            )
        finally:
            await batcher.stop()

    assert all(isinstance(result, RuntimeError) for result in asyncio.run(scenario()))


def test_batches_form_while_one_runs() -> None:
    """Under load nobody waits for the timer: what arrives during a call is the next batch."""
    started, release = threading.Event(), threading.Event()
    double = Doubler()

    def slow_first(items: list[int]) -> list[int]:
        if not double.calls:
            started.set()
            release.wait(30)
        return double(items)

    async def scenario() -> list[int]:
        batcher = MicroBatcher(slow_first, max_size=8, max_wait_ms=NEVER_MS)
        try:
            first = asyncio.ensure_future(batcher.submit(0))
            assert await asyncio.to_thread(started.wait, 30)  # the first call is running
            rest = [asyncio.ensure_future(batcher.submit(i)) for i in range(1, 6)]
            await asyncio.sleep(0.05)  # all five queued behind it
            release.set()
            return [await first, *[await task for task in rest]]
        finally:
            await batcher.stop()

    assert asyncio.run(scenario()) == [0, 2, 4, 6, 8, 10]
    assert double.calls == [[0], [1, 2, 3, 4, 5]]


def test_stop_runs_what_is_waiting_then_refuses_new_items() -> None:
    async def scenario() -> tuple[list[int], BaseException | None]:
        batcher = MicroBatcher(Doubler(), max_size=4, max_wait_ms=1000)
        waiting = [asyncio.ensure_future(batcher.submit(i)) for i in range(6)]
        await asyncio.sleep(0)  # let them queue
        await batcher.stop()
        answered = [task.result() for task in waiting]
        try:
            await batcher.submit(0)
        except BatcherClosed as exc:
            return answered, exc
        return answered, None

    answered, refused = asyncio.run(scenario())
    assert answered == [0, 2, 4, 6, 8, 10] and isinstance(refused, BatcherClosed)


def test_a_lone_item_does_not_wait_for_company() -> None:
    async def scenario() -> int:
        batcher = MicroBatcher(Doubler(), max_size=8, max_wait_ms=NEVER_MS)
        try:
            # Nobody else is on the way: waiting the ten minutes would time this out.
            return await asyncio.wait_for(batcher.submit(3), 30)
        finally:
            await batcher.stop()

    assert asyncio.run(scenario()) == 6


def test_an_item_still_being_prepared_is_waited_for() -> None:
    double = Doubler()

    async def scenario() -> None:
        batcher = MicroBatcher(double, max_size=2, max_wait_ms=NEVER_MS)
        try:
            with batcher.incoming():  # the second caller, decoding its upload
                first = asyncio.ensure_future(batcher.submit(1))
                await asyncio.sleep(0.2)
                assert not first.done()  # held for the one on its way
            assert await batcher.submit(2) == 4
            assert await first == 2
        finally:
            await batcher.stop()

    asyncio.run(scenario())
    assert double.calls == [[1, 2]]  # one call for both


def test_the_wait_for_company_ends_at_max_wait() -> None:
    double = Doubler()

    async def scenario() -> int:
        batcher = MicroBatcher(double, max_size=8, max_wait_ms=50)
        try:
            with batcher.incoming():  # someone on the way who never arrives in time
                return await asyncio.wait_for(batcher.submit(7), 30)
        finally:
            await batcher.stop()

    assert asyncio.run(scenario()) == 14
    assert double.calls == [[7]]


def test_an_item_that_fails_to_be_prepared_is_not_waited_for() -> None:
    async def scenario() -> int:
        batcher = MicroBatcher(Doubler(), max_size=8, max_wait_ms=NEVER_MS)
        try:
            first = None
            with contextlib.suppress(ValueError), batcher.incoming():
                first = asyncio.ensure_future(batcher.submit(4))
                await asyncio.sleep(0)
                raise ValueError("not an image")  # it never reaches submit()
            assert first is not None
            return await asyncio.wait_for(first, 30)
        finally:
            await batcher.stop()

    assert asyncio.run(scenario()) == 8


def test_a_cancelled_caller_is_left_out_of_its_batch() -> None:
    double = Doubler()

    async def scenario() -> int:
        batcher = MicroBatcher(double, max_size=8, max_wait_ms=0)
        try:
            gone = asyncio.ensure_future(batcher.submit(1))
            stays = asyncio.ensure_future(batcher.submit(2))
            await asyncio.sleep(0)  # both queued
            gone.cancel()
            return await stays
        finally:
            await batcher.stop()

    assert asyncio.run(scenario()) == 4
    assert double.calls == [[2]]


def test_max_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_size"):
        MicroBatcher(Doubler(), max_size=0)
