"""Small helpers shared by the apps' forms and views."""

from collections.abc import Mapping
from typing import Any


def service_kwargs(data: Mapping[str, Any], *names: str) -> dict[str, Any]:
    """The named values of a form's ``cleaned_data``, for a service that takes them under the same names
    (``services.camp_update(camp=camp, **service_kwargs(data, "venue", "capacity"), by=user)``)."""
    return {name: data[name] for name in names}
