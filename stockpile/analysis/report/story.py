"""The report's sentences: the goal verdicts, who contributes, what binds, what matters.

Each function takes a ``Narrator`` over the folder's tables (keyed by file path relative to
the results folder) and the logical-name -> file map, and says one thing with cited figures.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from stockpile.analysis.report.labels import input_label, listed, month, number, percent, ratio
from stockpile.analysis.report.narrative import Narrator, Sentence
from stockpile.analysis.sensitivity import clear_effects, headline

Files = dict[str, str]
Name = Callable[[str], str]
#: how the sentence on the lines that bind most begins (the summary picks it out)
CAPPED = "The production lines whose capacity most often caps"
METHOD_WORDS = {"spearman": "Spearman's ρ", "sobol ST": "total Sobol index",
                "morris mu_star": "Morris μ*"}
BINDING_WORDS = {"money": "money", "capacity": "production capacity",
                 "components": "sub-tier components", "none": "nothing"}


def focus(n: Narrator, files: Files, point: int, levers: list[str], deadline: int,
          summary, label: Name = input_label) -> list[Sentence]:
    """With several design points: which one the verdicts describe."""
    if summary["point"].nunique() < 2 or not levers:
        return []
    where = {"point": point, "deadline": deadline}
    values = listed([f"{label(lever)} is "
                      f"{n.cite(files['summary'], lever, _lever_fmt(lever), **where)}"
                      for lever in levers])
    return [n.say(f"The verdicts below are for design point {point}, where {values} "
                  "(stockpile report --point N describes another).")]


def goal_verdicts(n: Narrator, files: Files, point: int, deadlines: list[int]) -> list[Sentence]:
    """Per deadline: the chance of meeting the goal and where the ratio lands."""
    summary = files["summary"]
    single = int(n.row(summary, point=point, deadline=deadlines[0])["runs"]) == 1
    out = []
    for d in deadlines:
        if single:
            met = n.cite(files["runs"], "met", lambda v: "meets" if v else "does not meet",
                         point=point, run=0, deadline=d)
            value = n.cite(files["runs"], "ratio", ratio, point=point, run=0, deadline=d)
            out.append(n.say(f"By the end of {d} this run {met} the goal: capability is "
                             f"{value} the baseline."))
            continue
        where = {"point": point, "deadline": d}
        p = n.cite(summary, "p_met", percent, **where)
        runs = n.cite(summary, "runs", number, **where)
        low = n.cite(summary, "ci_low", percent, **where)
        high = n.cite(summary, "ci_high", percent, **where)
        mid = n.cite(summary, "ratio_p50", ratio, **where)
        p5 = n.cite(summary, "ratio_p5", ratio, **where)
        p95 = n.cite(summary, "ratio_p95", ratio, **where)
        out.append(n.say(f"By the end of {d} the goal is met in {p} of {runs} runs (95% "
                         f"interval {low} to {high}); the median run reaches {mid} the "
                         f"baseline, and 90% of runs lie between {p5} and {p95}."))
    return out


METRIC_WORDS = {
    "ready_fire_units": "fire units holding a full combat load of interceptors",
    "fire_units": "fire units in service",
    "interceptors": "interceptors in stock",
}


def target(n: Narrator, files: Files, point: int, deadline: int, metric: str,
           start: str = "", given: bool = False) -> list[Sentence]:
    """What the goal asks in absolute terms, what the baseline counts and when."""
    if "goal" not in files:
        return []
    where = {"point": point, "deadline": deadline}
    goal = n.cite(files["goal"], "target", number, **where)
    base = n.cite(files["goal"], "baseline", number, **where)
    counts = METRIC_WORDS.get(metric, metric.replace("_", " "))
    weighted = "" if metric == "interceptors" else ", weighted by capability"
    when = "given in the scenario as a number" if given else (
        f"counted in the opening state ({month(start)}, before any month's flows)"
        if start else "counted in the opening state")
    out = [n.say(f"The baseline is {base}: {counts} in the goal's countries{weighted}, "
                 f"{when}. The target is {goal}.")]
    row = n.row(files["goal"], **where)
    if "baseline_min" in row and row["baseline_max"] > row["baseline_min"]:
        low = n.cite(files["goal"], "baseline_min", number, **where)
        high = n.cite(files["goal"], "baseline_max", number, **where)
        out.append(n.say(f"Across runs the baseline lies between {low} and {high}, because "
                         "the opening interceptor stocks are sampled (the stock factors)."))
    return out


def fielded(n: Narrator, files: Files, point: int, deadline: int, metric: str) -> list[Sentence]:
    """The same verdict on fire units in service, which does not hang on unknown stocks."""
    summary = files["summary"]
    row = n.row(summary, point=point, deadline=deadline)
    if metric == "fire_units" or "fielded_p_met" not in row or pd.isna(row["fielded_p_met"]):
        return []
    where = {"point": point, "deadline": deadline}
    mid = n.cite(summary, "fielded_ratio_p50", ratio, **where)
    if int(row["runs"]) == 1:
        ours = n.cite(summary, "ratio_p50", ratio, **where)
        verdict = f"this run reaches {mid} their opening level by the end of {deadline}"
    else:
        p = n.cite(summary, "fielded_p_met", percent, **where)
        ours = n.cite(summary, "p_met", percent, **where)
        verdict = (f"the goal is met by the end of {deadline} in {p} of runs (median {mid} "
                   "their opening level)")
    return [n.say(f"Counting fire units in service whatever their interceptor stocks, "
                  f"{verdict}, against {ours} on {metric.replace('_', ' ')}: the gap between "
                  "the two is the part of the answer that is missiles, not launchers.")]


def stocks(n: Narrator, file: str, table: pd.DataFrame, point: int,
           deadline: int) -> list[Sentence]:
    """How the verdict moves with the opening-stock factors."""
    rows = table[(table["point"] == point) & (table["deadline"] == deadline)]
    if len(rows) < 2:
        return []
    where = {"point": point, "deadline": deadline}
    low = {k: n.cite(file, k, f, stocks="low", **where)
           for k, f in (("p_met", percent), ("ratio_p50", ratio), ("baseline_p50", number))}
    high = {k: n.cite(file, k, f, stocks="high", **where)
            for k, f in (("p_met", percent), ("ratio_p50", ratio), ("baseline_p50", number))}
    return [n.say(f"With the lowest third of opening stocks the goal is met by {deadline} in "
                  f"{low['p_met']} of runs (median {low['ratio_p50']}, baseline "
                  f"{low['baseline_p50']}); with the highest third in {high['p_met']} "
                  f"(median {high['ratio_p50']}, baseline {high['baseline_p50']}). Fewer "
                  "missiles today lower the baseline as well as the future.")]


def dry(n: Narrator, file: str, table: pd.DataFrame, name: Name = str) -> list[Sentence]:
    """When each system's European stock is gone."""
    if not len(table):
        return []
    parts = [f"{name(system)} in {n.cite(file, 'dry_date', month, system=system)}"
             for system in table.sort_values("dry_date")["system"]]
    return [n.say("Europe's interceptor stocks run dry (under one interceptor left, counting "
                  "the mean run where there are several): " + ", ".join(parts) + ".")]


