"""``get_<x>_for_user``: fetch one recruitment object the user may see, or 404.

Two ways in: a role whose subtree holds the object (campaigns: also the campaigns above one's unit;
applications: the applicant's home unit), or a seat on the interview panel an application is booked
with. Panel members see and score the applications of their own panels' slots, and nothing else.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from sangathan.access.permissions import APPOINT, MANAGE_CAMPAIGNS, VIEW
from sangathan.access.scope import can, require, scope_paths, top_units
from sangathan.recruitment.models import Application, Campaign, InterviewDay, InterviewSlot

# Words the staff URLs use after /recruitment/; a campaign's short link may not be one of them.
# "status" is the public side's (/a/status/).
RESERVED_SLUGS = frozenset({"new", "panel", "applications", "interviews", "slots", "admin", "status"})

# Starting a campaign of one's own (no parent) needs "manage_campaigns" at its unit (state and national
# admins, in-charges, recruiters). In-charges start sub-campaigns of a campaign they can see, for units
# where they may appoint.
START_CAMPAIGN = MANAGE_CAMPAIGNS
SUB_CAMPAIGN = APPOINT


def campaigns_for_user(user):
    return Campaign.objects.restrict(user, VIEW)


def get_campaign_for_user(user, slug) -> Campaign:
    return get_object_or_404(
        campaigns_for_user(user).select_related("scope_unit__level", "rubric", "parent"), slug=slug
    )


def applications_for_user(user, action: str = VIEW):
    """Applications whose applicant lives in the user's scope (for ``action``)."""
    return Application.objects.restrict(user, action)


def panel_application_ids(user):
    """Ids of the applications booked with a panel the user sits on (a subquery)."""
    return InterviewSlot.objects.filter(panel__members=user).values("application_id")


def get_application_for_user(user, pk) -> Application:
    """An application in the user's scope, or one booked with a panel the user sits on."""
    if not user.is_authenticated:
        raise Http404
    if scope_paths(user, VIEW) is None:
        visible = Application.objects.all()
    else:
        visible = Application.objects.filter(
            Q(pk__in=applications_for_user(user).values("pk")) | Q(pk__in=panel_application_ids(user))
        )
    return get_object_or_404(
        visible.select_related(
            "campaign__rubric",
            "campaign__scope_unit",
            "applied_for__position__level",
            "home_unit__level",
            "appointment__unit__level",
            "appointment__position",
        ),
        pk=pk,
    )


def require_appoint_on(user, application: Application) -> None:
    """Acting on an application needs the "appoint" action at the applicant's home unit: 404 when the
    user cannot see that unit at all (a panel member without a role), 403 when they only may view."""
    require(user, APPOINT, application.home_unit)


def is_on_panel_of(user, application: Application) -> bool:
    slot = getattr(application, "slot", None)
    return slot is not None and slot.panel.members.filter(pk=user.pk).exists()


def can_run_interviews(user, campaign: Campaign) -> bool:
    """Interview days schedule every shortlisted applicant of the campaign, so they are run by those who
    may appoint across the campaign's whole area (a district in-charge runs their own sub-campaign's)."""
    return can(user, APPOINT, campaign.scope_unit)


def require_run_interviews(user, campaign: Campaign) -> None:
    """403 for someone who sees the campaign (``get_campaign_for_user`` has 404ed everyone else) but may
    not appoint across its whole area."""
    if not can_run_interviews(user, campaign):
        raise PermissionDenied


def get_day_for_user(user, pk) -> InterviewDay:
    """An interview day of a campaign the user can see."""
    return get_object_or_404(
        InterviewDay.objects.filter(campaign__in=campaigns_for_user(user)).select_related("campaign__scope_unit"),
        pk=pk,
    )


def get_slot_for_user(user, pk) -> InterviewSlot:
    """A slot whose applicant is in the user's scope."""
    return get_object_or_404(
        InterviewSlot.objects.filter(application__in=applications_for_user(user)).select_related(
            "panel__day__campaign", "application__home_unit"
        ),
        pk=pk,
    )


def get_member_slot(user, pk) -> InterviewSlot:
    """A slot of a panel the user sits on (the panel page); 404 for everyone else, admins included."""
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(
        InterviewSlot.objects.filter(panel__members=user).select_related(
            "panel__day__campaign__rubric",
            "application__applied_for__position__level",
            "application__home_unit__level",
        ),
        pk=pk,
    )


def units_in_view(user, campaign: Campaign) -> list:
    """The highest units of the campaign's area the user sees (their numbers are added up)."""
    if can(user, VIEW, campaign.scope_unit):
        return [campaign.scope_unit]
    return [unit for unit in top_units(user) if unit.is_within(campaign.scope_unit)]
