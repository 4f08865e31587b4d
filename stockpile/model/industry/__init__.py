"""Industry: production lines and the rules by which they share their output."""
