"""Checkpoints set against a run: the public value, the modelled value, and whether it is within
tolerance (``validation.csv``).

Reads only finished tables (timeseries, production, budget, contracts, deliveries) and the
scenario's checkpoint rows. A checkpoint about a contract the run does not hold (a replay
with the model's own decisions has no recorded contracts) is "not applicable", not missed.
Measures are documented in docs/validation.md.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import pandas as pd

from stockpile.scenario.schedules import months_between, parse_span

VALIDATION_COLUMNS = ["checkpoint", "date", "measure", "where", "public", "modelled",
                      "tolerance", "low", "high", "within", "unit", "source"]
STOCKS = {"fire_units", "fire_units_at_home", "interceptors", "ready_fire_units"}
FLOWS = {"fire_units_delivered": "fire_units_delivered", "interceptors_delivered": "delivered",
         "fire_units_donated": "fire_units_donated", "interceptors_donated": "donated"}
_TOLERANCE = re.compile(r"^\s*(?:\+-|±|\+/-)?\s*(\d+(?:\.\d+)?)\s*(%|months?)?\s*$")


def tolerance_band(text: str, public: float) -> tuple[float, float]:
    """'0', '+-2', '+-5%', '+-3 months' -> the lowest and highest value within it."""
    found = _TOLERANCE.match(str(text))
    if not found:
        raise ValueError(f"tolerance '{text}' is not N, +-N, +-N% or +-N months")
    size, unit = float(found.group(1)), found.group(2) or ""
    width = abs(public) * size / 100.0 if unit == "%" else size
    return public - width, public + width


def _split(text: str) -> list[str]:
    return [part.strip() for part in str(text).split(";") if part.strip()]


def _period(date: str, start: str) -> tuple[str, str]:
    """A YYYY-MM date adds up from the start; YYYY or YYYY/YYYY over those months."""
    if "/" not in date and len(date) == 7:
        return start, date
    return parse_span(date)


def _stock(ts: pd.DataFrame, row: Mapping, column: str) -> float | None:
    last = parse_span(row["date"])[1]
    rows = ts[(ts["date"] == last) & ts["country"].isin(_split(row["country"]))
              & (ts["system"] == row["system"])]
    if rows.empty and not (ts["date"] == last).any():
        return None  # the date was not recorded (outside the horizon or the frequency)
    if column == "fire_units_at_home":  # fire units less those lent or deployed abroad
        away = rows.get("fire_units_away", 0)  # absent from folders older than transfers
        return float((rows["fire_units"] - away).sum())
    return float(rows[column].sum())


def _within(frame: pd.DataFrame, first: str, last: str, column: str = "date") -> pd.DataFrame:
    """Rows whose month (YYYY-MM text) falls in first..last."""
    return frame[(frame[column] >= first) & (frame[column] <= last)]


def _flow(ts: pd.DataFrame, row: Mapping, column: str, start: str) -> float:
    rows = _within(ts, *_period(row["date"], start))
    rows = rows[rows["country"].isin(_split(row["country"])) & (rows["system"] == row["system"])]
    return float(rows[column].sum())


def _contract_ids(tables: Mapping[str, pd.DataFrame], reference: str) -> set:
    contracts = tables.get("contracts")
    if contracts is None or "reference" not in contracts:
        return set()
    return set(contracts.loc[contracts["reference"] == reference, "contract_id"])


def modelled_value(row: Mapping, tables: Mapping[str, pd.DataFrame], start: str) -> float | None:
    """The run's value of one checkpoint; None when the run cannot say (not applicable)."""
    measure = row["measure"]
    ts = tables["timeseries"]
    if measure in STOCKS:
        return _stock(ts, row, measure)
    if measure in FLOWS:
        return _flow(ts, row, FLOWS[measure], start)
    first, last = _period(row["date"], start)
    if measure == "line_output":
        rows = _within(tables["production"], first, last)
        rows = rows[rows["line"].isin(_split(row["line"]))]
        return float((rows["started"] + rows["other_output"]).sum())  # capacity used
    if measure == "defence_spending_eur_bn":
        rows = _within(tables["budget"], first, last)
        rows = rows[rows["account"].isin(_split(row["country"]))]
        yearly = rows.groupby([rows["account"], rows["date"].str[:4]])
        return float(yearly["defence_spending_eur_m"].last().sum()) / 1000.0
    if measure == "contracted_eur_m":
        rows = _within(tables["contracts"], first, last, "signed_date")
        rows = rows[rows["buyer"].isin(_split(row["country"]))]
        return float(rows["value_eur_m"].sum())
    ids = _contract_ids(tables, row["contract"])
    if not ids:
        return None
    deliveries = tables["deliveries"]
    mine = deliveries[deliveries["contract_id"].isin(ids)]
    if measure == "contract_delivered":
        return float(_within(mine, first, last)["units"].sum())
    # first_delivery: months from the public date to the first modelled delivery
    if mine.empty:
        return math.inf
    return float(months_between(last, str(mine["date"].min())) - 1)


