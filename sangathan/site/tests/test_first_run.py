"""The first run: the set-up page and ``sangathan setup`` on an installation with no units, and
``sangathan import-units`` of a state's booth list on an empty database, asking nothing."""

import csv
import io
import os
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from sangathan.access.models import Role, RoleAssignment
from sangathan.audit.models import AuditEntry
from sangathan.core.models import Organisation
from sangathan.org.models import Level, Position, Unit
from sangathan.org.tests.factories import UserFactory
from sangathan.testing import log_in

pytestmark = pytest.mark.django_db

PASSWORD = "nadi-kinare-ghar-2026"
CHAIN = """national | राष्ट्रीय | National
state | प्रदेश | State
zone | ज़ोन | Zone
district
assembly
block
booth"""


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def superuser():
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def setup_data(**changes):
    data = {
        "name_hi": "जन सेवा दल",
        "name_en": "Jan Seva Dal",
        "national_hi": "भारत",
        "national_en": "India",
        "states": "राजस्थान | Rajasthan | RJ\nगुजरात | Gujarat | gj",
        "chain": CHAIN,
        "admin_username": "rajasthan",
        "admin_password1": PASSWORD,
        "admin_password2": PASSWORD,
    }
    data.update(changes)
    return data


def nothing_written():
    return not Unit.objects.exists() and not Organisation.objects.exists() and not RoleAssignment.objects.exists()


# ---------------------------------------------------------------- the set-up page


def test_a_superuser_on_a_fresh_install_lands_on_the_set_up_page(client, superuser):
    log_in(client, superuser)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("setup")
    page = client.get(reverse("setup")).content.decode()
    assert "district | जिला | District" in page  # the seeds' chain, to edit


def test_the_set_up_page_is_in_hindi(client, superuser):
    log_in(client, superuser, "hi")
    page = client.get(reverse("setup")).content.decode()
    assert "संगठन को तैयार करें" in page and "पहले प्रदेश प्रशासक" in page


def test_others_are_not_sent_there_and_may_not_open_it(client, tree, cast):
    Unit.objects.all()  # a tree exists: not fresh
    log_in(client, cast.state_admin)
    assert client.get(reverse("home"))["Location"] == reverse("org:unit", args=[tree.rajasthan.pk])
    assert client.get(reverse("setup")).status_code == 403


