"""Which real people go to train and which to test, and in what order their photos are used.

Whole identities stay on one side: a seeded permutation of the identities (sorted first, so
the order of files on disk does not matter) puts its first `round(n * test_fraction)` in test
(at least one, and at least one left for train, when a test split is wanted). Within a split
the photos are used round-robin over the permuted identities (every person's first photo,
then every second photo, ...), so each person gets an equal share of the clips however many
photos they have, and every photo is used once the split has as many looks as photos.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from flowmark_core.data.synthetic.portrait_folder import Portrait

_STREAM = 0x50524F  # the random stream of the identity split (a fixed tag, not a secret)


@dataclass(frozen=True)
class PortraitSplit:
    """Portraits per split, in the order they are used, and the identities of each split."""

    order: dict[str, list[Portrait]]
    identities: dict[str, list[str]]


def split_portraits(
    portraits: list[Portrait], seed: int, test_fraction: float, want_test: bool
) -> PortraitSplit:
    """Put whole identities in train or test and order each split's portraits.

    Args:
        want_test: whether the data set has a test split (else every identity trains).

    Raises:
        ValueError: a test split is wanted but there are fewer than two identities.
    """
    by_identity: dict[str, list[Portrait]] = defaultdict(list)
    for portrait in portraits:
        by_identity[portrait.identity].append(portrait)
    names = sorted(by_identity)
    if want_test and len(names) < 2:
        raise ValueError("a test split needs portraits of at least two identities")
    rng = np.random.default_rng(np.random.SeedSequence([seed, _STREAM]))
    shuffled = [names[i] for i in rng.permutation(len(names))]
    n_test = min(max(round(len(names) * test_fraction), 1), len(names) - 1) if want_test else 0
    identities = {"test": shuffled[:n_test], "train": shuffled[n_test:]}
    order = {
        split: _round_robin([by_identity[n] for n in ids]) for split, ids in identities.items()
    }
    return PortraitSplit(order, identities)


def _round_robin(groups: list[list[Portrait]]) -> list[Portrait]:
    out: list[Portrait] = []
    for k in range(max((len(g) for g in groups), default=0)):
        out.extend(g[k] for g in groups if k < len(g))
    return out