def validation_table(checkpoints: Mapping[str, Mapping], tables: Mapping[str, pd.DataFrame],
                     start: str, sources: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per checkpoint, in the order given."""
    rows = []
    for name, row in checkpoints.items():
        first_delivery = row["measure"] == "first_delivery"
        public = 0.0 if first_delivery else float(row["value"])
        low, high = tolerance_band(row.get("tolerance", "0"), public)
        value = modelled_value(row, tables, start)
        where = ";".join(filter(None, (row.get("country", ""), row.get("system", ""),
                                       row.get("line", ""), row.get("contract", ""))))
        rows.append({
            "checkpoint": name, "date": row["date"], "measure": row["measure"],
            "where": where, "public": public, "modelled": value,
            "tolerance": row.get("tolerance", "0"), "low": low, "high": high,
            "within": "" if value is None else bool(low - 1e-9 <= value <= high + 1e-9),
            "unit": "months late (- early)" if first_delivery else row.get("unit", ""),
            "source": (sources or {}).get(name, "")})
    return pd.DataFrame(rows, columns=VALIDATION_COLUMNS)


def scenario_sources(provenance: list[dict]) -> dict[str, str]:
    """Each checkpoint's source text, from the scenario's table provenance."""
    return {p["key"]: p.get("source", "") for p in provenance if p.get("table") == "checkpoints"}


def score(table: pd.DataFrame) -> tuple[int, int, int]:
    """(within, applicable, all) checkpoints."""
    applicable = table[table["within"] != ""]
    return int((applicable["within"] == True).sum()), len(applicable), len(table)  # noqa: E712


RUN_TABLES = ("timeseries", "production", "budget", "contracts", "deliveries")


def folder_validation(tables: Mapping[str, pd.DataFrame], scenario: Mapping,
                      sources: Mapping[str, str]) -> pd.DataFrame | None:
    """A results folder's validation: its own validation.csv, or worked out from its per-run
    tables (several runs: the median modelled value and the share of runs within)."""
    if "validation" in tables:
        table = tables["validation"].copy()
        table["within"] = table["within"].map(
            lambda v: v if isinstance(v, bool) else {"True": True, "False": False}.get(
                str(v), ""))
        return table
    checkpoints = scenario.get("checkpoints") or {}
    if not checkpoints or any(name not in tables for name in RUN_TABLES):
        return None
    start = (scenario.get("time") or {}).get("start", "")
    per_run = []
    runs = tables["timeseries"][["point", "run"]].drop_duplicates()
    for point, run in runs.itertuples(index=False):
        mine = {name: tables[name][(tables[name]["point"] == point)
                                   & (tables[name]["run"] == run)] for name in RUN_TABLES}
        per_run.append(validation_table(checkpoints, mine, start, sources))
    if len(per_run) == 1:
        return per_run[0]
    return _across_runs(pd.concat(per_run))


def _across_runs(table: pd.DataFrame) -> pd.DataFrame:
    keys = [c for c in VALIDATION_COLUMNS if c not in ("modelled", "within")]
    table = table.assign(hit=table["within"].map({True: 1.0, False: 0.0, "": None}))
    grouped = table.groupby(keys, sort=False, dropna=False)
    out = grouped["modelled"].median().rename("modelled").reset_index()
    share = grouped["hit"].mean().reset_index(drop=True)
    out["within"] = share.map(lambda v: "" if pd.isna(v) else bool(v >= 0.5))
    out["runs_within"] = share
    return out[[*VALIDATION_COLUMNS, "runs_within"]]
