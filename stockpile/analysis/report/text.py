"""Plain-text tables for the terminal: verdicts per deadline and what binds most."""

from __future__ import annotations

import pandas as pd

from stockpile.scenario.schema import LAYERS


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
    rows.extend(layer_lines(goal))
    return "\n".join(rows)


def layer_lines(goal: pd.DataFrame) -> list[str]:
    """Each layer's ratio to its own baseline per deadline, and when it first reaches the
    multiple (layers without a baseline are left out: there is nothing to multiply)."""
    layers = [layer for layer in LAYERS if f"ratio_{layer}" in goal
              and goal[f"ratio_{layer}"].notna().any()]
    if not layers:
        return []
    width = max(len(layer) for layer in layers)
    out = ["by layer (ratio to the layer's own baseline):",
           f"  {'layer':<{width}}  " + "  ".join(f"{d:>6}" for d in goal["deadline"])
           + "  first reached"]
    for layer in layers:
        ratios = "  ".join(f"{r:6.2f}" for r in goal[f"ratio_{layer}"])
        first = goal[f"first_met_{layer}"].iloc[0] or "not in the horizon"
        out.append(f"  {layer:<{width}}  {ratios}  {first}")
    return out


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


def first_points(batch: pd.DataFrame) -> pd.DataFrame:
    """A batch's rows for each scenario's first design point (the one its report leads with)."""
    if "point" not in batch:
        return batch
    return batch[batch["point"] == batch.groupby("name")["point"].transform("min")]


def side_by_side(batch: pd.DataFrame) -> pd.DataFrame:
    """Scenarios as rows, deadlines as columns: 'P(met) (95% interval), median ratio'."""
    rows = first_points(batch)
    cell = rows.apply(lambda r: f"{r['p_met']:.0%} ({r['ci_low']:.0%}–{r['ci_high']:.0%}), "
                                f"{r['ratio_p50']:.1f}×", axis=1)
    table = rows.assign(cell=cell).pivot(index="name", columns="deadline", values="cell")
    order = list(dict.fromkeys(rows["name"]))
    table = table.reindex(order)
    table.columns = [str(c) for c in table.columns]
    return table.reset_index().rename(columns={"name": "scenario"})


def batch_text(batch: pd.DataFrame) -> str:
    """The combined summary as a terminal table, one scenario per row."""
    if batch.empty:
        return "no scenario finished"
    table = side_by_side(batch)
    cells = [list(table.columns), *table.astype(str).to_numpy().tolist()]
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                       for i, (c, w) in enumerate(zip(r, widths, strict=True))) for r in cells]
    return "\n".join(["P(goal met by the end of the year) (95% interval), median capability "
                      "÷ baseline", *lines])
