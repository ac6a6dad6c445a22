"""Staff pages of the recruitment drive: the campaigns, a new campaign or sub-campaign, the dashboard.

Thin: fetch in scope (``access``), read through ``selectors``, write through ``services``, render. The
review queue and decisions are in ``views_staff_review``, interviews and the panel in
``views_staff_interviews``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sangathan.access.permissions import APPOINT, VIEW
from sangathan.access.scope import can, can_anywhere
from sangathan.core.forms import service_kwargs
from sangathan.org.errors import OrgError
from sangathan.org.models import Position, Unit
from sangathan.recruitment import access, selectors, services
from sangathan.recruitment.forms_staff import CampaignForm, post_forms
from sangathan.recruitment.models import Panel


def _stage_labels() -> dict[str, str]:
    return {
        "applied": _("Applied"),
        "shortlisted": _("Shortlisted"),
        "interviewed": _("Interviewed"),
        "selected": _("Selected"),
        "appointed": _("Appointed"),
    }


@login_required
def campaign_list(request):
    campaigns = list(
        access.campaigns_for_user(request.user).select_related("scope_unit__level", "parent").order_by("-opens_at")
    )
    counts = {
        row["campaign_id"]: row
        for row in access.applications_for_user(request.user)
        .filter(campaign__in=campaigns)
        .values("campaign_id")
        .annotate(applied=Count("id"), appointed=Count("id", filter=Q(status="appointed")))
        .order_by()
    }
    now = timezone.now()
    rows = [(c, counts.get(c.pk, {}).get("applied", 0), counts.get(c.pk, {}).get("appointed", 0)) for c in campaigns]
    return render(
        request,
        "recruitment/staff/campaign_list.html",
        {
            "rows": rows,
            "now": now,
            "can_start": can_anywhere(request.user, access.START_CAMPAIGN),
            "on_a_panel": Panel.objects.filter(members=request.user).exists(),
        },
    )


def _int_param(value) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdecimal() and len(value) < 12 else None


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    """A new campaign (state and national admins), or with ``?parent=<slug>`` a sub-campaign of one the user
    can see, for a unit inside its area where they may appoint (a district in-charge: their district)."""
    user = request.user
    parent = None
    if request.GET.get("parent"):
        parent = access.get_campaign_for_user(user, request.GET["parent"])
    if not can_anywhere(user, APPOINT):
        raise PermissionDenied
    unit = None
    unit_id = _int_param(request.GET.get("unit"))
    if unit_id is not None:
        unit = Unit.objects.restrict(user, APPOINT).select_related("level").filter(pk=unit_id).first()
    form = CampaignForm(request.POST or None, user=user, parent=parent, unit=unit)
    if not form.fields["unit"].queryset.exists():
        raise PermissionDenied
    top_level = min(u.level.order for u in form.fields["unit"].queryset)
    positions = list(
        Position.objects.filter(level__order__gte=top_level)
        .select_related("level")
        .order_by("level__order", "order", "id")
    )
    initial_targets = {}
    if parent is not None:
        # The parent's posts come ticked; its targets are for its whole area, so they are not copied.
        initial_targets = {
            p.position_id: None
            for p in parent.positions.select_related("position__level")
            if p.position.level.order >= top_level
        }
    posts = post_forms(request.POST or None, positions, initial_targets=initial_targets)
    if request.method == "POST" and form.is_valid() and all(f.is_valid() for _p, f in posts):
        data = form.cleaned_data
        chosen = [(position, f.cleaned_data.get("target")) for position, f in posts if f.cleaned_data.get("include")]
        if parent is None and not can(user, access.START_CAMPAIGN, data["unit"]):
            form.add_error(
                "unit",
                _("Only a state admin starts a campaign; start a sub-campaign from your state campaign's page."),
            )
        else:
            try:
                campaign = services.campaign_create(
                    scope_unit=data["unit"],
                    parent=parent,
                    positions=chosen,
                    **service_kwargs(data, "title_hi", "title_en", "slug", "opens_at", "closes_at", "rubric"),
                    **service_kwargs(data, "reference_prefix", "notice_hi", "notice_en"),
                    by=user,
                )
            except OrgError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Campaign %(title)s created.") % {"title": campaign.title})
                return redirect("recruitment:dashboard", slug=campaign.slug)
    return render(
        request,
        "recruitment/staff/campaign_form.html",
        {"form": form, "posts": posts, "parent": parent},
    )


@login_required
def dashboard(request, slug):
    user = request.user
    campaign = access.get_campaign_for_user(user, slug)
    applications = access.applications_for_user(user).filter(campaign=campaign)
    # The user's view of the campaign: its whole area, or their own units inside it (a district in-charge on the
    # state campaign sees their district, broken down by assembly constituency).
    units = access.units_in_view(user, campaign)
    root = units[0] if len(units) == 1 else None
    whole = can(user, VIEW, campaign.scope_unit)
    per_day = selectors.applications_per_day(applications, campaign)
    by_area = selectors.applications_by_area(user, applications, units)
    area_level = by_area[0].unit.level if by_area else None
    # A sub-campaign can be started by whoever may appoint somewhere inside the campaign's area.
    can_sub = can_anywhere(user, APPOINT, within=campaign.scope_unit)
    return render(
        request,
        "recruitment/staff/dashboard.html",
        {
            "campaign": campaign,
            "root": root,
            "whole": whole,
            "units": units,
            "per_day": per_day,
            "per_day_peak": max((d.count for d in per_day), default=0),
            "funnel": selectors.funnel(applications, _stage_labels()),
            "by_area": by_area,
            "area_level": area_level,
            "seats": selectors.seats_by_post(campaign, applications, units),
            "subs": selectors.sub_campaigns_progress(user, campaign, access.applications_for_user(user)),
            "can_run_interviews": access.can_run_interviews(user, campaign),
            "can_sub": can_sub,
            "is_open": campaign.is_open(),
        },
    )
