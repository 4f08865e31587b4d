"""stockpile: can European NATO expand ground-based air defence fivefold, and by when?

The notebook API (imported on first use, so ``import stockpile`` stays fast)::

    import stockpile
    scenario = stockpile.load_scenario("configs/baseline.yaml")
    run = stockpile.simulate(scenario, seed=1)          # one run's tables
    res = stockpile.sweep(scenario, runs=100, seed=1)   # a ResultSet of DataFrames
    res.summary, res.runs, res.fan
    old = stockpile.load_results("results/baseline-sweep")
"""

__version__ = "0.1.0"

#: public name -> module that defines it
_API = {
    "load_scenario": "stockpile.api",
    "simulate": "stockpile.api",
    "RunOutput": "stockpile.api",
    "DEFAULT_SEED": "stockpile.api",
    "sweep": "stockpile.notebook",
    "load_results": "stockpile.notebook",
    "ResultSet": "stockpile.notebook",
}
__all__ = sorted(_API)


def __getattr__(name: str):
    """The API on first use: a notebook does not pay for SimPy and SALib until it needs them."""
    if name in _API:
        from importlib import import_module

        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'stockpile' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
