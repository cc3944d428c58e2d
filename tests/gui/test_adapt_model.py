"""The "Adapt Model to This Video…" action: a background adaptation on the driving video
whose result is opened as the current model at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from flowmark_core.checkpoints import read_checkpoint_header, save_checkpoint
from flowmark_core.models import build_model
from flowmark_gui.model_handle import ModelSpec
from tests.gui.conftest import TINY, WAIT_MS, Media, WindowFactory


@pytest.fixture(scope="module")
def tiny_model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("adapt-gui") / "tiny.safetensors"
    return save_checkpoint(path, build_model(TINY), {"step": 0})


def test_adapting_opens_the_adapted_model(
    make_window: WindowFactory, media: Media, qtbot: QtBot, tiny_model_file: Path
) -> None:
    window = make_window(
        media["source"],
        media["long"],
        spec=ModelSpec(path=str(tiny_model_file), precision="float32"),
    )
    session = window.session
    qtbot.waitUntil(lambda: session.driving is not None, timeout=WAIT_MS)
    adapter = window.model_adapter
    adapter.steps, adapter.face_crop = 2, False  # a cartoon clip, two steps: seconds, not minutes
    with qtbot.waitSignal(adapter.adapted, timeout=WAIT_MS) as blocker:
        window.actions["adapt_model"].trigger()
    path = Path(blocker.args[0])
    try:
        assert path.name.startswith("long-adapted") and path.exists()
        assert window.controller.spec.path == str(path)
        _, meta = read_checkpoint_header(path)
        assert meta["adapt"]["steps"] == 2 and meta["card"].startswith("Adapted from tiny")
    finally:
        path.unlink(missing_ok=True)


def test_without_a_driving_video_the_action_says_so(
    make_window: WindowFactory, media: Media, qtbot: QtBot
) -> None:
    window = make_window(media["source"])
    session = window.session
    qtbot.waitUntil(lambda: session.source is not None, timeout=WAIT_MS)
    with qtbot.waitSignal(
        session.message, timeout=WAIT_MS, check_params_cb=lambda text, level: level == "warning"
    ):
        window.actions["adapt_model"].trigger()
    assert not window.model_adapter.busy
