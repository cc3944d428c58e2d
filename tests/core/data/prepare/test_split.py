"""The split keeps whole identities and whole sources on one side."""

from pathlib import Path

import pytest

from flowmark_core.data.prepare.sources import SourceVideo
from flowmark_core.data.prepare.split import components, split_videos
from flowmark_core.errors import ConfigError


def _v(name: str, identity: str, source: str) -> SourceVideo:
    return SourceVideo(Path(f"/x/{source}/{name}.mp4"), identity, source, source)


VIDEOS = [
    _v("a1", "anna", "s1"),
    _v("a2", "anna", "s2"),  # anna links s1 and s2
    _v("b1", "bob", "s2"),
    _v("c1", "carl", "s3"),
    _v("d1", "dora", "s4"),
    _v("e1", "emil", "s5"),
    _v("e2", "emil", "s5"),
]


def test_components_join_shared_identities_and_sources() -> None:
    groups = sorted(sorted(g) for g in components(VIDEOS))
    assert groups == [[0, 1, 2], [3], [4], [5, 6]]


def test_a_named_test_source_takes_its_whole_component() -> None:
    splits = split_videos(VIDEOS, test_sources=["s1", "s3", "s4"])
    assert splits == ["test", "test", "test", "test", "test", "train", "train"]


@pytest.mark.parametrize("seed", range(5))
def test_drawn_splits_never_share_an_identity_or_a_source(seed: int) -> None:
    splits = split_videos(VIDEOS, test_fraction=0.3, min_test_sources=2, seed=seed)
    for key in ("identity", "source"):
        sides: dict[str, set[str]] = {}
        for video, split in zip(VIDEOS, splits, strict=True):
            sides.setdefault(getattr(video, key), set()).add(split)
        assert all(len(s) == 1 for s in sides.values())
    assert "train" in splits and "test" in splits
    assert len({v.source for v, s in zip(VIDEOS, splits, strict=True) if s == "test"}) >= 2


def test_unknown_test_source_is_refused_naming_it() -> None:
    with pytest.raises(ConfigError, match="'nowhere' matches no input"):
        split_videos(VIDEOS, test_sources=["nowhere"])


def test_too_few_sources_for_the_test_side_is_refused() -> None:
    with pytest.raises(ConfigError, match="only 1 whole source"):
        split_videos(VIDEOS, test_sources=["s3"])


def test_a_test_side_taking_everything_is_refused() -> None:
    linked = [_v("a", "x", "s1"), _v("b", "x", "s2"), _v("c", "x", "s3")]
    with pytest.raises(ConfigError, match="every video"):
        split_videos(linked, test_sources=["s1"], min_test_sources=1)
