"""Helpers the tests start processes through (not collected as tests)."""
