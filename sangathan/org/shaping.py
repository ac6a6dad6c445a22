"""A structure each state shapes: the posts and levels a state adds to the default template.

The default template (``org.template``) holds the levels and posts every state has (``state`` empty). A
state adds its own on top: a post in the committee of one of its levels (a spokesperson, an IT-cell
in-charge) and a level that exists only there (a zone between district and assembly, city and rural
units). Rows with a ``state`` are seen only below that state: a unit's committee is the default posts of
its level plus its state's own, a state's level takes units only inside the state.

Coverage needs nothing new: counters are kept per unit and level id, so a state's level is one more level
in the roll-ups; a unit of it counts like any other, and the units placed under it keep counting in every
ancestor. Only a state's admins (whoever may manage the units of the state unit itself) shape it; a
district's cannot. Level and Position are audited models (``audit.registry``): every row added here is
an audit entry with its actor.
"""

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext as _

from sangathan.access.permissions import MANAGE_UNITS
from sangathan.access.scope import can
from sangathan.core.validators import MARKUP_MESSAGE, has_markup
from sangathan.org.errors import OrgError
from sangathan.org.models import Level, Position, Unit
from sangathan.org.paths import subtree_q

STATE_LEVEL = "state"
TITLE_MAX = 80  # the shorter of Level.name_* (80) and Position.title_* (100): one rule for both forms
SEATS_MAX = 100


def is_state(unit: Unit) -> bool:
    return unit.level.code == STATE_LEVEL


def state_of(unit: Unit) -> Unit | None:
    """The state ``unit`` lies in (itself, for a state); None above the states."""
    return Unit.objects.filter(path__in=unit.ancestor_paths(), level__code=STATE_LEVEL).first()


def levels_for_state(state: Unit) -> QuerySet[Level]:
    """The levels units in ``state`` may have: the default ones and the state's own, top down."""
    return Level.objects.filter(Q(state__isnull=True) | Q(state=state)).order_by("order", "id")


def positions_for_unit(unit: Unit) -> QuerySet[Position]:
    """The posts of ``unit``'s committee: the default posts of its level and those its state added."""
    return Position.objects.filter(
        Q(state__isnull=True) | Q(state__path__in=unit.ancestor_paths()), level_id=unit.level_id
    )


def position_belongs_to(position: Position, unit: Unit) -> bool:
    """Is ``position`` a post of ``unit``'s committee (its level; the default, or its own state's)?"""
    if position.level_id != unit.level_id:
        return False
    return position.state is None or position.state.path in unit.ancestor_paths()


def level_belongs_to(level: Level, parent: Unit | None) -> bool:
    """May a unit of ``level`` be placed under ``parent``? A state's level only inside that state."""
    if level.state is None:
        return True
    return parent is not None and level.state.path in parent.ancestor_paths()


def check_move(unit: Unit, new_parent: Unit) -> None:
    """A subtree holding units of a state's own levels, or people in a state's own posts, stays in that
    state: elsewhere those levels and posts do not exist."""
    state, new_state = state_of(unit), state_of(new_parent)
    if state is None or new_state is None or state.pk == new_state.pk or unit.pk == state.pk:
        return
    own_levels = Unit.objects.filter(subtree_q([unit.path]), level__state__isnull=False).exists()
    own_posts = Position.objects.filter(
        subtree_q([unit.path], "appointments__unit__path"), state__isnull=False, appointments__status="active"
    ).exists()
    if own_levels or own_posts:
        raise OrgError(
            _("This unit has levels or posts of its own state below it and cannot move to another state."),
            code="state_structure",
        )


def _check_may_shape(state: Unit, by) -> Unit:
    state = Unit.objects.select_related("level").get(pk=state.pk)
    if not is_state(state):
        raise OrgError(_("Only a state adds its own posts and levels."), code="not_a_state")
    if by is not None and not can(by, MANAGE_UNITS, state):
        raise OrgError(_("Only the state's admins may change its structure."), code="not_state_admin")
    return state


def _clean_titles(title_hi: str, title_en: str) -> tuple[str, str]:
    title_hi, title_en = (title_hi or "").strip(), (title_en or "").strip()
    if not title_hi or not title_en:
        raise OrgError(_("Give the name in Hindi and in English."), code="name_missing")
    if has_markup(title_hi) or has_markup(title_en):
        raise OrgError(str(MARKUP_MESSAGE), code="markup")
    if len(title_hi) > TITLE_MAX or len(title_en) > TITLE_MAX:
        raise OrgError(_("A name can be at most %(max)d characters long.") % {"max": TITLE_MAX}, code="name_too_long")
    return title_hi, title_en


def _code(title_en: str) -> str:
    code = slugify(title_en)[:40].strip("-")
    if not code:
        raise OrgError(_("The English name needs at least one letter or digit."), code="name_no_code")
    return code


