"""Stocks: what a country holds of each system, and what leaves it (training,
donations, expiry, conflict)."""
