"""Reading the export files people download from the platforms today into one day's numbers per row
(``read_activity_file(data) -> ActivityFile``). Writing them is ``services.snapshots_import``.

The files, as the platforms make them (samples in ``sangathan/channels/tests/data/``):

Meta Business Suite (Insights → Export data), one CSV per metric
    ``sep=,`` on line 1, the metric's title on line 2 ("Facebook reach", "Instagram views", "Facebook
    followers", "Facebook follows"), then ``"Date","Primary"`` and one row per day
    (``2026-12-01T00:00:00``). The title says the platform (Facebook or Instagram) and the metric: reach,
    views or impressions (stored as impressions), followers (the total), follows (new follows that day).
Facebook Page Insights "Page data" export (the older one, still made for Pages)
    Row 1 the headings (Date, Lifetime Total Likes, Daily Total Reach, Daily Total Impressions, ...), row 2 a
    description of each, then a row per day.
X analytics (Analytics → Account overview → Export)
    Date ("Sat, Dec 05, 2026"), Impressions, Likes, Engagements, ..., New follows, Unfollows, ..., Create Post;
    the older "tweet activity" export has Date and Tweets published, impressions, ...
YouTube Studio (Analytics → Advanced mode → Export: "Totals" CSV or Excel)
    Date, Views, Watch time (hours), Subscribers (the net change that day), or Subscribers gained and
    Subscribers lost, Impressions, Unique viewers, Videos published; a "Total" row is skipped.

Columns a platform adds that we do not store are ignored, not refused: their exports change often and carry
dozens of columns. A file must have a date column and at least one column we store.

Which channel a file is for: the files name no account (Meta's and YouTube's carry none, X's neither), so the
caller names the channel (``sangathan import-activity FILE --channel ID``). The file's platform must be the
channel's (a YouTube export cannot go on an X account).
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from sangathan.channels.choices import Platform
from sangathan.channels.platforms.base import DayNumbers
from sangathan.core.importing import SheetReport, data_rows
from sangathan.core.spreadsheets import Limits, SpreadsheetError, cell_date, cell_text, header_key, read_table

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5_000  # thirteen years of days
LIMITS = Limits(max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
COUNT_MAX = 2**31 - 1  # the snapshot's integer columns on PostgreSQL (a bigger number was a 500; no account has it)
PREAMBLE_ROWS = 6  # rows looked at for the heading row (Meta's sep= line and title come first)

META, X, YOUTUBE = "meta", "x", "youtube"
FORMAT_LABELS = {META: "Meta Business Suite", X: "X analytics", YOUTUBE: "YouTube Studio"}
FORMAT_PLATFORMS = {
    META: (Platform.FACEBOOK_PAGE, Platform.INSTAGRAM),
    X: (Platform.X,),
    YOUTUBE: (Platform.YOUTUBE,),
}
DATE_KEYS = ("date", "day", "तारीख", "तिथि", "दिनांक")
SKIPPED_DATES = ("total", "totals", "कुल")

# header_key of a heading -> (field, sign); fields are DayNumbers' (followers_change adds up signed parts).
X_COLUMNS = {
    "impressions": ("impressions", 1),
    "create_post": ("posts", 1),
    "tweets_published": ("posts", 1),
    "posts_published": ("posts", 1),
    "new_follows": ("followers_change", 1),
    "unfollows": ("followers_change", -1),
}
YOUTUBE_COLUMNS = {
    "subscribers": ("followers_change", 1),
    "subscribers_gained": ("followers_change", 1),
    "subscribers_lost": ("followers_change", -1),
    "impressions": ("impressions", 1),
    "unique_viewers": ("reach", 1),
    "videos_published": ("posts", 1),
    "videos_added": ("posts", 1),
}
FACEBOOK_PAGE_COLUMNS = {
    "lifetime_total_likes": ("followers", 1),
    "lifetime_total_followers": ("followers", 1),
    "daily_total_reach": ("reach", 1),
    "daily_total_impressions": ("impressions", 1),
}
# Meta Business Suite's metric titles: the last word(s) of the title -> field
META_TITLES = (
    ("followers", "followers"),
    ("follows", "followers_change"),
    ("reach", "reach"),
    ("impressions", "impressions"),
    ("views", "impressions"),
)
X_MARKERS = {"create_post", "tweets_published", "new_follows", "unfollows", "engagements", "profile_visits"}
YOUTUBE_MARKERS = {"subscribers", "subscribers_gained", "subscribers_lost", "watch_time_hours", "unique_viewers"}


@dataclass(kw_only=True)
class ActivityFile(SheetReport):
    """What a file holds: its format, the platforms it can be for, one ``DayNumbers`` per day, problems by row."""

    kind: str = ""
    platforms: tuple[str, ...] = ()
    days: list[DayNumbers] = field(default_factory=list)

    @property
    def label(self) -> str:
        return FORMAT_LABELS.get(self.kind, "")


_NUMBER = re.compile(r"-?\d+(?:\.0+)?")
_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
_EXTRA_DATE_FORMATS = ("%a, %b %d, %Y", "%b %d, %Y", "%d %b %Y", "%Y-%m-%d %H:%M %z", "%m/%d/%Y")


def _number(value, *, signed: bool) -> int:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(value)
        number = int(value)
    else:
        text = cell_text(value).translate(_DEVANAGARI_DIGITS).replace(",", "").replace(" ", "")
        if not _NUMBER.fullmatch(text):
            raise ValueError(value)
        number = int(float(text)) if "." in text else int(text)
    if (number < 0 and not signed) or abs(number) > COUNT_MAX:
        raise ValueError(value)
    return number


def _date(value) -> datetime.date:
    try:
        return cell_date(value)
    except ValueError:
        pass
    text = cell_text(value)
    try:
        return datetime.datetime.fromisoformat(text).date()  # Meta: 2026-12-01T00:00:00
    except ValueError:
        pass
    for fmt in _EXTRA_DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise ValueError(text)


def _find_header(rows) -> tuple[int, list[str], list[str]]:
    """(row number, headings, the one-cell rows before it: Meta's title) of the first row with a date column."""
    before: list[str] = []
    for row_no, cells in rows:
        texts = [cell_text(c) for c in cells]
        if any(header_key(t) in DATE_KEYS for t in texts):
            return row_no, texts, before
        filled = [t for t in texts if t]
        if len(filled) == 1 and not filled[0].lower().startswith("sep="):
            before.append(filled[0])
        if row_no >= PREAMBLE_ROWS:
            break
    raise SpreadsheetError(_("No “Date” column was found in the first rows. Is this a platform's export file?"))


def _columns(keys: list[str], title: str) -> tuple[str, tuple[str, ...], dict[int, tuple[str, int]]]:
    """The file's kind, its platforms and {column index: (field, sign)}."""
    present = set(keys)
    if present & X_MARKERS:
        return X, FORMAT_PLATFORMS[X], {i: X_COLUMNS[k] for i, k in enumerate(keys) if k in X_COLUMNS}
    if present & YOUTUBE_MARKERS or "views" in present and "primary" not in present:
        columns = {i: YOUTUBE_COLUMNS[k] for i, k in enumerate(keys) if k in YOUTUBE_COLUMNS}
        if "subscribers" in present:  # the net change is given: the gained/lost parts would count it twice
            columns = {i: c for i, c in columns.items() if keys[i] not in ("subscribers_gained", "subscribers_lost")}
        return YOUTUBE, FORMAT_PLATFORMS[YOUTUBE], columns
    if present & set(FACEBOOK_PAGE_COLUMNS):
        columns = {i: FACEBOOK_PAGE_COLUMNS[k] for i, k in enumerate(keys) if k in FACEBOOK_PAGE_COLUMNS}
        return META, (Platform.FACEBOOK_PAGE,), columns
    if "primary" in present and title:
        title_key = header_key(title)
        platforms = FORMAT_PLATFORMS[META]
        if title_key.startswith("instagram"):
            platforms = (Platform.INSTAGRAM,)
        elif title_key.startswith("facebook"):
            platforms = (Platform.FACEBOOK_PAGE,)
        for ending, name in META_TITLES:
            if title_key.endswith(ending):
                return META, platforms, {keys.index("primary"): (name, 1)}
        raise SpreadsheetError(
            _("The metric “%(title)s” is not one we keep. Export reach, views, followers or follows.")
            % {"title": title}
        )
    return "", (), {}


def read_activity_file(data: bytes, *, progress: Callable[[int, int], None] | None = None) -> ActivityFile:
    """Read an export file (CSV or .xlsx). Every row is checked; ``report.ok`` says whether it can be imported."""
    report = ActivityFile()
    try:
        table = read_table(data, LIMITS)
        report.file_format = table.format
        rows = [(1, list(table.header)), *table.rows]  # at most MAX_ROWS short rows
        header_row, header, before = _find_header(rows)
        keys = [header_key(h) for h in header]
        report.kind, report.platforms, columns = _columns(keys, before[-1] if before else "")
        if not report.kind or not columns:
            raise SpreadsheetError(
                _(
                    "This file has no column we keep. Export the daily numbers from Meta Business Suite, "
                    "X analytics or YouTube Studio, with the dates in rows."
                )
            )
        date_index = next(i for i, k in enumerate(keys) if k in DATE_KEYS)
        later = [(row_no, cells) for row_no, cells in rows if row_no > header_row]
        _read_rows(report, later, header, date_index, columns, progress)
    except SpreadsheetError as error:
        report.add_error(error.row, "", str(error))
    if report.ok and not report.days:
        report.add_no_data_rows()
    return report


def _read_rows(report: ActivityFile, rows, header: list[str], date_index: int, columns, progress) -> None:
    seen: dict[datetime.date, int] = {}
    today = timezone.localdate()
    first = True
    for done, (row_no, cells) in enumerate(data_rows(rows, report), start=1):
        if progress is not None and (done % 100 == 0 or done == len(rows)):
            progress(done, len(rows))
        cells = list(cells) + [None] * (len(header) - len(cells))
        raw_date = cells[date_index]
        if first and not cell_text(raw_date):  # the "Page data" export's row of descriptions
            report.rows_total -= 1
            first = False
            continue
        first = False
        if header_key(raw_date) in SKIPPED_DATES:
            report.rows_total -= 1
            continue
        try:
            day = _date(raw_date)
        except ValueError:
            report.add_error(
                row_no, header[date_index], _("“%(value)s” is not a date.") % {"value": cell_text(raw_date)[:40]}
            )
            continue
        if day > today:
            report.add_error(row_no, header[date_index], _("%(day)s is in the future.") % {"day": day.isoformat()})
            continue
        if day in seen:
            report.add_error(
                row_no,
                header[date_index],
                _("%(day)s is also in row %(row)d. Each day once.") % {"day": day.isoformat(), "row": seen[day]},
            )
            continue
        seen[day] = row_no
        numbers = DayNumbers(day=day)
        ok = True
        for index, (name, sign) in columns.items():
            value = cells[index]
            if not cell_text(value):
                continue
            try:
                number = _number(value, signed=name == "followers_change" and sign > 0)
            except ValueError:
                report.add_error(
                    row_no,
                    header[index],
                    _("“%(value)s” is not a count.") % {"value": cell_text(value)[:40]},
                )
                ok = False
                continue
            if name == "followers_change":
                numbers.followers_change = (numbers.followers_change or 0) + sign * number
            else:
                setattr(numbers, name, number)
        if ok:
            report.days.append(numbers)
