"""`KEY=VALUE` options (`--param`, `--region-strength`) as a dict of numbers and booleans."""

from __future__ import annotations

import math

from flowmark_core.errors import ConfigError


def parse_key_values(items: list[str] | None, option: str) -> dict[str, float | int | bool]:
    """`["window=9", "causal=true"]` -> {"window": 9, "causal": True}.

    Raises:
        ConfigError: an item without `=`, or a value that is not a finite number or
            true/false; the message names `option`.
    """
    out: dict[str, float | int | bool] = {}
    for item in items or []:
        key, sep, text = item.partition("=")
        key, text = key.strip(), text.strip()
        if not sep or not key:
            raise ConfigError(f"{option} {item!r}: expected KEY=VALUE")
        if text.lower() in ("true", "false"):
            out[key] = text.lower() == "true"
            continue
        try:
            value: float | int = int(text) if text.lstrip("+-").isdigit() else float(text)
        except ValueError:
            raise ConfigError(f"{option} {item!r}: expected a number or true/false") from None
        if not math.isfinite(value):
            raise ConfigError(f"{option} {item!r}: expected a finite number")
        out[key] = value
    return out
