"""The wait helper returns the condition's value and fails with a message on timeout."""

from __future__ import annotations

import pytest

from tests.waiting import wait_until


def test_returns_the_first_truthy_value():
    calls = iter([0, None, "ready"])
    assert wait_until(lambda: next(calls), timeout=5, what="the third call", interval=0) == "ready"


def test_times_out_with_the_reason():
    with pytest.raises(AssertionError, match="waiting for never"):
        wait_until(lambda: False, timeout=0.05, what="never", interval=0.01)
