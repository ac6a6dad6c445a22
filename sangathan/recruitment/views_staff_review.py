"""The review queue, one application, screening, exports, ranking, decisions and the appointment letter."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sangathan.access.permissions import APPOINT, VIEW
from sangathan.access.personal import may_view_personal
from sangathan.access.scope import can
from sangathan.core.exports import csv_response, xlsx_response
from sangathan.org.errors import OrgError
from sangathan.org.models import Unit
from sangathan.recruitment import access, exports, letters, selectors, services
from sangathan.recruitment.forms_staff import BulkScreenForm, DecideForm, QueueFilterForm, ScreenForm
from sangathan.recruitment.models import Application

PER_PAGE = 50
GROUPS_PER_PAGE = 20


def _next_url(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def _queue(request, campaign):
    """The filter form and the filtered, scoped queryset of the queue (shared by the page and exports)."""
    user = request.user
    units = selectors.queue_units(user, campaign, access.units_in_view(user, campaign))
    form = QueueFilterForm(request.GET or None, units=units, campaign=campaign)
    filters = form.filters() if form.is_bound else {"sort": "newest"}
    applications = access.applications_for_user(user).filter(campaign=campaign)
    return form, selectors.applications_filtered(applications, **filters)


@login_required
@require_GET
def queue(request, slug):
    user = request.user
    campaign = access.get_campaign_for_user(user, slug)
    form, applications = _queue(request, campaign)
    page = Paginator(applications, PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    hidden = selectors.hidden_score_ids(user, [a.pk for a in rows])
    for application in rows:
        application.score_hidden = application.pk in hidden
        application.can_act = can(user, APPOINT, application.home_unit)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "campaign": campaign,
        "form": form,
        "page": page,
        "rows": rows,
        "any_actionable": any(a.can_act for a in rows),
        "query": query.urlencode(),
        "screen_form": ScreenForm(),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "recruitment/staff/partials/queue_results.html", context)
    return render(request, "recruitment/staff/queue.html", context)


def _export(request, slug, kind: str):
    user = request.user
    campaign = access.get_campaign_for_user(user, slug)
    _form, applications = _queue(request, campaign)
    applications = applications.select_related(None).select_related("applied_for__position", "home_unit__level")
    hidden = selectors.hidden_score_ids(user, applications.order_by().values("pk"))
    # Masked where the user may not see personal data (no query per row: by the applicant's unit).
    cols = exports.columns(
        hidden_scores=hidden,
        with_contact=True,
        may_see_personal=lambda application: may_view_personal(user, application),
    )
    filename = f"{campaign.slug}-applications"
    if kind == "csv":
        return csv_response(applications.iterator(chunk_size=500), cols, filename)
    return xlsx_response(applications.iterator(chunk_size=500), cols, filename, sheet_title=_("Applications"))


@login_required
@require_GET
def export_csv(request, slug):
    return _export(request, slug, "csv")


@login_required
@require_GET
def export_xlsx(request, slug):
    return _export(request, slug, "xlsx")


@login_required
@require_POST
def screen_bulk(request, slug):
    """Shortlist or reject the ticked applications. Every id must be one the user sees (else 404) and may
    act on (else 403); those already past screening are skipped and counted."""
    user = request.user
    campaign = access.get_campaign_for_user(user, slug)
    back = _next_url(request, reverse("recruitment:queue", args=[campaign.slug]))
    form = BulkScreenForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    ids = set(form.cleaned_data["ids"])
    visible = access.applications_for_user(user).filter(campaign=campaign, pk__in=ids)
    if visible.count() != len(ids):
        raise Http404
    allowed = list(
        access.applications_for_user(user, APPOINT).filter(campaign=campaign, pk__in=ids).order_by("submitted_at")
    )
    if len(allowed) != len(ids):
        raise PermissionDenied
    try:
        changed = services.applications_screen_bulk(
            applications=allowed, shortlist=form.shortlist, reason=form.cleaned_data["reason"], by=user
        )
    except OrgError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    skipped = len(allowed) - changed
    done = _("%(n)d shortlisted.") if form.shortlist else _("%(n)d rejected.")
    text = done % {"n": changed}
    if skipped:
        text += " " + _("%(n)d skipped: already past screening.") % {"n": skipped}
    messages.success(request, text)
    return redirect(back)


def _detail_context(request, application, *, screen_form=None, decide_form=None) -> dict:
    user = request.user
    home_visible = can(user, VIEW, application.home_unit)
    slot = getattr(application, "slot", None)
    on_panel = access.is_on_panel_of(user, application)
    criteria = list(application.campaign.rubric.criteria.all())
    if on_panel:
        sheets = services.score_sheets_visible_to(application=application, member=user)
        score_hidden = not sheets
    elif home_visible:
        sheets = list(application.score_sheets.select_related("member"))
        score_hidden = False
    else:
        sheets, score_hidden = [], True
    sheet_rows = [(sheet, [sheet.scores.get(str(c.pk)) for c in criteria]) for sheet in sheets]
    can_act = can(user, APPOINT, application.home_unit)
    return {
        "application": application,
        "campaign": application.campaign,
        "slot": slot,
        "events": selectors.events_with_labels(application),
        "accounts": selectors.social_accounts(application),
        "criteria": criteria,
        "sheet_rows": sheet_rows,
        "score_hidden": score_hidden,
        "on_panel": on_panel,
        "show_contact": home_visible,
        "can_act": can_act,
        "can_screen": can_act and application.status in services.SCREENABLE,
        "can_decide": can_act and application.status in services.DECIDABLE,
        "can_no_show": can_act and slot is not None and slot.status == "booked",
        "screen_form": screen_form or ScreenForm(),
        "decide_form": decide_form or DecideForm(),
    }


def _detail_page(request, application: Application, **forms) -> HttpResponse:
    return render(request, "recruitment/staff/application.html", _detail_context(request, application, **forms))


@login_required
@require_GET
def application_detail(request, pk):
    application = access.get_application_for_user(request.user, pk)
    return _detail_page(request, application)


def _application_to_decide(user, pk) -> Application:
    """The application, if the user sees it (else 404) and may appoint at the applicant's home (else 403)."""
    application = access.get_application_for_user(user, pk)
    access.require_appoint_on(user, application)
    return application


