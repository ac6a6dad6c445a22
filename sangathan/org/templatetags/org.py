from django import template

from sangathan.org.phones import display_mobile

register = template.Library()


@register.filter
def mobile(value: str) -> str:
    """+919829012345 → 98290 12345, as people write Indian mobile numbers."""
    return display_mobile(value or "")
