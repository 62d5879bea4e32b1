"""Reporters: the only code that turns results into text for people or tools."""
