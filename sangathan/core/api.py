"""API helpers shared by every app."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """Turn a service's ``ValidationError`` into a 400 with its translated messages."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = serializers.ValidationError(detail)
    return drf_exception_handler(exc, context)


class Pagination(LimitOffsetPagination):
    """``?limit=`` and ``?offset=`` with bounds, so a huge number is not passed on to the database."""

    max_limit = 500
    max_offset = 2_147_483_647

    def get_offset(self, request):
        return min(super().get_offset(request), self.max_offset)
