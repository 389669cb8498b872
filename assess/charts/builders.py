"""Altair chart builders (plain data -> chart spec) and drawing with vl-convert.

Only the renderer process imports this module (`assess/charts/renderer.py`): Altair and
vl-convert are the heaviest things assess loads, and web workers need neither. Vega-Lite has no
polar lines, so a radar chart is drawn on plain x/y scales: `radar_frame`, `radar_outline` and
`radar_grid` work out the positions in pandas, `radar_chart` layers simple marks over them.
`draw` turns a `Chart` (kind and inputs, see `assess/charts/__init__.py`) into SVG or PNG bytes.
"""

from __future__ import annotations

import html
import json
import math
import textwrap
from dataclasses import dataclass
from typing import Final, Literal, cast

import altair as alt
import pandas as pd
import vl_convert

from assess.charts import Chart, Series

FONT = "Arial, Liberation Sans, Helvetica, sans-serif"
TEXT = "#0b0c0c"  # GOV.UK text colour
SECONDARY_TEXT = "#505a5f"
GRID = "#b1b4b6"  # light grey: rings and spokes are guides, not data

# One style per series, in the order given (team, council average, previous round, target, and
# the readiness review beside the readiness areas).
# Okabe-Ito colours, each at least 3:1 against white; dash and shape differ too, so colour is
# never the only cue. The first series (the team) is also filled; the others are outlines.
STYLES = (
    ("#0072B2", [1, 0], "circle"),  # solid, filled
    ("#D55E00", [8, 4], "square"),  # dashed
    ("#009E73", [2, 3], "triangle-up"),  # dotted
    ("#000000", [14, 4, 2, 4], "diamond"),  # dash-dot
    ("#CC79A7", [12, 3], "cross"),  # long dashes
)
FILL_OPACITY = 0.2  # the team's area: a tint under its line, the line carries the contrast

# Text size. An SVG in an <img> scales with the picture, so its text is drawn at
# font size x displayed width / RADAR_WIDTH. The pages never draw a radar narrower than
# NARROWEST_DISPLAY: the column of a 360 px phone less GOV.UK's 15 px margins; below that the
# figure keeps this width and scrolls sideways (`.app-figure--radar` in frontend/assess.scss).
# So every font size here is at least 12 x RADAR_WIDTH / NARROWEST_DISPLAY, which keeps all
# text at 12 px or more wherever it is shown, and at 18 px when drawn at its natural size.
RADAR_WIDTH = 480  # pixels, the whole SVG, padding included
NARROWEST_DISPLAY = 330
PADDING = 10
FONT_SIZE = math.ceil(12 * RADAR_WIDTH / NARROWEST_DISPLAY)  # 18: labels, numbers, legend
TITLE_SIZE = FONT_SIZE + 4
RADAR_LINE_HEIGHT = round(FONT_SIZE * 1.2)
# Bold Arial averages about 0.5em a character over words; layout assumes 0.55em, to spare.
CHAR_WIDTH = 0.55 * FONT_SIZE
WRAP = 12  # characters per line of an axis label ("intelligence" is the longest word so far)

LABEL_RADIUS = 1.08  # axis labels sit just beyond the outer ring
PX = math.floor(((RADAR_WIDTH / 2 - PADDING) - WRAP * CHAR_WIDTH) / LABEL_RADIUS)  # px per unit
X_EXTENT = (RADAR_WIDTH / 2 - PADDING) / PX  # room either side of the centre, in units
LINE_HEIGHT = 16  # pixels, for the heatmap's 12-13px headings
LEGEND_ROW = (FONT_SIZE + 10) / PX
MARGIN = 0.12


class ChartError(ValueError):
    """Data that cannot be drawn as asked."""


Align = Literal["left", "center", "right"]  # where radar_grid anchors an axis label
Baseline = Literal["top", "middle", "bottom"]


