"""Unit prices: defence inflation from the price year, and Wright's learning curve.

Wright's law: the n-th unit costs ``c1 · n^b`` with ``b = log2(learning_rate)``;
a batch is priced at its average unit cost. The curve moves with every unit
ordered, whoever orders it, because the manufacturer learns from all of them.
"""

from __future__ import annotations

import math

from stockpile.scenario.schema import EconomyConfig, ProductRow


class PriceBook:
    def __init__(self, products: dict[str, ProductRow], economy: EconomyConfig):
        self.products = products
        self.inflation = float(economy.defence_inflation)
        self.ordered = {name: float(p.prior_units) for name, p in products.items()}

    def _learning(self, product: ProductRow, first: float, quantity: float) -> float:
        """Average cost of units first+1..first+quantity relative to the price-year unit."""
        rate = float(product.learning_rate)
        if rate >= 1.0 or quantity <= 0:
            return 1.0
        b = math.log2(rate)
        reference = max(1.0, float(product.prior_units))
        start, end = max(first, 0.0), max(first, 0.0) + quantity
        average = ((end + 0.5) ** (b + 1) - (start + 0.5) ** (b + 1)) / ((b + 1) * quantity)
        return average / (reference + 0.5) ** b

    def quote(self, name: str, year: int, quantity: int = 1) -> float:
        """Unit price in EUR m of a batch ordered now, without booking it."""
        product = self.products[name]
        inflation = (1.0 + self.inflation) ** (year - product.price_year)
        return float(product.unit_price_eur_m) * inflation * self._learning(
            product, self.ordered[name], quantity)

    def book(self, name: str, quantity: int) -> None:
        self.ordered[name] += quantity
