from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from tqdm import tqdm

from sangathan.access.models import Role, RoleAssignment
from sangathan.config.env import env_str
from sangathan.org.models import Unit
from sangathan.org.seeding import SHAPES, seed

DEMO_USERS = [
    # username, role, unit code or name_en, is_superuser
    ("admin", None, None, True),
    ("rajasthan", Role.STATE_ADMIN, "RJ", False),
    ("jaipur", Role.UNIT_ADMIN, "Jaipur", False),
    ("ajmer", Role.UNIT_ADMIN, "Ajmer", False),
]


class Command(BaseCommand):
    help = "Load the demo state (if the database is empty) and create the demo logins."

    def handle(self, *args, **options):
        if not Unit.objects.filter(code="RJ").exists():
            shape = SHAPES["demo"]
            total = shape.states + sum(n for _code, n in shape.chain)
            with tqdm(total=total, unit=" units", desc="demo state") as bar:
                seed("demo", progress=bar.update)
        password = env_str("DEMO_PASSWORD", "sangathan-demo-2026")
        users = get_user_model()
        lines = []
        for username, role, unit_key, superuser in DEMO_USERS:
            user, _created = users.objects.get_or_create(username=username)
            user.is_superuser = user.is_staff = superuser
            user.set_password(password)
            user.save()
            if role:
                unit = Unit.objects.filter(code=unit_key).first() or Unit.objects.filter(name_en=unit_key).first()
                RoleAssignment.objects.get_or_create(user=user, unit=unit, role=role)
                lines.append(f"  {username:<10} {role.label} — {unit.name_en}")
            else:
                lines.append(f"  {username:<10} superuser (everything, and /admin/)")
        self.stdout.write(self.style.SUCCESS("Demo ready."))
        self.stdout.write(f"Logins (password for all: {password}):")
        self.stdout.write("\n".join(lines))
