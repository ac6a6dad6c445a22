"""``sangathan setup``: the set-up page in the terminal. Asks for what is not given as a flag; with
``--no-input`` takes the flags (and the defaults) only, for scripts.

    sangathan setup --no-input --name-hi "जन सेवा दल" --name-en "Jan Seva Dal" \\
        --state "राजस्थान | Rajasthan | RJ" --levels national,state,district,assembly,block,booth \\
        --admin-username rajasthan   # the password from SANGATHAN_ADMIN_PASSWORD or --admin-password
"""

import getpass
import os

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sangathan.site import services


class Command(BaseCommand):
    help = (
        "Set up a fresh installation: the organisation's name, the national unit, the states, the level chain "
        "and the first state admin's login."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-input", action="store_true", help="Ask nothing: use the flags and defaults.")
        parser.add_argument("--name-hi", default=None, help="The organisation's name in Hindi.")
        parser.add_argument("--name-en", default=None, help="The organisation's name in English.")
        parser.add_argument("--national-hi", default=None, help="The national unit's name in Hindi (भारत).")
        parser.add_argument("--national-en", default=None, help="The national unit's name in English (India).")
        parser.add_argument(
            "--state",
            action="append",
            default=None,
            help='A state: "Hindi | English | CODE" (repeat for several; the first admin runs the first).',
        )
        parser.add_argument(
            "--levels",
            default=None,
            help="The level chain, top first, comma-separated codes (code|Hindi|English for a new level). "
            "Default: the seeds' chain.",
        )
        parser.add_argument("--admin-username", default=None, help="The first state admin's username.")
        parser.add_argument(
            "--admin-password",
            default=None,
            help="Their password (better: the SANGATHAN_ADMIN_PASSWORD environment variable).",
        )

    def handle(self, *args, **options):
        if not services.is_fresh():
            raise CommandError(_("This installation is already set up: it has units."))
        self.interactive = not options["no_input"]
        name_hi = self._ask(options["name_hi"], _("Organisation's name (Hindi)"), "")
        name_en = self._ask(options["name_en"], _("Organisation's name (English)"), "")
        national_hi = self._ask(options["national_hi"], _("National unit (Hindi)"), "भारत")
        national_en = self._ask(options["national_en"], _("National unit (English)"), "India")
        states_text = "\n".join(options["state"] or [])
        if not states_text and self.interactive:
            self.stdout.write(
                _("States you work in, one per line: Hindi name | English name | code. Empty line: done.")
            )
            lines = []
            while line := input("> ").strip():
                lines.append(line)
            states_text = "\n".join(lines)
        chain_default = ",".join(line.code for line in services.default_chain())
        chain_text = self._ask(options["levels"], _("Levels, top first (comma-separated codes)"), chain_default)
        username = self._ask(options["admin_username"], _("First state admin: username"), "")
        password = options["admin_password"] or os.environ.get("SANGATHAN_ADMIN_PASSWORD", "")
        if not password and self.interactive:
            password = getpass.getpass(_("Password: "))
            if getpass.getpass(_("The same password again: ")) != password:
                raise CommandError(_("The two passwords are not the same."))
        try:
            result = services.organisation_setup(
                name_hi=name_hi,
                name_en=name_en,
                national_hi=national_hi,
                national_en=national_en,
                states=services.parse_states(states_text),
                chain=services.parse_chain(chain_text.replace(",", "\n")),
                admin_username=username,
                admin_password=password,
            )
        except services.SetupError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(self.style.SUCCESS(_("Set up.")))
        self.stdout.write(
            _("National unit: %(national)s; states: %(states)s.")
            % {"national": result.national.display_name, "states": ", ".join(s.display_name for s in result.states)}
        )
        self.stdout.write(
            _("%(admin)s can sign in as the state admin of %(state)s. Next: sangathan import-units <booth list>.")
            % {"admin": result.admin.username, "state": result.states[0].display_name}
        )

    def _ask(self, given: str | None, question: str, default: str) -> str:
        if given is not None or not self.interactive:
            return given if given is not None else default
        shown = f" [{default}]" if default else ""
        answer = input(f"{question}{shown}: ").strip()
        return answer or default