@transaction.atomic
def state_position_add(
    *, state: Unit, level: Level, title_hi: str, title_en: str, seats: int, is_key: bool = False, by=None
) -> Position:
    """Add a post to the committees of ``level`` in ``state``, after the posts already there.

    The key post of a default level is the same in every state (coverage compares states by it); a
    state names the key post only of a level of its own, and only one.
    """
    state = _check_may_shape(state, by)
    title_hi, title_en = _clean_titles(title_hi, title_en)
    code = _code(title_en)
    if not isinstance(seats, int) or isinstance(seats, bool) or not 1 <= seats <= SEATS_MAX:
        raise OrgError(_("Seats must be a whole number from 1 to %(max)d.") % {"max": SEATS_MAX}, code="seats")
    level = Level.objects.select_for_update().get(pk=level.pk)  # two posts added at once get distinct orders
    if level.state_id not in (None, state.pk):
        raise OrgError(_("This level belongs to another state."), code="level_elsewhere")
    if level.code == STATE_LEVEL or level.order < state.level.order:
        raise OrgError(_("A state adds posts to its own levels and those below it."), code="level_above")
    existing = Position.objects.filter(Q(state__isnull=True) | Q(state=state), level=level)
    if existing.filter(Q(code=code) | Q(title_hi=title_hi) | Q(title_en__iexact=title_en)).exists():
        raise OrgError(_("This level already has a post with this name."), code="duplicate_post")
    if is_key:
        if level.state_id is None:
            raise OrgError(
                _("The key post of a level of the default structure is the same in every state."),
                code="key_post_default_level",
            )
        if existing.filter(is_key=True).exists():
            raise OrgError(_("This level already has its key post."), code="key_post_taken")
    last = existing.order_by("-order").values_list("order", flat=True).first()
    try:
        with transaction.atomic():
            return Position.objects.create(
                level=level,
                state=state,
                code=code,
                title_hi=title_hi,
                title_en=title_en,
                seats=seats,
                is_key=is_key,
                order=(last or 0) + 1,
            )
    except IntegrityError:
        raise OrgError(_("This level already has a post with this name."), code="duplicate_post") from None


@transaction.atomic
def state_level_add(*, state: Unit, after: Level, name_hi: str, name_en: str, by=None) -> Level:
    """Add a level that exists in ``state`` only, right below ``after`` (a default level or the state's
    own, not above the state), before the next level down. Its order lies strictly between the two, so
    every rule of the chain (a child's level is below its parent's) holds for it unchanged."""
    state = _check_may_shape(state, by)
    name_hi, name_en = _clean_titles(name_hi, name_en)
    slug = _code(name_en)
    Unit.objects.select_for_update().filter(pk=state.pk).first()  # a state's levels are added one at a time
    chain = list(levels_for_state(state))
    if after.pk not in {level.pk for level in chain}:
        raise OrgError(_("This level belongs to another state."), code="level_elsewhere")
    if after.order < state.level.order:
        raise OrgError(_("A state adds levels only below itself."), code="level_above")
    if any(level.name_hi == name_hi or level.name_en.lower() == name_en.lower() for level in chain):
        raise OrgError(_("A level with this name already exists."), code="duplicate_level")
    below = [level.order for level in chain if level.order > after.order]
    upper = below[0] if below else after.order + 10
    if upper - after.order < 2:
        raise OrgError(
            _("There is no room between %(above)s and the next level; add it below another level.")
            % {"above": after.name},
            code="no_room",
        )
    code = f"{slug[:20]}-{state.pk}"[:32]
    try:
        with transaction.atomic():
            return Level.objects.create(
                state=state, code=code, name_hi=name_hi, name_en=name_en, order=(after.order + upper) // 2
            )
    except IntegrityError:
        raise OrgError(_("A level with this name already exists."), code="duplicate_level") from None


def structure_for_unit(unit: Unit, state: Unit | None) -> list[tuple[Level, list[Position]]]:
    """The levels from ``unit`` down, each with the posts of its committees there: those of ``state`` (the
    state ``unit`` lies in), or the default structure alone above the states."""
    own = Q(state__isnull=True) | Q(state=state) if state is not None else Q(state__isnull=True)
    levels = list(Level.objects.filter(own, order__gte=unit.level.order).order_by("order", "id"))
    posts: dict[int, list[Position]] = {}
    for position in Position.objects.filter(own, level__in=[level.pk for level in levels]).order_by(
        F("state_id").asc(nulls_first=True), "order", "id"
    ):  # the default posts, then the state's own
        posts.setdefault(position.level_id, []).append(position)
    return [(level, posts.get(level.pk, [])) for level in levels]
