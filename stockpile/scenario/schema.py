"""The scenario schema: every input of the model, typed and strict.

Unknown keys are errors (``extra="forbid"``) so that a typo cannot pass silently.
Numbers may be distributions (see ``distributions``); the model only ever sees
numbers, after ``sampling.concretise`` has drawn or centred them.
Field descriptions feed the config reference (``docs/config.md``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from stockpile.scenario.bounds import (
    MONTH_PATTERN,
    CombatLoad,
    DurationYears,
    ExchangeRate,
    GdpUsdBn,
    LifeYears,
    Loads,
    MoneyEurM,
    Months,
    Multiplier,
    Names,
    PerDay,
    PerUnit,
    PerYear,
    Scale,
    Units,
    Weight,
    WholeMonths,
    WholeUnits,
    Year,
    YearList,
)
from stockpile.scenario.distributions import Growth, NonNeg, Positive, Share, bounded

MonthStr = str  # validated with Field(pattern=MONTH_PATTERN) where used
#: air-defence layers, from exo-atmospheric missile defence to counter-drone guns (SPEC 2.10)
LAYERS = ("upper_tier", "long_range", "medium_range", "short_range", "very_short_range")
Layer = Literal[LAYERS]  # type: ignore[valid-type]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=False)


def month_field(default: Any = None, description: str = "") -> object:
    """A YYYY-MM field; ``...`` as the default makes it required."""
    return Field(default, pattern=MONTH_PATTERN, description=description + " (YYYY-MM)")


class TimeConfig(Strict):
    """The simulated horizon, in calendar months."""

    start: str = month_field("2025-07", "first simulated month")
    end: str = month_field("2035-12", "last simulated month")


class GoalConfig(Strict):
    """The collective goal: multiplier × baseline capability, tested at each deadline."""

    metric: Literal["ready_fire_units", "fire_units", "interceptors"] = Field(
        "ready_fire_units", description="capability metric the goal counts")
    multiplier: Multiplier = Field(
        5.0, description="target = multiplier × baseline")
    baseline: Positive | None = Field(
        None, description="the baseline as a number, in the metric's units (an absolute target: "
        "target = multiplier × baseline); default: the metric in the opening state")
    baseline_date: str | None = month_field(
        None, "measure the baseline at the close of this month instead of in the opening state")
    deadlines: YearList = Field(
        default_factory=lambda: [2029, 2030, 2032, 2035],
        description="years; the goal is met at deadline D if reached by the end of December D")
    members: Names | Literal["european"] = Field(
        "european", description="ISO3 codes counted in the goal, or 'european' for all European "
        "countries of the scenario")
    scope: Literal["all", "each"] | list[Layer] = Field(
        "all", description="what the goal counts: 'all' (every layer, weighted), a list of "
        "layers (their weighted sum), or 'each' (every layer with a baseline must reach the "
        "multiple on its own; the ratio is the smallest layer's)")
    layer_weights: dict[Layer, Scale] = Field(
        default_factory=dict, description="multiplies the capability_weight of every system "
        "of the layer (default 1): no public metric weighs a counter-drone gun against a "
        "Patriot battery, so the weights are inputs with ranges")

    @field_validator("deadlines")
    @classmethod
    def _some_deadlines(cls, value: list[int]) -> list[int]:
        if not value:
            raise ValueError("no deadlines given (at least one year)")
        return sorted(value)

    @field_validator("scope")
    @classmethod
    def _some_layers(cls, value: list[str] | str) -> list[str] | str:
        if isinstance(value, list):
            if not value:
                raise ValueError("empty list of layers (at least one layer, 'all' or 'each')")
            if len(set(value)) < len(value):
                raise ValueError("a layer is listed twice (name each once)")
        return value

    @field_validator("members")
    @classmethod
    def _some_members(cls, value: list[str] | str) -> list[str] | str:
        if isinstance(value, list) and not value:
            raise ValueError("empty goal membership (at least one country, or 'european')")
        return value


class CountryFields(Strict):
    """Inputs of one country; blank ones come from ``country_defaults``."""

    name: str | None = Field(None, description="display name (default: the ISO3 code)")
    european: bool | None = Field(
        None, description="counted by goal.members: european (default: true)")
    nato_member_since: Year | None = Field(None, description="year of NATO accession (information)")
    gdp_usd_bn: GdpUsdBn | None = Field(None, description="GDP in the base year, current USD bn")
    gdp_year: Year | None = Field(None, description="year of gdp_usd_bn")
    real_growth: Growth | None = Field(None, description="real GDP growth per year")
    deflator: Growth | None = Field(None, description="GDP deflator per year")
    defence_share_start: Share | None = Field(None, description="defence spending / GDP at start")
    defence_share_start_year: Year | None = Field(
        None, description="year defence_share_start refers to")
    defence_share_target: Share | None = Field(
        None, description="pledged core defence share (3.5% Hague pledge)")
    equipment_share: Share | None = Field(
        None, description="share of defence spending on equipment")
    gbad_share: Share | None = Field(None, description="share of equipment money for GBAD (lever)")
    carry_over: Share | None = Field(None, description="share of unspent GBAD money kept next year")
    essi_member: bool | None = Field(
        None, description="member of the European Sky Shield Initiative (joint.members: essi; "
        "default: false)")
    plan: dict[str, Weight] | None = Field(
        None, description="system mix of purchases (weights); default: the plans table's "
        "announced systems with the systems held, else procurement.default_plan "
        "(docs/decisions.md)")


class CountryDefaults(CountryFields):
    """Values for every country field left blank in ``countries``."""


class SystemRow(Strict):
    """A GBAD system: its fire units and the interceptors they fire."""

    name: str = Field("", description="display name")
    role: str = Field("", description="e.g. long-range, medium-range (information)")
    combat_load: CombatLoad = Field(
        description="interceptors per fire unit for a full load")
    capability_weight: PerUnit = Field(1.0, description="value of one fire unit in the goal")
    training_shots_per_fu_year: Units = Field(
        0.0, description="training/test firings per FU a year (rounds, for a gun)")
    layer: Layer | None = Field(
        None, description="air-defence layer (upper_tier, long_range, medium_range, short_range, "
        "very_short_range incl. counter-drone guns)")
    stock_factor: Scale = Field(
        1.0, description="scales every country's opening interceptor stock of this system "
        "(one common uncertainty factor: stocks are not public)")
    buyable: bool = Field(
        True, description="countries may buy it (fire units and interceptors, from the lines "
        "that make them); false: a legacy system out of production, which only holds its "
        "stocks and retires, needs no fire-unit product and no lines, and is in no plan")


class ProductRow(Strict):
    """Something a production line makes: a fire unit, an interceptor, or a component."""

    name: str = Field("", description="display name")
    kind: Literal["fire_unit", "interceptor", "component"] = Field(
        description="what the product is")
    system: str | None = Field(
        None, description="system a fire unit or interceptor belongs to (blank for a component)")
    mix_share: Share | None = Field(None, description="share of the system's interceptor buys")
    unit_price_eur_m: MoneyEurM = Field(0.0, description="unit price in price_year, EUR m")
    price_year: Year = Field(2025, description="year unit_price_eur_m is expressed in")
    learning_rate: bounded(0.5, 1.0, "a progress ratio between 0.5 and 1") = Field(
        1.0, description="Wright's law: cost falls to this share per doubling of output")
    prior_units: NonNeg = Field(0.0, description="units built before the start (learning curve)")
    shelf_life_years: LifeYears | None = Field(None, description="interceptor service life")
    buffer_months: Months | None = Field(
        None, description="a component's stock held by its supply chain, in months of the "
        "downstream lines' use (required for components)")


class LineRow(Strict):
    """A production line (product, manufacturer, site) with its capacity and expansions."""

    product: str = Field(description="product the line makes")
    manufacturer: str = Field("", description="company (information)")
    site: str = Field("", description="location (information)")
    capacity_per_month: Units = Field(description="output at the start, units per month")
    ceiling_per_month: Units = Field(
        description="highest capacity expansions can reach, units per month")
    europe_share: Share = Field(1.0, description="share of output open to European buyers")
    expansion_threshold_months: Months = Field(
        24.0, description="committed backlog, in months of output, that triggers an expansion")
    expansion_step_per_month: Units = Field(0.0, description="capacity one expansion adds")
    expansion_lead_months: Months = Field(24.0, description="months from trigger to new capacity")
    expansion_cost_eur_m: MoneyEurM = Field(0.0, description="capital one expansion costs, EUR m")
    expansions_at_once: bounded(1, 12, "a whole number from 1 to 12", integer=True) = Field(
        2, description="expansions that may be under way at once (docs/decisions.md)")
    manufacturing_lead_months: Months = Field(12.0, description="months from start to delivery")
    acceptance_rate: bounded(1e-6, 1.0, "a share greater than 0 and at most 1") = Field(
        1.0, description="share of finished units that pass acceptance")
    components: dict[str, PerUnit] = Field(
        default_factory=dict, description="component product -> quantity per unit")
    stoppage_rate_per_year: PerYear = Field(0.0, description="random stoppages per year")
    stoppage_months: Months = Field(1.0, description="length of one stoppage, months")
    start_date: str | None = month_field(None, "month a new line starts producing")
    allocation: Literal["fifo", "first_loads_first", "pro_rata"] = Field(
        "first_loads_first", description="how a month's starts are shared among orders: first "
        "signed first served; first combat loads before reserves; or in proportion to what "
        "each order waits for (docs/decisions.md)")


class CapacityStep(Strict):
    """An announced or funded capacity level of a line from a month on."""

    capacity_per_month: Units = Field(description="capacity from this month, units per month")
    europe_share: Share | None = Field(
        None, description="share of output reserved for European buyers from this month "
        "(default: unchanged)")


class ContractRow(Strict):
    """A signed contract: in the order book at the start, or signed on its date (replays)."""

    product: str = Field(description="product ordered")
    buyers: dict[str, WholeUnits] = Field(
        description="buyer -> units; a buyer that is not a scenario country is another "
        "customer competing on the line")
    signed: str = month_field(..., "month the contract was signed")
    value_eur_m: MoneyEurM | None = Field(
        None, description="contract value, EUR m (default: quantity × the product's price)")
    delivered: WholeUnits = Field(0, description="units delivered before the scenario start")
    schedule: str | None = Field(
        None, description="delivery months: 'YYYY[-MM]/YYYY[-MM]' for all units, or "
        "'SPAN:units;SPAN:units'; blank: as the line's capacity allows")
    via: str = Field("", description="how it was bought, e.g. NSPA, OCCAR (information)")

    @field_validator("schedule", mode="before")
    @classmethod
    def _schedule_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value


class PlanRow(Strict):
    """A system a country has publicly announced it will acquire or expand, and the share of
    its GBAD money that system gets."""

    weight: Weight = Field(
        1.0, description="relative share of the country's GBAD money for this system (a "
        "system it holds without a row weighs 1)")
    announced: str = Field(
        pattern=MONTH_PATTERN, description="month of the announcement (YYYY-MM): the row "
        "counts for yearly decisions taken in or after it")


class CheckpointRow(Strict):
    """A public fact a replay should reproduce, with its tolerance."""

    date: str = Field(description="YYYY-MM (a stock at the month's close, or a flow from the "
                      "start to it), YYYY or YYYY/YYYY (a flow over those years)")
    measure: Literal[
        "fire_units", "fire_units_at_home", "interceptors", "ready_fire_units",
        "fire_units_delivered",
        "interceptors_delivered", "fire_units_donated", "interceptors_donated",
        "line_output", "defence_spending_eur_bn", "contracted_eur_m", "contract_delivered",
        "first_delivery"] = Field(description="what is compared (see docs/validation.md)")
    country: str = Field("", description="ISO3 code(s), ';'-separated, summed")
    system: str = Field("", description="system key (stock and flow measures)")
    line: str = Field("", description="line key(s), ';'-separated (line_output)")
    contract: str = Field("", description="contract id in the contracts table "
                          "(contract_delivered, first_delivery)")
    value: float = Field(description="the public value")
    tolerance: str = Field("0", description="'N', '+-N', '+-N%' or '+-N months'")
    unit: str = Field("", description="unit of the public value (information)")

    @field_validator("date", "tolerance", mode="before")
    @classmethod
    def _text(cls, value: object) -> object:
        return str(value) if isinstance(value, int | float) and not isinstance(value, bool) \
            else value


class TransferRow(Strict):
    """Fire units or interceptors passing from one holder to another on a date: a gift (to
    Ukraine, or from a donor outside the scenario), or a lease or deployment that ends."""

    giver: str = Field(description="ISO3 code of the holder giving: a scenario country gives "
                       "from its stock, as far as it goes, counted as donated; any other code "
                       "(USA, EGY) gives units the model does not hold")
    receiver: str = Field(description="ISO3 code of the holder receiving a gift, counted as "
                          "delivered to it (a country outside the scenario, e.g. UKR, is held "
                          "apart from the goal); for a lease or deployment: information")
    system: str = Field(description="system key")
    date: str = Field(pattern=MONTH_PATTERN, description="month of the transfer (YYYY-MM)")
    fire_units: WholeUnits = Field(0, description="fire units")
    interceptors: WholeUnits = Field(0, description="interceptors (a gift only)")
    until: str | None = month_field(
        None, "a lease or deployment: the month its fire units come home; until then they "
        "stay the giver's fire_units and are counted in fire_units_away; blank: a gift")


class FundRow(Strict):
    """Equipment money a country gets on a date beside its yearly budget (a special fund)."""

    equipment_eur_m: MoneyEurM = Field(
        description="equipment money, EUR m; the country's gbad_share of it is credited to its "
        "GBAD account that month, after the January lapse and before that month's decisions")


class HoldingRow(Strict):
    """What one country holds of one system at the start."""

    fire_units: WholeUnits = Field(0, description="fire units in service")
    loads_per_fire_unit: Loads = Field(1.0, description="interceptor stock in combat loads per FU")
    on_order_fire_units: WholeUnits = Field(0, description="fire units already on order")
    on_order_interceptors: Units = Field(0.0, description="interceptors already on order")
    on_order_product: str | None = Field(
        None, description="interceptor product of on_order_interceptors (default: the mix)")
    retire_year: Year | None = Field(None, description="year these fire units retire")
    as_of: str | None = Field(None, description="date the figures refer to (information)")


class DiscountCurve(Strict):
    """Volume discount: max_share × q / (q + half_volume)."""

    max_share: Share = Field(0.1, description="largest discount, as a share of the price")
    half_volume: Positive = Field(200.0, description="pooled quantity giving half max_share")


class BridgeFinancing(Strict):
    """The lead nation pre-finances members' shares of joint orders."""

    enabled: bool = Field(False, description="offer bridge financing")
    limit_eur_m: MoneyEurM = Field(0.0, description="most the lead nation bridges at once, EUR m")
    repayment_months: Months = Field(24.0, description="months until a member repays")


