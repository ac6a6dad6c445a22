"""Forms of the training pages: a camp, a bulk plan, an invitee by mobile, the public check-in.

Choices are limited to what the user may manage (``MANAGE_TRAINING``); the services check the rules.
"""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sangathan.access.permissions import MANAGE_TRAINING
from sangathan.org.errors import OrgError
from sangathan.org.models import Level, Person, Unit
from sangathan.org.phones import normalise_mobile
from sangathan.recruitment.forms_public import PlainTextField
from sangathan.training import codes
from sangathan.training.models import Module, Programme

# Camps are hosted by units down to the block; a select longer than this is cut (with a note).
HOST_LEVEL_CODE = "block"
MAX_UNIT_CHOICES = 800


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        indent = "\u00a0\u00a0" * max(obj.depth - 1, 0)
        return f"{indent}{obj.level.name}: {obj.display_name}"


def host_units(user, *, deepest: Level | None = None, above: bool = False):
    """Units the user may run camps at, down to ``deepest`` (the block level) or strictly above it."""
    units = Unit.objects.restrict(user, MANAGE_TRAINING).select_related("level")
    if deepest is not None:
        units = units.filter(level__order__lt=deepest.order) if above else units.filter(level__order__lte=deepest.order)
    return units.order_by("path")


def _block_level() -> Level | None:
    return Level.objects.filter(code=HOST_LEVEL_CODE).first()


def _limit_choices(field: forms.ModelChoiceField) -> bool:
    """Show at most MAX_UNIT_CHOICES units in the select (validation still uses the whole queryset)."""
    units = list(field.queryset[: MAX_UNIT_CHOICES + 1])
    cut = len(units) > MAX_UNIT_CHOICES
    field.choices = [("", "---------")] + [(u.pk, field.label_from_instance(u)) for u in units[:MAX_UNIT_CHOICES]]
    return cut


def trainer_mobiles(text: str) -> list[str]:
    """The numbers typed into a trainers field, one per line or comma."""
    return [line.strip() for line in (text or "").replace(",", "\n").splitlines() if line.strip()]


def _camp_times(form: forms.Form, data: dict) -> None:
    """A camp's ``starts_at`` and ``ends_at`` from its day and two times (in the current time zone), into
    ``data``; an end before the start is an error on the form."""
    zone = timezone.get_current_timezone()
    if data.get("day") and data.get("start") and data.get("end"):
        data["starts_at"] = datetime.datetime.combine(data["day"], data["start"], tzinfo=zone)
        data["ends_at"] = datetime.datetime.combine(data["day"], data["end"], tzinfo=zone)
        if data["ends_at"] <= data["starts_at"]:
            form.add_error("end", gettext("The camp must end after it starts."))


