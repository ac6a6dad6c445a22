"""Entries written by hand: bulk writes (which send no model signals) and reveals of personal data.

The actor and address come from the request (``AuditMiddleware``) when there is one; ``by=`` names the
actor explicitly (tasks, commands).
"""

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _

from sangathan.audit.models import AuditEntry

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


def audit_intake(*, applications: list) -> None:
    """One entry per campaign for the applications the public-form intake made or updated in bulk."""
    from sangathan.recruitment.models import Application

    by_campaign: dict[int, list] = {}
    for application in applications:
        by_campaign.setdefault(application.campaign_id, []).append(application)
    for rows in by_campaign.values():
        audit_bulk_action(
            obj=rows[0].campaign,
            what="applications_from_intake",
            count=len(rows),
            model=Application,
            ids=[a.pk for a in rows],
        )


def audit_bulk_update(*, objects: list[models.Model], changes: dict[str, list], by=None) -> int:
    """One entry per object for a ``QuerySet.update`` of a few named objects (e.g. the appointments a
    relief or a dissolution ends), each with the same before/after ``changes``; written in one INSERT."""
    from auditlog.cid import get_cid
    from django.contrib.contenttypes.models import ContentType

    from sangathan.audit.scoping import unit_path_for

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
    from auditlog.context import auditlog_value

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
