"""docs/uncertainty.md: the uncertainty table of a scenario, as the loaded scenario has it.

``python -m stockpile.scenario.uncertainty_page configs/baseline.yaml > docs/uncertainty.md``
(a test checks that the committed page is current).
"""

from __future__ import annotations

import sys
from pathlib import Path

from stockpile.scenario.load import load_scenario


def render(config: str | Path) -> str:
    """docs/uncertainty.md: every input the scenario's table makes uncertain, with its
    range in the input's units, the basis of the range and its source."""
    scenario = load_scenario(config)
    lines = ["# Uncertain inputs", "",
             f"Every input of `{Path(config).as_posix()}` that the data mark as weak "
             "(confidence `low` or `assumption`) and the distribution a sweep draws it from. "
             "Generated from the scenario's uncertainty table "
             f"(`{scenario._uncertainty_file}`) by "
             "`python -m stockpile.scenario.uncertainty_page CONFIG > docs/uncertainty.md`; "
             "a test checks that this page and the loaded scenario agree. A deterministic run "
             "takes each distribution's median.", "",
             "| input | distribution | low | mode | high | basis | source |",
             "|---|---|---:|---:|---:|---|---|"]
    for item in scenario._uncertainty:
        mode = "" if item.mode is None else f"{item.mode:.6g}"
        lines.append(f"| `{item.key}` | {item.row.dist} | {item.low:.6g} | {mode} | "
                     f"{item.high:.6g} | {_cell(item.row.basis)} | {_cell(item.row.source)} |")
    zero = [f"{iso} {system}" for iso, held in sorted(scenario.inventories.items())
            for system, row in sorted(held.items()) if not row.fire_units]
    if zero:
        lines += ["", "Not drawn: the fire units the data count as zero at the start although "
                  "the system is in service or on order (" + ", ".join(zero) + "). No source "
                  "gives a count to draw around (±50% of zero is zero): the rows of "
                  "`configs/data/inventories.csv` say why each is zero (teams in service "
                  "whose number is not public; launchers still on order, which arrive "
                  "through the order books). Their missiles on hand and on order are in the "
                  "data and in the stock factors above."]
    lines += ["", *NOT_DRAWN]
    return "\n".join(lines) + "\n"


#: weak figures the table leaves fixed, and why (the rest of the data's low-confidence and
#: assumed figures are drawn above)
NOT_DRAWN = [
    "Also not drawn, each weak in the data but not a number a distribution can move:",
    "",
    "- the month of a capacity step (`capacity_steps.csv`: the IRIS-T SL 2,000-a-year step "
    "and the Skyranger fire-unit step are dated by assumption): the month is the row's key;",
    "- delivery years and the split of a contract among its buyers (`contracts.csv` "
    "schedules; NSPA GEM-T 2024 and OCCAR Aster splits): text, and a split must keep the "
    "contract's total; Germany's Skyranger rounds (`DEU-SKYRANGER-2024-AMMO`) give their "
    "units in the schedule itself;",
    "- Poland's ESSI membership (`countries.csv`, low): yes or no;",
    "- S-300 and S-125 missile prices (`products.csv`, assumption): the systems cannot be "
    "bought, so no price is ever paid;",
    "- the Huntsville seeker step (`capacity_steps.csv`, low base rate): the base rate is "
    "drawn in `lines.pac3_seeker_huntsville`; the step (+30% on the table's rate) is not;",
    "- checkpoints (`checkpoints.csv`): what the replay is judged against, not an input.",
]


def _cell(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")


if __name__ == "__main__":
    sys.stdout.write(render(sys.argv[1] if len(sys.argv) > 1 else "configs/baseline.yaml"))
