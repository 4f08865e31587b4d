"""The running counts a line keeps so that other lines can ask it cheaply (``due_within``)
must equal counting its batches afresh, on a whole run with joint (shared) orders."""

from __future__ import annotations

import pytest

from stockpile.api import simulate
from stockpile.model.industry import production
from stockpile.scenario import load_scenario


def _plain_due(line: production.ProductionLine, t: int, months: int) -> dict[str, float]:
    """Units by buyer in work until ``t + months``, unit by unit in batch order, then the
    book's next starts: the rule as first written."""
    due: dict[str, float] = {}
    for finish, batch, _ in line.wip:
        if finish > t + months:
            break
        for order, count in batch:
            if order is not None:
                for buyer, units in production._shares(order, count):
                    due[buyer] = due.get(buyer, 0.0) + units
    room = line.capacity * line.europe_share * max(0, months - line.lead)
    for order in line.orders:
        if room <= 0:
            break
        part = min(room, order.unstarted)
        for buyer, units in production._shares(order, part):
            due[buyer] = due.get(buyer, 0.0) + units
        room -= part
    return due


@pytest.mark.parametrize("config", ["baseline", "joint_essi"])
def test_dues_from_running_counts_equal_a_fresh_count(config, monkeypatch) -> None:
    asked = []
    kept = production.ProductionLine.due_within

    def checked(self, t: int, months: int) -> dict[str, float]:
        found = kept(self, t, months)
        plain = {b: u for b, u in _plain_due(self, t, months).items() if u}
        assert {b: u for b, u in found.items() if u} == plain
        asked.append(len(self._in_work_by_buyer))
        return found

    monkeypatch.setattr(production.ProductionLine, "due_within", checked)
    simulate(load_scenario(f"configs/{config}.yaml"), seed=3)
    assert len(asked) > 1000 and max(asked) > 1  # asked often, of lines with several buyers
