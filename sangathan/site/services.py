"""The first run: ``organisation_setup`` names the organisation, shapes the level chain, makes the national
unit and the states, and gives the first state admin a login — one transaction, on an installation with no
units yet. The set-up page (``site.views.setup``) and ``sangathan setup`` both call it.

It composes several apps (core's organisation, org's levels and units, access's roles, the auth user), so it
lives at the project level. Every row it writes is audited by its model's registration (``audit.registry``).
"""

import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from sangathan.access.models import Role, RoleAssignment
from sangathan.core.models import Organisation
from sangathan.core.validators import has_markup
from sangathan.org import services as org_services
from sangathan.org.errors import OrgError
from sangathan.org.models import Level, Position, Unit
from sangathan.org.template import DEFAULT_LEVELS

CODE_RE = re.compile(r"[a-z][a-z0-9_]{0,31}")
REQUIRED_TOP = ("national", "state")  # imports, roles of posts and reports find the states by these codes


class SetupError(ValidationError):
    """The set-up was refused; nothing was written."""


@dataclass(frozen=True)
class LevelLine:
    code: str
    name_hi: str
    name_en: str


@dataclass(frozen=True)
class StateLine:
    name_hi: str
    name_en: str
    code: str = ""


def is_fresh() -> bool:
    return not Unit.objects.exists()


def default_chain() -> list[LevelLine]:
    """The chain as it stands (the seeds' default on a new installation), top first."""
    levels = list(Level.objects.order_by("order"))
    if levels:
        return [LevelLine(level.code, level.name_hi, level.name_en) for level in levels]
    return [LevelLine(code, hi, en) for code, _order, hi, en in DEFAULT_LEVELS]


def parse_chain(text: str) -> list[LevelLine]:
    """One level per line, top first: ``code | Hindi name | English name``; a known code alone keeps its
    names (``district``). Raises ``SetupError`` with the line number."""
    known = {line.code: line for line in default_chain()}
    known.update({code: LevelLine(code, hi, en) for code, _order, hi, en in DEFAULT_LEVELS if code not in known})
    chain, seen = [], set()
    for number, raw in enumerate((text or "").splitlines(), start=1):
        if not raw.strip():
            continue
        parts = [part.strip() for part in raw.split("|")]
        code = parts[0].lower()
        if not CODE_RE.fullmatch(code):
            raise SetupError(
                _("Line %(n)d: a level's code is lower-case letters, digits and _ (e.g. district).") % {"n": number}
            )
        if code in seen:
            raise SetupError(_("Line %(n)d: the level %(code)s is named twice.") % {"n": number, "code": code})
        seen.add(code)
        hi = parts[1] if len(parts) > 1 else ""
        en = parts[2] if len(parts) > 2 else ""
        if not (hi or en):
            if code not in known:
                raise SetupError(
                    _("Line %(n)d: give the new level's name: code | Hindi name | English name.") % {"n": number}
                )
            hi, en = known[code].name_hi, known[code].name_en
        if has_markup(hi) or has_markup(en) or len(hi) > 80 or len(en) > 80:
            raise SetupError(_("Line %(n)d: a level's name is plain text of at most 80 characters.") % {"n": number})
        chain.append(LevelLine(code, hi, en))
    if [line.code for line in chain[:2]] != list(REQUIRED_TOP):
        raise SetupError(_("The chain starts with the national level and then the state: national, state, …"))
    if len(chain) > 20:
        raise SetupError(_("At most 20 levels."))
    return chain


def parse_states(text: str) -> list[StateLine]:
    """One state per line: ``Hindi name | English name | code`` (e.g. ``राजस्थान | Rajasthan | RJ``)."""
    states = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        if not raw.strip():
            continue
        given = [part.strip() for part in raw.split("|")]
        hi, en, code = (given + ["", ""])[:3]
        if len(given) == 1 and not any("\u0900" <= ch <= "\u097f" for ch in hi):
            hi, en = "", hi  # one name, not in Devanagari: the English one
        if has_markup(hi) or has_markup(en) or has_markup(code) or len(hi) > 150 or len(en) > 150:
            raise SetupError(_("Line %(n)d: a name is plain text of at most 150 characters.") % {"n": number})
        if not (hi or en):
            raise SetupError(_("Line %(n)d: give the state's name.") % {"n": number})
        if len(code) > 16:
            raise SetupError(_("Line %(n)d: the short code has at most 16 characters.") % {"n": number})
        states.append(StateLine(hi, en, code.upper()))
    if not states:
        raise SetupError(_("Name at least one state."))
    return states


