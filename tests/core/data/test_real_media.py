"""The real-media cache: where it is, and what a missing file says."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowmark_core.data.real_media import (
    REAL_MEDIA,
    missing_real_media,
    real_media_dir,
    real_media_path,
)
from flowmark_core.errors import InputFileError


def test_cache_folder_comes_from_the_environment(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("FLOWMARK_REAL_MEDIA", str(tmp_path))
    assert real_media_dir() == tmp_path
    monkeypatch.delenv("FLOWMARK_REAL_MEDIA")
    assert real_media_dir() == Path.home() / ".cache" / "flowmark" / "real-media"


def test_missing_file_says_how_to_fetch_it(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("FLOWMARK_REAL_MEDIA", str(tmp_path))
    with pytest.raises(InputFileError, match=r"carphone.mp4.*flowmark data fetch-real"):
        real_media_path("carphone.mp4")
    assert sorted(missing_real_media()) == sorted(REAL_MEDIA)
    (tmp_path / "carphone.mp4").write_bytes(b"x")
    assert real_media_path("carphone.mp4") == tmp_path / "carphone.mp4"
    assert "carphone.mp4" not in missing_real_media()


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(InputFileError, match="megamind.avi"):
        real_media_path("lena.png")
