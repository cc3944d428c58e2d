"""Keep Python's cyclic garbage collector from stalling the UI.

A full (generation 2) collection scans every tracked object — with a model, its worker
copies and the Qt item tree that is ~60–100 ms — and holds the GIL while it does, so a
collection started by *any* thread freezes the UI thread too. Long-lived objects are
therefore moved out of the collector's sight (`gc.freeze`) once they exist: after a model
is loaded and after a worker has built its Animator. Objects freed by reference counting
(nearly all of them) are still freed as usual.
"""

from __future__ import annotations

import gc


def freeze_long_lived(collect: bool = False) -> None:
    """Exempt every object alive now from future collections.

    Args:
        collect: collect garbage first (a one-off pause; do it where a pause is expected,
            such as right after loading a model).
    """
    if collect:
        gc.collect()
    gc.freeze()
