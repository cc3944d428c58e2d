"""The image-skip extension: a learned mask blends the warped full-resolution source in."""

import dataclasses

import torch

from flowmark_core.models import build_model
from flowmark_core.models.generator import SKIP_MASK_INIT_BIAS
from tests.model_configs import compact_config


def _skip_model(bias: float) -> torch.nn.Module:
    cfg = compact_config(size=32, width=4, blocks=2)
    # align_corners=True: the identity grid then samples every pixel centre exactly.
    cfg = dataclasses.replace(
        cfg, align_corners=True, generator=dataclasses.replace(cfg.generator, image_skip=True)
    )
    torch.manual_seed(0)
    model = build_model(cfg).eval()
    torch.nn.init.constant_(model.generator.skip_mask.bias, bias)
    return model


def test_published_layout_has_no_skip_parameters() -> None:
    model = build_model(compact_config(size=32, width=4, blocks=2))
    assert model.generator.skip_mask is None
    assert not any("skip_mask" in key for key in model.state_dict())


def test_fresh_mask_starts_mostly_on_the_decoded_image() -> None:
    cfg = compact_config(size=32, width=4, blocks=2)
    cfg = dataclasses.replace(cfg, generator=dataclasses.replace(cfg.generator, image_skip=True))
    head = build_model(cfg).generator.skip_mask
    assert torch.count_nonzero(head.weight) == 0
    assert torch.allclose(head.bias, torch.tensor([SKIP_MASK_INIT_BIAS]))


def test_open_mask_with_unchanged_keypoints_returns_the_source_exactly() -> None:
    model = _skip_model(bias=60.0)  # mask = 1: output is the warped source only
    source = torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        out = model(source, source)
    # Same keypoints in source and driving: every sparse motion is the identity grid.
    assert torch.allclose(out.prediction, source, atol=1e-5)


def test_closed_mask_gives_the_decoder_output() -> None:
    closed = _skip_model(bias=-60.0)
    cfg = closed.config
    plain = build_model(
        dataclasses.replace(cfg, generator=dataclasses.replace(cfg.generator, image_skip=False))
    ).eval()
    state = {k: v for k, v in closed.state_dict().items() if "skip_mask" not in k}
    plain.load_state_dict(state)
    source, driving = torch.rand(1, 3, 32, 32), torch.rand(1, 3, 32, 32)
    with torch.no_grad():
        assert torch.allclose(closed(source, driving).prediction, plain(source, driving).prediction)
