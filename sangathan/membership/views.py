"""Staff pages of the membership drive (signed in): the counts of a unit and of the units below it, with
coloured bars, the join links, and the unit's members (masked where ``access.personal`` says so). Thin:
fetch in scope, call a selector or a service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sangathan.access.permissions import APPOINT, VIEW
from sangathan.access.personal import may_see_personal_at, may_view_personal
from sangathan.access.scope import can, require, top_units
from sangathan.membership import selectors, services
from sangathan.membership.masking import mask_epic
from sangathan.org.access import get_unit_for_user
from sangathan.org.masking import age_band, mask_mobile
from sangathan.org.models import Unit
from sangathan.org.phones import display_mobile

CHILDREN_PER_PAGE = 50
MEMBERS_PER_PAGE = 50


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
        "children": _bars(child_list, selectors.counts_by_unit(child_list)),
        "page": page,
        "members": members,
        "rows": rows,
        "codes": selectors.codes_of_unit(request.user, unit),
        "can_make_codes": can(request.user, APPOINT, unit),
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
