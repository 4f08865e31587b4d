"""Meaning of every column a results folder or report can hold, for the README sheet.

Per-run columns are documented once in ``stockpile.model.records.COLUMNS``; this adds the
summary, report and analysis columns, and reads any dotted name as a config input.
"""

from __future__ import annotations

import re

from stockpile.analysis.report.labels import input_label
from stockpile.model.records import COLUMNS as RUN_COLUMNS

QUANTILE = re.compile(r"^(ratio|first_met)_p(\d+)$")
#: a sweep's burden.csv: a percentile over runs of a per-run column (capability_share_p50)
RUN_QUANTILE = re.compile(r"^(.+)_p(\d+)$")
#: ... and of the month a country first reached its own multiple (own_first_met_p50_date)
OWN_MONTH = re.compile(r"^own_first_met_p(\d+)_date$")

SUMMARY_COLUMNS: dict[str, str] = {
    "runs": "replications at this point (finished ones)",
    "p_met": "share of runs in which the goal is met by the deadline",
    "ci_low": "lower end of the 95% Wilson interval of p_met",
    "ci_high": "upper end of the 95% Wilson interval of p_met",
    "never_met": "runs in which the target is never reached within the horizon",
    "never_met_share": "share of runs in which the target is never reached within the "
                       "horizon (the first_met_p* columns are empty where they fall among "
                       "these runs)",
    "baseline_min": "lowest baseline over the runs (it moves only where the opening state is "
                    "sampled, e.g. the stock factors)",
    "baseline_max": "highest baseline over the runs",
    "dry_date": "first month Europe's stock of the system is gone (under one interceptor), "
                "after having had some",
    "stocks": "third of the runs by their mean opening-stock factor (low, middle, high)",
    "factor_min": "lowest mean stock factor in that third",
    "factor_max": "highest mean stock factor in that third",
    "baseline_p50": "median baseline of those runs",
    "value_p50": "median goal metric at the deadline of those runs",
    "layer": "air-defence layer of the system (upper_tier, long_range, medium_range, "
             "short_range, very_short_range)",
    "rate_per_fu_per_day": "interceptors a fire unit fires a day: the conflict's rate, or the "
                           "same key as a stated reference rate when there is no conflict",
    "loads_held": "interceptors ÷ (fire units × combat load): combat loads held per fire unit",
    "daily_use": "interceptors a day the fire units would fire at that rate",
    "days_of_fire": "days the stock sustains at that rate (interceptors / daily_use; blank "
                    "without fire units); country 'Europe' sums the European countries",
    "fielded_p_met": "share of runs in which fielded fire units (weighted, whatever their "
                     "stocks) reach multiplier × their opening level by the deadline",
    "fielded_ratio_p50": "median over runs of fielded fire units ÷ their opening level",
    "ratio_mean": "mean over runs of capability ÷ baseline",
    "quantity": "which stock quantity the row summarises (fire_units, interceptors, "
                "ready_fire_units, on_order)",
    "mean": "mean over runs",
    "p5": "5th percentile over runs",
    "p50": "median over runs",
    "p95": "95th percentile over runs",
    "money_share": "share of runs (or country-months) held back by money",
    "capacity_share": "share of runs (or country-months) held back by production capacity",
    "components_share": "share of runs (or country-months) held back by sub-tier components",
    "none_share": "share of runs (or country-months) in which nothing binds",
    "capacity_limited_share": "share of runs (months) in which the line's starts were capped "
                              "by capacity or a stoppage",
    "components_limited_share": "share of runs (months) in which the line waited for "
                                "components",
    "capacity_first": "line capacity in the first month, units per month (mean of runs)",
    "capacity_last": "line capacity in the last month, units per month (mean of runs)",
    "backlog_peak": "largest European backlog of the line, units (mean of runs)",
    "backlog_peak_date": "month of the largest backlog",
    "idle_share": "idle_eur_m ÷ credited_eur_m (median over runs of each run's share)",
    "own_never_met_share": "share of runs in which the country never reached the goal's "
                           "multiplier × its own baseline within the horizon, or has no "
                           "baseline (the own_first_met_p*_date columns are empty where they "
                           "fall among these runs)",
    "year": "calendar year",
    "config": "scenario file of a batch member",
    "name": "scenario name",
    "error": "what went wrong in a failed run",
    "command": "the command that reruns this failed run alone",
    # analysis
    "outcome": "what is explained: ratio (capability ÷ baseline), met, or missed",
    "input": "sampled input or lever, by its dotted config path",
    "method": "spearman (rank correlation), sobol S1/ST (first/total-order index), "
              "morris mu_star/sigma",
    "index": "sensitivity index of the input for the outcome (by method)",
    "conf": "half-width of the index's 95% confidence interval (SALib's S1_conf, ST_conf or "
            "mu_star_conf; Fisher's z for Spearman)",
    "beyond_noise": "1 if the effect stands out from sampling noise, else 0: Spearman "
                    "p_value below 0.05 ÷ inputs tested, SALib index larger than conf "
                    "(blank: no interval); the report ranks and names only these",
    "p_value": "Spearman only: the chance of a correlation this strong if the input had no "
               "effect (the report names an input only below 0.05 ÷ inputs tested)",
    "rank": "1 = the input that matters most for this deadline, outcome and method",
    "kind": "SALib design: sobol or morris",
    "indices": "SALib indices with an interval at this deadline and outcome",
    "wide_indices": "of these, indices whose 95% interval is wider than the index (and than "
                    "a tenth of the largest total index or μ*)",
    "widest_method": "the index whose interval is widest for its size: its method",
    "widest_input": "... and its input",
    "first_above_total": "inputs whose first-order Sobol index exceeds the total beyond "
                         "their intervals (impossible for the true indices)",
    "samples": "base samples (Sobol) or trajectories (Morris) of the sweep",
    "samples_needed": "about how many would bring those intervals within their indices "
                      "(intervals narrow as 1/√samples; a power of two for Sobol)",
    "rule": "conditions on inputs, in words",
    "coverage": "share of all runs with the outcome that satisfy the rule",
    "density": "share of runs satisfying the rule that have the outcome",
    "support": "share of all runs that satisfy the rule",
    "base_rate": "share of all runs with the outcome (the density with no rule)",
    "conditions": "the rule in machine form: path>=value; path<=value",
    "quasi_p": "largest quasi-p-value among the rule's limits: the chance of the rule's "
               "density if that limit did not matter (each limit kept is below 0.05)",
    # goal-seek
    "lever": "the config key searched over",
    "lever_value": "value of the lever in this evaluation",
    # facts
    "sentence": "sentence number in report.md",
    "text": "the sentence as written in report.md",
    "file": "CSV the figure comes from, relative to the results folder",
    "column": "column of that CSV",
    "where": "the row's key columns and values (JSON)",
    "shown": "the figure as written in the sentence",
}


def describe_column(column: str) -> str:
    """A column's meaning; quantile columns and dotted config paths are read from the name."""
    if column in RUN_COLUMNS:
        return RUN_COLUMNS[column]
    if column in SUMMARY_COLUMNS:
        return SUMMARY_COLUMNS[column]
    match = QUANTILE.match(column)
    if match:
        what = ("capability ÷ baseline at the deadline" if match.group(1) == "ratio"
                else "month the target is first reached (empty: the quantile falls among runs "
                "that never reach it, see never_met_share)")
        return f"{match.group(2)}th percentile over runs of the {what}"
    match = OWN_MONTH.match(column)
    if match:
        return (f"{match.group(1)}th percentile over runs of the month the country first "
                "reached the goal's multiplier × its own baseline (empty: the percentile falls "
                "among runs that never do, see own_never_met_share)")
    match = RUN_QUANTILE.match(column)
    if match and match.group(1) in RUN_COLUMNS:
        return f"{match.group(2)}th percentile over runs of: {RUN_COLUMNS[match.group(1)]}"
    if column.endswith("_mean"):
        return f"mean over runs of {describe_column(column[:-5])}"
    if "." in column:
        return f"sampled input or lever: {input_label(column)} (config key {column})"
    return "see the CSV's documentation"