@dataclass(frozen=True)
class RadarGrid:
    """The guides behind the data, one frame per layer, and how far they reach up and down."""

    rings: pd.DataFrame  # level, order, x, y: a polygon per scale level
    spokes: pd.DataFrame  # axis, order, x, y: centre -> outer ring
    axis_labels: pd.DataFrame  # axis, label, text (wrapped), x, y, align, baseline
    level_labels: pd.DataFrame  # level, text, x, y: along the first spoke
    top: float
    bottom: float


def _point(index: int, count: int, radius: float) -> tuple[float, float]:
    """x, y of a radius on axis `index`: the first axis points straight up, then clockwise."""
    angle = 2 * math.pi * index / count
    return radius * math.sin(angle), radius * math.cos(angle)


def _check_axes(axes: list[tuple[str, str]]) -> None:
    if len(axes) < 3:
        raise ChartError(f"a radar chart needs at least 3 axes, not {len(axes)}")


def radar_frame(
    axes: list[tuple[str, str]], series: list[Series], scale: tuple[int, ...]
) -> pd.DataFrame:
    """One row per scored (series, axis) point; radius = score / top level, so the top level
    is the outer ring and level 1 the inner one.

    A None score is left out of its series, never drawn as 0. Keys that are not axes are ignored.
    """
    _check_axes(axes)
    low, top = min(scale), max(scale)
    rows = []
    for s in series:
        for index, (key, label) in enumerate(axes):
            score = s.scores.get(key)
            if score is None:
                continue
            if not low <= score <= top:
                raise ChartError(f"{s.name}: score {score} for '{label}' is outside {low}-{top}")
            rows.append(
                (s.name, key, label, float(score), index, *_point(index, len(axes), score / top))
            )
    return pd.DataFrame(rows, columns=["series", "axis", "label", "score", "order", "x", "y"])


def radar_outline(points: pd.DataFrame, count: int) -> pd.DataFrame:
    """Each series' path from the first axis round to it again (order 0..count).

    A missing score is a null point, where Vega breaks the line: a gap says "no score", where
    joining the neighbours would draw a dent that reads as a low score.
    """
    rows = []
    for name, group in points.groupby("series", sort=False):
        at = {row.order: (row.x, row.y) for row in group.itertuples()}
        rows += [(name, order, *at.get(order % count, (None, None))) for order in range(count + 1)]
    return pd.DataFrame(rows, columns=["series", "order", "x", "y"])


def radar_fill(points: pd.DataFrame, count: int) -> pd.DataFrame:
    """The area a series encloses, as polygons (part, order, x, y) to fill under its line.

    Only wedges between two scored neighbours are filled, so the fill stops where the line
    breaks: filling across a missing score would suggest one.
    """
    at = {row.order: (row.x, row.y) for row in points.itertuples()}
    if len(at) == count:
        return pd.DataFrame(
            [(0, order, *at[order]) for order in range(count)], columns=["part", "order", "x", "y"]
        )
    rows = []
    for index in range(count):
        following = (index + 1) % count
        if index in at and following in at:
            wedge = [(0.0, 0.0), at[index], at[following]]
            rows += [(index, order, x, y) for order, (x, y) in enumerate(wedge)]
    return pd.DataFrame(rows, columns=["part", "order", "x", "y"])


