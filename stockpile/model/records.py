"""Every output row type, declared once; ``COLUMNS`` documents each column for the workbook.

Rows are NamedTuples so the recorder appends them cheaply and pandas builds frames
from them directly. Columns ``point`` and ``run`` are added by the experiment layer.
"""

from __future__ import annotations

from typing import NamedTuple

from stockpile.scenario.schema import LAYERS

#: each layer's verdict beside the goal's: runs.csv columns ratio_<layer>, met_<layer>,
#: first_met_<layer>, in LAYERS order
LAYER_GOAL_FIELDS = [(f"{kind}_{layer}", kind_type) for layer in LAYERS
                     for kind, kind_type in (("ratio", float), ("met", bool),
                                             ("first_met", str))]


class StockRow(NamedTuple):
    date: str
    country: str
    system: str
    layer: str
    fire_units: int
    interceptors: int
    ready_fire_units: int
    loads_held: float
    on_order: int
    fire_units_on_order: int
    fire_units_away: int
    delivered: int
    consumed: int
    donated: int
    expired: int
    lost: int
    unmet: int
    fire_units_delivered: int
    fire_units_donated: int
    fire_units_retired: int
    fire_units_lost: int
    delivered_joint: int


class LineRow(NamedTuple):
    date: str
    line: str
    product: str
    capacity_per_month: float
    europe_capacity_per_month: float
    started: int
    delivered: int
    rejected: int
    in_work: int
    backlog: int
    other_output: int
    limited_by: str
    expansions_pending: int
    expansion_capex_eur_m: float


class AccountRow(NamedTuple):
    date: str
    account: str
    credited_eur_m: float
    available_eur_m: float
    committed_eur_m: float
    paid_eur_m: float
    lapsed_eur_m: float
    received_eur_m: float
    owed_eur_m: float
    supplemental_eur_m: float
    defence_spending_eur_m: float


class ExpansionRow(NamedTuple):
    date: str
    line: str
    product: str
    added_per_month: float
    ready_date: str
    capital_eur_m: float
    paid_by: str
    reason: str


class DecisionRow(NamedTuple):
    date: str
    country: str
    system: str
    considered: str
    fire_units_bought: int
    interceptors_bought: int
    ordered_eur_m: float
    expansion_eur_m: float
    idle_eur_m: float
    reason: str


class DeliveryRow(NamedTuple):
    date: str
    contract_id: int
    buyer: str
    units: int


class ConstraintRow(NamedTuple):
    date: str
    country: str
    binding: str


class ContractRow(NamedTuple):
    contract_id: int
    signed_date: str
    product: str
    line: str
    channel: str
    lead: str
    buyer: str
    quantity: int
    unit_price_eur_m: float
    discount_share: float
    value_eur_m: float
    reference: str


class _GoalFields(NamedTuple):
    deadline: int
    value: float
    baseline: float
    target: float
    ratio: float
    met: bool
    first_met: str
    fielded_value: float
    fielded_baseline: float
    fielded_ratio: float
    fielded_met: bool
    fielded_first_met: str
    credited_eur_m: float
    idle_eur_m: float
    idle_no_plan_eur_m: float
    idle_cap_reached_eur_m: float
    idle_too_little_eur_m: float
    idle_since_decision_eur_m: float
    lapsed_eur_m: float


class BurdenRow(NamedTuple):
    """Who carries the load: a goal member's capability beside its economic weight."""

    deadline: int
    country: str
    capability: float
    own_baseline: float
    own_ratio: float
    own_first_met_date: str
    capability_share: float
    gdp_eur_bn: float
    gdp_share: float
    defence_spending_eur_m: float
    defence_spending_share: float
    burden_gdp: float
    burden_defence: float
    gbad_credited_eur_m: float
    gbad_paid_eur_m: float
    gbad_idle_eur_m: float


GoalRow = NamedTuple("GoalRow", [*_GoalFields.__annotations__.items(),  # type: ignore[misc]
                                 *LAYER_GOAL_FIELDS])
CapabilityRow = NamedTuple("CapabilityRow", [  # type: ignore[misc]
    ("date", str), ("value", float), ("ratio", float),
    *((f"ratio_{layer}", float) for layer in LAYERS)])