class CampForm(forms.Form):
    programme = forms.ModelChoiceField(Programme.objects.all(), label=_("Programme"))
    host_unit = UnitChoiceField(Unit.objects.none(), label=_("Host unit"))
    venue = forms.CharField(label=_("Venue"), max_length=255)
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start = forms.TimeField(label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end = forms.TimeField(label=_("Ends at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    modules = forms.ModelMultipleChoiceField(
        Module.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Modules covered"),
        help_text=_("Tick none if the camp covers the whole programme."),
    )
    capacity = forms.IntegerField(label=_("Capacity"), required=False, min_value=1, max_value=100000)
    allow_walk_ins = forms.BooleanField(label=_("Allow walk-ins (people not invited)"), required=False)
    trainers = forms.CharField(
        label=_("Trainers' mobile numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line. Trainers may come from anywhere, e.g. the national team."),
    )
    invite_appointees = forms.BooleanField(
        label=_("Invite the appointees of the area who are not yet trained"), required=False, initial=True
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host_unit"].queryset = host_units(user, deepest=_block_level())
        self.units_cut = _limit_choices(self.fields["host_unit"])
        modules = Module.objects.select_related("programme").order_by("programme", "order")
        self.fields["modules"].queryset = modules
        several = Programme.objects.count() > 1
        minutes = gettext("%(n)s min")

        def label(module: Module) -> str:
            text = f"{module.name} ({minutes % {'n': module.expected_minutes}})"
            return f"{module.programme.name}: {text}" if several else text

        self.fields["modules"].label_from_instance = label

    def clean_trainers(self) -> list[Person]:
        people = []
        for raw in trainer_mobiles(self.cleaned_data.get("trainers", "")):
            try:
                mobile = normalise_mobile(raw)
            except OrgError as error:
                raise forms.ValidationError(error.messages[0]) from None
            person = Person.objects.filter(mobile=mobile).first()
            if person is None:
                raise forms.ValidationError(
                    gettext("Nobody is registered with the mobile number %(mobile)s.") % {"mobile": raw}
                )
            people.append(person)
        return people

    def clean(self):
        data = super().clean()
        _camp_times(self, data)
        programme = data.get("programme")
        if programme and any(m.programme_id != programme.pk for m in data.get("modules") or []):
            self.add_error("modules", gettext("Choose modules of the chosen programme only."))
        return data


class CampEditForm(forms.Form):
    venue = forms.CharField(label=_("Venue"), max_length=255)
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start = forms.TimeField(label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end = forms.TimeField(label=_("Ends at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    capacity = forms.IntegerField(label=_("Capacity"), required=False, min_value=1, max_value=100000)
    trainers = CampForm.base_fields["trainers"]
    clean_trainers = CampForm.clean_trainers

    def clean(self):
        data = super().clean()
        _camp_times(self, data)
        return data

    @classmethod
    def initial_for(cls, camp) -> dict:
        starts, ends = timezone.localtime(camp.starts_at), timezone.localtime(camp.ends_at)
        return {
            "venue": camp.venue,
            "day": starts.date(),
            "start": starts.time().replace(second=0, microsecond=0),
            "end": ends.time().replace(second=0, microsecond=0),
            "capacity": camp.capacity,
            "trainers": "\n".join(person.mobile for person in camp.trainers.all()),
        }


class BulkPlanForm(forms.Form):
    programme = forms.ModelChoiceField(Programme.objects.all(), label=_("Programme"))
    parent = UnitChoiceField(Unit.objects.none(), label=_("Area"), help_text=_("E.g. a district."))
    level = forms.ModelChoiceField(Level.objects.none(), label=_("One camp in every"))
    week_start = forms.DateField(
        label=_("In the week starting"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    days = forms.TypedChoiceField(
        label=_("Spread over how many days"),
        coerce=int,
        initial=6,
        choices=[(n, str(n)) for n in range(1, 8)],
    )
    start = forms.TimeField(
        label=_("Starts at"), initial=datetime.time(10), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    hours = forms.DecimalField(
        label=_("Hours"), min_value=0.25, max_value=24, decimal_places=2, initial=5, max_digits=4
    )
    venue = forms.CharField(label=_("Venue"), max_length=255, initial="", help_text=_("E.g. the block office."))
    capacity = forms.IntegerField(label=_("Capacity of each camp"), required=False, min_value=1, max_value=100000)
    trainers = CampForm.base_fields["trainers"]
    clean_trainers = CampForm.clean_trainers
    allow_walk_ins = forms.BooleanField(label=_("Allow walk-ins (people not invited)"), required=False)
    invite_appointees = forms.BooleanField(
        label=_("Invite the appointees of the area who are not yet trained"), required=False, initial=True
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        block = _block_level()
        self.fields["parent"].queryset = host_units(user, deepest=block, above=True)
        self.units_cut = _limit_choices(self.fields["parent"])
        if len(self.fields["parent"].choices) > 1 and not self.initial.get("parent"):
            self.initial["parent"] = self.fields["parent"].choices[1][0]  # the user's own (highest) unit
        self.fields["level"].queryset = Level.objects.filter(order__gt=Level.objects.order_by("order").first().order)
        if block is not None:
            self.fields["level"].initial = block.pk

    def clean(self):
        data = super().clean()
        parent, level = data.get("parent"), data.get("level")
        if parent and level and level.order <= parent.level.order:
            self.add_error("level", gettext("Choose a level below the area."))
        return data


class InviteForm(forms.Form):
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=25,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )


class WalkInForm(forms.Form):
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=25,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    name = forms.CharField(label=_("Name (if new)"), max_length=120, required=False)


class CheckInForm(forms.Form):
    """The QR page: the invitee's mobile number and the personal code from their invitation message."""

    mobile = forms.CharField(
        label=_("Your mobile number"),
        max_length=25,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "98XXX XXXXX"}),
    )
    code = forms.CharField(
        label=_("Your personal check-in code"),
        max_length=20,
        help_text=_("6 letters and digits, in your invitation message."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "K7M4QP",
                "class": "code-input",
            }
        ),
    )

    def clean_code(self) -> str:
        # Only the shape is checked here; whether it is the right code is the service's answer, the same
        # for every number.
        value = self.cleaned_data["code"]
        if not codes.well_formed(value):
            raise forms.ValidationError(
                gettext("Enter the 6-character code from your invitation message (letters and digits)."),
                code="code_format",
            )
        return codes.normalise(value)


class WalkInRequestForm(forms.Form):
    """The QR page of a camp that takes walk-ins: ask the trainer to be let in."""

    # Plain text: invisible and control characters dropped, HTML refused (the trainer reads it on the roll call).
    name = PlainTextField(
        label=_("Your name"), max_length=120, required=True, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    mobile = forms.CharField(
        label=_("Your mobile number"),
        max_length=25,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "98XXX XXXXX"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "join")
        super().__init__(*args, **kwargs)
