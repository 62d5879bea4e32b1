"""Reporters: the only code that prints or writes reports. Takes results (run/results.py),
plans, findings and scaffolds; hands on console lines, JUnit, JSON and markdown, masked."""
