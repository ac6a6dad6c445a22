"""Membership drive."""
