"""Config files: read our YAML layout or a published First Order Motion Model YAML.

`load_config` reads a YAML file, applies `--set key=value` overrides and builds the typed
schema of `flowmark_core.config` (which checks every value); a FOMM file (it carries
`model_params`) goes through `config.fomm`. The schema imports neither module.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from flowmark_core.config.experiment import ExperimentConfig
from flowmark_core.config.fomm import experiment_from_fomm
from flowmark_core.config.mapping import from_dict
from flowmark_core.config.strict_yaml import load_yaml
from flowmark_core.errors import ConfigError

#: Largest config file read (a config is a few KB; this bounds what a wrong file costs).
MAX_CONFIG_BYTES = 1 << 20


def read_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML mapping safely; missing file or bad YAML -> ConfigError naming the file."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: config file not found")
    if p.stat().st_size > MAX_CONFIG_BYTES:
        raise ConfigError(f"{p}: too large for a config file (over {MAX_CONFIG_BYTES} bytes)")
    try:
        data = load_yaml(p.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"{p}: not valid YAML ({first})") from None
    except ConfigError as exc:
        raise ConfigError(f"{p}: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: expected a YAML mapping at the top level")
    return data


def apply_overrides(data: dict[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """A copy of a config mapping with `dotted.key=value` overrides (values parsed as YAML).

    Example:
        >>> apply_overrides({"loss": {"flow": {"weight": 5.0}}}, ["loss.flow.weight=1"])
        {'loss': {'flow': {'weight': 1}}}

    Raises:
        ConfigError: an override without `=`, or a key path through a non-mapping value.
    """
    out = copy.deepcopy(data)
    for item in overrides:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"override {item!r}: expected KEY=VALUE, e.g. loss.flow.weight=1")
        try:
            value = load_yaml(text)
        except (yaml.YAMLError, ConfigError):
            raise ConfigError(f"override {item!r}: value is not valid YAML") from None
        parts = key.strip().split(".")
        node = out
        for i, part in enumerate(parts[:-1]):
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                where = ".".join(parts[: i + 1])
                raise ConfigError(f"override {item!r}: {where} is a value, not a section")
            node = child
        node[parts[-1]] = value
    return out


def load_config(path: str | Path, overrides: Sequence[str] = ()) -> ExperimentConfig:
    """Load our YAML layout or a published FOMM YAML file into an `ExperimentConfig`.

    `overrides` (`dotted.key=value`) change single keys of the file before it is checked.
    """
    data = apply_overrides(read_yaml(path), overrides)
    try:
        if "model_params" in data:
            return experiment_from_fomm(data)
        return from_dict(ExperimentConfig, data)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
