"""Statistics on finished results folders: summaries, sensitivity, discovery, goal-seek.

Modules here read result tables (never model objects) and return tables: ``results`` loads
a folder, ``summary`` and ``derive`` condense runs, ``sensitivity`` and ``discovery`` explain
them, ``goalseek`` searches a lever (``goalseek_words`` says its answer, ``precision`` holds
the exact tests that say how sure it is), ``validation`` scores a replay against the public
record, ``magazine`` counts days of fire. The report that puts these into words, charts and
a workbook is the subpackage ``stockpile.analysis.report``, which imports from here and
never the other way round.
"""
