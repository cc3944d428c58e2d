"""Train/test split by identity AND by source: nothing of a person or a source on both sides.

Videos are grouped into components: two videos are in one component when they share an
identity or a source (transitively). A component is never split. The test side is the
components holding the named `test_sources`, or, without names, components drawn in a seeded
order until at least `min_test_sources` whole sources and `test_fraction` of the videos are
held out.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from flowmark_core.data.prepare.sources import SourceVideo
from flowmark_core.errors import ConfigError

MIN_TEST_SOURCES = 3


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


def components(videos: Sequence[SourceVideo]) -> list[list[int]]:
    """Indices of `videos` grouped by shared identity or source, in first-seen order."""
    uf = _UnionFind(len(videos))
    first: dict[tuple[str, str], int] = {}
    for i, video in enumerate(videos):
        for key in (("identity", video.identity), ("source", video.source)):
            if key in first:
                uf.union(i, first[key])
            else:
                first[key] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(videos)):
        groups.setdefault(uf.find(i), []).append(i)
    return list(groups.values())


def _matches(video: SourceVideo, names: Sequence[str]) -> bool:
    return any(name in (video.source, video.folder) for name in names)


def split_videos(
    videos: Sequence[SourceVideo],
    test_sources: Sequence[str] = (),
    test_fraction: float = 0.15,
    min_test_sources: int = MIN_TEST_SOURCES,
    seed: int = 0,
) -> list[str]:
    """The split ("train" or "test") of each video.

    Raises:
        ConfigError: a named test source matches no video; the test side would take every
            video; fewer than `min_test_sources` sources can be held out.
    """
    groups = components(videos)
    test: set[int] = set()
    if test_sources:
        for name in test_sources:
            if not any(_matches(v, [name]) for v in videos):
                known = sorted({v.folder for v in videos})
                raise ConfigError(
                    f"--test-sources: {name!r} matches no input video's source; sources: "
                    f"{', '.join(known[:20])}"
                )
        for group in groups:
            if any(_matches(videos[i], test_sources) for i in group):
                test.update(group)
    else:
        order = np.random.default_rng(seed).permutation(len(groups))
        for g in order:
            sources = {videos[i].source for i in test}
            if len(sources) >= min_test_sources and len(test) >= test_fraction * len(videos):
                break
            test.update(groups[int(g)])
    if len(test) == len(videos):
        raise ConfigError(
            "the test split would take every video (identities and sources link them all); "
            "name fewer --test-sources or add videos"
        )
    held_out = {videos[i].source for i in test}
    if len(held_out) < min_test_sources:
        raise ConfigError(
            f"only {len(held_out)} whole source(s) can be held out for test, expected at least "
            f"{min_test_sources} (inputs come from {len({v.source for v in videos})} sources)"
        )
    return ["test" if i in test else "train" for i in range(len(videos))]
