"""YAML read safely: no duplicate keys, and a size and depth the loader and model can handle.

PyYAML composes nested nodes recursively, so a file of 20,000 nested ``[`` would end in a
RecursionError; and aliases (``*name``) can make a small file expand into a huge or deep
structure. Both are refused with a message instead. No scenario comes near the limits: the
deepest key path of a real one is about six levels.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_DEPTH = 40  # levels of nested lists and mappings
MAX_ITEMS = 1_000_000  # values in the whole document, after aliases are expanded


class TooLarge(yaml.MarkedYAMLError):
    """A document nested too deeply or too large; ``problem`` says which, ``path`` where."""

    def __init__(self, problem: str, mark: yaml.Mark | None = None, path: str = ""):
        super().__init__(problem=problem, problem_mark=mark)
        self.path = path


class SafeLoader(yaml.SafeLoader):
    """``safe_load`` that refuses duplicate keys and documents nested beyond ``MAX_DEPTH``."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise TooLarge(f"nested more than {MAX_DEPTH} levels deep "
                               f"(at most {MAX_DEPTH} levels of lists and mappings)",
                               self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
    mapping: dict = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node)
        try:
            duplicate = key in mapping
        except TypeError:  # a list or mapping as a key
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a name, not a list or mapping",
                key_node.start_mark) from None
        if duplicate:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key '{key}'", key_node.start_mark)
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


SafeLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def check_shape(data: Any) -> None:
    """Refuse data deeper than ``MAX_DEPTH`` or larger than ``MAX_ITEMS`` once aliases are
    expanded; walked without recursion, stopping at the first excess."""
    stack: list[tuple[Any, int, str]] = [(data, 0, "")]
    seen = 0
    while stack:
        value, depth, path = stack.pop()
        seen += 1
        if seen > MAX_ITEMS:
            raise TooLarge(f"more than {MAX_ITEMS:,} values once aliases are expanded "
                           f"(at most {MAX_ITEMS:,})")
        if depth > MAX_DEPTH:
            raise TooLarge(f"nested more than {MAX_DEPTH} levels deep "
                           f"(at most {MAX_DEPTH} levels of lists and mappings)", path=path)
        if isinstance(value, dict):
            stack.extend((v, depth + 1, f"{path}.{k}" if path else str(k))
                         for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, depth + 1, f"{path}.{i}" if path else str(i))
                         for i, v in enumerate(value))


def load(text: str) -> Any:
    """Parse one YAML document with ``SafeLoader`` and check its shape."""
    data = yaml.load(text, Loader=SafeLoader)
    check_shape(data)
    return data
