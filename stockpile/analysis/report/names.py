"""Human names for the keys a scenario uses: systems, production lines and countries.

Tables keep the keys (they are what ``--set`` and the CSVs use); sentences, chart titles
and legends use the names the scenario gives in its ``name`` fields (the manifest holds the
resolved scenario), so a reader sees "Arrow 3 interceptor (Israel Aerospace Industries)"
rather than ``arrow3_interceptor_iai``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from stockpile.analysis.report.labels import input_label

PARENTHESES = re.compile(r"\s*\([^)]*\)")


def short(text: str) -> str:
    """'Patriot fire unit (radar, ECS; no missiles)' -> 'Patriot fire unit'."""
    shortened = PARENTHESES.sub("", str(text)).strip()
    return shortened or str(text).strip()


def _named(rows: Mapping, key: str = "name") -> dict[str, str]:
    return {k: short(v[key]) for k, v in (rows or {}).items()
            if isinstance(v, Mapping) and v.get(key)}


def _line_names(scenario: Mapping) -> dict[str, str]:
    """A line's own name, else its product and maker: 'PAC-3 MSE interceptor (Lockheed Martin)'."""
    products = _named(scenario.get("products") or {})
    names = {}
    for key, row in (scenario.get("lines") or {}).items():
        if not isinstance(row, Mapping):
            continue
        if row.get("name"):
            names[key] = short(row["name"])
        elif row.get("product") in products:
            maker = short(row.get("manufacturer") or "")
            names[key] = products[row["product"]] + (f" ({maker})" if maker else "")
    return names


@dataclass(frozen=True)
class Names:
    """Key -> human name, for every kind of key the report shows."""

    systems: dict[str, str] = field(default_factory=dict)
    lines: dict[str, str] = field(default_factory=dict)
    countries: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, scenario: Mapping) -> Names:
        return cls(_named(scenario.get("systems") or {}), _line_names(scenario),
                   _named(scenario.get("countries") or {}))

    def system(self, key: str) -> str:
        return self.systems.get(str(key), str(key))

    def line(self, key: str) -> str:
        return self.lines.get(str(key), str(key))

    def country(self, key: str) -> str:
        return self.countries.get(str(key), str(key))

    def any(self, key: str) -> str:
        """A key of any kind (lines first: their keys are the most cryptic)."""
        key = str(key)
        return self.lines.get(key) or self.systems.get(key) or self.countries.get(key) or key

    def input(self, path: str) -> str:
        """``systems.patriot.stock_factor`` -> 'stock factor (Patriot)'."""
        parts = str(path).split(".")
        label = input_label(path)
        if len(parts) >= 3:
            middle = ".".join(parts[1:-1])
            named = self.any(middle)
            if named != middle:
                return label.replace(f"({middle})", f"({named})")
        return label