def _decided(request, application: Application, form, act: Callable[[], str]) -> HttpResponse | None:
    """Screening or deciding from the application's page (or the list it came from): for a valid ``form``,
    ``act()`` (the service call; it returns the message to show), a refusal by a rule of the drive shown as an
    error, and back where the user came from. None: the form is not valid."""
    if not form.is_valid():
        return None
    try:
        text = act()
    except OrgError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, text)
    return redirect(_next_url(request, reverse("recruitment:application", args=[application.pk])))


@login_required
@require_POST
def application_screen(request, pk):
    application = _application_to_decide(request.user, pk)
    form = ScreenForm(request.POST)

    def screen() -> str:
        services.application_screen(
            application=application, shortlist=form.shortlist, reason=form.cleaned_data["reason"], by=request.user
        )
        if form.shortlist:
            return _("%(name)s shortlisted.") % {"name": application.name}
        return _("%(name)s rejected.") % {"name": application.name}

    done = _decided(request, application, form, screen)
    if done is not None:
        return done
    return _detail_page(request, application, screen_form=form)


@login_required
@require_POST
def application_decide(request, pk):
    user = request.user
    application = _application_to_decide(user, pk)
    form = DecideForm(request.POST)

    def decide() -> str:
        decision = form.cleaned_data["decision"]
        if decision == "select":
            # Selecting appoints at the unit of the post's level above the applicant's home: the user
            # must be allowed to appoint there too (a block in-charge cannot fill a district post).
            unit = services.appointment_unit_for(application)
            if not can(user, APPOINT, unit):
                raise OrgError(
                    _("Only someone who may appoint at %(unit)s can select for this post.")
                    % {"unit": unit.display_name if can(user, VIEW, unit) else _("a unit above you")},
                    code="appoint_scope",
                )
        decided = services.application_decide(
            application=application, decision=decision, reason=form.cleaned_data["reason"], by=user
        )
        if decided.status == Application.Status.APPOINTED:
            return _("%(name)s selected and appointed; letter %(letter)s.") % {
                "name": decided.name,
                "letter": decided.letter_number,
            }
        return _("%(name)s: %(status)s.") % {"name": decided.name, "status": decided.get_status_display()}

    done = _decided(request, application, form, decide)
    if done is not None:
        return done
    back = _next_url(request, "")
    if back:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    return _detail_page(request, application, decide_form=form)


@login_required
@require_GET
def ranking(request, slug):
    user = request.user
    campaign = access.get_campaign_for_user(user, slug)
    posts = list(campaign.positions.select_related("position__level"))
    applications = access.applications_for_user(user).filter(campaign=campaign)
    post_id = request.GET.get("post", "")
    post = next((p for p in posts if str(p.pk) == post_id), None) or selectors.busiest_post(applications, posts)
    unit = None
    unit_id = request.GET.get("unit", "")
    if unit_id.isdecimal() and len(unit_id) < 12:
        unit = Unit.objects.restrict(user).filter(pk=unit_id).first()
    groups = selectors.ranking(applications, post, unit=unit) if post else []
    page = Paginator(groups, GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    hidden = selectors.hidden_score_ids(user, [a.pk for g in page.object_list for a in g.applications])
    for group in page.object_list:
        for application in group.applications:
            application.score_hidden = application.pk in hidden
            application.can_act = can(user, APPOINT, application.home_unit)
    return render(
        request,
        "recruitment/staff/ranking.html",
        {
            "campaign": campaign,
            "posts": posts,
            "post": post,
            "unit": unit,
            "page": page,
            "query": f"post={post.pk}" if post else "",  # the pager keeps the post
            "decide_form": DecideForm(),
            "decidable": services.DECIDABLE,
            "here": request.get_full_path(),
        },
    )


@login_required
@require_GET
def letter_pdf(request, pk):
    """The appointment letter, for those who see the applicant's home unit (not panel members)."""
    application = (
        access.applications_for_user(request.user)
        .select_related(
            "campaign__scope_unit__level",
            "appointment__unit__level",
            "appointment__position",
            "appointment__appointed_by",
        )
        .filter(pk=pk, status=Application.Status.APPOINTED, appointment__isnull=False)
        .first()
    )
    if application is None:
        raise Http404
    language = request.GET.get("lang", "hi")
    pdf = letters.letter_pdf(application, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="letter-{application.reference}.pdf"'
    return response