def radar_grid(axes: list[tuple[str, str]], scale: tuple[int, ...]) -> RadarGrid:
    """Rings at each level, spokes, axis labels beyond the outer ring, level numbers."""
    _check_axes(axes)
    top, count = max(scale), len(axes)
    rings = pd.DataFrame(
        [(level, i, *_point(i, count, level / top)) for level in scale for i in range(count)],
        columns=["level", "order", "x", "y"],
    )
    spokes = pd.DataFrame(
        [(key, end, *_point(i, count, end)) for i, (key, _) in enumerate(axes) for end in (0, 1)],
        columns=["axis", "order", "x", "y"],
    )
    labels, highest, lowest = [], 1.0, -1.0
    for i, (key, label) in enumerate(axes):
        x, y = _point(i, count, LABEL_RADIUS)
        align = "center" if abs(x) < 0.01 else ("left" if x > 0 else "right")
        baseline = "bottom" if y > 0.5 else ("top" if y < -0.5 else "middle")
        lines = textwrap.wrap(label, WRAP, break_long_words=False)
        # Vega writes lines 2.. below the first, so anchor the whole block: its top edge is
        # where the rest of a label above, beside or below the ring would be
        share = {"bottom": 1.0, "middle": 0.5, "top": 0.0}[baseline]
        block_top = y + share * len(lines) * RADAR_LINE_HEIGHT / PX
        y = block_top - share * RADAR_LINE_HEIGHT / PX
        highest = max(highest, block_top)
        lowest = min(lowest, block_top - len(lines) * RADAR_LINE_HEIGHT / PX)
        labels.append((key, label, "\n".join(lines), x, y, align, baseline))
    axis_labels = pd.DataFrame(
        labels, columns=["axis", "label", "text", "x", "y", "align", "baseline"]
    )
    level_labels = pd.DataFrame(
        [(level, str(level), 0.0, level / top) for level in scale],
        columns=["level", "text", "x", "y"],
    )
    return RadarGrid(rings, spokes, axis_labels, level_labels, highest, lowest)


def legend_frame(names: list[str], top: float) -> pd.DataFrame:
    """A legend drawn from marks, one row per series from `top` down: a line, a marker, the name.

    Vega's own legend shows a line or a shape, not both, and every series has both. One column,
    so a long round name never runs off the side.
    """
    left = -X_EXTENT + 4 / PX
    rows = [(name, left, left + 48 / PX, top - i * LEGEND_ROW) for i, name in enumerate(names)]
    return pd.DataFrame(rows, columns=["series", "x", "x2", "y"])


def _wrap_title(text: str, size: int) -> list[str]:
    """Lines of a title or subtitle that fit across the chart (Vega draws a list as lines)."""
    return textwrap.wrap(text, int((RADAR_WIDTH - 2 * PADDING) / (0.55 * size))) or [""]


def describe(axes: list[tuple[str, str]], series: list[Series]) -> str:
    """The chart's numbers in words, for the SVG's aria-label."""
    return "; ".join(
        f"{s.name}: "
        + ", ".join(
            f"{label} {'no score' if s.scores.get(key) is None else format(s.scores[key], '.2f')}"
            for key, label in axes
        )
        for s in series
    )


def _encodings(names: list[str]) -> tuple[alt.Color, alt.StrokeDash, alt.Shape]:
    """Colour, dash and shape by series, on explicit domains so styles follow the given order."""
    colours, dashes, shapes = (list(column) for column in zip(*STYLES[: len(names)], strict=True))
    return (
        alt.Color("series:N", scale=alt.Scale(domain=names, range=colours), legend=None),
        alt.StrokeDash("series:N", scale=alt.Scale(domain=names, range=dashes), legend=None),
        alt.Shape("series:N", scale=alt.Scale(domain=names, range=shapes), legend=None),
    )


