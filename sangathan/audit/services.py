"""Entries written by hand: bulk writes (which send no model signals) and reveals of personal data.

The actor and address come from the request (``AuditMiddleware``) when there is one; ``by=`` names the
actor explicitly (tasks, commands).
"""

import re
from collections.abc import Iterable, Sequence
from typing import Any

from auditlog.cid import get_cid
from auditlog.context import auditlog_value, disable_auditlog
from auditlog.diff import model_instance_diff
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sangathan.audit.models import AuditEntry
from sangathan.audit.scoping import unit_path_for
from sangathan.audit.sql import redaction_allowed
from sangathan.org.masking import mask_mobile

Action = AuditEntry.Action

REVEAL_FIELDS = {"mobile": _("mobile number"), "email": _("email"), "age": _("age")}


def _log(*, obj: models.Model, action: int, by=None, **kwargs) -> AuditEntry:
    if by is not None and getattr(by, "is_authenticated", False):
        kwargs.setdefault("actor", by)
        kwargs.setdefault("actor_email", getattr(by, "email", None) or None)
    return AuditEntry.objects.log_create(obj, force_log=True, action=action, **kwargs)


def audit_bulk_action(
    *, obj: models.Model, what: str, count: int, model: type[models.Model], ids: Iterable = (), by=None
) -> AuditEntry | None:
    """One entry for a write of many rows at once (``bulk_create``, ``QuerySet.update``), on the object
    the action was about: "``count`` applications made from the intake" on the campaign.

    ``what`` is a short code for the action; the ids of the rows (the first 1,000) are kept with it.
    """
    if count <= 0:
        return None
    id_list = [int(pk) for pk in list(ids)[:1000]]
    return _log(
        obj=obj,
        action=Action.UPDATE,
        by=by,
        changes_text=f"{what}: {count}",
        additional_data={"bulk": what, "count": count, "model": model._meta.label_lower, "ids": id_list},
    )


def audit_save_changed(*, obj: models.Model, old: models.Model) -> AuditEntry | None:
    """Save ``obj``, a change of ``old`` (the row as the caller read it, locked or otherwise serialised, in this
    transaction), and record the change as auditlog's save hook does, without the hook's second read of the
    row before the change. No entry when nothing audited changed."""
    changes = model_instance_diff(
        old, obj, use_json_for_changes=getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False)
    )
    with disable_auditlog():
        obj.save()
    if not changes:
        return None
    return AuditEntry.objects.log_create(obj, action=Action.UPDATE, changes=changes)


def audit_bulk_created(*, obj: models.Model, what: str, rows: Sequence[models.Model], by=None) -> AuditEntry | None:
    """``audit_bulk_action`` for the rows one ``bulk_create`` made: their model, count and ids."""
    if not rows:
        return None
    ids = [row.pk for row in rows]
    return audit_bulk_action(obj=obj, what=what, count=len(rows), model=type(rows[0]), ids=ids, by=by)


def audit_bulk_update(*, objects: list[models.Model], changes: dict[str, list], by=None) -> int:
    """One entry per object for a ``QuerySet.update`` of a few named objects (e.g. the appointments a
    relief or a dissolution ends), each with the same before/after ``changes``; written in one INSERT."""
    if not objects:
        return 0
    entries = []
    for obj in objects:
        entry = AuditEntry(
            content_type=ContentType.objects.get_for_model(obj),
            object_pk=str(obj.pk),
            object_id=obj.pk if isinstance(obj.pk, int) else None,
            object_repr=str(obj)[:1000],
            action=Action.UPDATE,
            changes=changes,
            cid=get_cid(),
            unit_path=unit_path_for(obj),
        )
        _fill_context(entry, by)
        entries.append(entry)
    AuditEntry.objects.bulk_create(entries)
    return len(entries)


def _fill_context(entry: AuditEntry, by) -> None:
    """Actor and address as auditlog's middleware would set them on a saved entry (bulk_create sends no
    ``pre_save``)."""
    try:
        context = auditlog_value.get()
    except LookupError:
        context = {}
    actor = by if by is not None else context.get("actor")
    if actor is not None and getattr(actor, "is_authenticated", False):
        entry.actor_id = actor.pk
        entry.actor_email = getattr(actor, "email", None) or None
    entry.remote_addr = context.get("remote_addr")


def audit_reveal(*, obj: models.Model, field: str, by) -> AuditEntry:
    """Record that ``by`` looked at ``field`` (mobile, email, age) of ``obj`` unmasked."""
    return _log(
        obj=obj,
        action=Action.ACCESS,
        by=by,
        changes_text=f"revealed {field}",
        additional_data={"revealed": field},
    )


def audit_mobile_lookup(*, obj: models.Model, purpose: str, mobile: str, outcome: str, by) -> AuditEntry:
    """Record a look-up by mobile number that met somebody outside ``by``'s scope, or was refused
    (``outcome``: "refused", "rate_limited", "found_outside_scope"), on the object it was for (the unit of an
    appointment, the camp of a walk-in). The number is kept masked, and nothing says whose it is: the entry
    is read by the unit's admins, the user among them."""
    return _log(
        obj=obj,
        action=Action.ACCESS,
        by=by,
        changes_text=f"mobile look-up ({purpose}): {outcome}",
        additional_data={"mobile_lookup": purpose, "outcome": outcome, "mobile": mask_mobile(mobile)},
    )


# ---------------------------------------------------------------- erasure (DPDP)

