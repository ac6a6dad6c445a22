"""Sangathan: the digital wing of an organisation, from state HQ to every polling booth."""

from sangathan.config.celery import app as celery_app

__all__ = ["celery_app"]
