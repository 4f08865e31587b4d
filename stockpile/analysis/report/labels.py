"""Words and number formats for decision makers: input paths as phrases, shares as percents.

One place decides how a figure is written, so the report, the plots and the tests that
check every quoted figure against its table all agree.
"""

from __future__ import annotations

import math
import re

import pandas as pd

#: last path component -> phrase (the dotted path's middle names the line or country)
FIELD_WORDS = {
    "gbad_share": "GBAD share of equipment spending",
    "equipment_share": "equipment share of defence spending",
    "europe_share": "Europe's share of output",
    "defence_inflation": "defence inflation",
    "contracting_delay_months": "contracting delay",
    "coordination_delay_months": "coordination delay",
    "expansion_lead_months": "expansion lead time",
    "manufacturing_lead_months": "manufacturing lead time",
    "capacity_per_month": "capacity",
    "ceiling_per_month": "capacity ceiling",
    "real_growth": "real GDP growth",
    "carry_over": "carry-over of unspent money",
    "defence_share_target": "defence spending target",
    "training_multiplier": "training firings multiplier",
    "stoppage_rate_per_year": "stoppage rate",
}
SCOPE_WORDS = {"country_defaults": "", "economy": "", "procurement": "national ",
               "joint": "joint ", "consumption": ""}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def input_label(path: str) -> str:
    """``lines.pac3_mse_camden.europe_share`` -> "Europe's share of output (pac3_mse_camden)"."""
    parts = path.split(".")
    field = parts[-1]
    words = FIELD_WORDS.get(field, field.replace("_", " "))
    if len(parts) >= 3:
        return f"{words} ({'.'.join(parts[1:-1])})"
    if len(parts) == 2:
        return f"{SCOPE_WORDS.get(parts[0], parts[0].replace('_', ' ') + ' ')}{words}".strip()
    return words


def is_share(path: str) -> bool:
    return path.split(".")[-1].endswith(("share", "inflation", "growth", "carry_over"))


def input_value(path: str, value: float) -> str:
    """A lever or input value in its unit: shares as percents, months as months."""
    if is_share(path):
        return percent(value, digits=1 if abs(value) < 0.1 else 0)
    if path.endswith("_months"):
        return f"{value:.0f} months" if abs(value - round(value)) < 0.05 else f"{value:.1f} months"
    return number(value)


def percent(p: float, digits: int = 0) -> str:
    """0.1234 -> '12%'; never rounds a non-zero share to 0% or a short one to 100%."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "n/a"
    scaled = 100 * float(p)
    shown = f"{scaled:.{digits}f}"
    if scaled > 0 and float(shown) == 0:
        return f"under {1 / 10 ** digits:g}%"
    if scaled < 100 and float(shown) == 100:
        return f"over {100 - 1 / 10 ** digits:g}%"
    return f"{shown}%"


def number(x: float) -> str:
    """Thousands separated; at most three significant decimals for small values."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    x = float(x)
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:,.1f}"
    return f"{x:.3g}"


def listed(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)


def ratio(x: float) -> str:
    return "n/a" if x is None or math.isnan(float(x)) else f"{float(x):.1f}×"


def month(text: str) -> str:
    """'2031-06' -> 'June 2031'; 'never' and blanks pass through."""
    if not isinstance(text, str) or not re.fullmatch(r"\d{4}-\d{2}", text):
        return str(text) if isinstance(text, str) and text else "never"
    year, mon = text.split("-")
    return f"{MONTHS[int(mon) - 1]} {year}"


def month_dates(values: pd.Series) -> pd.Series:
    """'YYYY-MM' strings to the month's last day: tables record the state at the close."""
    return pd.to_datetime(values.astype(str), format="%Y-%m") + pd.offsets.MonthEnd(0)


def deadline_date(year: int) -> pd.Timestamp:
    """Deadlines are judged at the close of December."""
    return pd.Timestamp(year=int(year), month=12, day=31)
