"""Money: GBAD accounts, their yearly credit, and unit prices."""
