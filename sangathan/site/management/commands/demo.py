from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from tqdm import tqdm

from sangathan.access.models import Role, RoleAssignment
from sangathan.channels.demo import demo_channels
from sangathan.config.env import env_str
from sangathan.org.models import Unit
from sangathan.org.seeding import SHAPES, seed
from sangathan.outreach.demo import demo_outreach
from sangathan.planning.demo import demo_plan
from sangathan.privacy.demo import demo_privacy
from sangathan.recruitment.demo import demo_campaign
from sangathan.training.demo import demo_training

DEMO_USERS = [
    # username, role, unit code or English name, is_superuser, what to say about them
    ("admin", None, None, True, "superuser (everything, and /admin/)"),
    ("rajasthan", Role.STATE_ADMIN, "RJ", False, "state admin — Rajasthan"),
    ("jaipur", Role.UNIT_ADMIN, "Jaipur", False, "district in-charge — Jaipur"),
    ("ajmer", Role.UNIT_ADMIN, "Ajmer", False, "district in-charge — Ajmer"),
    ("panel1", None, None, False, "interview panel member (today's interviews at /recruitment/panel/)"),
    ("panel2", None, None, False, "interview panel member"),
]


class Command(BaseCommand):
    help = "Load the demo state and its recruitment drive (if the database is empty) and create the demo logins."

    def handle(self, *args, **options):
        if not Unit.objects.filter(code="RJ").exists():
            shape = SHAPES["demo"]
            total = shape.states + sum(n for _code, n in shape.chain)
            with tqdm(total=total, unit=" units", desc="demo state") as bar:
                seed("demo", progress=bar.update)
        password = env_str("DEMO_PASSWORD", "sangathan-demo-2026")
        users = get_user_model()
        lines, made = [], {}
        for username, role, unit_key, superuser, about in DEMO_USERS:
            user, _created = users.objects.get_or_create(username=username)
            user.is_superuser = user.is_staff = superuser
            user.set_password(password)
            user.save()
            made[username] = user
            if role:
                unit = Unit.objects.filter(code=unit_key).first() or Unit.objects.filter(name_en=unit_key).first()
                RoleAssignment.objects.get_or_create(user=user, unit=unit, role=role)
            lines.append(f"  {username:<10} {about}")
        state = Unit.objects.get(code="RJ")
        campaign = demo_campaign(state=state, by=made["rajasthan"], panel_members=[made["panel1"], made["panel2"]])
        demo_channels(state=state, stdout=self.stdout)
        demo_outreach(state=state, stdout=self.stdout)
        camp = demo_training(state=state, stdout=self.stdout)
        demo_plan(state=state, stdout=self.stdout)
        demo_privacy(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo ready."))
        self.stdout.write(f"Logins (password for all: {password}):")
        self.stdout.write("\n".join(lines))
        if campaign is not None:
            self.stdout.write("Recruitment drive: the public form is at /a/rj-2026/ (QR: /a/rj-2026/qr.png).")
        if camp is not None:
            self.stdout.write(
                f"Training camp running today: check in at /t/{camp.check_in_token}/ (roll-call: /training/)."
            )
