"""Staff pages of the membership drive (signed in): the counts of a unit and of the units below it, with
coloured bars, the join links, and the unit's members (masked where ``access.personal`` says so). Thin:
fetch in scope, call a selector or a service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sangathan.access.permissions import APPOINT, VIEW
from sangathan.access.personal import may_see_personal_at, may_view_personal
from sangathan.access.scope import can, require, top_units
from sangathan.core.exports import csv_response, xlsx_response
from sangathan.membership import charts, exports, fraud, leaderboards, merging, selectors, services
from sangathan.membership.errors import MembershipError
from sangathan.membership.forms_public import BOOTH_LEVEL
from sangathan.membership.forms_staff import PaperForm, SheetForm
from sangathan.membership.import_jobs import member_import_upload
from sangathan.membership.masking import mask_epic
from sangathan.membership.models import DuplicateCase, Member, MemberImport, ReferralCode
from sangathan.membership.sheets import HEADINGS
from sangathan.org.access import get_unit_for_user
from sangathan.org.masking import age_band, mask_mobile
from sangathan.org.models import Unit
from sangathan.org.phones import display_mobile

CHILDREN_PER_PAGE = 50
MEMBERS_PER_PAGE = 50
GROWTH_DAYS = 30


def _back_unit(request) -> Unit | None:
    """The unit page to go back to after a POST (its ``unit`` field), if it is an id the user may see. An id
    must be ASCII digits within the id range: "²" passed ``isdigit()`` and was a 500 after the write (review)."""
    back = request.POST.get("unit", "")
    if not (back.isascii() and back.isdigit()) or len(back) > 18:
        return None
    return Unit.objects.restrict(request.user, VIEW).filter(pk=int(back)).first()


@login_required
def home(request):
    units = top_units(request.user)
    if len(units) == 1:
        return redirect("membership:unit", pk=units[0].pk)
    return render(request, "membership/staff/home.html", {"units": units})


def _bars(children: list[Unit], counts: dict) -> list[dict]:
    widest = max([counts[child.pk].total for child in children] + [1])
    rows = []
    for child in children:
        c = counts[child.pk]
        rows.append(
            {
                "unit": child,
                "counts": c,
                "verified_width": round(100 * c.verified / widest, 1),
                "pending_width": round(100 * c.pending / widest, 1),
                "target_width": charts.width(c.target_percent),
                "target_tone": charts.tone(c.target_percent),
            }
        )
    return rows


@login_required
def unit(request, pk):
    unit = get_unit_for_user(request.user, pk)
    children = selectors.children_of(unit)
    page = Paginator(children, CHILDREN_PER_PAGE).get_page(request.GET.get("page"))
    child_list = list(page.object_list)
    members = Paginator(selectors.members_in(request.user, unit), MEMBERS_PER_PAGE).get_page(request.GET.get("m"))
    personal = may_see_personal_at(request.user, unit)
    rows = []
    for member in members.object_list:
        full = personal or may_view_personal(request.user, member)
        rows.append(
            {
                "member": member,
                "mobile": display_mobile(member.mobile) if full else mask_mobile(member.mobile),
                "epic": member.epic if full else mask_epic(member.epic),
                "age": member.age if full else age_band(member.age),
            }
        )
    counts = selectors.counts_for_unit(unit)
    context = {
        "unit": unit,
        "ancestors": [a for a in selectors.ancestors_of(unit) if can(request.user, VIEW, a)],
        "counts": counts,
        "target_width": charts.width(counts.target_percent),
        "target_tone": charts.tone(counts.target_percent),
        "per_booth": selectors.target_per_booth(),
        "growth": charts.growth_chart(selectors.growth(unit, days=GROWTH_DAYS)),
        "growth_days": GROWTH_DAYS,
        "children": _bars(child_list, selectors.counts_by_unit(child_list)),
        "page": page,
        "members": members,
        "rows": rows,
        "codes": selectors.codes_of_unit(request.user, unit),
        "can_make_codes": can(request.user, APPOINT, unit),
        "can_enter": can(request.user, APPOINT, unit),
        "can_review": can(request.user, APPOINT, unit),
        "is_booth": unit.level.code == BOOTH_LEVEL,
    }
    return render(request, "membership/staff/unit.html", context)


@login_required
@require_POST
def codes(request, pk):
    """Make the unit's join link and a referral link for each of its office-bearers (where missing)."""
    unit = get_unit_for_user(request.user, pk)
    require(request.user, APPOINT, unit)
    made = services.referral_codes_ensure(unit=unit, by=request.user)
    messages.success(request, _("%(n)d join links are ready.") % {"n": len(made)})
    return redirect("membership:unit", pk=unit.pk)