class EuLoan(Strict):
    """An EU loan facility (SAFE) for joint orders."""

    amount_eur_m: MoneyEurM = Field(0.0, description="loan money available, EUR m")
    first_year: Year = Field(2026, description="first year loans are available")
    min_buyers: int = Field(2, ge=1, le=1000,
                            description="fewest countries in a joint order to qualify")
    grace_years: DurationYears = Field(
        10.0, description="years before a loan's principal is repaid (SAFE: 10-year grace)")
    repayment_years: DurationYears = Field(
        35.0, description="years over which the principal is repaid in equal monthly "
        "instalments after the grace (SAFE: up to 45 years' maturity in all)")


class JointConfig(Strict):
    """Joint procurement led by one nation (used when procurement.mode is joint)."""

    lead: str = Field("DEU", description="ISO3 code of the lead nation")
    members: Names | Literal["essi"] = Field(
        "essi", description="ISO3 codes in the programme, or 'essi' for every essi_member")
    systems: Names = Field(default_factory=lambda: ["iris_t_slm", "patriot", "arrow3"],
                               description="systems bought through the programme")
    pooling_interval_months: WholeMonths = Field(
        12, description="months between pooled contracts")
    coordination_delay_months: Months = Field(3.0, description="months to agree a pool")
    contracting_delay_months: Months = Field(6.0, description="months to sign a pooled contract")
    discount: DiscountCurve = Field(default_factory=DiscountCurve,
                                    description="volume discount from the pooled quantity")
    priority: bool = Field(True, description="framework orders are served before later "
                           "national orders")
    framework_years: DurationYears = Field(
        5.0, description="years of demand a framework commits, counted toward expansion triggers")
    bridge: BridgeFinancing = Field(default_factory=BridgeFinancing,
                                    description="lead-nation bridge financing")
    eu_loan: EuLoan = Field(default_factory=EuLoan, description="EU loan facility")


