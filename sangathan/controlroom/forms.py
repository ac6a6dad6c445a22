"""The daily report form (public, from the personal link). Its rules are the services' own
(``check_day``, ``check_counts``, ``check_links``, ``check_note``), so the form and the service never differ."""

import datetime

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from sangathan.controlroom import services
from sangathan.controlroom.errors import ControlRoomError
from sangathan.controlroom.links import split_urls
from sangathan.controlroom.models import COUNTERS, NOTE_MAX


def _number(label):
    return forms.CharField(
        label=label,
        required=False,
        max_length=7,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off", "placeholder": "0"}
        ),
    )


class ReportForm(forms.Form):
    # A plain field with a list to choose from: a day outside the list (an edited form) gets the rule's own
    # message ("not a day that has come", "only the last 3 days"), not "not one of the choices".
    day = forms.CharField(label=_("Day"), widget=forms.Select)
    posts = _number(_("Posts made"))
    shares = _number(_("Party messages shared"))
    groups_messaged = _number(_("WhatsApp groups messaged"))
    people_added = _number(_("People added"))
    events = _number(_("Events held"))
    urls = forms.CharField(
        label=_("Links to your posts"),
        required=False,
        max_length=12000,
        help_text=_(
            "Paste each post's link on its own line (X, Facebook, Instagram, YouTube, WhatsApp channel, Telegram)."
        ),
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false", "inputmode": "url"}),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": NOTE_MAX}),
    )

    def __init__(self, *args, today: datetime.date, started: datetime.date | None, days: list[datetime.date], **kwargs):
        super().__init__(*args, **kwargs)
        self.today, self.started = today, started
        self.fields["day"].widget.choices = [(day.isoformat(), day_label(day, today)) for day in days]

    def clean_day(self) -> datetime.date:
        try:
            return parse_day(self.cleaned_data.get("day", ""), today=self.today, started=self.started)
        except ControlRoomError as error:
            raise forms.ValidationError(error.messages, code=error.code) from None

    def clean(self):
        data = super().clean()
        if not self.is_bound:
            return data
        for name in COUNTERS:
            try:
                data[name] = services.check_counts({name: self.data.get(name, "")})[name]
            except ControlRoomError as error:
                self.add_error(name, error)
        try:
            data["links"] = services.check_links(split_urls(self.data.get("urls", "")))
        except ControlRoomError as error:
            self.add_error("urls", error)
        try:
            data["note"] = services.check_note(self.data.get("note", ""))
        except ControlRoomError as error:
            self.add_error("note", error)
        return data


def day_label(day: datetime.date, today: datetime.date) -> str:
    when = formats.date_format(day, "j F")
    if day == today:
        return str(_("Today, %(date)s") % {"date": when})
    if day == today - datetime.timedelta(days=1):
        return str(_("Yesterday, %(date)s") % {"date": when})
    return when


def parse_day(value: str, *, today: datetime.date, started: datetime.date | None) -> datetime.date:
    """The day of a submitted report, by the services' rule; ``ControlRoomError`` with its message otherwise."""
    try:
        day = datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        raise ControlRoomError(_("Choose the day of the report."), code="bad_day") from None
    services.check_day(day, today=today, started=started)
    return day
