"""A small server-drawn SVG line chart of progress over time: no JavaScript, no library from a CDN."""

import datetime

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from sangathan.planning import kinds

WIDTH, HEIGHT = 320, 120
LEFT, RIGHT, TOP, BOTTOM = 30, 8, 8, 20
COLOURS = {"appointed": "#1f6f5c", "trained": "#c77700", "channels": "#2b59c3"}
DASHES = {"appointed": "", "trained": "6 3", "channels": "2 3"}


def _colour(kind: str) -> str:
    registered = kinds.get(kind)
    return COLOURS.get(kind) or (registered.colour if registered else "#555")


def _dash(kind: str) -> str:
    registered = kinds.get(kind)
    return DASHES.get(kind, registered.dash if registered else "")


def progress_chart(
    series: dict[str, list[tuple[datetime.date, int, int]]],
    *,
    deadlines: dict[str, datetime.date],
    labels: dict[str, str],
    title: str,
) -> str:
    """Lines of percent done per kind, a dashed mark at each deadline in range. ``series``: kind ->
    [(date, done, total)] in date order. Returns '' when there are fewer than two days to draw."""
    dates = sorted({date for points in series.values() for date, _d, _t in points})
    if len(dates) < 2:
        return ""
    first, last = dates[0], dates[-1]
    for deadline in deadlines.values():
        if first <= deadline <= last + datetime.timedelta(days=30):
            last = max(last, deadline)
    span = max((last - first).days, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(date: datetime.date) -> float:
        return LEFT + plot_w * (date - first).days / span

    def y(percent: float) -> float:
        return TOP + plot_h * (1 - percent / 100)

    parts = [
        format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" class="axis"/>', LEFT, y(0), WIDTH - RIGHT, y(0)),
        format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" class="grid"/>', LEFT, y(50), WIDTH - RIGHT, y(50)),
        format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" class="grid"/>', LEFT, y(100), WIDTH - RIGHT, y(100)),
        format_html('<text x="{}" y="{}" class="tick" text-anchor="end">100%</text>', LEFT - 3, y(100) + 4),
        format_html('<text x="{}" y="{}" class="tick" text-anchor="end">50%</text>', LEFT - 3, y(50) + 4),
        format_html('<text x="{}" y="{}" class="tick" text-anchor="end">0</text>', LEFT - 3, y(0) + 4),
        format_html('<text x="{}" y="{}" class="tick">{}</text>', LEFT, HEIGHT - 4, first.strftime("%d.%m")),
        format_html(
            '<text x="{}" y="{}" class="tick" text-anchor="end">{}</text>',
            WIDTH - RIGHT,
            HEIGHT - 4,
            last.strftime("%d.%m"),
        ),
    ]
    for kind, deadline in deadlines.items():
        if first <= deadline <= last:
            parts.append(
                format_html(
                    '<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" stroke="{colour}" class="deadline">'
                    "<title>{label}: {date}</title></line>",
                    x=f"{x(deadline):.1f}",
                    top=TOP,
                    bottom=y(0),
                    colour=_colour(kind),
                    label=labels.get(kind, kind),
                    date=deadline.strftime("%d.%m.%Y"),
                )
            )
    for kind, points in series.items():
        if not points:
            continue
        coords = " ".join(f"{x(date):.1f},{y(100 * done / total if total else 0):.1f}" for date, done, total in points)
        _date, done, total = points[-1]
        parts.append(
            format_html(
                '<polyline points="{}" fill="none" stroke="{}" stroke-width="2" stroke-dasharray="{}">'
                "<title>{}: {}/{}</title></polyline>",
                coords,
                _colour(kind),
                _dash(kind),
                labels.get(kind, kind),
                done,
                total,
            )
        )
    legend = format_html_join(
        "",
        '<span class="legend-item"><svg width="18" height="6" aria-hidden="true"><line x1="0" y1="3" x2="18" y2="3" '
        'stroke="{}" stroke-width="2" stroke-dasharray="{}"/></svg> {}</span>',
        ((_colour(kind), _dash(kind), labels.get(kind, kind)) for kind in series),
    )
    svg = format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" preserveAspectRatio="xMinYMin meet">{}</svg>',
        WIDTH,
        HEIGHT,
        title,
        mark_safe("".join(parts)),  # noqa: S308 - every part is built with format_html
    )
    return format_html('<figure class="chart-box">{}<figcaption class="legend">{}</figcaption></figure>', svg, legend)