@login_required
def leaders(request, pk):
    """The leaderboards of a unit's subtree: referral links by verified members, and the units of one
    level below (``?level=<code>``, the next level by default) by verified members per booth."""
    unit = get_unit_for_user(request.user, pk)
    levels = leaderboards.levels_below(unit)
    chosen = next((lv for lv in levels if lv.code == request.GET.get("level")), levels[0] if levels else None)
    ranks = leaderboards.units(request.user, unit, chosen) if chosen else []
    best = max([r.per_booth for r in ranks] + [0.0])
    target = selectors.target_per_booth()
    rows = [
        {
            "rank": r,
            "width": round(100 * r.per_booth / best, 1) if best else 0.0,
            "tone": charts.tone(100 * r.per_booth / target if target else 0.0),
        }
        for r in ranks
    ]
    context = {
        "unit": unit,
        "levels": levels,
        "level": chosen,
        "rows": rows,
        "referrers": leaderboards.referrers(request.user, unit),
        "top": leaderboards.TOP,
    }
    return render(request, "membership/staff/leaders.html", context)


@login_required
@require_GET
def export(request, pk, kind):
    """The members of a unit's subtree as CSV or XLSX, masked, audited (those who may appoint there)."""
    unit = get_unit_for_user(request.user, pk)
    require(request.user, APPOINT, unit)
    members = selectors.members_in(request.user, unit)
    exports.members_export_audit(unit=unit, members=members, kind=kind, by=request.user)
    cols = exports.columns(full_age=may_see_personal_at(request.user, unit))
    filename = f"members-{unit.pk}"
    rows = members.iterator(chunk_size=1000)
    if kind == "csv":
        return csv_response(rows, cols, filename)
    return xlsx_response(rows, cols, filename, sheet_title=_("Members"))


# ---------------------------------------------------------------- paper forms


@login_required
@require_http_methods(["GET", "POST"])
def paper(request, pk):
    """Paper forms typed in one after another at a booth: after each one the empty form comes back with
    the booth kept and today's count; a refused form keeps what was typed and says why."""
    unit = get_unit_for_user(request.user, pk)
    require(request.user, APPOINT, unit)
    if unit.level.code != BOOTH_LEVEL:
        messages.error(request, _("Paper forms are entered at a booth. Open the booth's page first."))
        return redirect("membership:unit", pk=unit.pk)
    form = PaperForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = services.member_enter(
                unit=unit,
                name=data["name"],
                mobile=data["mobile"],
                age=data["age"],
                epic=data["epic"],
                gender=data["gender"],
                relative_name=data["relative_name"],
                by=request.user,
                language=(get_language() or "hi")[:2],
            )
        except MembershipError as error:
            form.add_error(None, " ".join(error.messages))
        else:
            messages.success(
                request, _("Entered: %(name)s. An SMS with a “not me” link is on its way.") % {"name": member.name}
            )
            return redirect("membership:paper", pk=unit.pk)
    context = {
        "unit": unit,
        "form": form,
        "today": services.entered_today(by=request.user),
        "days": services.dispute_days(),
    }
    return render(request, "membership/staff/paper.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def sheet_upload(request, pk):
    """Upload a sheet of paper forms; the worker enters its rows."""
    unit = get_unit_for_user(request.user, pk)
    require(request.user, APPOINT, unit)
    form = SheetForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = member_import_upload(
            root=unit,
            content=upload.read(),
            original_name=upload.name,
            by=request.user,
            language=get_language() or "hi",
        )
        return redirect("membership:sheet", pk=job.pk)
    context = {"unit": unit, "form": form, "headings": HEADINGS, "is_booth": unit.level.code == BOOTH_LEVEL}
    return render(request, "membership/staff/sheet_upload.html", context)


@login_required
def sheet(request, pk):
    """An uploaded sheet: waiting for the worker (the page refreshes itself), then what was entered and the
    refused rows by number. Only its uploader sees it, while they may still enter members there."""
    jobs = MemberImport.objects.restrict(request.user, VIEW).select_related("root__level")
    job = get_object_or_404(jobs, pk=pk, created_by=request.user)
    require(request.user, APPOINT, job.root)
    return render(request, "membership/staff/sheet.html", {"job": job, "unit": job.root, "report": job.report})


# ---------------------------------------------------------------- review of fraud signals

REVIEW_PER_PAGE = 50


@login_required
def review(request, pk):
    """The flagged sign-ups and frozen links of a unit's subtree, each signal explained, with the decision
    buttons (clear, or revoke with a reason)."""
    unit = get_unit_for_user(request.user, pk)
    require(request.user, APPOINT, unit)
    page = Paginator(selectors.review_queue(request.user, unit), REVIEW_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "member": member,
            "mobile": mask_mobile(member.mobile),
            "reasons": [fraud.explain(s) for s in member.signals.all()],
        }
        for member in page.object_list
    ]
    links = [
        {"link": link, "reasons": [fraud.explain(s) for s in link.signals.all()]}
        for link in selectors.frozen_links(request.user, unit)
    ]
    return render(request, "membership/staff/review.html", {"unit": unit, "page": page, "rows": rows, "links": links})


