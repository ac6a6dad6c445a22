"""Interview days, panels, automatic scheduling, the day's timetable, rescheduling and no-shows; and the
panel member's own page: today's slots, the next applicant, the score sheet."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sangathan.access.permissions import VIEW
from sangathan.access.scope import can
from sangathan.org.errors import OrgError
from sangathan.recruitment import access, selectors, services
from sangathan.recruitment.forms_staff import InterviewDayForm, PanelForm, ScoreForm, SlotMoveForm
from sangathan.recruitment.models import Application, InterviewSlot, ScoreSheet


def _waiting(user, campaign) -> int:
    """Shortlisted applicants (in the user's view) without an interview slot yet."""
    return (
        access.applications_for_user(user)
        .filter(campaign=campaign, status=Application.Status.SHORTLISTED, slot__isnull=True)
        .count()
    )


@login_required
@require_http_methods(["GET", "POST"])
def interviews(request, slug):
    user = request.user
    campaign = access.get_campaign_for_user(user, slug)
    can_run = access.can_run_interviews(user, campaign)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    form = InterviewDayForm(request.POST or None, initial={"date": tomorrow})
    if request.method == "POST":
        access.require_run_interviews(user, campaign)
        if form.is_valid():
            try:
                day = services.interview_day_create(campaign=campaign, by=user, **form.cleaned_data)
            except OrgError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Interview day added. Now add its panels."))
                return redirect("recruitment:day", pk=day.pk)
    days = list(campaign.interview_days.annotate(panel_count=Count("panels")))
    visible = access.applications_for_user(user).filter(campaign=campaign)
    booked = dict(
        InterviewSlot.objects.filter(panel__day__in=days, application__in=visible)
        .values("panel__day")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("panel__day", "n")
    )
    rows = [(day, booked.get(day.pk, 0)) for day in days]
    return render(
        request,
        "recruitment/staff/interviews.html",
        {"campaign": campaign, "rows": rows, "form": form, "can_run": can_run, "waiting": _waiting(user, campaign)},
    )


def _day_context(request, day, *, panel_form=None) -> dict:
    user = request.user
    campaign = day.campaign
    visible = access.applications_for_user(user).filter(campaign=campaign)
    full = can(user, VIEW, campaign.scope_unit)
    panels = selectors.timetable(day, visible)
    if not full:
        # Someone who sees only part of the campaign's area sees only their applicants' interviews.
        panels = [
            (
                panel,
                members,
                [r for r in rows if r.slot and r.slot.visible],
                sum(1 for r in rows if r.slot and r.slot.visible),
            )
            for panel, members, rows, booked in panels
        ]
    return {
        "day": day,
        "campaign": campaign,
        "panels": panels,
        "full": full,
        "can_run": access.can_run_interviews(user, campaign),
        "panel_form": panel_form or PanelForm(),
        "waiting": _waiting(user, campaign),
        "slot_count": len(selectors.day_times(day)),
    }


@login_required
@require_GET
def day_detail(request, pk):
    day = access.get_day_for_user(request.user, pk)
    return render(request, "recruitment/staff/day.html", _day_context(request, day))


@login_required
@require_POST
def panel_create(request, pk):
    user = request.user
    day = access.get_day_for_user(user, pk)
    access.require_run_interviews(user, day.campaign)
    form = PanelForm(request.POST, user=user)
    if form.is_valid():
        try:
            panel = services.panel_create(
                day=day, name=form.cleaned_data["name"], members=form.cleaned_data["members"], by=user
            )
        except OrgError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Panel %(name)s added.") % {"name": panel.name})
            return redirect("recruitment:day", pk=day.pk)
    return render(request, "recruitment/staff/day.html", _day_context(request, day, panel_form=form))


@login_required
@require_POST
def schedule(request, pk):
    user = request.user
    day = access.get_day_for_user(user, pk)
    access.require_run_interviews(user, day.campaign)
    try:
        scheduled, left = services.interviews_schedule(day=day, by=user)
    except OrgError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext("%(n)d interview scheduled.", "%(n)d interviews scheduled.", scheduled) % {"n": scheduled},
        )
        if left:
            messages.warning(
                request,
                ngettext(
                    "%(n)d shortlisted applicant is left without a slot: add a panel or another day.",
                    "%(n)d shortlisted applicants are left without a slot: add a panel or another day.",
                    left,
                )
                % {"n": left},
            )
    return redirect("recruitment:day", pk=day.pk)


