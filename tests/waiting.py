"""Wait on a condition with a timeout, never for a fixed time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(check: Callable[[], T], timeout: float, what: str, interval: float = 0.05) -> T:
    """Call `check` until it returns something truthy (returned) or `timeout` seconds pass (AssertionError).

    `check` may raise to stop waiting early (a server that died while starting)."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()  # never set: wait() is an interruptible pause between checks
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        pause.wait(interval)