def _apply_chain(chain: list[LevelLine]) -> dict[str, Level]:
    """Make the level table say ``chain``: names and order of the levels kept, new ones made with a key post
    (their in-charge), the ones left out removed with their posts. Only on an installation with no units."""
    wanted = {line.code for line in chain}
    for unwanted in Level.objects.exclude(code__in=wanted):
        try:
            with transaction.atomic():
                Position.objects.filter(level=unwanted).delete()
                unwanted.delete()
        except ProtectedError:
            raise SetupError(
                _("The level %(level)s is already used (by a plan or a drive) and cannot be left out.")
                % {"level": unwanted.name}
            ) from None
    # Orders are unique: move the kept levels out of the way first.
    for index, kept in enumerate(Level.objects.order_by("order")):
        kept.order = 1000 + index
        kept.save(update_fields=["order"])
    levels: dict[str, Level] = {}
    for index, line in enumerate(chain, start=1):
        level = Level.objects.filter(code=line.code).first()
        if level is None:
            level = Level.objects.create(code=line.code, order=index * 10, name_hi=line.name_hi, name_en=line.name_en)
            Position.objects.create(
                level=level,
                code="in_charge",
                title_hi=f"{line.name_hi or line.name_en} प्रभारी",
                title_en=f"{line.name_en or line.name_hi} in-charge",
                seats=1,
                is_key=True,
            )
        else:
            level.order, level.name_hi, level.name_en = index * 10, line.name_hi, line.name_en
            level.save(update_fields=["order", "name_hi", "name_en"])
        levels[line.code] = level
    return levels


@dataclass
class SetupResult:
    organisation: Organisation
    national: Unit
    states: list[Unit]
    admin: object  # the first state admin's user


@transaction.atomic
def organisation_setup(
    *,
    name_hi: str,
    name_en: str,
    national_hi: str,
    national_en: str,
    states: list[StateLine],
    chain: list[LevelLine],
    admin_username: str,
    admin_password: str,
    admin_state: int = 0,
    by=None,
) -> SetupResult:
    """Set up a fresh installation (see the module's docstring). ``admin_state`` is the index in ``states`` of
    the state the first admin runs."""
    if not is_fresh():
        raise SetupError(_("This installation is already set up: it has units."), code="not_fresh")
    name_hi, name_en = (name_hi or "").strip(), (name_en or "").strip()
    if not (name_hi or name_en):
        raise SetupError(_("Give the organisation's name in Hindi or in English."), code="name_missing")
    if has_markup(name_hi) or has_markup(name_en) or len(name_hi) > 150 or len(name_en) > 150:
        raise SetupError(_("The organisation's name is plain text of at most 150 characters."), code="name_invalid")
    if not states:
        raise SetupError(_("Name at least one state."), code="states_missing")
    if not 0 <= admin_state < len(states):
        raise SetupError(_("Choose the state the first admin runs."), code="admin_state")
    user_model = get_user_model()
    username = (admin_username or "").strip()
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise SetupError(_("A username has letters, digits and @ . + - _ only."), code="username_invalid") from None
    if not username or len(username) > 150:
        raise SetupError(_("Give the first state admin a username."), code="username_missing")
    if user_model.objects.filter(username__iexact=username).exists():
        raise SetupError(_("This username is taken."), code="username_taken")
    candidate = user_model(username=username)
    try:
        validate_password(admin_password or "", candidate)
    except ValidationError as error:
        raise SetupError(" ".join(error.messages), code="password_weak") from None

    levels = _apply_chain(chain)
    organisation = Organisation.objects.first() or Organisation()
    organisation.name_hi, organisation.name_en = name_hi, name_en
    organisation.save()
    try:
        national = org_services.unit_create(
            parent=None, level=levels["national"], name_hi=national_hi, name_en=national_en, by=by
        )
        made = [
            org_services.unit_create(
                parent=national, level=levels["state"], name_hi=s.name_hi, name_en=s.name_en, code=s.code, by=by
            )
            for s in states
        ]
    except OrgError as error:
        raise SetupError(" ".join(error.messages), code=getattr(error, "code", None)) from None
    candidate.set_password(admin_password)
    candidate.save()
    RoleAssignment.objects.create(user=candidate, unit=made[admin_state], role=Role.STATE_ADMIN, granted_by=by)
    return SetupResult(organisation=organisation, national=national, states=made, admin=candidate)
