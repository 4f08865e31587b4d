"""Warnings that sensitivity indices are within sampling noise, one sentence each.

A Sobol or Morris design with too few base samples gives indices whose 95% intervals are
wider than the indices, or first-order Sobol indices above the total ones (which the true
indices never are). ``stockpile.analysis.sensitivity.salib_warnings`` finds these
(sensitivity_noise.csv); here they become one sentence per deadline and outcome, citing the
worst index from sensitivity.csv and the base samples that would resolve them.
"""

from __future__ import annotations

import pandas as pd

from stockpile.analysis.report.narrative import Narrator, Sentence
from stockpile.analysis.report.story import Files, Name, signed

KIND_WORDS = {"sobol": ("Sobol indices", "base samples"),
              "morris": ("Morris μ* values", "trajectories")}
OUTCOME_WORDS = {"ratio": "the capability ratio", "met": "meeting the goal"}
INDEX_WORDS = {"sobol ST": "total index", "sobol S1": "first-order index",
               "morris mu_star": "μ*"}


def salib_noise(n: Narrator, files: Files, noise: pd.DataFrame | None, deadline: int,
                label: Name) -> list[Sentence]:
    """One warning per outcome at the deadline whose SALib indices noise swamps."""
    if noise is None:
        return []
    out = []
    for found in noise[noise["deadline"] == deadline].to_dict("records"):
        where = {"deadline": deadline, "outcome": found["outcome"]}
        what, unit = KIND_WORDS[found["kind"]]
        parts = []
        if found["wide_indices"]:
            parts.append(_widest(n, files, found, label))
        if found["first_above_total"]:
            names = ", ".join(label(i) for i in found["first_above_total"].split("; "))
            parts.append("the first-order index exceeds the total beyond their intervals "
                         f"for {names}, which true indices never do")
        if found["samples_needed"]:
            now = n.cite(files["sensitivity_noise"], "samples", _whole, **where)
            needed = n.cite(files["sensitivity_noise"], "samples_needed", _whole, **where)
            more = f"these rest on {now} {unit}; about {needed} (--samples) would be needed"
        else:
            more = f"more {unit} (--samples) are needed"
        out.append(n.say(f"Warning: the {what} of {OUTCOME_WORDS[found['outcome']]} at the "
                         f"end of {deadline} are within sampling noise: "
                         f"{'; '.join(parts)}; {more}."))
    return out


def _widest(n: Narrator, files: Files, found: dict, label: Name) -> str:
    """How many intervals are wider than their index, and the worst one, cited."""
    where = {"deadline": found["deadline"], "outcome": found["outcome"]}
    wide = n.cite(files["sensitivity_noise"], "wide_indices", _whole, **where)
    of = n.cite(files["sensitivity_noise"], "indices", _whole, **where)
    row = {**where, "method": found["widest_method"], "input": found["widest_input"]}
    index = n.cite(files["sensitivity"], "index", signed, **row)
    conf = n.cite(files["sensitivity"], "conf", signed, **row)
    verb = "has" if found["wide_indices"] == 1 else "have"
    return (f"{wide} of {of} indices {verb} a 95% interval wider than the index (widest: the "
            f"{INDEX_WORDS[found['widest_method']]} of {label(found['widest_input'])}, "
            f"{index} ± {conf})")


def _whole(value: object) -> str:
    return f"{int(value):,}"