def first_reached(n: Narrator, files: Files, point: int, deadline: int) -> list[Sentence]:
    """When the target is first reached (the same in every deadline's row)."""
    where = {"point": point, "deadline": deadline}
    row = n.row(files["summary"], **where)
    if int(row["runs"]) == 1:
        when = n.cite(files["runs"], "first_met", lambda v: month(v) if v else "never",
                      run=0, **where)
        if when == "never":
            return [n.say("In this run the target is never reached within the horizon.")]
        return [n.say(f"In this run the target is first reached in {when}.")]
    if row["first_met_p50"]:  # blank: half the runs never reach it
        half = n.cite(files["summary"], "first_met_p50", month, **where)
        early = n.cite(files["summary"], "first_met_p5", month, **where)
        return [n.say(f"Half of the runs reach the target by {half}; the fastest 5% by "
                      f"{early}.")]
    never = n.cite(files["summary"], "never_met", number, **where)
    runs = n.cite(files["summary"], "runs", number, **where)
    if row["never_met"] == row["runs"]:
        return [n.say(f"No run reaches the target within the horizon ({never} of {runs} "
                      "never do).")]
    return [n.say(f"Most runs never reach the target within the horizon: {never} of {runs}.")]


def across_points(n: Narrator, files: Files, levers: list[str], deadline: int,
                  summary, label: Name = input_label) -> list[Sentence]:
    """With several design points: the range of p_met and the levers at its ends."""
    rows = summary[summary["deadline"] == deadline]
    if rows["point"].nunique() < 2 or not levers:
        return []
    low_point = int(rows.loc[rows["p_met"].idxmin(), "point"])
    high_point = int(rows.loc[rows["p_met"].idxmax(), "point"])
    parts = []
    for point in (low_point, high_point):
        where = {"point": point, "deadline": deadline}
        p = n.cite(files["summary"], "p_met", percent, **where)
        values = ", ".join(f"{label(lever)} "
                           f"{n.cite(files['summary'], lever, _lever_fmt(lever), **where)}"
                           for lever in levers[:3])
        parts.append(f"{p} (point {point}: {values})")
    return [n.say(f"Across the design points, the chance of meeting the goal by {deadline} "
                  f"ranges from {parts[0]} to {parts[1]}.")]


