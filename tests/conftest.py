"""Shared test setup: small thread count, offscreen Qt, deterministic seeds, signal hygiene."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import signal
from collections.abc import Iterator

import pytest
import torch

from flowmark_core.training.interrupts import Stopped, clear_stop_request, stop_requested

torch.set_num_threads(2)

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)


@pytest.fixture(autouse=True)
def _seed() -> None:
    torch.manual_seed(0)


def _signal_state() -> dict[str, object]:
    state: dict[str, object] = {s.name: signal.getsignal(s) for s in _STOP_SIGNALS}
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    state["blocked"] = sorted(s.name for s in _STOP_SIGNALS if s in blocked)
    return state


@pytest.fixture(autouse=True)
def _signals_left_as_found(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test that leaves SIGINT/SIGTERM handled, blocked or requested differently.

    pytest itself must keep Ctrl-C's default behaviour: a training stop handler left
    installed turns a later signal into `Stopped` (a KeyboardInterrupt) that ends the whole
    run part-way, blaming no test.
    """
    before = _signal_state()
    yield
    after = _signal_state()
    leaked_request = stop_requested()
    clear_stop_request()
    for sig in _STOP_SIGNALS:  # put things back so that later tests run as usual
        signal.signal(sig, before[sig.name])  # type: ignore[arg-type]
    if before["blocked"] != after["blocked"]:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
        signal.pthread_sigmask(signal.SIG_BLOCK, [getattr(signal, n) for n in before["blocked"]])
    changed = [f"{k}: {before[k]!r} -> {after[k]!r}" for k in before if before[k] != after[k]]
    if leaked_request:
        changed.append("a training stop request was left set (interrupts.stop_requested())")
    if changed:
        pytest.fail(f"{request.node.nodeid} left signal state changed: {'; '.join(changed)}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A training `Stopped` escaping a test fails that test instead of ending the run.

    `Stopped` is a KeyboardInterrupt, which pytest takes as the user stopping the whole
    session; inside a test it means a stop signal reached the pytest process itself.
    """
    try:
        return (yield)
    except Stopped as exc:
        raise AssertionError(
            f"{item.nodeid}: training was stopped by a signal that reached the pytest "
            "process (a group signal to pytest's own process group, or a stop handler "
            "left installed)"
        ) from exc
