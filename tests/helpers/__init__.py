"""Helpers shared by test areas (no fixtures here: those live in each area's conftest.py)."""
