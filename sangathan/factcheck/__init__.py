"""Fact-check desk."""
