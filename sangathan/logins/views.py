"""Staff pages of logins: a committee's logins (invite them all), a login's suspension, the roles of posts.
Thin: read through scope, call a service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from sangathan.access.permissions import APPOINT, MANAGE_ROLES, VIEW
from sangathan.access.scope import can, can_anywhere, require
from sangathan.logins import selectors, services
from sangathan.logins.errors import LoginError
from sangathan.logins.forms import ROLE_CHOICES, LoginCreateForm
from sangathan.logins.models import Login
from sangathan.org.access import get_unit_for_user
from sangathan.org.models import Person, Position, Unit


def get_login_for_user(user, pk, action: str = VIEW) -> Login:
    """The login, if ``user`` may see it (404 otherwise); 403 when seen but not ``action``."""
    login = get_object_or_404(Login.objects.restrict(user, VIEW).select_related("person", "user"), pk=pk)
    if action != VIEW and not Login.objects.restrict(user, action).filter(pk=login.pk).exists():
        raise PermissionDenied
    return login


@login_required
def unit_logins(request, unit_id):
    """The committee of a unit and where each member's login stands."""
    unit = get_unit_for_user(request.user, unit_id)
    members = selectors.committee_logins(unit)
    manageable = set(
        Login.objects.restrict(request.user, MANAGE_ROLES)
        .filter(pk__in=[m.login.pk for m in members if m.login])
        .values_list("pk", flat=True)
    )
    context = {
        "unit": unit,
        "members": members,
        "manageable": manageable,
        "can_invite": can(request.user, APPOINT, unit),
        "can_manage": can(request.user, MANAGE_ROLES, unit),
        "create_form": LoginCreateForm(),
        "to_invite": sum(1 for m in members if m.role and m.status in ("none", "expired")),
    }
    return render(request, "logins/unit.html", context)


@login_required
@require_POST
def committee_invite(request, unit_id):
    unit = get_unit_for_user(request.user, unit_id)
    require(request.user, APPOINT, unit)
    try:
        sent = services.committee_invite(unit=unit, by=request.user)
    except LoginError as error:
        messages.error(request, error.messages[0])
    else:
        if sent:
            messages.success(request, _("Invitations sent: %(count)d.") % {"count": sent})
        else:
            messages.info(request, _("Nobody in this committee is waiting for an invitation."))
    return redirect("logins:unit", unit_id=unit.pk)


@login_required
@require_POST
def login_create(request, unit_id):
    unit = get_unit_for_user(request.user, unit_id)
    require(request.user, MANAGE_ROLES, unit)
    form = LoginCreateForm(request.POST)
    if form.is_valid():
        # Only somebody the user may manage: living in their area. One answer for "unknown" and "elsewhere".
        person = Person.objects.restrict(request.user, MANAGE_ROLES).filter(mobile=form.cleaned_data["mobile"]).first()
        if person is None:
            form.add_error("mobile", _("Nobody with this mobile number lives in your area. Appoint them first."))
        else:
            try:
                services.login_create(person=person, unit=unit, role=form.cleaned_data["role"], by=request.user)
            except LoginError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("%(person)s can now sign in: the link is on its way.") % {"person": person.name}
                )
                return redirect("logins:unit", unit_id=unit.pk)
    members = selectors.committee_logins(unit)
    context = {
        "unit": unit,
        "members": members,
        "manageable": set(),
        "can_invite": can(request.user, APPOINT, unit),
        "can_manage": True,
        "create_form": form,
        "to_invite": 0,
    }
    return render(request, "logins/unit.html", context, status=400)


ACTIONS = {
    "suspend": (services.login_suspend, gettext_lazy("Login suspended: %(person)s is signed out everywhere.")),
    "resume": (services.login_resume, gettext_lazy("Login resumed: %(person)s can sign in again.")),
    "reinvite": (services.login_reinvite, gettext_lazy("A new link was sent to %(person)s.")),
}


@login_required
@require_POST
def login_action(request, pk, action):
    if action not in ACTIONS:
        raise PermissionDenied
    login = get_login_for_user(request.user, pk, MANAGE_ROLES)
    service, done = ACTIONS[action]
    try:
        service(login=login, by=request.user)
    except LoginError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, str(done) % {"person": login.person.name})
    back = request.POST.get("unit", "")
    if back.isdecimal() and Unit.objects.restrict(request.user, VIEW).filter(pk=back).exists():
        return redirect("logins:unit", unit_id=int(back))
    return redirect("logins:unit", unit_id=login.person.home_unit_id) if login.person.home_unit_id else redirect("home")


@login_required
@require_http_methods(["GET", "POST"])
def post_roles(request):
    """Which role each post brings, per state: for the state admins of that state."""
    if not can_anywhere(request.user, MANAGE_ROLES):
        raise PermissionDenied
    states = selectors.states_managed(request.user)
    if request.method == "POST":
        state_id = request.POST.get("state", "")
        state = get_unit_for_user(request.user, int(state_id) if state_id.isdecimal() and len(state_id) < 18 else 0)
        require(request.user, MANAGE_ROLES, state)
        position_id = request.POST.get("position", "")
        position = Position.objects.filter(
            pk=int(position_id) if position_id.isdecimal() and len(position_id) < 18 else 0
        ).first()
        role = request.POST.get("role", "")
        if position is None or role not in dict(ROLE_CHOICES):
            messages.error(request, _("Choose a post and one of the roles in the list."))
            return redirect(f"{request.path}?state={state.pk}")
        try:
            services.post_role_set(state=state, position=position, role=role, by=request.user)
        except LoginError as error:
            messages.error(request, error.messages[0])
            return redirect(request.path)
        messages.success(request, _("Saved: %(post)s.") % {"post": position.title})
        return redirect(f"{request.path}?state={state.pk}")
    chosen = request.GET.get("state", "")
    state = next((s for s in states if str(s.pk) == chosen), states[0] if states else None)
    context = {
        "states": states,
        "state": state,
        "levels": selectors.post_roles_for_state(state) if state else [],
        "role_choices": ROLE_CHOICES,
    }
    return render(request, "logins/post_roles.html", context)
