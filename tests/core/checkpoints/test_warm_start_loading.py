"""Loading weights into a model whose config adds or removes a head (warm starts)."""

import dataclasses
from pathlib import Path

import pytest
import torch

from flowmark_core.checkpoints import load_state_extending
from flowmark_core.errors import CheckpointError
from flowmark_core.models import build_model
from tests.model_configs import compact_config


def test_new_head_stays_fresh_and_shared_weights_are_copied() -> None:
    base_cfg = compact_config(size=32, width=4, blocks=2)
    base = build_model(base_cfg)
    skip_cfg = dataclasses.replace(
        base_cfg, generator=dataclasses.replace(base_cfg.generator, image_skip=True)
    )
    target = build_model(skip_cfg)
    fresh, dropped = load_state_extending(target, base.state_dict(), Path("m"))
    assert sorted(fresh) == ["generator.skip_mask.bias", "generator.skip_mask.weight"]
    assert dropped == []
    for key, value in base.state_dict().items():
        assert torch.equal(target.state_dict()[key], value), key


def test_removed_head_is_dropped_and_reported() -> None:
    first_order = build_model(compact_config(size=32, width=4, blocks=2))
    zeroth = build_model(compact_config(size=32, width=4, blocks=2, jacobian=False))
    fresh, dropped = load_state_extending(zeroth, first_order.state_dict(), Path("m"))
    assert fresh == []
    assert sorted(dropped) == ["kp_detector.jacobian.bias", "kp_detector.jacobian.weight"]


def test_shape_mismatch_and_unrelated_weights_are_errors() -> None:
    model = build_model(compact_config(num_kp=5, size=32, width=4, blocks=2))
    other = build_model(compact_config(num_kp=7, size=32, width=4, blocks=2))
    with pytest.raises(CheckpointError, match="shape"):
        load_state_extending(model, other.state_dict(), Path("m"))
    with pytest.raises(CheckpointError, match="shares no weights"):
        load_state_extending(model, {"x": torch.zeros(1)}, Path("m"))
