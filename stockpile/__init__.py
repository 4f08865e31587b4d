"""stockpile: can European NATO expand ground-based air defence fivefold, and by when?"""

__version__ = "0.1.0"