def radar_chart(
    axes: list[tuple[str, str]],
    series: list[Series],
    scale: tuple[int, ...],
    title: str,
    level_names: dict[int, str] | None = None,
) -> alt.LayerChart:
    """A radar chart of one to four series, drawn to a fixed scale, with a legend below it.

    Styles follow the order of `series`: team, council average, previous round, target. The
    first is filled, the rest are outlines. All text is `FONT_SIZE` or more (see there).
    """
    if not 1 <= len(series) <= len(STYLES):
        raise ChartError(f"a radar chart shows 1 to {len(STYLES)} series, not {len(series)}")
    names = [s.name for s in series]
    if len(set(names)) != len(names):
        raise ChartError(f"series names must differ: {names}")
    points, grid = radar_frame(axes, series, scale), radar_grid(axes, scale)
    legend_top = grid.bottom - MARGIN - LEGEND_ROW / 2
    legend = legend_frame(names, legend_top)
    top, bottom = grid.top + MARGIN, legend["y"].min() - LEGEND_ROW / 2
    colour, dash, shape = _encodings(names)

    def x(field: str = "x") -> alt.X:  # fixed domains and no Vega axes: every chart alike
        return alt.X(
            f"{field}:Q", axis=None, scale=alt.Scale(domain=[-X_EXTENT, X_EXTENT], nice=False)
        )

    y = alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[bottom, top], nice=False, zero=False))

    rings = (
        alt.Chart(grid.rings)
        .mark_line(interpolate="linear-closed", color=GRID, strokeWidth=1)
        .encode(x(), y, detail="level:O", order="order:Q")
    )
    spokes = (
        alt.Chart(grid.spokes)
        .mark_line(color=GRID, strokeWidth=1)
        .encode(x(), y, detail="axis:N", order="order:Q")
    )
    level_text = alt.Chart(grid.level_labels).encode(
        x(), y, text="text:N", color=alt.value(SECONDARY_TEXT)
    )
    level_labels = [  # beside the first spoke, under each ring, on a white halo over the lines
        level_text.mark_text(
            align="right",
            baseline="top",
            dx=-4,
            dy=1,
            fontSize=FONT_SIZE,
            stroke="#ffffff",
            strokeWidth=4,
            strokeJoin="round",
        ),
        level_text.mark_text(align="right", baseline="top", dx=-4, dy=1, fontSize=FONT_SIZE),
    ]
    axis_labels = [  # Vega-Lite sets align and baseline per mark, not per row
        alt.Chart(group)
        .mark_text(
            align=cast(Align, align),
            baseline=cast(Baseline, baseline),
            lineBreak="\n",
            lineHeight=RADAR_LINE_HEIGHT,
            fontSize=FONT_SIZE,
            fontWeight="bold",
        )
        .encode(x(), y, text="text:N", color=alt.value(TEXT))
        for (align, baseline), group in grid.axis_labels.groupby(["align", "baseline"])
    ]
    team_fill = (
        alt.Chart(radar_fill(points[points["series"] == names[0]], len(axes)))
        .mark_line(
            interpolate="linear-closed",
            fill=STYLES[0][0],
            fillOpacity=FILL_OPACITY,
            strokeOpacity=0,
        )
        .encode(x(), y, detail="part:N", order="order:Q")
    )
    lines = (
        alt.Chart(radar_outline(points, len(axes)))
        .mark_line(strokeWidth=3)
        .encode(x(), y, colour, dash, order="order:Q")
    )
    tooltip = [
        alt.Tooltip("series:N", title="Series"),
        alt.Tooltip("label:N", title="Area"),
        alt.Tooltip("score:Q", title="Score", format=".2f"),
    ]
    markers = (
        alt.Chart(points)
        .mark_point(filled=True, size=80, opacity=1)
        .encode(x(), y, colour, shape, tooltip=tooltip)
    )
    key_fill = (  # the team's key is a filled swatch, like its area
        alt.Chart(legend.iloc[:1])
        .mark_rect(fill=STYLES[0][0], fillOpacity=FILL_OPACITY, height=FONT_SIZE)
        .encode(x(), y, alt.X2("x2:Q"))
    )
    key_lines = (
        alt.Chart(legend).mark_rule(strokeWidth=3).encode(x(), y, alt.X2("x2:Q"), colour, dash)
    )
    key_markers = (
        alt.Chart(legend)
        .transform_calculate(middle="(datum.x + datum.x2) / 2")
        .mark_point(filled=True, size=80, opacity=1)
        .encode(x("middle"), y, colour, shape)
    )
    key_names = (
        alt.Chart(legend)
        .mark_text(align="left", baseline="middle", dx=8, fontSize=FONT_SIZE)
        .encode(x("x2"), y, text="series:N", color=alt.value(TEXT))
    )
    levels = ", ".join(  # a no-break space keeps each level's number with its name
        f"{level}\u00a0{name}" for level, name in sorted((level_names or {}).items())
    )
    title_lines = _wrap_title(title, TITLE_SIZE)
    subtitle_lines = _wrap_title(f"Levels: {levels}", FONT_SIZE) if levels else [""]
    layers = [rings, spokes, team_fill, *axis_labels, lines, markers, *level_labels]
    return (
        alt.layer(*layers, key_fill, key_lines, key_markers, key_names)
        .properties(
            title=alt.Title(
                title_lines,
                subtitle=subtitle_lines,
                anchor="start",
                fontSize=TITLE_SIZE,
                subtitleFontSize=FONT_SIZE,
                subtitleColor=SECONDARY_TEXT,
                color=TEXT,
            ),
            width=RADAR_WIDTH - 2 * PADDING,
            height=round((top - bottom) * PX),
            padding=PADDING,
            description=f"{title}. {describe(axes, series)}",
        )
        .configure(font=FONT)
        .configure_view(stroke=None)
    )


