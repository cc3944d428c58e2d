"""`animate`, `keypoints` and `parts` say when a model's config was inferred from its weights."""

from pathlib import Path

import pytest

from flowmark_core.animate import Animator
from flowmark_core.cli.main import main

NOTE = "inferred the model config from the weights: the vox-256 architecture"


@pytest.fixture
def inferring_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    """Models load as a FOMM checkpoint without --config does: with an inferred-config note."""
    load = Animator.from_checkpoint.__func__  # type: ignore[attr-defined]

    def from_checkpoint(cls, *args, **kwargs):
        animator = load(cls, *args, **kwargs)
        animator.meta["inferred_config"] = NOTE
        return animator

    monkeypatch.setattr(Animator, "from_checkpoint", classmethod(from_checkpoint))


@pytest.mark.parametrize("command", ["animate", "keypoints", "parts"])
def test_each_model_command_notes_an_inferred_config(
    command: str,
    media: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    inferring_loader: None,
) -> None:
    argv = {
        "animate": ["animate", str(media["source"]), str(media["driving"]), "-o",
                    str(tmp_path / "o.mp4")],
        "keypoints": ["keypoints", str(media["driving"]), "-o", str(tmp_path / "k.npz")],
        "parts": ["parts", str(media["source"]), "-o", str(tmp_path / "p.png")],
    }[command]  # fmt: skip
    assert main([*argv, "--model", str(media["model"])]) == 0
    assert capsys.readouterr().err.splitlines().count(f"flowmark: note: {NOTE}") == 1
