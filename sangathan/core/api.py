"""API helpers shared by every app."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """Turn a service's ``ValidationError`` into a 400 with its translated messages, and say "too many
    requests" in the user's language (DRF's own message has the number built in, so it has no translation)."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = serializers.ValidationError(detail)
    elif isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        wait = exc.wait
        exc = exceptions.Throttled(detail=_("Too many requests. Try again in %(seconds)s seconds.") % {"seconds": wait})
        exc.wait = wait  # keeps the Retry-After header
    return drf_exception_handler(exc, context)


class Pagination(LimitOffsetPagination):
    """``?limit=`` and ``?offset=`` with bounds, so a huge number is not passed on to the database."""

    max_limit = 500
    max_offset = 2_147_483_647

    def get_offset(self, request):
        return min(super().get_offset(request), self.max_offset)


def validated(serializer_class, request) -> dict:
    """The request's data checked by ``serializer_class`` (a 400 with its messages when it is not valid)."""
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def patched(instance, data: dict, fields: Iterable[str]) -> dict:
    """A PATCH's values for a service that takes them all: each of ``fields`` as the instance has it now,
    overridden by what was sent (``data``)."""
    return {**{name: getattr(instance, name) for name in fields}, **data}