def test_setting_up_names_everything_and_gives_the_first_admin_a_login(client, superuser):
    log_in(client, superuser)
    response = client.post(reverse("setup"), setup_data())
    national = Unit.objects.get(level__code="national")
    assert response.status_code == 302 and response["Location"] == reverse("org:unit", args=[national.pk])
    organisation = Organisation.objects.get()
    assert (organisation.name_hi, organisation.name_en) == ("जन सेवा दल", "Jan Seva Dal")
    assert (national.name_hi, national.name_en) == ("भारत", "India")
    states = {u.code: u for u in Unit.objects.filter(level__code="state")}
    assert set(states) == {"RJ", "GJ"} and states["RJ"].name_hi == "राजस्थान"
    # The chain as edited: mandal, ward, cluster and division gone, zone added (with an in-charge), in order.
    assert list(Level.objects.order_by("order").values_list("code", flat=True)) == [
        "national",
        "state",
        "zone",
        "district",
        "assembly",
        "block",
        "booth",
    ]
    assert Position.objects.get(level__code="zone", is_key=True).title_en == "Zone in-charge"
    assert Position.objects.filter(level__code="district", code="in_charge").exists()
    admin = get_user_model().objects.get(username="rajasthan")
    assert admin.check_password(PASSWORD) and not admin.is_superuser
    assert RoleAssignment.objects.get(user=admin).unit == states["RJ"]
    assert RoleAssignment.objects.get(user=admin).role == Role.STATE_ADMIN
    # Audited: the organisation, the units, the role, the account.
    for model in ("organisation", "unit", "roleassignment", "user", "level"):
        assert AuditEntry.objects.filter(content_type__model=model).exists(), model
    # Once set up, the page is gone.
    assert client.get(reverse("setup"))["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code in (200, 302)


@pytest.mark.parametrize(
    "changes",
    [
        {"name_hi": "", "name_en": ""},
        {"name_en": "<script>alert(1)</script>"},
        {"states": ""},
        {"states": " | | RJ"},
        {"states": "राजस्थान | Rajasthan | " + "X" * 20},
        {"chain": "state\nnational\ndistrict"},
        {"chain": "national\nstate\nstate"},
        {"chain": "national\nstate\nZone Bad!"},
        {"chain": "national\nstate\nzone"},  # a new level without a name
        {"chain": "national\nstate\ndistrict | <b>x</b> | x"},
        {"admin_username": ""},
        {"admin_username": "has space"},
        {"admin_username": "root"},  # taken
        {"admin_password1": "short", "admin_password2": "short"},
        {"admin_password1": "1234567890123", "admin_password2": "1234567890123"},
        {"admin_password2": "something-else-2026"},
        {"national_hi": "", "national_en": ""},
    ],
)
def test_bad_input_is_a_message_and_nothing_is_written(client, superuser, changes):
    log_in(client, superuser)
    levels_before = list(Level.objects.order_by("order").values_list("code", "order", "name_hi"))
    response = client.post(reverse("setup"), setup_data(**changes))
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode() or 'class="errors"' in response.content.decode()
    assert nothing_written()
    assert list(Level.objects.order_by("order").values_list("code", "order", "name_hi")) == levels_before
    assert not get_user_model().objects.filter(username="rajasthan").exists()


# ---------------------------------------------------------------- sangathan setup


def test_the_command_sets_up_without_questions():
    out = io.StringIO()
    call_command(
        "setup",
        "--no-input",
        "--name-hi",
        "जन सेवा दल",
        "--name-en",
        "Jan Seva Dal",
        "--state",
        "राजस्थान | Rajasthan | RJ",
        "--levels",
        "national,state,district,assembly,booth",
        "--admin-username",
        "rajasthan",
        "--admin-password",
        PASSWORD,
        stdout=out,
    )
    assert "rajasthan" in out.getvalue()
    assert Unit.objects.get(level__code="state").code == "RJ"
    assert Unit.objects.get(level__code="national").name_en == "India"
    assert Level.objects.count() == 5
    assert RoleAssignment.objects.get(user__username="rajasthan").role == Role.STATE_ADMIN


def test_the_command_asks_what_it_is_not_told(monkeypatch):
    answers = iter(["जन सेवा दल", "", "", "", "राजस्थान | Rajasthan | RJ", "", "", "rajasthan"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    monkeypatch.setattr("getpass.getpass", lambda prompt="": PASSWORD)
    call_command("setup", stdout=io.StringIO())
    assert Organisation.objects.get().name_hi == "जन सेवा दल"
    assert Unit.objects.get(level__code="state").name_en == "Rajasthan"
    assert Level.objects.filter(code="mandal").exists()  # the default chain kept
    assert get_user_model().objects.get(username="rajasthan").check_password(PASSWORD)


def test_the_command_refuses_bad_input_and_a_second_run(tree):
    with pytest.raises(CommandError, match="already set up"):
        call_command("setup", "--no-input", "--state", "X", "--admin-username", "a", "--admin-password", PASSWORD)


def test_the_command_refuses_a_weak_password_and_writes_nothing():
    with pytest.raises(CommandError):
        call_command(
            "setup",
            "--no-input",
            "--name-en",
            "Dal",
            "--state",
            "Rajasthan",
            "--admin-username",
            "rajasthan",
            "--admin-password",
            "password",
        )
    assert nothing_written()


# ---------------------------------------------------------------- import-units on a fresh installation

BOOTHS = [
    ["state", "district", "ac_no", "ac_name", "block", "booth_no", "booth_name", "polling_station"],
    ["राजस्थान", "जयपुर", 45, "जयपुर उत्तर", "आमेर", 1, "आमेर विद्यालय", "राजकीय विद्यालय"],
    ["राजस्थान", "जयपुर", 45, "जयपुर उत्तर", "आमेर", 2, "आमेर किला द्वार", ""],
    ["राजस्थान", "अजमेर", 99, "अजमेर दक्षिण", "किशनगढ़", 1, "किशनगढ़ मंडी", ""],
]


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_import_units_on_an_empty_database_makes_the_nation_and_the_state_and_imports(tmp_path):
    assert not Unit.objects.exists()
    path = write_csv(tmp_path / "rajasthan.csv", BOOTHS)
    out = io.StringIO()
    call_command("import_units", str(path), stdout=out, verbosity=0)
    state = Unit.objects.get(level__code="state")
    assert state.name_hi == "राजस्थान" and state.parent.level.code == "national"
    assert Unit.objects.filter(level__code="booth").count() == 3
    assert Unit.objects.filter(level__code="district", parent=state).count() == 2
    assert "राजस्थान" in out.getvalue()
    # The state admin can now be given a login in the usual way, and the import is idempotent.
    call_command("import_units", str(path), stdout=io.StringIO(), verbosity=0)
    assert Unit.objects.filter(level__code="booth").count() == 3


def test_a_refused_file_or_a_dry_run_leaves_a_fresh_database_empty(tmp_path):
    good = write_csv(tmp_path / "rajasthan.csv", BOOTHS)
    call_command("import_units", str(good), "--dry-run", stdout=io.StringIO(), verbosity=0)
    assert not Unit.objects.exists()
    bad = write_csv(tmp_path / "bad.csv", [*BOOTHS, ["राजस्थान", "", 46, "जयपुर दक्षिण", "", "x", "", ""]])
    with pytest.raises(CommandError):
        call_command("import_units", str(bad), stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)
    assert not Unit.objects.exists()
    two_states = write_csv(tmp_path / "two.csv", [*BOOTHS, ["गुजरात", "सूरत", 1, "सूरत", "", 1, "सूरत 1", ""]])
    with pytest.raises(CommandError, match="does not name one state"):
        call_command("import_units", str(two_states), stdout=io.StringIO(), verbosity=0)
    assert not Unit.objects.exists()


def test_with_units_present_the_file_must_name_a_known_state(tmp_path, tree):
    path = write_csv(tmp_path / "gujarat.csv", [BOOTHS[0], ["गुजरात", "सूरत", 1, "सूरत", "", 1, "सूरत 1", ""]])
    with pytest.raises(CommandError, match="Give --root"):
        call_command("import_units", str(path), stdout=io.StringIO(), verbosity=0)
    assert not Unit.objects.filter(name_hi="गुजरात").exists()


def test_setup_then_import_puts_the_booths_under_the_set_up_state(tmp_path):
    call_command(
        "setup",
        "--no-input",
        "--name-en",
        "Dal",
        "--state",
        "राजस्थान | Rajasthan | RJ",
        "--admin-username",
        "rajasthan",
        "--admin-password",
        PASSWORD,
        stdout=io.StringIO(),
    )
    call_command("import_units", str(write_csv(tmp_path / "r.csv", BOOTHS)), stdout=io.StringIO(), verbosity=0)
    assert Unit.objects.filter(level__code="state").count() == 1
    assert Unit.objects.filter(level__code="booth", path__startswith=Unit.objects.get(code="RJ").path).count() == 3


@pytest.mark.slow
def test_from_a_new_empty_database_migrate_and_import_units_is_all_it_takes(tmp_path):
    """The proof of the issue: a new SQLite database, `sangathan migrate`, `sangathan import-units FILE`."""
    path = write_csv(tmp_path / "rajasthan.csv", BOOTHS)
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE")},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
    }

    def run(*args):
        return subprocess.run(  # noqa: S603 - our own console script
            [sys.executable, "-m", "sangathan", *args], env=env, capture_output=True, text=True, check=False
        )

    migrated = run("migrate", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr
    imported = run("import-units", str(path), "--verbosity", "0")
    assert imported.returncode == 0, imported.stdout + imported.stderr
    counted = run("shell", "-c", "from sangathan.org.models import Unit; print(Unit.objects.count())")
    assert counted.stdout.split()[-1] == str(
        1 + 1 + 2 + 2 + 2 + 3
    )  # nation, state, 2 districts, 2 ACs, 2 blocks, 3 booths
