"""Plain-text tables for the terminal: verdicts per deadline and what binds most."""

from __future__ import annotations

import pandas as pd


def verdict_table(goal: pd.DataFrame) -> str:
    """Per deadline: value, target, ratio, met, as a readable table."""
    rows = [f"{'deadline':>8}  {'value':>9}  {'target':>9}  {'ratio':>6}  met"]
    for row in goal.itertuples(index=False):
        ratio = f"{row.ratio:6.2f}" if pd.notna(row.ratio) else "   n/a"
        rows.append(f"{row.deadline:>8}  {row.value:9.1f}  {row.target:9.1f}  {ratio}  "
                    f"{'yes' if row.met else 'no'}")
    first = goal["first_met"].iloc[0] if len(goal) else ""
    baseline = goal["baseline"].iloc[0] if len(goal) else float("nan")
    rows.append(f"baseline {baseline:.1f}; target first reached: {first or 'not in the horizon'}")
    return "\n".join(rows)


def binding_summary(constraints: pd.DataFrame, production: pd.DataFrame, top: int = 5) -> str:
    """The countries held back longest, and the lines that limit most often."""
    held = constraints[constraints["binding"] != "none"]
    lines = []
    if len(held):
        counts = (held.groupby(["country", "binding"]).size().rename("months").reset_index()
                  .sort_values(["months", "country"], ascending=[False, True]).head(top))
        lines.append("countries held back most (months, by what):")
        lines.extend(f"  {r.country:<4} {r.months:>4}  {r.binding}" for r in counts.itertuples())
    limited = production[production["limited_by"].isin(["capacity", "components"])]
    if len(limited):
        counts = (limited.groupby(["line", "limited_by"]).size().rename("months").reset_index()
                  .sort_values(["months", "line"], ascending=[False, True]).head(top))
        lines.append("lines that bind most (months, by what):")
        lines.extend(f"  {r.line:<24} {r.months:>4}  {r.limited_by}" for r in counts.itertuples())
    return "\n".join(lines) if lines else "nothing binds: every order was served when placed"
