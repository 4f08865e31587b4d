"""Recording: month-end snapshots, the goal metric, and the tables a run returns."""
