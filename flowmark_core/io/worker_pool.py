"""A small process pool whose workers leave SIGINT/SIGTERM to the parent and never hang it.

`multiprocessing.Pool` needs its workers to die on SIGTERM (`Pool.terminate` stops them with
it), so a group SIGTERM (`timeout`, systemd, Ctrl-C's cousin) killed them too, at any moment.
A worker killed while it held the pool's shared task-queue lock left that lock taken forever,
and the parent then waited for it in `Pool.terminate()`/`join()` (a futex wait, seen under
load in the data-synth signal test). Here no lock is shared: each worker has its own pipe to
the parent, starts ignoring the stop signals (see
`flowmark_core.io.process_guard`), and dies with the parent. On a group signal only the
parent acts: it stops handing out tasks, closes the pipes, waits a bounded time for the
workers to finish the task in hand and SIGKILLs any still running, before its clean-up (e.g.
removing a partial output folder) runs.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from flowmark_core.io.process_guard import children_ignore_stop_signals, init_worker_process

#: seconds a stopping worker gets to finish its task before it is SIGKILLed
STOP_WAIT_S = 3.0
_KILL_WAIT_S = 10.0


class WorkerDied(RuntimeError):
    """A pool worker ended without answering (killed from outside, or crashed)."""


def _worker_main(
    conn: Connection,
    func: Callable[[Any], Any],
    init: Callable[..., None] | None,
    init_args: tuple,
    parent_pid: int,
) -> None:
    init_worker_process(parent_pid)  # ignore group SIGINT/SIGTERM; die with the parent
    if init is not None:
        init(*init_args)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return  # the parent stopped handing out work
        if message is None:  # no task left
            return
        (task,) = message
        try:
            answer: tuple[str, Any] = ("ok", func(task))
        except Exception as exc:  # the parent re-raises it
            answer = ("error", exc)
        try:
            conn.send(answer)
        except (BrokenPipeError, OSError):
            return  # the parent is stopping; nobody wants the answer
        except Exception as exc:  # an unpicklable answer or error
            conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))


@dataclass
class _Worker:
    process: Any  # multiprocessing.context.SpawnProcess
    conn: Connection


class WorkerPool:
    """Spawned worker processes running one function over tasks; use it as a context manager.

    Leaving the block (normally, on an error or on KeyboardInterrupt) stops every worker, with
    a bounded wait, before the block's exception goes on.
    """

    def __init__(
        self,
        processes: int,
        init: Callable[..., None] | None = None,
        init_args: tuple = (),
    ) -> None:
        if processes < 1:
            raise ValueError(f"processes must be >= 1, got {processes}")
        self._processes = processes
        self._init = init
        self._init_args = init_args
        self._workers: list[_Worker] = []
        self._func: Callable[[Any], Any] | None = None

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _start(self, func: Callable[[Any], Any]) -> None:
        ctx = multiprocessing.get_context("spawn")
        with children_ignore_stop_signals():  # children start ignoring them
            for _ in range(self._processes):
                parent_end, child_end = ctx.Pipe()
                process = ctx.Process(
                    target=_worker_main,
                    args=(child_end, func, self._init, self._init_args, os.getpid()),
                    daemon=True,
                )
                self._workers.append(_Worker(process, parent_end))
                process.start()
                child_end.close()
        self._func = func

    def imap_unordered(self, func: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        """Yield `func(task)` for every task, in the order they finish.

        Raises:
            The first exception a task raised (the remaining tasks are not run), or
            `WorkerDied` when a worker ended without answering.
        """
        if self._func is not None:
            raise RuntimeError("a WorkerPool runs one imap_unordered")
        self._start(func)
        todo = iter(tasks)
        busy: dict[Connection, _Worker] = {}
        for first in self._workers:
            if self._hand_out(first, todo):
                busy[first.conn] = first
        while busy:
            sentinels = {w.process.sentinel: w for w in busy.values()}
            ready = wait([*busy, *sentinels])
            for obj in ready:
                worker = busy.get(obj) or sentinels.get(obj)  # type: ignore[call-overload]
                if worker is None or worker.conn not in busy:
                    continue
                try:
                    kind, value = worker.conn.recv()
                except (EOFError, OSError):
                    worker.process.join(1.0)  # for its exit status
                    raise WorkerDied(
                        f"a data worker (pid {worker.process.pid}) ended without answering "
                        f"(exit {worker.process.exitcode})"
                    ) from None
                if kind == "error":
                    raise value
                if not self._hand_out(worker, todo):
                    del busy[worker.conn]
                yield value

    @staticmethod
    def _hand_out(worker: _Worker, todo: Iterator[Any]) -> bool:
        """Send the next task (True), or the stop marker when none is left (False)."""
        for task in todo:
            worker.conn.send((task,))
            return True
        worker.conn.send(None)
        return False

    def stop(self) -> None:
        """Stop all workers: close their pipes, wait a bounded time, SIGKILL the rest."""
        for worker in self._workers:
            worker.conn.close()  # a waiting worker sees EOF; a busy one ends after its task
        deadline = time.monotonic() + STOP_WAIT_S
        for worker in self._workers:
            worker.process.join(max(0.0, deadline - time.monotonic()))
        for worker in self._workers:
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(_KILL_WAIT_S)
        self._workers = []
