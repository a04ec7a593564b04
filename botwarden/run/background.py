"""An event loop in a thread of its own, for the network work of a pass (feed fetches, link lookups).

The pass itself stays on its own thread: it stores what came in and publishes while the loop goes on
fetching, so a slow server delays only its own feed. Publishing on the loop's thread instead would stop
every fetch for as long as a network took to answer a post, and eat into their deadlines.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from types import TracebackType
from typing import Any, TypeVar

T = TypeVar("T")


class Background:
    """``with Background() as loop: future = loop.submit(coroutine)``; leaving the block cancels what is
    still running and stops the thread."""

    def __init__(self, name: str = "botwarden-fetch") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=name, daemon=True)

    def __enter__(self) -> Background:
        self._thread.start()
        return self

    def submit(self, work: Coroutine[Any, Any, T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(work, self._loop)

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Run ``work`` on the loop and wait for its result."""
        return self.submit(work).result()

    def cancel_all(self) -> None:
        """Cancel what is still running on the loop, and wait for it to end."""
        self.submit(_cancel_the_rest()).result(timeout=10)

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self.cancel_all()
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            if not self._thread.is_alive():
                self._loop.close()


async def _cancel_the_rest() -> None:
    """Cancel every task still running on the loop (a pass cut short) and wait for them to end."""
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)