REDACTED = "[erased]"
REDACTED_COLUMNS = ("object_repr", "changes", "changes_text", "serialized_data")
MIN_WORD = 3  # shorter "names" (initials) would blank unrelated text


def audit_redact(*, objects: list[models.Model], words: Iterable[str]) -> int:
    """Take an erased person's personal data out of the entries written before the erasure; returns how
    many entries changed.

    ``objects`` are the erased rows (the person, their applications and social accounts): in their own
    entries every value before and after becomes "[erased]" and the entry is named as the row is named
    now. ``words`` are what identified them (names, handles, e-mail, as they were before the erasure): in
    the entries of rows that point to ``objects`` (appointments, score sheets, invitations, channels …)
    each occurrence is replaced. Who did what, when, from where, to which object and which fields stays:
    no entry is deleted, and the erasure itself is an entry of its own (``personal_data_erased``). On
    PostgreSQL the append-only trigger lets exactly these columns change, and only while this runs
    (audit migration 0004).
    """
    words = sorted({w.strip() for w in words if w and len(w.strip()) >= MIN_WORD}, key=len, reverse=True)
    own, related = Q(), Q()
    by_model: dict[type[models.Model], list] = {}
    for obj in objects:
        by_model.setdefault(type(obj), []).append(obj.pk)
        own |= Q(content_type=ContentType.objects.get_for_model(obj), object_pk=str(obj.pk))
    related_types = set()
    for model, field, target_ids in _fields_pointing_to(by_model):
        content_type = ContentType.objects.get_for_model(model)
        related_types.add(content_type.pk)
        live = model._default_manager.filter(**{f"{field.name}__in": target_ids}).values_list("pk", flat=True)
        related |= Q(content_type=content_type, object_pk__in=[str(pk) for pk in live])
        if not field.many_to_many:  # rows deleted since: their entries still hold the key, before or after
            keys = [str(pk) for pk in target_ids]
            related |= Q(content_type=content_type) & (
                Q(**{f"changes__{field.name}__0__in": keys}) | Q(**{f"changes__{field.name}__1__in": keys})
            )
    for word in words:  # and whatever else of those kinds is named after them (a channel's admins)
        related |= Q(content_type__in=related_types, object_repr__icontains=word)
    if not own and not related:
        return 0
    current = {(type(obj), str(obj.pk)): obj for obj in objects}
    for model, ids in by_model.items():  # their names as they are now, after the erasure
        for row in model._default_manager.filter(pk__in=ids):
            current[(model, str(row.pk))] = row
    changed = 0
    with transaction.atomic(), redaction_allowed():  # on PostgreSQL the trigger lets redactions through
        entries = AuditEntry.objects.filter(own | related).select_related("content_type")
        for entry in entries.iterator(chunk_size=500):
            model = entry.content_type.model_class()
            mine = current.get((model, entry.object_pk))
            if mine is not None:
                values = {
                    "object_repr": str(mine),
                    "changes": _redact_values(entry.changes),
                    "changes_text": _replace_words(entry.changes_text, words),
                    "serialized_data": None,
                }
            else:
                values = {
                    "object_repr": _replace_words(entry.object_repr, words),
                    "changes": _replace_in(entry.changes, words),
                    "changes_text": _replace_words(entry.changes_text, words),
                    "serialized_data": _replace_in(entry.serialized_data, words),
                }
            if any(values[name] != getattr(entry, name) for name in REDACTED_COLUMNS):
                AuditEntry.objects.filter(pk=entry.pk).update(**values)
                changed += 1
    return changed


def _fields_pointing_to(targets: dict[type[models.Model], list]):
    """(model, field, target ids) for every foreign key or many-to-many field of an audited model that points
    to one of the target kinds: their entries may name the erased person (an attendance's "Name @ camp")."""
    for model in auditlog.get_models():
        for field in model._meta.get_fields():
            pointing = field.many_to_one or field.one_to_one or field.many_to_many
            if pointing and field.concrete and field.related_model in targets:
                yield model, field, targets[field.related_model]


def _redact_values(changes):
    """Every recorded value of the erased row's own entry, old and new: "[erased]" (empty stays empty)."""
    if not isinstance(changes, dict):
        return changes

    def blank(value):
        return value if value in (None, "", "None") else REDACTED

    redacted: dict[str, Any] = {}
    for name, change in changes.items():
        if isinstance(change, list):
            redacted[name] = [blank(value) for value in change]
        elif isinstance(change, dict):  # many-to-many: {"type": "m2m", "operation": ..., "objects": [...]}
            redacted[name] = {**change, "objects": [REDACTED for _ in change.get("objects", [])]}
        else:
            redacted[name] = blank(change)
    return redacted


def _replace_words(text, words: list[str]):
    if not isinstance(text, str) or not text:
        return text
    for word in words:
        if word.casefold() in text.casefold():
            text = _replace_casefold(text, word)
    return text


def _replace_casefold(text: str, word: str) -> str:
    """Whole words only: "Ram" goes, "Rampur" stays."""
    return re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", REDACTED, text, flags=re.IGNORECASE)


def _replace_in(value, words: list[str]):
    """``value`` (JSON: dicts, lists, strings) with every occurrence of ``words`` in its strings replaced."""
    if isinstance(value, str):
        return _replace_words(value, words)
    if isinstance(value, list):
        return [_replace_in(item, words) for item in value]
    if isinstance(value, dict):
        return {key: _replace_in(item, words) for key, item in value.items()}
    return value
