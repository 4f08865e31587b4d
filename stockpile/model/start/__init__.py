"""The world as it stands when the clock starts, and the purchases a replay signs on
their recorded dates."""
