"""Reads of the message cascade: what the tracking page, the unit history and the exports show.

Counts come from the ``Rollup`` rows (a handful per page, whatever the size of the tree), after folding in
the answers not yet counted (``rollups.rollups_fold``); times to
acknowledge and share are percentiles over the subtree's deliveries, read with the (message, path) index
and cached for a short while (see docs/adr/0004-message-cascade.md)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import ExpressionWrapper, F, IntegerField, Max, Q, Sum
from django.http import Http404
from django.utils import timezone

from sangathan.access.scope import can, scope_paths
from sangathan.org.models import Appointment, Level, Person, Unit
from sangathan.org.paths import outermost_paths, path_upper_bound
from sangathan.outreach.models import Delivery, Message, Rollup, SendChunk
from sangathan.outreach.rollups import rollups_fold

COUNTERS = ("total", "opened", "acknowledged", "shared", "cannot")
PERCENTILE_CACHE_SECONDS = 30


@dataclass
class Counts:
    total: int = 0
    opened: int = 0
    acknowledged: int = 0
    shared: int = 0
    cannot: int = 0

    def percent(self, name: str) -> int:
        return round(100 * getattr(self, name) / self.total) if self.total else 0

    @property
    def opened_percent(self) -> int:
        return self.percent("opened")

    @property
    def acknowledged_percent(self) -> int:
        return self.percent("acknowledged")

    @property
    def shared_percent(self) -> int:
        return self.percent("shared")

    @property
    def received_only_percent(self) -> int:
        return self.acknowledged_percent - self.shared_percent

    @property
    def silent(self) -> int:
        return self.total - self.acknowledged - self.cannot


def subtree_range(path: str) -> tuple[str, str]:
    """[low, high) of the paths in the subtree at ``path``."""
    return path, path_upper_bound(path) or "~"


def deliveries_in(message: Message, path: str):
    low, high = subtree_range(path)
    return Delivery.objects.filter(message=message, path__gte=low, path__lt=high)


def max_depth(message: Message) -> int | None:
    return Delivery.objects.filter(message=message).aggregate(d=Max("depth"))["d"]


def target_level_ids(message: Message) -> list[int]:
    """The levels a message goes to: below its unit's, down to its target level."""
    return list(
        Level.objects.filter(order__gt=message.unit.level.order, order__lte=message.target_level.order).values_list(
            "pk", flat=True
        )
    )


def key_office_bearers(unit_ids, *, low: str, high: str):
    """(unit id, unit name, person) of the active appointments in the key post of each unit."""
    wanted = set(unit_ids)
    rows = (
        Appointment.objects.filter(
            status=Appointment.Status.ACTIVE, position__is_key=True, unit__path__gte=low, unit__path__lt=high
        )
        .select_related("person", "unit")
        .only("unit_id", "unit__name_hi", "unit__name_en", "unit__number", "person")
        .order_by("unit_id", "seat")
    )
    return [(a.unit_id, a.unit.display_name, a.person) for a in rows if a.unit_id in wanted]


def key_office_bearers_of(unit_ids: Iterable[int]) -> list[tuple[int, str, Person]]:
    """The same for units given by id, wherever they are."""
    rows = (
        Appointment.objects.filter(status=Appointment.Status.ACTIVE, position__is_key=True, unit_id__in=list(unit_ids))
        .select_related("person", "unit")
        .order_by("unit_id", "seat")
    )
    return [(a.unit_id, a.unit.display_name, a.person) for a in rows]


def messages_for_user(user):
    return Message.objects.restrict(user, "view").select_related("unit__level", "target_level", "created_by")


def get_message_for_user(user, pk: int) -> Message:
    message = messages_for_user(user).filter(pk=pk).first()
    if message is None:
        raise Http404
    return message


def tracking_root(user, message: Message) -> Unit:
    """Where the user's view of a message starts: its unit, or the user's own area inside it."""
    if can(user, "view", message.unit):
        return message.unit
    paths = [p for p in outermost_paths(scope_paths(user, "view") or []) if p.startswith(message.unit.path)]
    unit = Unit.objects.filter(path__in=paths).select_related("level").order_by("path").first()
    if unit is None:
        raise Http404
    return unit


def tracking_unit(user, message: Message, unit_id) -> Unit:
    """The unit the tracking page looks at: inside the message's area and the user's scope, else 404."""
    root = tracking_root(user, message)
    if not unit_id:
        return root
    unit = Unit.objects.filter(pk=unit_id).select_related("level").first()
    if unit is None or not unit.is_within(message.unit) or not can(user, "view", unit) or not unit.is_within(root):
        raise Http404
    return unit


def _chunk_paths(message: Message) -> list[str]:
    return list(SendChunk.objects.filter(message=message).values_list("root__path", flat=True))


def level_counts(message: Message, unit: Unit) -> list[tuple[Level, Counts]]:
    """For each level below ``unit`` that the message went to: units reached / acknowledged / shared."""
    rollups_fold(message_ids=[message.pk])
    if unit.pk == message.unit_id:
        rows = Rollup.objects.filter(message=message, path__in=_chunk_paths(message))
    else:
        rows = Rollup.objects.filter(message=message, path=unit.path).exclude(level_id=unit.level_id)
    sums = rows.values("level_id").annotate(**{name: Sum(name) for name in COUNTERS}).order_by()
    levels = {level.pk: level for level in Level.objects.all()}
    result = [(levels[row["level_id"]], _summed(row)) for row in sums]
    return sorted(result, key=lambda pair: pair[0].order)


