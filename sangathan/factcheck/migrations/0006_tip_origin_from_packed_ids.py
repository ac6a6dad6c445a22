"""Rumours reported from personal links before 0005 packed their origin into ``provider_message_id`` as
``<source>:<holder id>:<where>:<digest>`` (ADR 0017). Move it to the columns and keep only the digest, the
report's dedupe key under the unique (channel, provider_message_id) constraint.

The old digest did not cover the place, so the same report seen in two places was two tips with one digest:
the second keeps its own id as SHA-256(digest, place), 32 hex characters, so it stays unique. A holder that
no longer exists (a delivery deleted with its message) leaves its column empty. Reverting packs the columns
back into the id where the holder is still known.
"""

import hashlib

from django.db import migrations

DIGEST_LENGTH = 32
SOURCES = {"cascade", "report"}
PLACES = {"whatsapp", "facebook", "x", "youtube", "other"}
BATCH = 500


def parse(packed: str) -> tuple[str, int, str, str] | None:
    """(source, holder id, place, digest) of a packed id; None for anything else (a digest, a webhook's id)."""
    parts = packed.split(":")
    if len(parts) != 4 or parts[0] not in SOURCES or parts[2] not in PLACES or not parts[1].isdigit():
        return None
    return parts[0], int(parts[1]), parts[2], parts[3]


def unpack(apps, schema_editor) -> None:
    Tip = apps.get_model("factcheck", "Tip")
    Appointment = apps.get_model("org", "Appointment")
    Delivery = apps.get_model("outreach", "Delivery")
    packed = Tip.objects.filter(channel="cascade", provider_message_id__contains=":").order_by("pk")
    # The digests already stored without a packing (none before this migration runs on a live database).
    taken = set(
        Tip.objects.filter(channel="cascade")
        .exclude(provider_message_id__contains=":")
        .values_list("provider_message_id", flat=True)
    )
    rows = list(packed.only("pk", "provider_message_id"))
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        found = {tip.pk: parse(tip.provider_message_id) for tip in batch}
        holders = {(p[0], p[1]) for p in found.values() if p is not None}
        appointments = set(
            Appointment.objects.filter(pk__in=[h for s, h in holders if s == "report"]).values_list("pk", flat=True)
        )
        deliveries = set(
            Delivery.objects.filter(pk__in=[h for s, h in holders if s == "cascade"]).values_list("pk", flat=True)
        )
        for tip in batch:
            origin = found[tip.pk]
            if origin is None:
                continue
            source, holder, place, digest = origin
            if digest in taken:
                digest = hashlib.sha256(f"{digest}\x00{place}".encode()).hexdigest()[:DIGEST_LENGTH]
            taken.add(digest)
            tip.provider_message_id = digest
            tip.seen_on = place
            tip.reported_from = source
            tip.reported_appointment_id = holder if source == "report" and holder in appointments else None
            tip.reported_delivery_id = holder if source == "cascade" and holder in deliveries else None
            tip.save(
                update_fields=[
                    "provider_message_id",
                    "seen_on",
                    "reported_from",
                    "reported_appointment",
                    "reported_delivery",
                ]
            )


def pack(apps, schema_editor) -> None:
    Tip = apps.get_model("factcheck", "Tip")
    reported = Tip.objects.filter(channel="cascade").exclude(reported_from="").exclude(seen_on="")
    for tip in reported.order_by("pk").iterator():
        holder = tip.reported_appointment_id if tip.reported_from == "report" else tip.reported_delivery_id
        if holder is None or ":" in tip.provider_message_id:
            continue
        tip.provider_message_id = f"{tip.reported_from}:{holder}:{tip.seen_on}:{tip.provider_message_id}"
        tip.save(update_fields=["provider_message_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("factcheck", "0005_tip_origin_columns"),
    ]

    operations = [migrations.RunPython(unpack, pack, elidable=True)]
