"""A demo message for `sangathan demo`: sent from the state to every booth of its first district, with some
units that opened, acknowledged, shared or could not share it."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from sangathan.access.models import Role, RoleAssignment
from sangathan.org.models import Level, Unit
from sangathan.outreach import services
from sangathan.outreach.models import Delivery, Message

TITLE = "रविवार को हर बूथ पर बैठक"


def demo_outreach(*, state: Unit, stdout=None) -> Message | None:
    """Send the demo message (once) and record a spread of answers. Returns it, or None if it exists."""
    if Message.objects.filter(title=TITLE, unit__path__startswith=state.path).exists():
        return None
    district = Unit.objects.filter(parent=state).order_by("path").first()
    if district is None:
        return None
    sender = (
        get_user_model()
        .objects.filter(pk__in=RoleAssignment.objects.filter(unit=state, role=Role.STATE_ADMIN).values("user_id"))
        .first()
    )
    if sender is None:
        return None
    message = services.message_create(
        unit=district,
        target_level=Level.objects.get(code="booth"),
        by=sender,
        title=TITLE,
        body_hi="सभी बूथ अध्यक्ष रविवार सुबह 10 बजे अपने बूथ पर बैठक करें और फोटो साझा करें।",
        body_en="Every booth president: hold a meeting at your booth on Sunday at 10 am and share a photo.",
        text_whatsapp="रविवार सुबह 10 बजे बूथ बैठक। सभी साथी आएँ! #हर_बूथ_मजबूत",
        text_x="रविवार सुबह 10 बजे हर बूथ पर बैठक। #हर_बूथ_मजबूत",
        hashtags="#हर_बूथ_मजबूत",
        call_to_action="बैठक की फोटो साझा करें",
        ack_within_hours=24,
    )
    message = services.message_send(message=message, by=sender, queue=False)
    services.message_run_inline(message=message)
    # Pretend it went out three hours ago, then answer for a share of the booths.
    sent_at = timezone.now() - datetime.timedelta(hours=3)
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(sent_at=sent_at)
    ids = list(
        Delivery.objects.filter(message=message, level__code="booth").order_by("path").values_list("pk", flat=True)
    )
    for index, delivery_id in enumerate(ids):
        bucket = index % 10
        if bucket < 4:
            services.delivery_respond(delivery_id=delivery_id, action="shared", note="बूथ व्हाट्सऐप ग्रुप में साझा किया")
        elif bucket < 7:
            services.delivery_respond(delivery_id=delivery_id, action="received")
        elif bucket == 7:
            services.delivery_respond(delivery_id=delivery_id, action="cannot", reason="नेटवर्क नहीं है")
    if stdout is not None:
        stdout.write(f"Demo message sent to {len(ids)} booths of {district.name}.")
    return Message.objects.get(pk=message.pk)
