"""The membership pages' pictures, drawn on the server: coloured bars (widths and tones) and the growth
chart as inline SVG geometry (no script, no CDN; a 360-px phone draws it as well as a desktop)."""

from dataclasses import dataclass

from sangathan.membership.selectors import Day

GOOD_AT, FAIR_AT = 100.0, 50.0  # per cent of the target: green from the target on, amber from half of it


def tone(percent: float) -> str:
    """The colour class of a bar for ``percent`` of the target."""
    if percent >= GOOD_AT:
        return "good"
    return "fair" if percent >= FAIR_AT else "poor"


def width(percent: float) -> float:
    """A bar's fill width in per cent (a bar past its target is full)."""
    return round(min(max(percent, 0.0), 100.0), 1)


@dataclass
class Column:
    day: Day
    x: float
    width: float
    gained_y: float
    gained_height: float
    lost_height: float


@dataclass
class Growth:
    """A bar chart of a series of days: members gained above the middle line, members lost below it."""

    columns: list[Column]
    width: int
    height: int
    middle: float
    top: int  # the largest day, for the scale's label
    gained: int
    lost: int


def growth_chart(series: list[Day], *, width: int = 600, height: int = 140) -> Growth:
    """Geometry of the growth chart in a ``width`` × ``height`` view box. The line sits where the largest
    loss leaves room below it (at least a fifth of the height: a drive mostly grows)."""
    top = max([d.gained for d in series] + [d.lost for d in series] + [1])
    most_lost = max([d.lost for d in series] + [0])
    below = max(0.2, min(0.5, most_lost / (top * 2) if top else 0.2))
    middle = round(height * (1 - below), 1)
    step = width / max(len(series), 1)
    gap = min(2.0, step / 4)
    columns = []
    for n, day in enumerate(series):
        up = round((middle - 4) * day.gained / top, 1)
        down = round((height - middle - 2) * day.lost / top, 1)
        columns.append(
            Column(
                day=day,
                x=round(n * step + gap / 2, 1),
                width=round(step - gap, 1),
                gained_y=round(middle - up, 1),
                gained_height=up,
                lost_height=down,
            )
        )
    return Growth(
        columns=columns,
        width=width,
        height=height,
        middle=middle,
        top=top,
        gained=sum(d.gained for d in series),
        lost=sum(d.lost for d in series),
    )
