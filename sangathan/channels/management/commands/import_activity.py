"""``sangathan import-activity FILE --channel ID [--followers N] [--user NAME] [--dry-run]``: an official account's daily numbers
from the export file its platform makes (Meta Business Suite, X analytics, YouTube Studio; CSV or .xlsx).

The export files name no account, so ``--channel`` (the number in the channel page's address) says which
channel they are for; the file's platform must be the channel's. All rows or none; importing the same file
again changes nothing; a later file for the same days updates them (see ``sangathan.channels.activity_files``).
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from sangathan.channels.activity_files import MAX_BYTES
from sangathan.channels.links import ChannelError
from sangathan.channels.models import Channel
from sangathan.channels.services import ActivityImport, snapshots_import


class Command(BaseCommand):
    help = (
        "Import an official account's daily numbers (followers, posts, reach, impressions) from a Meta Business "
        "Suite, X analytics or YouTube Studio export file. All rows or none: a file with any bad row changes "
        "nothing and exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The export file as downloaded (CSV or .xlsx).")
        parser.add_argument(
            "--channel", type=int, help="Id of the channel the file is for (the number in its page's address)."
        )
        parser.add_argument(
            "--followers",
            type=int,
            help="The account's follower total on the file's last day (X and YouTube exports give only each day's "
            "change): the earlier days' totals are worked back from the changes.",
        )
        parser.add_argument("--user", help="Import as this user (they must manage the channel's unit).")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing.")

    def handle(self, *args, file, channel, followers, user, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": file})
        if channel is None:
            raise CommandError(
                _("Export files do not say which account they are from: give the channel with --channel ID.")
            )
        target = Channel.objects.select_related("unit").filter(pk=channel).first() if channel < 2**63 else None
        if target is None:
            raise CommandError(_("No channel with id %(id)s.") % {"id": channel})
        if followers is not None and followers < 0:
            raise CommandError(_("The follower total cannot be negative."))
        by = None
        if user:
            by = get_user_model().objects.filter(username=user).first()
            if by is None:
                raise CommandError(_("No user %(name)s.") % {"name": user})
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(_("The file is larger than %(max)d MB.") % {"max": MAX_BYTES // (1024 * 1024)})
        with tqdm(total=0, disable=options["verbosity"] == 0, leave=False, unit=" rows") as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.n = done
                bar.refresh()

            try:
                result = snapshots_import(
                    channel=target,
                    data=path.read_bytes(),
                    by=by,
                    dry_run=dry_run,
                    followers_on_last_day=followers,
                    progress=progress,
                )
            except ChannelError as error:
                raise CommandError(error.messages[0]) from None
        self._print(result)
        if not result.ok:
            raise CommandError(
                _("%(count)d problem(s) in the file; nothing was imported.") % {"count": result.file.errors_total}
            )

    def _print(self, result: ActivityImport) -> None:
        report = result.file
        self.stdout.write(
            _("%(format)s file for %(channel)s: %(rows)d days — %(new)d new, %(changed)d updated.")
            % {
                "format": report.label or "?",
                "channel": result.channel,
                "rows": len(report.days),
                "new": result.made,
                "changed": result.changed,
            }
        )
        if result.dry_run and result.ok:
            self.stdout.write(_("Dry run: nothing was written."))
        for error in report.errors:
            where = f"{_('row')} {error.row}" if error.row else _("file")
            column = f" [{error.column}]" if error.column else ""
            self.stderr.write(f"  {where}{column}: {error.message}")
        if report.errors_total > len(report.errors):
            self.stderr.write(_("… and %(count)d more.") % {"count": report.errors_total - len(report.errors)})
