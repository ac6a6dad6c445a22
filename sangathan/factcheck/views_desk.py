"""The desk's claim pages: the list (overdue first, with SLA badges), a claim with its workflow buttons,
evidence, rebuttal and tips, and the ClaimReview import. Thin: reads through ``selectors``, writes
through ``desk``, ``answering`` and ``importing``; a claim outside the user's scope is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sangathan.access.permissions import VIEW
from sangathan.access.scope import can_anywhere
from sangathan.factcheck import answering, desk, importing, selectors, trending
from sangathan.factcheck.desk_forms import (
    AssignForm,
    ClaimEditForm,
    ClaimNewForm,
    EvidenceFileForm,
    ImportForm,
    LinkForm,
    TransitionForm,
)
from sangathan.factcheck.models import Claim, ClaimFile, ClaimLink, Language, Status
from sangathan.factcheck.services import FactCheckError

PER_PAGE = 50
TIPS_SHOWN = 50


def _writable(request, pk: int) -> Claim:
    """The claim for a write: 404 unless the user may view it, 403 unless they may work on it."""
    claim = selectors.get_claim_for_user(user=request.user, pk=pk)
    if not Claim.objects.restrict(request.user, desk.DESK).filter(pk=claim.pk).exists():
        raise PermissionDenied
    return claim


def _done(request, claim: Claim, text: str):
    messages.success(request, text)
    return redirect("factcheck:claim", pk=claim.pk)


def _refused(request, claim: Claim, error: Exception):
    messages.error(request, str(error))
    return redirect("factcheck:claim", pk=claim.pk)


@login_required
@require_http_methods(["GET"])
def claim_list(request):
    status = request.GET.get("status", "")
    status = status if status in Status.values else ""
    overdue = request.GET.get("overdue") == "1"
    now = timezone.now()
    claims = selectors.claims_for_user(user=request.user, status=status, overdue=overdue, now=now)
    page = Paginator(claims, PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for claim in page.object_list:
        texts = {text.language: text.text for text in claim.texts.all()}
        rows.append(
            {
                "claim": claim,
                "text": texts.get(request.LANGUAGE_CODE) or next(iter(texts.values()), ""),
                "sla": desk.sla_of(claim, now=now),
            }
        )
    query = "&".join(part for part in [f"status={status}" if status else "", "overdue=1" if overdue else ""] if part)
    return render(
        request,
        "factcheck/claim_list.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "statuses": Status.choices,
            "overdue": overdue,
            "query": query,
            "may_open": can_anywhere(request.user, desk.DESK),
            "may_import": desk.may_import(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def claim_new(request):
    if not can_anywhere(request.user, desk.DESK):
        raise Http404
    form = ClaimNewForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            claim = desk.claim_open(
                unit=data["unit"],
                texts={Language.HINDI: data["text_hi"], Language.ENGLISH: data["text_en"]},
                by=request.user,
            )
        except FactCheckError as error:
            form.add_error(None, str(error))
        else:
            return _done(request, claim, _("The claim is on the desk."))
    return render(
        request,
        "factcheck/claim_form.html",
        {"form": form, "title": _("New claim")},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET"])
def claim_detail(request, pk: int):
    claim = selectors.get_claim_for_user(user=request.user, pk=pk)
    texts = {text.language: text.text for text in claim.texts.all()}
    tips = list(selectors.claim_tips(user=request.user, claim=claim)[:TIPS_SHOWN])
    may_work = Claim.objects.restrict(request.user, desk.DESK).filter(pk=claim.pk).exists()
    return render(
        request,
        "factcheck/claim_detail.html",
        {
            "claim": claim,
            "texts": texts,
            "hinglish": texts.get(Language.HINGLISH, ""),
            "statuses": Status.choices,
            "sla": desk.sla_of(claim),
            "sla_hours": desk.sla_hours(claim.status),
            "tips": tips,
            "cluster": selectors.claim_cluster(claim),
            "links": list(claim.links.all()),
            "files": list(claim.files.all()),
            "may_work": may_work,
            "transition_form": TransitionForm(claim=claim),
            "assign_form": AssignForm(users=desk.desk_users(claim), initial={"assignee": claim.assigned_to_id}),
            "link_form": LinkForm(),
            "file_form": EvidenceFileForm(),
            "public_url": answering.public_url(claim, request.LANGUAGE_CODE) if claim.is_published else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def claim_edit(request, pk: int):
    claim = _writable(request, pk)
    texts = {text.language: text.text for text in claim.texts.all()}
    initial = {
        "text_hi": texts.get(Language.HINDI, ""),
        "text_en": texts.get(Language.ENGLISH, ""),
        **{name: getattr(claim, name) for name in ClaimEditForm.base_fields if name.startswith("rebuttal_")},
    }
    form = ClaimEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            desk.claim_edit(
                claim=claim,
                by=request.user,
                texts={Language.HINDI: data["text_hi"], Language.ENGLISH: data["text_en"]},
                rebuttal={name: value for name, value in data.items() if name.startswith("rebuttal_")},
            )
        except FactCheckError as error:
            form.add_error(None, str(error))
        else:
            return _done(request, claim, _("Saved."))
    return render(
        request,
        "factcheck/claim_form.html",
        {"form": form, "claim": claim, "title": _("Edit claim")},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def claim_transition(request, pk: int):
    claim = _writable(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _refused(request, claim, FactCheckError(_("Choose the next step.")))
    try:
        desk.claim_transition(
            claim=claim, to=form.cleaned_data["to"], verdict=form.cleaned_data["verdict"], by=request.user
        )
    except FactCheckError as error:
        return _refused(request, claim, error)
    return _done(request, claim, _("The claim moved on."))


@login_required
@require_POST
def claim_assign(request, pk: int):
    claim = _writable(request, pk)
    form = AssignForm(request.POST, users=desk.desk_users(claim))
    if not form.is_valid():
        return _refused(request, claim, FactCheckError(_("This person cannot work on claims of this area.")))
    try:
        desk.claim_assign(claim=claim, assignee=form.cleaned_data["assignee"], by=request.user)
    except FactCheckError as error:
        return _refused(request, claim, error)
    return _done(request, claim, _("Assigned."))


@login_required
@require_POST
def claim_link_add(request, pk: int):
    claim = _writable(request, pk)
    form = LinkForm(request.POST)
    if not form.is_valid():
        return _refused(
            request, claim, FactCheckError(" ".join(str(e) for errors in form.errors.values() for e in errors))
        )
    try:
        desk.claim_link_add(claim=claim, by=request.user, **form.cleaned_data)
    except FactCheckError as error:
        return _refused(request, claim, error)
    return _done(request, claim, _("Link added."))


@login_required
@require_POST
def claim_link_remove(request, pk: int, link_pk: int):
    claim = _writable(request, pk)
    link = ClaimLink.objects.restrict(request.user).filter(pk=link_pk, claim=claim).first()
    if link is None:
        raise Http404
    try:
        desk.claim_link_remove(link=link, by=request.user)
    except FactCheckError as error:
        return _refused(request, claim, error)
    return _done(request, claim, _("Link removed."))


@login_required
@require_POST
def claim_file_add(request, pk: int):
    claim = _writable(request, pk)
    form = EvidenceFileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _refused(
            request, claim, FactCheckError(" ".join(str(e) for errors in form.errors.values() for e in errors))
        )
    upload, content_type = form.cleaned_data["file"]
    try:
        desk.claim_file_add(claim=claim, upload=upload, content_type=content_type, by=request.user)
    except FactCheckError as error:
        return _refused(request, claim, error)
    return _done(request, claim, _("File added."))


@login_required
@require_http_methods(["GET"])
def claim_file(request, pk: int, file_pk: int):
    """An evidence file of a claim the user may see, as an attachment never stored by a browser or a proxy (the
    files are not under a public /media/ address: nginx serves none, and a claim's evidence is the desk's)."""
    claim = selectors.get_claim_for_user(user=request.user, pk=pk)
    evidence = ClaimFile.objects.restrict(request.user, VIEW).filter(claim=claim, pk=file_pk).first()
    if evidence is None or not evidence.file:
        raise Http404
    response = FileResponse(
        evidence.file.open("rb"), as_attachment=True, filename=evidence.name, content_type=evidence.content_type
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def claim_answer(request, pk: int):
    claim = _writable(request, pk)
    try:
        result = answering.claim_answer(claim=claim, by=request.user)
    except FactCheckError as error:
        return _refused(request, claim, error)
    if result.message is not None and result.message.status == result.message.Status.AWAITING_APPROVAL:
        text = _("The rebuttal waits for a second person's approval before it goes down the cascade.")
    else:
        text = _("The rebuttal is going down the cascade.")
    return _done(request, claim, f"{text} " + _("Tipsters answered: %(count)d.") % {"count": result.tipsters})


@login_required
@require_http_methods(["GET", "POST"])
def claim_import(request):
    if not desk.may_import(request.user):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = importing.claims_import(content=upload.read(), file_name=upload.name or "upload", by=request.user)
        if not result.errors:
            messages.success(
                request,
                _("Imported %(new)d fact-checks; %(known)d were there already.")
                % {"new": result.new, "known": result.known},
            )
            return redirect("factcheck:claims")
    return render(
        request,
        "factcheck/claim_import.html",
        {"form": form, "result": result},
        status=400 if (form.errors or (result and result.errors)) else 200,
    )


@login_required
@require_http_methods(["GET"])
def trending_list(request):
    """The rumours with the most tips in the user's scope over the last seven days, each with a bar chart of
    its tips per day (or per hour: ``?by=hour``) and the districts they came from."""
    by = trending.BY_HOUR if request.GET.get("by") == trending.BY_HOUR else trending.BY_DAY
    trends = trending.trending_for_desk(user=request.user, by=by)
    return render(
        request,
        "factcheck/trending.html",
        {
            "trends": trends,
            "by": by,
            "days": trending.TREND_DAYS,
            "chart_width": trending.CHART_WIDTH,
            "chart_height": trending.CHART_HEIGHT,
        },
    )
