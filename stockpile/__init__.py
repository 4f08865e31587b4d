"""stockpile: can European NATO expand ground-based air defence fivefold, and by when?"""

__version__ = "0.1.0"


def __getattr__(name: str):
    """``stockpile.load_scenario``, ``stockpile.simulate``, ``stockpile.sweep`` on first use."""
    if name in {"load_scenario", "simulate"}:
        from stockpile import api

        return getattr(api, name)
    if name == "sweep":
        from stockpile.experiment.sweep import sweep

        return sweep
    raise AttributeError(name)
