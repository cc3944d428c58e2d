"""Range checks shared by the config sections: each failure is one ConfigError naming the key."""

from __future__ import annotations

import math

from flowmark_core.errors import ConfigError


def check_number(where: str, value: float, low: float | None = None,
                 high: float | None = None, low_open: bool = False) -> None:  # fmt: skip
    """Raise ConfigError unless `value` is finite and in [low, high] ((low, high] if low_open)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"{where}: expected a finite number, got {value!r}")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and value > high
    if too_low or too_high:
        lower = "" if low is None else (f"> {low}" if low_open else f">= {low}")
        upper = "" if high is None else f"<= {high}"
        bounds = " and ".join(b for b in (lower, upper) if b)
        raise ConfigError(f"{where}: expected a value {bounds}, got {value!r}")


def check_numbers(where: str, values: tuple[float, ...], low: float, high: float | None,
                  low_open: bool = False) -> None:  # fmt: skip
    """`check_number` for each of `values` (at least one), named where[i]."""
    if not values:
        raise ConfigError(f"{where}: expected at least one value")
    for i, v in enumerate(values):
        check_number(f"{where}[{i}]", v, low, high, low_open)


def check_choice(key: str, value: str, allowed: tuple[str, ...]) -> None:
    """Raise ConfigError unless `value` is one of `allowed`."""
    if value not in allowed:
        raise ConfigError(f"{key}: got {value!r}, expected one of {', '.join(allowed)}")