class ProcurementConfig(Strict):
    """How countries decide what to buy and sign contracts."""

    mode: Literal["national", "joint"] = Field(
        "national", description="national: each country buys alone; joint: see joint")
    decision_month: int = Field(1, ge=1, le=12, description="calendar month of yearly decisions")
    contracting_delay_months: Months = Field(
        6.0, description="months from decision to signed national contract")
    down_payment_share: Share = Field(0.2, description="share of a contract paid at signature")
    reserve_loads: Loads = Field(1.0, description="interceptor reserve per FU, in combat loads")
    default_plan: dict[str, Weight] = Field(
        default_factory=dict, description="system weights for countries that hold no system "
        "and have announced no plan")
    target: Literal["none", "own_baseline", "fair_share"] = Field(
        "none", description="the cap on a country's fire-unit buys: none; multiplier × "
        "its own fire units at the start; or its share of the collective target "
        "(docs/decisions.md)")
    fair_share_by: Literal["gdp", "defence_spending"] = Field(
        "gdp", description="what a country's fair share of the collective target follows")
    choice: Literal["plan", "soonest"] = Field(
        "soonest", description="which systems of the plan get the money first: by plan weight "
        "alone, or those that would arrive by the next deadline (docs/decisions.md)")
    fund_expansions: bool = Field(
        True, description="a country pays for an expansion step of a line whose units would "
        "arrive after the next deadline, from the money its plan gives that system "
        "(docs/decisions.md)")
    decisions: Literal["model", "recorded"] = Field(
        "model", description="model: countries decide yearly; recorded: only the contracts "
        "table buys (contracts signed after the start are signed on their dates)")


