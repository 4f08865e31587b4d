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
        #: per product: price-year unit price, price year, Wright exponent (None: no
        #: learning) and the reference unit's cost factor, read once instead of per quote
        self._curves = {name: _curve(p) for name, p in products.items()}

    def quote(self, name: str, year: int, quantity: int = 1) -> float:
        """Unit price in EUR m of a batch ordered now, without booking it.

        The batch's average unit cost relative to the price-year unit, by Wright's law.
        """
        price, price_year, b, reference = self._curves[name]
        inflation = (1.0 + self.inflation) ** (year - price_year)
        if b is None or quantity <= 0:
            return price * inflation
        start = max(self.ordered[name], 0.0)
        end = start + quantity
        average = ((end + 0.5) ** (b + 1) - (start + 0.5) ** (b + 1)) / ((b + 1) * quantity)
        return price * inflation * (average / reference)

    def book(self, name: str, quantity: int) -> None:
        self.ordered[name] += quantity


def _curve(product: ProductRow) -> tuple[float, int, float | None, float]:
    rate = float(product.learning_rate)
    b = math.log2(rate) if rate < 1.0 else None
    reference = (max(1.0, float(product.prior_units)) + 0.5) ** b if b is not None else 1.0
    return float(product.unit_price_eur_m), int(product.price_year), b, reference