def _lever_fmt(lever: str):
    from stockpile.analysis.report.labels import input_value

    return lambda v: input_value(lever, float(v))


def contributors(n: Narrator, files: Files, contribution, point: int, deadline: int,
                 metric: str, top: int = 3, name: Name = str) -> list[Sentence]:
    """The countries carrying most of the load at the deadline."""
    dates = sorted(d for d in contribution["date"].unique() if d <= f"{deadline}-12")
    if not dates:
        return []
    at = contribution[contribution["date"] == dates[-1]].nlargest(top, "value")
    named = []
    for country in at["country"]:
        value = n.cite(files["contribution"], "value", number, point=point, date=dates[-1],
                       country=country)
        named.append(f"{name(country)} ({value})")
    return [n.say(f"At {month(dates[-1])} the largest contributors are {listed(named)}, in mean "
                  f"weighted {metric.replace('_', ' ')}.")]


def constraints(n: Narrator, files: Files, binding, point: int, years: list[int]) -> list[Sentence]:
    """What holds countries back in the first year and at the deadlines, by share."""
    parts = []
    for year in dict.fromkeys(y for y in years if y in set(binding["year"])):
        row = binding[binding["year"] == year].iloc[0]
        kinds = sorted((k for k in ("money", "capacity", "components")
                        if row[f"{k}_share"] >= 0.005), key=lambda k: -row[f"{k}_share"])
        said = [f"{n.cite(files['binding'], f'{k}_share', percent, point=point, year=year)} "
                f"by {BINDING_WORDS[k]}" for k in kinds]
        if row["none_share"] >= 0.005:
            free = n.cite(files["binding"], "none_share", percent, point=point, year=year)
            said.append(f"{free} by nothing")
        parts.append(f"in {year}, " + listed(said))
    if not parts:
        return []
    return [n.say("In an average month, the share of countries held back: "
                  + "; ".join(parts) + ".")]


def lines(n: Narrator, files: Files, view, point: int, name: Name = str) -> list[Sentence]:
    """The lines most often at capacity or short of components."""
    out = []
    busy = view[view["capacity_limited_share"] > 0].nlargest(3, "capacity_limited_share")
    if len(busy):
        named = []
        for line in busy["line"]:
            share = n.cite(files["lines"], "capacity_limited_share", percent, point=point,
                           line=line)
            named.append(f"{name(line)} ({share} of months)")
        out.append(n.say(f"{CAPPED} European orders are " + listed(named) + "."))
    short = view[view["components_limited_share"] > 0.05].nlargest(2,
                                                                   "components_limited_share")
    for line in short["line"]:
        share = n.cite(files["lines"], "components_limited_share", percent, point=point,
                       line=line)
        out.append(n.say(f"The {name(line)} line waits for components in {share} of months."))
    grown = view.assign(growth=view["capacity_last"] - view["capacity_first"])
    grown = grown[grown["growth"] > 1e-9].nlargest(2, "growth")
    for line in grown["line"]:
        first = n.cite(files["lines"], "capacity_first", number, point=point, line=line)
        last = n.cite(files["lines"], "capacity_last", number, point=point, line=line)
        out.append(n.say(f"The {name(line)} line grows from {first} to {last} units a month."))
    return out


