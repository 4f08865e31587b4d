"""Buying: yearly national decisions, joint procurement led by one nation, and the
caps on national effort."""