def _summed(row: Mapping[str, Any]) -> Counts:
    """The counters of a row annotated with ``Sum`` of each (None where no row was summed)."""
    return Counts(**{name: row[name] or 0 for name in COUNTERS})


def child_rows(message: Message, unit: Unit) -> list[dict]:
    """The children of ``unit`` with their bar at the message's lowest level, or their own answer."""
    children = list(Unit.objects.filter(parent=unit).select_related("level").order_by("path"))
    if not children:
        return []
    paths = [child.path for child in children]
    rollups_fold(message_ids=[message.pk])
    rollups = {
        row.path: row
        for row in Rollup.objects.filter(message=message, path__in=paths, level_id=message.target_level_id)
    }
    own = {d.unit_id: d for d in Delivery.objects.filter(message=message, unit__in=children)}
    rows = []
    for child in children:
        if child.pk not in own and child.path not in rollups:
            continue
        roll = rollups.get(child.path)
        counts = Counts(**{name: getattr(roll, name) for name in COUNTERS}) if roll else None
        rows.append({"unit": child, "counts": counts, "delivery": own.get(child.pk)})
    return rows


def _percentile_seconds(queryset, field: str, fractions=(0.5, 0.9)) -> list[int | None]:
    answered = queryset.filter(**{f"{field}__isnull": False})
    n = answered.count()
    if not n:
        return [None for _ in fractions]
    values = []
    for fraction in fractions:
        index = min(n - 1, max(0, int(round(fraction * (n - 1)))))
        values.append(answered.order_by(field).values_list(field, flat=True)[index])
    return values


def times(message: Message, unit: Unit) -> dict:
    """Median and p90 time to acknowledge and to share in ``unit``'s subtree, in seconds (cached 30 s)."""
    key = f"outreach:times:{message.pk}:{unit.path}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    deliveries = deliveries_in(message, unit.path)
    if unit.pk != message.unit_id:
        deliveries = deliveries.exclude(pk__in=Delivery.objects.filter(message=message, unit=unit).values("pk"))
    ack = _percentile_seconds(deliveries, "ack_seconds")
    share = _percentile_seconds(deliveries, "share_seconds")
    result = {"ack_p50": ack[0], "ack_p90": ack[1], "share_p50": share[0], "share_p90": share[1]}
    cache.set(key, result, PERCENTILE_CACHE_SECONDS)
    return result


def silent_units(message: Message, unit: Unit, limit: int = 50) -> tuple[list[dict], int]:
    """Units below ``unit`` that have neither acknowledged nor said they cannot share, with their in-charge."""
    silent = deliveries_in(message, unit.path).filter(acknowledged_at__isnull=True, cannot_at__isnull=True)
    if unit.pk != message.unit_id:
        silent = silent.exclude(unit=unit)
    rows = list(silent.select_related("unit__level").order_by("path")[:limit])
    in_charge: dict[int, Person] = {}
    for appointment in (
        Appointment.objects.filter(status="active", position__is_key=True, unit__in=[d.unit_id for d in rows])
        .select_related("person")
        .order_by("seat")
    ):
        in_charge.setdefault(appointment.unit_id, appointment.person)
    total = silent.count() if len(rows) == limit else len(rows)
    return [{"delivery": d, "unit": d.unit, "person": in_charge.get(d.unit_id)} for d in rows], total


def unit_history(unit: Unit, limit: int = 50):
    return list(Delivery.objects.filter(unit=unit).select_related("message").order_by("-message__sent_at")[:limit])


def reliability(unit: Unit) -> tuple[int | None, int, int]:
    """(percent, on time, counted): the share of messages whose acknowledgement deadline has passed (or that
    were acknowledged) that this unit acknowledged within the deadline."""
    deliveries = Delivery.objects.filter(unit=unit, message__sent_at__isnull=False).annotate(
        limit=ExpressionWrapper(F("message__ack_within_hours") * 3600, output_field=IntegerField())
    )
    now = timezone.now()
    rows = list(deliveries.values_list("ack_seconds", "limit", "message__sent_at", "message__ack_within_hours"))
    counted = on_time = 0
    for ack_seconds, limit, sent_at, hours in rows:
        assert sent_at is not None  # only sent messages are read
        due = (now - sent_at).total_seconds() >= hours * 3600
        if ack_seconds is None and not due:
            continue
        counted += 1
        if ack_seconds is not None and ack_seconds <= limit:
            on_time += 1
    percent = round(100 * on_time / counted) if counted else None
    return percent, on_time, counted


def message_totals(messages) -> dict[int, Counts]:
    """Whole-message counts for a list page: two queries, over the chunk roots' roll-up rows."""
    ids = [m.pk for m in messages if m.is_sent]
    if not ids:
        return {}
    rollups_fold(message_ids=ids)
    roots: dict[int, list[str]] = {}
    for message_id, path in SendChunk.objects.filter(message_id__in=ids).values_list("message_id", "root__path"):
        roots.setdefault(message_id, []).append(path)
    condition = Q(pk__in=[])
    for message_id, paths in roots.items():
        condition |= Q(message_id=message_id, path__in=paths)
    rows = (
        Rollup.objects.filter(condition)
        .values("message_id")
        .annotate(**{name: Sum(name) for name in COUNTERS})
        .order_by()
    )
    return {row["message_id"]: _summed(row) for row in rows}