def signed(value: float) -> str:
    """-0.35 -> '−0.35' (a typographic minus: no spreadsheet reads it as a formula)."""
    return f"{value:.2f}".replace("-", "\u2212")


def drivers(n: Narrator, files: Files, table, deadline: int, top: int = 3,
            label: Name = input_label) -> list[Sentence]:
    """The inputs that move the capability ratio most at the deadline.

    An input is named only if its effect stands out from sampling noise (``clear_effects``:
    sensitivity.csv's beyond_noise). SALib: the indices with their 95% half-widths, and a
    caution when these are wide.
    """
    method, rows = headline(table, deadline)
    if not len(rows):
        return []
    shown = clear_effects(rows)
    if not len(shown):
        return [n.say(f"No sampled input has a clear effect on the capability ratio at the "
                      f"end of {deadline} ({METHOD_WORDS[method]}): none stands out from "
                      "sampling noise.")]
    where = {"deadline": deadline, "outcome": "ratio", "method": method}
    named, wide = [], False
    for name, conf, index in shown.nsmallest(top, "rank")[["input", "conf", "index"]].values:
        named_input = n.cite(files["sensitivity"], "input", label, input=name, **where)
        value = n.cite(files["sensitivity"], "index", signed, input=name, **where)
        if method != "spearman":
            value += f" ± {n.cite(files['sensitivity'], 'conf', signed, input=name, **where)}"
            wide = wide or conf > abs(index) / 2
        named.append(f"{named_input} ({value})")
    listed = ", then ".join(named)
    caution = " These indices are uncertain: more --samples would narrow them." if wide else ""
    return [n.say(f"What moves the capability ratio at the end of {deadline} most "
                  f"({METHOD_WORDS[method]}): {listed}.{caution}")]


def conditions(n: Narrator, files: Files, found, deadline: int) -> list[Sentence]:
    """Scenario discovery's rule for a deadline, in words."""
    if not len(found[found["deadline"] == deadline]):
        return []
    where = {"deadline": deadline}
    outcome = n.cite(files["discovery"], "outcome", str, **where)
    density = n.cite(files["discovery"], "density", percent, **where)
    rule = n.cite(files["discovery"], "rule", str, **where)
    support = n.cite(files["discovery"], "support", percent, **where)
    base = n.cite(files["discovery"], "base_rate", percent, **where)
    coverage = n.cite(files["discovery"], "coverage", percent, **where)
    verb = "met" if outcome == "met" else "missed"
    return [n.say(f"The goal for {deadline} is {outcome} in {density} of runs where {rule} "
                  f"({support} of all runs; {base} {verb} it overall); these runs hold "
                  f"{coverage} of all runs in which it is {verb}.")]


def batch_verdicts(n: Narrator, file: str, batch, deadline: int) -> list[Sentence]:
    """One sentence comparing the configs of a batch at a deadline."""
    rows = batch[batch["deadline"] == deadline]
    if "point" in rows:
        rows = rows[rows["point"] == rows["point"].min()]
    parts = []
    for name in rows["name"]:
        where = {"name": name, "deadline": deadline}
        if "point" in rows:
            where["point"] = int(rows["point"].min())
        p = n.cite(file, "p_met", percent, **where)
        low = n.cite(file, "ci_low", percent, **where)
        high = n.cite(file, "ci_high", percent, **where)
        mid = n.cite(file, "ratio_p50", ratio, **where)
        parts.append(f"{name} {p} ({low} to {high}; median run at {mid} the baseline)")
    if not parts:
        return []
    return [n.say(f"Chance of meeting the goal by the end of {deadline}: " + "; ".join(parts)
                  + ".")]


