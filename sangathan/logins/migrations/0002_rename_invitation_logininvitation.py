# The model's name is unique across the project (the scope lint matches scoped models by name; training has an
# Invitation of its own).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("logins", "0001_logins_invitations_sessions"),
    ]

    operations = [
        migrations.RenameModel(old_name="Invitation", new_name="LoginInvitation"),
    ]