class EconomyConfig(Strict):
    """Money shared by all countries: exchange rate, prices, the pledge path."""

    usd_per_eur: ExchangeRate = Field(1.08, description="exchange rate for GDP given in USD")
    defence_inflation: Growth = Field(0.03, description="yearly defence price inflation")
    pledge_year: Year = Field(2035, description="year the defence share reaches its target")
    path: Literal["linear", "front_loaded", "back_loaded"] = Field(
        "linear", description="shape of the defence share path from start to target")
    tranche: Literal["yearly", "monthly"] = Field(
        "yearly", description="GBAD money credited once a fiscal year or monthly")


class DonationEvent(Strict):
    """One scheduled donation (to Ukraine) from a country's stock."""

    country: str = Field(description="ISO3 code of the donor")
    system: str = Field(description="system donated")
    date: str = month_field(None, "month of the donation")
    fire_units: WholeUnits = Field(0, description="fire units donated")
    interceptors: Units = Field(0.0, description="interceptors donated")


class ConflictConfig(Strict):
    """An optional conflict that fires interceptors and destroys fire units."""

    enabled: bool = Field(False, description="simulate a conflict")
    start_year: bounded(1900, 2200, "a decimal year") = Field(
        2030.0, description="start, as a decimal year (2030.5 = July 2030)")
    duration_months: Months = Field(12.0, description="length of the conflict, months")
    interceptors_per_fu_per_day: PerDay = Field(
        1.0, description="interceptors a fire unit fires per day while it holds any (also the "
        "rate magazine.csv counts days of fire at, with or without a conflict); under the "
        "threat rule, per fire unit of the country's opening fleet")
    fire: Literal["threat", "per_fire_unit"] = Field(
        "threat", description="how much a country fires: threat (the rate times the fire "
        "units it opened with, shared among its holdings by the fire units they have now: "
        "the enemy's missiles do not multiply with Europe's launchers) or per_fire_unit "
        "(every fire unit at the rate); docs/decisions.md")
    fire_unit_attrition_per_month: Share = Field(
        0.0, description="share of fire units lost per month of conflict")
    replenish: Literal["fired", "none"] = Field(
        "fired", description="what a country re-orders during the conflict: fired (each "
        "month, the interceptors it fired, product by product, paid by a wartime "
        "supplemental on top of its GBAD money, through its usual channel) or none (only "
        "its yearly decisions buy); docs/decisions.md")


