"""Scenario files: schema, loading, validation, distributions, sampling."""

from stockpile.scenario.errors import Problem, ScenarioError
from stockpile.scenario.load import load_scenario
from stockpile.scenario.schema import Scenario

__all__ = ["Problem", "Scenario", "ScenarioError", "load_scenario"]
