"""``stockpile validate``: check scenario files without running them."""

from __future__ import annotations

from pathlib import Path

import click

from stockpile.cli.common import main, quiet_option, set_option
from stockpile.scenario import Problem, Scenario, ScenarioError, load_scenario


def _count(n: int, noun: str, plural: str = "") -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def summary_line(shown: str, scenario: Scenario) -> str:
    """What ``validate`` says about a good file: enough to see it is the scenario meant."""
    deadlines = ", ".join(str(year) for year in scenario.goal.deadlines)
    return (f"{shown}: ok — {_count(len(scenario.countries), 'country', 'countries')}, "
            f"{_count(len(scenario.systems), 'system')}, {_count(len(scenario.lines), 'line')}, "
            f"deadlines {deadlines}, horizon {scenario.time.start}..{scenario.time.end}")


@main.command()
@click.argument("configs", nargs=-1, required=True, metavar="CONFIG...")
@set_option
@quiet_option
def validate(configs: tuple[str, ...], overrides: list[str], quiet: bool) -> None:
    """Check scenario files; exit 0 if all are good, else 2 with one line per problem."""
    problems: dict[Problem, None] = {}  # ordered set: a bad --set is reported once, not per file
    for config in configs:
        try:
            scenario = load_scenario(Path(config), overrides)
        except ScenarioError as exc:
            problems.update(dict.fromkeys(exc.problems))
            continue
        if not quiet:
            click.echo(summary_line(config, scenario))
    if problems:
        raise ScenarioError(list(problems))
