"""``get_<x>_for_user``: one object the user may see, or 404."""

from django.shortcuts import get_object_or_404

from sangathan.planning.models import Plan


def get_plan_for_user(user, pk) -> Plan:
    return get_object_or_404(
        Plan.objects.restrict(user, "view").select_related("scope", "scope__level", "parent"), pk=pk
    )
