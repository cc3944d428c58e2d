"""The one YAML reader of flowmark: PyYAML's safe loader that refuses a repeated key.

PyYAML keeps the last of two equal keys without a word, so a config with `train:` twice
trained with every train key but the second section's at its default. A repeated key is a
`ConfigError` naming the key and both lines.
"""

from __future__ import annotations

from typing import Any

import yaml

from flowmark_core.errors import ConfigError


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader whose mappings refuse a key given twice."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key: the base class reports it
                break
            if first is not None:
                raise ConfigError(f"key {key!r} appears twice (lines {first} and {line})")
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def load_yaml(text: str) -> Any:
    """Parse YAML text safely; a repeated key is a `ConfigError` (see the module docstring).

    Raises:
        yaml.YAMLError: the text is not valid YAML.
        ConfigError: a mapping holds one key twice.
    """
    return yaml.load(text, Loader=_UniqueKeyLoader)