COLUMNS: dict[str, str] = {
    "point": "design point number (0 for a single run); see points.csv",
    "run": "replication number within the point",
    "seed": "the run's seed: `stockpile run --seed SEED` reproduces it alone",
    "date": "calendar month, ISO YYYY-MM (state at the close of the month)",
    "country": "ISO3 code",
    "system": "GBAD system key (see the systems table)",
    "fire_units": "fire units in service",
    "interceptors": "interceptors in stock, all of the system's types",
    "ready_fire_units": "fire units with a full combat load: min(fire_units, "
                        "floor(interceptors / combat_load))",
    "on_order": "interceptors contracted and not yet delivered",
    "fire_units_on_order": "fire units contracted and not yet delivered",
    "fire_units_away": "of the fire units, those lent or deployed abroad (transfers with "
                       "until); fire_units - fire_units_away are at home",
    "delivered": "interceptors delivered since the previous row (by lines, or given by "
                 "another holder: transfers)",
    "consumed": "interceptors fired (training, tests, combat) since the previous row",
    "donated": "interceptors donated since the previous row",
    "expired": "interceptors past their service life since the previous row",
    "lost": "interceptors lost with destroyed fire units since the previous row",
    "unmet": "interceptors demanded (training, donations, combat) that the stock could not give",
    "fire_units_delivered": "fire units delivered since the previous row (by lines, or given "
                            "by another holder: transfers)",
    "fire_units_donated": "fire units donated since the previous row",
    "fire_units_retired": "legacy fire units retired since the previous row",
    "fire_units_lost": "fire units destroyed in a conflict since the previous row",
    "delivered_joint": "interceptors and fire units delivered through joint contracts",
    "line": "production line key",
    "product": "product key",
    "capacity_per_month": "line capacity, units per month, all customers",
    "europe_capacity_per_month": "share of capacity open to European buyers",
    "started": "units started this month for modelled buyers (European and others)",
    "rejected": "units that failed acceptance this month (rebuilt later)",
    "in_work": "units started and not yet finished",
    "backlog": "European units contracted and not yet delivered",
    "other_output": "units made for the unmodelled rest of the world this month (the slots "
                    "modelled buyers left); the line's output = started + other_output",
    "limited_by": "what stopped more starts: capacity, components, none, idle or stopped",
    "expansions_pending": "capacity expansions triggered and not yet on line",
    "expansion_capex_eur_m": "capital spent on expansions so far, EUR m",
    "account": "budget holder: a country's GBAD account, 'lead:ISO3', 'eu_loan', or "
               "'industry:<manufacturer>' (its own investment in expansions, credited as spent)",
    "added_per_month": "capacity the expansion adds, units per month",
    "ready_date": "month the added capacity comes on line (blank: after the horizon)",
    "capital_eur_m": "capital the expansion costs, paid when it is ordered, EUR m",
    "paid_by": "account that paid the capital: a country or 'industry:<manufacturer>'",
    "reason": "why: for an expansion, 'backlog' (self-funded by the manufacturer) or "
              "'funded: ...'; for a decision, why the country bought what it did",
    "considered": "for each system of the plan: when a fire unit ordered now would arrive "
                  "and its price with a load, EUR m",
    "fire_units_bought": "fire units the decision ordered",
    "interceptors_bought": "interceptors the decision ordered (first loads and reserves)",
    "ordered_eur_m": "value of what the decision ordered, EUR m",
    "expansion_eur_m": "capital the country paid for line expansions in this decision, EUR m",
    "available_eur_m": "money credited and not committed or lapsed, EUR m",
    "committed_eur_m": "money under signed contracts and not yet paid, EUR m",
    "paid_eur_m": "money paid so far (down payments, deliveries, bridge repayments; for "
                  "'lead:ISO3' and 'eu_loan': money lent), EUR m",
    "lapsed_eur_m": "unspent money not carried over so far, EUR m (runs.csv: the goal "
                    "members' total at the deadline)",
    "credited_eur_m": "money credited so far, EUR m (runs.csv: the goal members' GBAD money "
                      "by the deadline)",
    "idle_eur_m": "decisions.csv: the country's GBAD money left free after the decision; "
                  "runs.csv: the goal members' GBAD money free at the deadline (neither "
                  "committed, paid nor promised to a contract being negotiated) plus what "
                  "lapsed, EUR m",
    "idle_no_plan_eur_m": "idle money of countries with no system to buy, EUR m",
    "idle_cap_reached_eur_m": "idle money of countries stopped by their target cap, EUR m",
    "idle_too_little_eur_m": "idle money of countries whose money did not reach one more "
                             "unit's price, EUR m",
    "idle_since_decision_eur_m": "money credited since a country's last yearly decision, "
                                 "which spent all it had then, EUR m",
    "received_eur_m": "bridge or loan money received so far (for 'lead:ISO3': repayments), "
                      "EUR m",
    "owed_eur_m": "bridge and EU loan money still owed (principal), EUR m",
    "supplemental_eur_m": "wartime money voted so far to re-order interceptors fired in the "
                          "conflict (consumption.conflict.replenish; also in credited), EUR m",
    "defence_spending_eur_m": "the country's defence spending in that year (burden.csv: the "
                              "deadline year), GDP × defence share, EUR m; 0 for accounts "
                              "other than a country's",
    "binding": "what held the country back that month: components, capacity, money or none",
    "contract_id": "contract number within the run",
    "signed_date": "month the contract was signed",
    "channel": "national, joint (framework contract led by the lead nation), existing (in the "
               "order books at the start) or recorded (signed on its recorded date)",
    "lead": "lead nation of a joint contract",
    "buyer": "country receiving this share of the contract",
    "quantity": "units for this buyer",
    "unit_price_eur_m": "price per unit after learning, inflation and discount, EUR m",
    "discount_share": "volume discount of a pooled contract",
    "value_eur_m": "quantity × unit price, EUR m",
    "units": "units delivered to this buyer this month",
    "reference": "the contract's id in the scenario's contracts table (existing or recorded)",
    "deadline": "deadline year; judged at the close of December",
    "value": "goal metric at the deadline (weighted by capability_weight)",
    "baseline": "goal metric at the baseline date",
    "target": "multiplier × baseline",
    "ratio": "value / baseline",
    "met": "value reached the target by the deadline",
    "first_met": "first month the target was reached (blank: never in the horizon)",
    **{f"ratio_{layer}": f"the {layer} layer's goal metric ÷ its own baseline (blank: the "
       "layer has no baseline)" for layer in LAYERS},
    **{f"met_{layer}": f"the {layer} layer reached multiplier × its own baseline"
       for layer in LAYERS},
    **{f"first_met_{layer}": f"first month the {layer} layer reached its target (blank: never "
       "in the horizon, or no baseline)" for layer in LAYERS},
    "fielded_value": "fire units in service at the deadline, weighted: the verdict that does "
                     "not hang on interceptor stocks, beside the goal metric's",
    "fielded_baseline": "weighted fire units in service in the opening state",
    "fielded_ratio": "fielded_value / fielded_baseline",
    "fielded_met": "fielded fire units reached multiplier × their baseline by the deadline",
    "fielded_first_met": "first month fielded fire units reached their target (blank: never)",
    "loads_held": "interceptors per fire unit, in combat loads (interceptors / fire units / "
                  "combat load; blank without fire units)",
    # burden.csv: one row per deadline and goal member
    "capability": "the country's goal metric at the deadline, as the goal counts it (weighted "
                  "by capability_weight, over the goal's layers); the members' capabilities "
                  "add up to runs.csv's value",
    "own_baseline": "the country's goal metric at the baseline date (the opening state unless "
                    "goal.baseline_date is set)",
    "own_ratio": "capability ÷ own_baseline: the country's own multiple (blank: its baseline "
                 "is 0)",
    "own_first_met_date": "first month the country's goal metric reached the goal's multiplier "
                          "× its own baseline (blank: never in the horizon, or its baseline "
                          "is 0)",
    "capability_share": "the country's capability ÷ the goal members' total at the deadline",
    "gdp_eur_bn": "the country's GDP in the deadline year as the budget computes it (base-year "
                  "GDP at usd_per_eur, grown by real growth and deflator), EUR bn",
    "gdp_share": "the country's GDP ÷ the goal members' total in the deadline year",
    "defence_spending_share": "the country's defence spending ÷ the goal members' total in "
                              "the deadline year",
    "burden_gdp": "capability_share ÷ gdp_share: above 1 the country holds more of the members' "
                  "capability than its share of their GDP (blank: no GDP)",
    "burden_defence": "capability_share ÷ defence_spending_share: above 1 the country holds "
                      "more of the members' capability than its share of their defence "
                      "spending (blank: no defence spending)",
    "gbad_credited_eur_m": "the country's GBAD money credited by the deadline (yearly budgets, "
                           "funds, loans and wartime money received), EUR m",
    "gbad_paid_eur_m": "the country's GBAD money paid by the deadline (down payments, "
                       "deliveries, expansions it funded, repayments), EUR m",
    "gbad_idle_eur_m": "the country's GBAD money idle at the deadline: free (neither "
                       "committed, paid nor promised to a contract being negotiated) plus what "
                       "lapsed so far, EUR m (runs.csv's idle_eur_m, for one country)",
}