class ConsumptionConfig(Strict):
    """Interceptors and fire units leaving the stock: training, donations, expiry, conflict."""

    training_multiplier: Scale = Field(
        1.0, description="scales every system's training_shots_per_fu_year")
    training: Literal["beyond_loads", "ready_units"] = Field(
        "beyond_loads", description="what training may fire: beyond_loads (each ready fire "
        "unit's yearly shots, from interceptors held beyond a combat load for every fire unit "
        "in service: a country short of missiles cuts training before it empties launchers) "
        "or ready_units (each ready fire unit's shots, even from its combat load); "
        "docs/decisions.md")
    donations: list[DonationEvent] = Field(
        default_factory=list, description="scheduled donations, which leave the model (the "
        "transfers table gives a gift its receiver, and takes givers outside the scenario)")
    diverted_share: dict[str, Share] = Field(
        default_factory=dict, description="country -> share of interceptor deliveries donated")
    refurbish_share: Share = Field(0.0, description="share of expiring interceptors life-extended")
    refurbish_years: DurationYears = Field(10.0, description="years of life a refurbishment adds")
    conflict: ConflictConfig = Field(default_factory=ConflictConfig,
                                     description="optional conflict")


class OutputConfig(Strict):
    """What a run writes."""

    frequency: Literal["month", "quarter", "year"] = Field(
        "month", description="time step of timeseries.csv")
    csv_style: Literal["standard", "excel-eu"] = Field(
        "standard", description="CSV spelling: standard (comma, dot decimal) or excel-eu "
        "(semicolon, decimal comma, byte-order mark) for continental-European spreadsheets; "
        "the --csv-style option sets it")


