"""How an entry reads on the pages and in the export: labels, the object, before/after per field."""

import json
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.audit.models import AuditEntry


def action_label(entry: AuditEntry) -> str:
    labels = {
        AuditEntry.Action.CREATE: _("created"),
        AuditEntry.Action.UPDATE: _("changed"),
        AuditEntry.Action.DELETE: _("deleted"),
        AuditEntry.Action.ACCESS: _("personal data shown"),
    }
    if entry.additional_data and entry.additional_data.get("bulk"):
        return _("bulk change")
    return labels.get(entry.action, "?")


@dataclass
class Change:
    field: str
    before: str
    after: str


def _field_label(model, name: str) -> str:
    if model is None:
        return name
    try:
        return str(getattr(model._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:
        return name


def _show(value) -> str:
    if value in (None, "None"):
        return ""
    if isinstance(value, str) and value.startswith("[") and value.endswith("]"):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


BLANK = ("", "None", "[]", "{}")


def changes(entry: AuditEntry, labels: dict | None = None) -> list[Change]:
    """The fields that changed, before and after (personal fields are stored masked); ``labels`` names
    the objects that foreign keys point to ({(model, pk): name}, from ``related_labels``)."""
    model = entry.content_type.model_class() if entry.content_type_id else None
    labels = labels or {}
    result = []
    for name, values in sorted((entry.changes_dict or {}).items()):
        if name == "id":
            continue
        if isinstance(values, dict):  # many-to-many: {"type": "m2m", "operation": ..., "objects": [...]}
            operation = values.get("operation", "")
            objects = ", ".join(str(o) for o in values.get("objects", []))
            before, after = (objects, "") if operation == "delete" else ("", objects)
        elif isinstance(values, list | tuple) and len(values) == 2:
            if str(values[0]) in BLANK and str(values[1]) in BLANK:
                continue
            related = _related_model(model, name)
            choices = _choices(model, name)
            before, after = (labels.get((related, str(v))) or choices.get(str(v)) or _show(v) for v in values)
        else:
            before, after = "", _show(values)
        result.append(Change(_field_label(model, name), before, after))
    return result


def _choices(model, name: str) -> dict:
    """A choice field's labels ("relieved" → "पद से मुक्त"), by the stored value as text."""
    if model is None:
        return {}
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return {}
    return {str(value): str(label) for value, label in (getattr(field, "flatchoices", None) or [])}


def _related_model(model, name: str):
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field.related_model if field.many_to_one or field.one_to_one else None


def related_labels(entries) -> dict:
    """Names of the objects the entries' foreign keys point to: one query per related model."""
    wanted: dict = {}
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type_id else None
        for name, values in (entry.changes_dict or {}).items():
            related = _related_model(model, name)
            if related is None or not isinstance(values, list | tuple):
                continue
            wanted.setdefault(related, set()).update(str(v) for v in values if str(v).isdigit())
    labels = {}
    for related, pks in wanted.items():
        for obj in related._default_manager.filter(pk__in=[int(pk) for pk in pks]):
            name = getattr(obj, "display_name", None) or str(obj)
            labels[(related, str(obj.pk))] = name
    return labels


def bulk_labels() -> dict[str, str]:
    return {
        "applications_from_intake": _("applications made or updated from the public form"),
        "appointments_ended": _("appointments ended"),
        "invitations_generated": _("appointees invited to a camp"),
    }


def note(entry: AuditEntry) -> str:
    """What a hand-written entry says: how many rows a bulk action wrote, which field was revealed."""
    data = entry.additional_data or {}
    if data.get("bulk"):
        return _("%(what)s: %(count)s records") % {
            "what": bulk_labels().get(data["bulk"], data["bulk"]),
            "count": data.get("count", 0),
        }
    if data.get("revealed"):
        field = _field_label(entry.content_type.model_class(), data["revealed"])
        return _("%(field)s shown in full") % {"field": field}
    return ""


def kind(entry: AuditEntry) -> str:
    model = entry.content_type.model_class() if entry.content_type_id else None
    return str(model._meta.verbose_name) if model else entry.content_type.model


def actor(entry: AuditEntry) -> str:
    if entry.actor_id:
        return entry.actor.get_username()
    return entry.actor_email or _("system")


def when(entry: AuditEntry) -> str:
    return timezone.localtime(entry.timestamp).strftime("%d/%m/%Y %H:%M:%S")


def export_columns():
    def changes_text(entry):
        parts = [f"{c.field}: {c.before} → {c.after}" for c in changes(entry)]  # ids, not names: one pass
        extra = note(entry)
        return "; ".join(([extra] if extra else []) + parts)

    return [
        (_("When"), when),
        (_("User"), actor),
        (_("Address"), lambda e: e.remote_addr or ""),
        (_("Action"), action_label),
        (_("Kind of record"), kind),
        (_("Record number"), lambda e: e.object_pk),
        (_("Record"), lambda e: e.object_repr),
        (_("What changed"), changes_text),
    ]