def _decide(request, rows, pk: int, *, act, unit_of, back_to: str, done: str):
    """The one shape of every staff decision (clear or revoke a sign-up, merge duplicates, revoke a member,
    unfreeze a link): the object among ``rows`` (the caller's ``restrict``: 404 outside the user's scope),
    ``appoint`` at its unit (403 without), the service call (``act(obj)``; a refusal is shown, nothing
    changes), and back to the unit page the form came from (``_back_unit``) or the object's own unit."""
    obj = get_object_or_404(rows.select_related("unit"), pk=pk)
    require(request.user, APPOINT, unit_of(obj))
    try:
        act(obj)
    except MembershipError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    unit = _back_unit(request)
    return redirect(back_to, pk=(unit or unit_of(obj)).pk)


@login_required
@require_POST
def member_decide(request, pk):
    """Clear or revoke one flagged sign-up (a member in the user's scope, where they may appoint)."""
    return _decide(
        request,
        Member.objects.restrict(request.user, VIEW),
        pk,
        act=lambda member: services.member_review(
            member=member,
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
            by=request.user,
        ),
        unit_of=lambda member: member.unit,
        back_to="membership:review",
        done=_("Decision saved."),
    )


@login_required
def duplicates(request, pk):
    """Likely duplicates in a unit's subtree: the two members side by side (mobile masked), merge keeping
    one of them, or keep both."""
    unit = get_unit_for_user(request.user, pk)
    require(request.user, APPOINT, unit)
    page = Paginator(selectors.duplicate_queue(request.user, unit), REVIEW_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "case": case,
            "pair": [
                {"member": m, "mobile": mask_mobile(m.mobile), "epic": mask_epic(m.epic), "age": age_band(m.age)}
                for m in (case.other, case.member)
            ],
        }
        for case in page.object_list
    ]
    return render(request, "membership/staff/duplicates.html", {"unit": unit, "page": page, "rows": rows})


@login_required
@require_POST
def duplicate_decide(request, pk):
    """Merge two likely duplicates (keeping the one chosen) or keep both."""
    return _decide(
        request,
        DuplicateCase.objects.restrict(request.user, VIEW),
        pk,
        act=lambda case: merging.duplicate_decide(
            case=case, decision=request.POST.get("decision", ""), by=request.user
        ),
        unit_of=lambda case: case.unit,
        back_to="membership:duplicates",
        done=_("Decision saved."),
    )


@login_required
@require_POST
def member_revoke(request, pk):
    """An admin takes a membership back, with a reason (audited; the counts go down at once)."""
    return _decide(
        request,
        Member.objects.restrict(request.user, VIEW),
        pk,
        act=lambda member: services.member_revoke(
            member=member, via=Member.RevokedVia.ADMIN, reason=request.POST.get("reason", ""), by=request.user
        ),
        unit_of=lambda member: member.unit,
        back_to="membership:unit",
        done=_("The membership was revoked."),
    )


@login_required
@require_POST
def link_unfreeze(request, pk):
    """A reviewer looked at a frozen referral link: its counts move again."""
    return _decide(
        request,
        ReferralCode.objects.restrict(request.user, VIEW),
        pk,
        act=lambda link: services.referral_unfreeze(referral=link, by=request.user),
        unit_of=lambda link: link.unit,
        back_to="membership:review",
        done=_("The link counts again."),
    )
