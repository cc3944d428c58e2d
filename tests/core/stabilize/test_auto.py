"""Known-answer tests of the clip condition measures and the automatic filter choice."""

from __future__ import annotations

import numpy as np
import pytest

from flowmark_core.stabilize.auto import (
    FEATURES,
    choose_filter,
    clip_condition,
    load_table,
)
from flowmark_core.stabilize.track_smoothing import FILTERS, filter_params

BOX = np.array([[0.0, 0.0], [100.0, 0.0], [0.0, 100.0], [100.0, 100.0], [50.0, 50.0]])


def noisy_still(sigma: float, steps: int = 400, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return BOX[None] + rng.normal(0, sigma, (steps, len(BOX), 2))


def test_noise_measure_is_sigma_over_the_box_size() -> None:
    cond = clip_condition(noisy_still(0.8))
    assert cond["noise"] == pytest.approx(0.8 / 100.0, rel=0.1)
    assert cond["missing"] == 0.0 and cond["flicker"] == 0.0
    assert cond["jumps"] < 0.01


def test_jumps_missing_and_flicker_are_counted() -> None:
    track = noisy_still(0.5)
    track[100:110, 0] += 30.0  # the detector jumps away and back
    track[200:240, 1] = np.nan  # a lost point: 40 of 2,000 samples
    cond = clip_condition(track)
    assert cond["missing"] == pytest.approx(40 / 2000)
    assert cond["jumps"] > 0.001
    frames = [np.full((8, 8, 3), 100 if t % 2 else 120, np.uint8) for t in range(50)]
    # Brightness alternating 100/120: |change| 20 every frame over a mean of 110.
    cond = clip_condition(track[:50], frames)
    assert cond["flicker"] == pytest.approx(20.0 / 110.0, rel=1e-3)


def fake_table() -> dict:
    def win(name: str) -> dict:
        return {"name": name, "params": {}, "nmj_change": -0.5, "nme_change": -0.1, "lag": 0.1}

    return {
        "feature_spread": {"noise": 0.005, "jumps": 0.01, "missing": 0.1, "flicker": 0.01},
        "splits": {
            "quiet": {"condition": {"noise": 0.002, "jumps": 0.0, "missing": 0.0, "flicker": 0.0},
                      "winner": win("savgol"), "winner_causal": win("one-euro")},
            "noisy": {"condition": {"noise": 0.02, "jumps": 0.0, "missing": 0.0, "flicker": 0.0},
                      "winner": win("flow-offline"), "winner_causal": win("flow")},
        },
    }  # fmt: skip


def test_the_nearest_split_s_winner_is_chosen_with_a_reason() -> None:
    quiet = choose_filter(noisy_still(0.2), None, 30.0, table=fake_table())
    noisy = choose_filter(noisy_still(2.0), None, 30.0, table=fake_table())
    assert quiet.name == "savgol" and "'quiet'" in quiet.reason
    assert noisy.name == "flow-offline" and "'noisy'" in noisy.reason
    live = choose_filter(noisy_still(2.0), None, 30.0, causal=True, table=fake_table())
    assert live.name == "flow"
    assert "\n" not in noisy.reason


def test_the_packaged_table_holds_tuned_winners_of_known_filters() -> None:
    table = load_table()
    assert "made_by" in table and "scripts/jitter_lab.py tune" in table["made_by"]
    assert set(table["feature_spread"]) == set(FEATURES)
    for split, entry in table["splits"].items():
        assert entry["videos"] > 0, split
        for key in ("winner", "winner_causal"):
            win = entry[key]
            assert win["name"] in FILTERS
            assert set(win["params"]) <= set(filter_params(win["name"]))
        # The winner is the lowest NMJ of the filters that met the constraints.
        usable = [f for f in entry["filters"].values() if f["meets_constraints"]]
        if usable:
            assert entry["winner"]["nmj"] == min(f["nmj"] for f in usable)