def render_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as an SVG document, offline (remote data is refused).

    The root gets role="img" and the chart's description as its aria-label, so a screen reader
    hears the numbers once rather than every ring and spoke.
    """
    spec = chart.to_dict(validate=False)  # the builders' specs are validated by the tests
    svg = vl_convert.vegalite_to_svg(spec, allowed_base_urls=[])
    if description := spec.get("description"):
        svg = svg.replace("<svg ", f'<svg role="img" aria-label="{html.escape(description)}" ', 1)
    return svg


def render_png(chart: alt.TopLevelMixin, scale: float = 2) -> bytes:
    """The chart as PNG bytes; scale 2 keeps text sharp on high-density screens and in print."""
    return vl_convert.vegalite_to_png(
        chart.to_dict(validate=False), scale=scale, allowed_base_urls=[]
    )


# --- heatmaps -----------------------------------------------------------------------------------

# sequential and colour-blind safe; every cell also prints its number
HEATMAP_SCHEME: Final = "viridis"

HEATMAP_LABEL_WRAP = 18  # characters per line of a downloaded heatmap's column heading


def heatmap_chart(
    cells: pd.DataFrame,
    columns: list[tuple[str, str]],
    scale: tuple[int, ...],
    title: str,
) -> alt.Chart:
    """Rows (in the order given) by columns, coloured by score, with the score in each cell.

    `cells` has one row per (row label, column key): row, column, score. The chart is a download
    (SVG or PNG) for reports: it carries no links, since a relative link in a picture resolves
    against wherever the picture is opened (Vega's own base URL included), never this service.
    """
    # a heading wraps onto lines (Vega draws an array as lines), never cut short
    labels = {key: "\n".join(textwrap.wrap(name, HEATMAP_LABEL_WRAP)) for key, name in columns}
    data = cells.assign(
        column_name=cells["column"].map(labels),
        text=cells["score"].map(lambda s: "" if pd.isna(s) else f"{s:.2f}"),
        # viridis is dark below ~0.42 of its range: white numbers there, black above (both
        # at least 4.5:1 against their cell)
        dark=(cells["score"].fillna(scale[-1]) - scale[0]) / (scale[-1] - scale[0]) < 0.42,
    )
    row_order = list(dict.fromkeys(data["row"]))
    column_order = [labels[key] for key, _ in columns]
    longest = max((name.count("\n") + 1 for name in column_order), default=1)
    base = alt.Chart(data).encode(
        x=alt.X(
            "column_name:N",
            sort=column_order,
            title=None,
            axis=alt.Axis(
                orient="top",
                labelAngle=0,
                labelLimit=0,
                labelFontSize=12,
                labelExpr="split(datum.label, '\\n')",
                labelLineHeight=LINE_HEIGHT,
                labelPadding=4 + LINE_HEIGHT * (longest - 1),
            ),
        ),
        y=alt.Y("row:N", sort=row_order, title=None, axis=alt.Axis(labelLimit=0)),
    )
    rects = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color(
            "score:Q",
            scale=alt.Scale(scheme=HEATMAP_SCHEME, domain=[scale[0], scale[-1]]),
            legend=alt.Legend(title="Score", orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("row:N", title="Team"),
            alt.Tooltip("column_name:N", title="Column"),
            alt.Tooltip("score:Q", format=".2f"),
        ],
    )
    numbers = base.mark_text(fontSize=12, font=FONT).encode(
        text="text:N",
        color=alt.condition("datum.dark", alt.value("white"), alt.value("black")),
    )
    return (
        alt.layer(rects, numbers)
        .properties(
            title=title,
            width=max(300, 150 * len(columns)),
            height=max(60, 24 * len(row_order)),
            description=f"{title}: a heatmap of {len(row_order)} rows, each cell a score from "
            f"{scale[0]} to {scale[-1]}; the CSV download has the same numbers.",
        )
        .configure_view(strokeWidth=0)
        .configure_axis(labelFont=FONT, labelFontSize=13, domain=False, ticks=False)
        .configure_title(font=FONT, fontSize=16, anchor="start")
        .configure_legend(labelFont=FONT, titleFont=FONT)
    )


# --- risk matrix --------------------------------------------------------------------------------

# GOV.UK tag tints: black text on each has a contrast ratio above 7.
BAND_TINTS = {"Green": "#cce2d8", "Amber": "#fff7bf", "Red": "#f4cdc6"}


def risk_matrix_chart(frame: pd.DataFrame, title: str) -> alt.LayerChart:
    """Likelihood (up) by impact (across), each cell tinted by its RAG band and labelled with
    its band and how many risks sit in it. `frame` is `risk.matrix_frame`'s."""
    likelihoods = list(dict.fromkeys(frame.sort_values("likelihood")["likelihood_label"]))
    impacts = list(dict.fromkeys(frame.sort_values("impact")["impact_label"]))
    cells = frame.assign(
        text=frame["count"].astype(str),
        band_text=frame["band"],
    )
    x = alt.X("impact_label:N", sort=impacts, title="Impact", axis=alt.Axis(labelAngle=0))
    y = alt.Y("likelihood_label:N", sort=list(reversed(likelihoods)), title="Likelihood")
    bands = [b for b in BAND_TINTS if b in set(frame["band"])]
    base = alt.Chart(cells).encode(x, y)
    rects = base.mark_rect(stroke="#ffffff", strokeWidth=2).encode(
        color=alt.Color(
            "band:N",
            scale=alt.Scale(domain=bands, range=[BAND_TINTS[b] for b in bands]),
            legend=alt.Legend(title="RAG band", orient="right"),
        ),
        tooltip=[
            alt.Tooltip("likelihood_label:N", title="Likelihood"),
            alt.Tooltip("impact_label:N", title="Impact"),
            alt.Tooltip("score:Q", title="Score"),
            alt.Tooltip("band:N", title="Band"),
            alt.Tooltip("count:Q", title="Risks"),
        ],
    )
    counts = base.mark_text(fontSize=20, fontWeight="bold", dy=-6, color=TEXT).encode(text="text:N")
    band_names = base.mark_text(fontSize=13, dy=13, color=TEXT).encode(text="band_text:N")
    occupied = frame[frame["count"] > 0]
    description = f"{title}. " + (
        "; ".join(
            f"{r['count']} {'risk' if r['count'] == 1 else 'risks'} at likelihood "
            f"{r['likelihood_label']}, impact {r['impact_label']} ({r['band']})"
            for r in occupied.to_dict("records")
        )
        or "No risks."
    )
    side = 84 * len(impacts)
    return (
        alt.layer(rects, counts, band_names)
        .properties(
            title=alt.Title(title, anchor="start", fontSize=18, color=TEXT),
            width=side,
            height=side * len(likelihoods) // len(impacts),
            padding=10,
            description=description,
        )
        .configure(font=FONT)
        .configure_view(stroke=None)
        .configure_axis(labelFont=FONT, labelFontSize=13, titleFontSize=14, labelColor=TEXT)
        .configure_legend(labelFont=FONT, titleFont=FONT, labelFontSize=13, titleFontSize=13)
    )


# --- trends -------------------------------------------------------------------------------------

# Up to six lines told apart by colour (each at least 3:1 on white), dash and marker together.
TREND_STYLES = [
    ("#1d70b8", [1, 0], "circle"),
    ("#d4351c", [6, 3], "square"),
    ("#00703c", [2, 2], "triangle-up"),
    ("#4c2c92", [10, 4], "diamond"),
    ("#505a5f", [6, 2, 2, 2], "cross"),
    ("#28a197", [12, 3, 3, 3], "triangle-down"),
]


def trend_chart(frame: pd.DataFrame, names: dict[str, str], title: str) -> alt.Chart:
    """Scores over rounds, a line per member; lines break where rounds cannot be compared
    (`segment`), so no line suggests a change the questionnaire made."""
    members = [m for m in names if m in set(frame["member"])][: len(TREND_STYLES)]
    data = frame[frame["member"].isin(members)].assign(name=lambda f: f["member"].map(names))
    labels = [names[m] for m in members]
    styles = TREND_STYLES[: len(members)]
    rounds = list(dict.fromkeys(data.sort_values("opens_on")["round"]))
    base = alt.Chart(data).encode(
        x=alt.X("round:O", sort=rounds, title="Round", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("score:Q", scale=alt.Scale(domain=[1, 5]), title="Average score"),
        color=alt.Color(
            "name:N",
            sort=labels,
            title=None,
            scale=alt.Scale(domain=labels, range=[s[0] for s in styles]),
            # One column, no label limit: a readiness area's name is never cut short.
            legend=alt.Legend(orient="bottom", columns=1, symbolStrokeWidth=2.5, labelLimit=0),
        ),
        strokeDash=alt.StrokeDash(
            "name:N",
            sort=labels,
            scale=alt.Scale(domain=labels, range=[s[1] for s in styles]),
            legend=None,
        ),
        shape=alt.Shape(
            "name:N",
            sort=labels,
            scale=alt.Scale(domain=labels, range=[s[2] for s in styles]),
            legend=None,
        ),
        tooltip=["name:N", "round:O", alt.Tooltip("score:Q", format=".2f")],
    )
    lines = base.mark_line(strokeWidth=2.5).encode(detail="segment:N")
    points = base.mark_point(size=70, filled=True, opacity=1)
    return (
        alt.layer(lines, points)
        .properties(
            title=title,
            width=560,
            height=320,
            description=f"{title}: a line chart; the table below gives the same numbers.",
        )
        .configure_axis(labelFont=FONT, titleFont=FONT, labelFontSize=13, titleFontSize=13)
        .configure_title(font=FONT, fontSize=16, anchor="start")
        .configure_legend(labelFont=FONT, labelFontSize=13, symbolType="stroke")
    )


# --- drawing a Chart ----------------------------------------------------------------------------


def _radar(inputs: dict) -> alt.TopLevelMixin:
    series = [Series(name, scores) for name, scores in inputs["series"]]
    level_names = {int(level): name for level, name in inputs["level_names"].items()}
    axes = [(key, label) for key, label in inputs["axes"]]
    return radar_chart(axes, series, tuple(inputs["scale"]), inputs["title"], level_names or None)


def _heatmap(inputs: dict) -> alt.TopLevelMixin:
    cells = pd.DataFrame(inputs["cells"], columns=["row", "column", "score"])
    cells["score"] = cells["score"].astype(float)
    columns = [(key, name) for key, name in inputs["columns"]]
    return heatmap_chart(cells, columns, tuple(inputs["scale"]), inputs["title"])


def _risk_matrix(inputs: dict) -> alt.TopLevelMixin:
    return risk_matrix_chart(pd.DataFrame(inputs["cells"]), inputs["title"])


def _trend(inputs: dict) -> alt.TopLevelMixin:
    return trend_chart(pd.DataFrame(inputs["points"]), dict(inputs["names"]), inputs["title"])


BUILDERS = {"radar": _radar, "heatmap": _heatmap, "risk_matrix": _risk_matrix, "trend": _trend}


def draw(chart: Chart, fmt: str) -> bytes:
    """The chart drawn as "svg" or "png" bytes."""
    built = BUILDERS[chart.kind](json.loads(chart.inputs))
    return render_svg(built).encode() if fmt == "svg" else render_png(built)