@login_required
@require_http_methods(["GET", "POST"])
def slot_move(request, pk):
    user = request.user
    slot = access.get_slot_for_user(user, pk)
    access.require_appoint_on(user, slot.application)
    day = slot.panel.day
    back = reverse("recruitment:day", args=[day.pk])
    if slot.status != InterviewSlot.Status.BOOKED:
        messages.error(request, _("Only an interview that has not taken place can be moved."))
        return redirect(back)
    times = selectors.day_times(day)
    local = timezone.localtime(slot.starts_at)
    form = SlotMoveForm(
        request.POST or None,
        day=day,
        times=times,
        initial={"panel": slot.panel_id, "starts_at": local.strftime("%H:%M")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.slot_move(
                slot=slot, panel=form.cleaned_data["panel"], starts_at=form.cleaned_data["starts_at"], by=user
            )
        except OrgError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Interview moved."))
            return redirect(back)
    taken = set(
        InterviewSlot.objects.filter(panel__day=day).exclude(pk=slot.pk).values_list("panel__name", "starts_at")
    )
    free = {
        panel.name: [timezone.localtime(t).strftime("%H:%M") for t in times if (panel.name, t) not in taken]
        for panel in day.panels.all()
    }
    return render(request, "recruitment/staff/slot_move.html", {"slot": slot, "day": day, "form": form, "free": free})


def _slot_act(request, pk, act, done: str) -> InterviewSlot:
    """The timetable's slot buttons: the slot in the user's view, the right to appoint on its applicant, then
    ``act(slot=, by=)``; a refusal is shown as an error, else ``done`` (with the applicant's name)."""
    user = request.user
    slot = access.get_slot_for_user(user, pk)
    access.require_appoint_on(user, slot.application)
    try:
        act(slot=slot, by=user)
    except OrgError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done % {"name": slot.application.name})
    return slot


def _no_show(*, slot, by):
    if slot.status != InterviewSlot.Status.BOOKED:
        raise OrgError(_("Only an interview that has not taken place can be marked as missed."))
    services.slot_mark_no_show(slot=slot, by=by)


@login_required
@require_POST
def slot_no_show(request, pk):
    slot = _slot_act(request, pk, _no_show, _("%(name)s marked as not come."))
    fallback = reverse("recruitment:day", args=[slot.panel.day_id])
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/recruitment/") else fallback)


@login_required
@require_POST
def slot_open_scoring(request, pk):
    """An admin who appoints on the applicant's unit opens scoring before the slot's time (audited)."""
    slot = _slot_act(request, pk, services.slot_scoring_open, _("Scoring of %(name)s's interview is open."))
    return redirect("recruitment:day", pk=slot.panel.day_id)


# ---------------------------------------------------------------- the panel member's pages


@login_required
@require_GET
def panel_home(request):
    user = request.user
    today = list(selectors.member_slots(user))
    upcoming = list(selectors.member_slots(user, upcoming=True)[:50])
    return render(
        request,
        "recruitment/staff/panel.html",
        {
            "today": today,
            "upcoming": upcoming,
            "next": selectors.next_slot(today),
            "date": timezone.localdate(),
            "scored": sum(1 for s in today if s.scored_by_me),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def panel_score(request, pk):
    """The score sheet of one applicant, for a member of their panel. The others' scores stay hidden until
    the member has submitted their own (``services.score_sheets_visible_to``)."""
    user = request.user
    slot = access.get_member_slot(user, pk)
    application = slot.application
    criteria = list(slot.panel.day.campaign.rubric.criteria.all())
    already = ScoreSheet.objects.filter(application=application, member=user).exists()
    form = ScoreForm(request.POST or None, criteria=criteria)
    if request.method == "POST" and not already and form.is_valid():
        try:
            services.score_submit(application=application, member=user, scores=form.scores())
        except OrgError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("recruitment:panel_score", pk=slot.pk)
        else:
            messages.success(request, _("Scores for %(name)s saved.") % {"name": application.name})
            return redirect("recruitment:panel")
    if request.method == "POST" and already:
        messages.error(request, _("You have already scored this applicant."))
    sheets = services.score_sheets_visible_to(application=application, member=user)
    sheet_rows = [(sheet, [sheet.scores.get(str(c.pk)) for c in criteria]) for sheet in sheets]
    application.refresh_from_db(fields=["score", "score_disagreement", "status"])
    return render(
        request,
        "recruitment/staff/panel_score.html",
        {
            "slot": slot,
            "application": application,
            "accounts": selectors.social_accounts(application),
            "criteria": criteria,
            "form": form,
            "already": already,
            "scoring_open": slot.scoring_open(),
            "sheet_rows": sheet_rows,
            "scale_max": max((c.scale_max for c in criteria), default=10),
        },
    )