class Scenario(Strict):
    """A whole scenario file, after ``extend:``, tables and ``--set`` are applied."""

    name: str = Field("scenario", description="short name shown in results")
    description: str = Field("", description="free text about the scenario")
    time: TimeConfig = Field(default_factory=TimeConfig, description="simulated horizon")
    goal: GoalConfig = Field(default_factory=GoalConfig, description="the collective goal")
    economy: EconomyConfig = Field(default_factory=EconomyConfig,
                                   description="prices, exchange rate, pledge path")
    country_defaults: CountryDefaults = Field(default_factory=CountryDefaults,
                                              description="values for blank country fields")
    countries: dict[str, CountryFields] = Field(description="country inputs by ISO3 code")
    systems: dict[str, SystemRow] = Field(description="GBAD systems by name")
    products: dict[str, ProductRow] = Field(description="fire units, interceptors, components")
    lines: dict[str, LineRow] = Field(description="production lines by name")
    inventories: dict[str, dict[str, HoldingRow]] = Field(
        default_factory=dict, description="holdings at the start: country -> system -> row")
    contracts: dict[str, ContractRow] = Field(
        default_factory=dict, description="signed contracts by id: the order books at the "
        "start, and (recorded decisions) the contracts signed later")
    capacity_steps: dict[str, dict[str, CapacityStep]] = Field(
        default_factory=dict, description="dated capacity: line -> YYYY-MM -> step")
    transfers: dict[str, TransferRow] = Field(
        default_factory=dict, description="fire units and interceptors passing between "
        "holders on their dates, by id: gifts (also from donors outside the scenario) and "
        "leases or deployments")
    funds: dict[str, dict[str, FundRow]] = Field(
        default_factory=dict, description="equipment money beside the yearly budgets: "
        "country -> YYYY-MM -> row")
    plans: dict[str, dict[str, PlanRow]] = Field(
        default_factory=dict, description="announced plans: country -> system -> row; what a "
        "country may buy besides what it holds (docs/decisions.md)")
    checkpoints: dict[str, CheckpointRow] = Field(
        default_factory=dict, description="public facts to compare with (validation.csv)")
    procurement: ProcurementConfig = Field(default_factory=ProcurementConfig,
                                           description="buying decisions and contracts")
    joint: JointConfig = Field(default_factory=JointConfig,
                               description="joint procurement programme")
    consumption: ConsumptionConfig = Field(default_factory=ConsumptionConfig,
                                           description="training, donations, expiry, conflict")
    output: OutputConfig = Field(default_factory=OutputConfig, description="what a run writes")

    #: source and confidence of each table row, kept for the report (never for the model)
    _provenance: list[dict] = PrivateAttr(default_factory=list)
    _source: str = PrivateAttr("")
    # the distributions the uncertainty table set (``uncertainty.Applied``), and its file
    _uncertainty: list = PrivateAttr(default_factory=list)
    _uncertainty_file: str = PrivateAttr("")
    #: where the distributions are, found on first use (see sampling.concretise)
    _dist_locations: list | None = PrivateAttr(None)
