"""``sangathan send_message ID``: send (or resume) a message in this process with a progress bar."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sangathan.outreach import services
from sangathan.outreach.errors import OutreachError
from sangathan.outreach.models import Message


class Command(BaseCommand):
    help = (
        "Send an approved message (or finish one whose sending stopped) in this process, chunk by chunk, "
        "with a progress bar. Safe to run again: nothing is written twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("message_id", type=int)
        parser.add_argument("--as", dest="username", required=True, help="The user who sends it.")
        parser.add_argument("--queue", action="store_true", help="Queue Celery tasks instead of running here.")

    def handle(self, *args, message_id, username, queue, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username}.")
        message = Message.objects.filter(pk=message_id).first()
        if message is None:
            raise CommandError(f"No message {message_id}.")
        try:
            message = services.message_send(message=message, by=user, queue=queue)
        except OutreachError as error:
            raise CommandError(" ".join(error.messages)) from None
        if queue:
            self.stdout.write(f"Queued {message.chunks.exclude(status='done').count()} chunks.")
            return
        pending = message.chunks.exclude(status="done").count()
        with tqdm(total=pending, unit=" chunks", desc="send", disable=options["verbosity"] == 0) as bar:
            written = services.message_run_inline(message=message, progress=bar.update)
        message.refresh_from_db()
        self.stdout.write(
            self.style.SUCCESS(f"{message.title}: {written:,} deliveries written; status {message.status}.")
        )