def idle_money(n: Narrator, file: str, table: pd.DataFrame, point: int,
               reasons: dict[str, str]) -> list[Sentence]:
    """How much GBAD money waits unspent at each deadline, and why (median over runs)."""
    said = []
    for deadline in table.loc[table["point"] == point, "deadline"]:
        where = {"point": point, "deadline": int(deadline)}
        row = n.row(file, **where)
        share = n.cite(file, "idle_share", percent, **where)
        idle = n.cite(file, "idle_eur_m", _bn, **where)
        credited = n.cite(file, "credited_eur_m", _bn, **where)
        parts = sorted(((float(row[c]), c) for c in reasons if float(row[c]) > 0.5),
                       reverse=True)
        why = "; ".join(f"{reasons[c]} {n.cite(file, c, _bn, **where)}" for _, c in parts[:3])
        said.append(n.say(f"By the end of {int(deadline)}, {idle} of the {credited} of GBAD "
                          f"money credited ({share}) is idle" + (f": {why}." if why else ".")))
    return said


LAYER_WORDS = {"upper_tier": "upper tier", "long_range": "long range",
               "medium_range": "medium range", "short_range": "short range",
               "very_short_range": "very short range and counter-drone"}


def layers(n: Narrator, file: str, table: pd.DataFrame, point: int, deadline: int,
           end: str) -> list[Sentence]:
    """Each layer against its own baseline: the verdict by the last deadline and when the
    multiple is first reached (or that it is not by the end of the horizon)."""
    said = []
    for layer in table.loc[table["point"] == point, "layer"].drop_duplicates():
        where = {"point": point, "deadline": deadline, "layer": layer}
        row = n.row(file, **where)
        name = LAYER_WORDS.get(layer, layer).capitalize()
        mid = n.cite(file, "ratio_p50", ratio, **where)
        if int(row["runs"]) == 1:
            met = n.cite(file, "p_met", lambda v: "met" if v else "not met", **where)
            text = f"{name}: {mid} its own baseline by the end of {deadline} ({met})"
            when = (f"first reached in {n.cite(file, 'first_met_p50', month, **where)}"
                    if row["first_met_p50"] else f"not reached by {month(end)}")
            said.append(n.say(f"{text}; the multiple is {when}."))
            continue
        p = n.cite(file, "p_met", percent, **where)
        low = n.cite(file, "ci_low", percent, **where)
        high = n.cite(file, "ci_high", percent, **where)
        text = f"{name}: P(met by {deadline}) {p} ({low}–{high}), median {mid} its own baseline"
        if row["first_met_p50"]:
            half = n.cite(file, "first_met_p50", month, **where)
            text += f"; half of the runs reach the multiple by {half}"
            if row["first_met_p95"]:
                early = n.cite(file, "first_met_p5", month, **where)
                late = n.cite(file, "first_met_p95", month, **where)
                text += f" (90% of runs between {early} and {late})"
            else:
                never = n.cite(file, "never_met_share", percent, **where)
                text += f", and {never} of them not by {month(end)}"
        else:
            never = n.cite(file, "never_met_share", percent, **where)
            text += f"; {never} of the runs do not reach it by {month(end)}"
        said.append(n.say(text + "."))
    return said


NOISE_P = 0.05  # a difference between two shares of runs below this is named as an effect


def layer_weights(n: Narrator, file: str, table: pd.DataFrame) -> list[Sentence]:
    """How much the verdict hangs on the layer weights (their lowest against highest third)."""
    said = []
    for row in table.itertuples(index=False):
        where = {"point": row.point, "deadline": row.deadline, "layer": row.layer}
        low = n.cite(file, "p_met_low", percent, **where)
        high = n.cite(file, "p_met_high", percent, **where)
        low_ratio = n.cite(file, "ratio_p50_low", ratio, **where)
        high_ratio = n.cite(file, "ratio_p50_high", ratio, **where)
        name = LAYER_WORDS.get(row.layer, row.layer)
        noise = (" The difference is within sampling noise (Fisher's exact p "
                 f"{n.cite(file, 'p_value', lambda v: f'{float(v):.2f}', **where)})."
                 if row.p_value >= NOISE_P else "")
        said.append(n.say(f"With the {name} layer weighted in its lowest third, the goal is met "
                          f"by {row.deadline} in {low} of runs (median {low_ratio}); in its "
                          f"highest third, in {high} (median {high_ratio}).{noise}"))
    return said


def _bn(x: float) -> str:
    return f"EUR {number(round(float(x) / 1000, 1))}bn"
