"""The scenario schema: every input of the model, typed and strict.

Unknown keys are errors (``extra="forbid"``) so that a typo cannot pass silently.
Numbers may be distributions (see ``distributions``); the model only ever sees
numbers, after ``sampling.concretise`` has drawn or centred them.
Field descriptions feed the config reference (``docs/config.md``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from stockpile.scenario.distributions import Growth, NonNeg, Positive, Share, bounded

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
MonthStr = str  # validated with Field(pattern=MONTH_PATTERN) where used


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=False)


def month_field(default: str | None = None, description: str = "") -> object:
    return Field(default, pattern=MONTH_PATTERN, description=description + " (YYYY-MM)")


class TimeConfig(Strict):
    start: str = month_field("2025-07", "first simulated month")
    end: str = month_field("2035-12", "last simulated month")


class GoalConfig(Strict):
    metric: Literal["ready_fire_units", "fire_units", "interceptors"] = Field(
        "ready_fire_units", description="capability metric the goal counts")
    multiplier: bounded(1e-9, None, "greater than 0") = Field(
        5.0, description="target = multiplier × baseline")
    baseline_date: str | None = month_field(None, "month the baseline is measured (default: start)")
    deadlines: list[int] = Field(
        default_factory=lambda: [2029, 2030, 2032, 2035],
        description="years; the goal is met at deadline D if reached by the end of December D")
    members: list[str] | Literal["european"] = Field(
        "european", description="ISO3 codes counted in the goal, or 'european' for all European "
        "countries of the scenario")

    @field_validator("deadlines")
    @classmethod
    def _some_deadlines(cls, value: list[int]) -> list[int]:
        if not value:
            raise ValueError("no deadlines given (at least one year)")
        return sorted(set(value))

    @field_validator("members")
    @classmethod
    def _some_members(cls, value: list[str] | str) -> list[str] | str:
        if isinstance(value, list) and not value:
            raise ValueError("empty goal membership (at least one country, or 'european')")
        return value


class CountryFields(Strict):
    """Inputs of one country; blank ones come from ``country_defaults``."""

    name: str | None = None
    european: bool | None = None
    nato_member_since: int | None = None
    gdp_usd_bn: NonNeg | None = Field(None, description="GDP in the base year, current USD bn")
    gdp_year: int | None = Field(None, description="year of gdp_usd_bn")
    real_growth: Growth | None = Field(None, description="real GDP growth per year")
    deflator: Growth | None = Field(None, description="GDP deflator per year")
    defence_share_start: Share | None = Field(None, description="defence spending / GDP at start")
    defence_share_start_year: int | None = None
    defence_share_target: Share | None = Field(
        None, description="pledged core defence share (3.5% Hague pledge)")
    equipment_share: Share | None = Field(None, description="share of defence spending on equipment")
    gbad_share: Share | None = Field(None, description="share of equipment money for GBAD (lever)")
    carry_over: Share | None = Field(None, description="share of unspent GBAD money kept next year")
    essi_member: bool | None = None
    plan: dict[str, NonNeg] | None = Field(
        None, description="system mix of purchases (weights); default: systems held, else "
        "procurement.default_plan")


class CountryDefaults(CountryFields):
    pass


class SystemRow(Strict):
    name: str = ""
    role: str = ""
    combat_load: bounded(1, None, "a whole number of at least 1", integer=True) = Field(
        description="interceptors per fire unit for a full load")
    capability_weight: NonNeg = Field(1.0, description="value of one fire unit in the goal")
    training_shots_per_fu_year: NonNeg = Field(0.0, description="training/test firings per FU")


class ProductRow(Strict):
    name: str = ""
    kind: Literal["fire_unit", "interceptor", "component"]
    system: str | None = None
    mix_share: Share | None = Field(None, description="share of the system's interceptor buys")
    unit_price_eur_m: NonNeg = Field(0.0, description="unit price in price_year, EUR m")
    price_year: int = 2025
    learning_rate: bounded(0.5, 1.0, "a progress ratio between 0.5 and 1") = Field(
        1.0, description="Wright's law: cost falls to this share per doubling of output")
    prior_units: NonNeg = Field(0.0, description="units built before the start (learning curve)")
    shelf_life_years: Positive | None = Field(None, description="interceptor service life")


class LineRow(Strict):
    product: str
    manufacturer: str = ""
    site: str = ""
    capacity_per_month: NonNeg
    ceiling_per_month: NonNeg
    europe_share: Share = Field(1.0, description="share of output open to European buyers")
    expansion_threshold_months: NonNeg = Field(
        24.0, description="committed backlog, in months of output, that triggers an expansion")
    expansion_step_per_month: NonNeg = Field(0.0, description="capacity one expansion adds")
    expansion_lead_months: NonNeg = Field(24.0, description="months from trigger to new capacity")
    expansion_cost_eur_m: NonNeg = 0.0
    manufacturing_lead_months: NonNeg = Field(12.0, description="months from start to delivery")
    acceptance_rate: bounded(1e-6, 1.0, "a share greater than 0 and at most 1") = 1.0
    components: dict[str, NonNeg] = Field(
        default_factory=dict, description="component product -> quantity per unit")
    stoppage_rate_per_year: NonNeg = 0.0
    stoppage_months: NonNeg = 1.0
    start_date: str | None = month_field(None, "month a new line starts producing")


class HoldingRow(Strict):
    fire_units: bounded(0, None, "a whole number, zero or more", integer=True) = 0
    loads_per_fire_unit: NonNeg = Field(1.0, description="interceptor stock in combat loads per FU")
    on_order_fire_units: bounded(0, None, "a whole number, zero or more", integer=True) = 0
    on_order_interceptors: NonNeg = 0.0
    retire_year: int | None = Field(None, description="year these fire units retire")
    as_of: str | None = None


class DiscountCurve(Strict):
    """Volume discount: max_share × q / (q + half_volume)."""

    max_share: Share = 0.1
    half_volume: Positive = 200.0


class BridgeFinancing(Strict):
    enabled: bool = False
    limit_eur_m: NonNeg = 0.0
    repayment_months: NonNeg = 24.0


class EuLoan(Strict):
    amount_eur_m: NonNeg = 0.0
    first_year: int = 2026
    min_buyers: int = Field(2, ge=1)


class JointConfig(Strict):
    lead: str = "DEU"
    members: list[str] | Literal["essi"] = "essi"
    systems: list[str] = Field(default_factory=lambda: ["iris_t_slm", "patriot", "arrow3"])
    pooling_interval_months: bounded(1, None, "a whole number of months, at least 1",
                                     integer=True) = 12
    coordination_delay_months: NonNeg = 3.0
    contracting_delay_months: NonNeg = 6.0
    discount: DiscountCurve = Field(default_factory=DiscountCurve)
    priority: bool = True
    framework_years: NonNeg = Field(
        5.0, description="years of demand a framework commits, counted toward expansion triggers")
    bridge: BridgeFinancing = Field(default_factory=BridgeFinancing)
    eu_loan: EuLoan = Field(default_factory=EuLoan)


class ProcurementConfig(Strict):
    mode: Literal["national", "joint"] = "national"
    decision_month: int = Field(1, ge=1, le=12, description="calendar month of yearly decisions")
    contracting_delay_months: NonNeg = 6.0
    down_payment_share: Share = 0.2
    reserve_loads: NonNeg = Field(1.0, description="interceptor reserve per FU, in combat loads")
    default_plan: dict[str, NonNeg] = Field(
        default_factory=dict, description="system weights for countries that hold no system")
    stop_at_target: bool = Field(
        True, description="stop buying fire units once a country reaches multiplier × its baseline")


class EconomyConfig(Strict):
    usd_per_eur: Positive = 1.08
    defence_inflation: Growth = 0.03
    pledge_year: int = 2035
    path: Literal["linear", "front_loaded", "back_loaded"] = "linear"
    tranche: Literal["yearly", "monthly"] = "yearly"


class DonationEvent(Strict):
    country: str
    system: str
    date: str = month_field(None, "month of the donation")
    fire_units: bounded(0, None, "a whole number, zero or more", integer=True) = 0
    interceptors: NonNeg = 0.0


class ConflictConfig(Strict):
    enabled: bool = False
    start_year: bounded(1900, 2200, "a decimal year") = 2030.0
    duration_months: NonNeg = 12.0
    interceptors_per_ready_fu_per_day: NonNeg = 1.0
    fire_unit_attrition_per_month: Share = 0.0


class ConsumptionConfig(Strict):
    training_multiplier: NonNeg = 1.0
    donations: list[DonationEvent] = Field(default_factory=list)
    diverted_share: dict[str, Share] = Field(
        default_factory=dict, description="country -> share of interceptor deliveries donated")
    refurbish_share: Share = Field(0.0, description="share of expiring interceptors life-extended")
    refurbish_years: NonNeg = 10.0
    conflict: ConflictConfig = Field(default_factory=ConflictConfig)


class OutputConfig(Strict):
    frequency: Literal["month", "quarter", "year"] = "month"


class Scenario(Strict):
    name: str = "scenario"
    description: str = ""
    time: TimeConfig = Field(default_factory=TimeConfig)
    goal: GoalConfig = Field(default_factory=GoalConfig)
    economy: EconomyConfig = Field(default_factory=EconomyConfig)
    country_defaults: CountryDefaults = Field(default_factory=CountryDefaults)
    countries: dict[str, CountryFields]
    systems: dict[str, SystemRow]
    products: dict[str, ProductRow]
    lines: dict[str, LineRow]
    inventories: dict[str, dict[str, HoldingRow]] = Field(default_factory=dict)
    procurement: ProcurementConfig = Field(default_factory=ProcurementConfig)
    joint: JointConfig = Field(default_factory=JointConfig)
    consumption: ConsumptionConfig = Field(default_factory=ConsumptionConfig)
    output: OutputConfig = Field(default_factory=OutputConfig)

    #: source and confidence of each table row, kept for the report (never for the model)
    _provenance: list[dict] = PrivateAttr(default_factory=list)
    _source: str = PrivateAttr("")
