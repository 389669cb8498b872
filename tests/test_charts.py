"""Radar charts and heatmaps: positions, styles, colours and text, asserted on frames, Vega-Lite
specs and the stylesheet, not pixels."""

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assess.charts import HEATMAP_TINTS, Series, contrast_ratio, heatmap_tint
from assess.charts.builders import (
    CHAR_WIDTH,
    PX,
    STYLES,
    X_EXTENT,
    ChartError,
    heatmap_chart,
    radar_chart,
    radar_frame,
    radar_grid,
    radar_outline,
    render_png,
    render_svg,
    trend_chart,
)

SCALE = (1, 2, 3, 4, 5)
VALUES = [
    ("one-team", "One Team"),
    ("inclusion-respect", "Inclusion & Respect"),
    ("service-excellence", "Service Excellence"),
    ("stepping-up", "Stepping Up"),
    ("amazing-outcomes", "Amazing Outcomes"),
]
AREAS = [
    ("digital", "Digital access and automation"),
    ("insight", "Customer insight and business intelligence"),
    ("localities", "Joined-up access in localities"),
    ("citizens", "Citizens at the heart of how we work"),
]
KEYS = [key for key, _ in VALUES]
TEAM = Series("Your team", dict(zip(KEYS, [3.2, 2.4, 3.8, None, 2.9], strict=True)))
SERIES = [
    TEAM,
    Series("Council average", dict(zip(KEYS, [3.0, 3.1, 3.3, 2.8, 3.0], strict=True))),
    Series("2023/24", dict(zip(KEYS, [2.6, 2.0, 3.1, 2.5, 2.2], strict=True))),
    Series("Target", dict.fromkeys(KEYS, 4)),
    Series("Readiness review", dict(zip(KEYS, [4.2, 1.8, 3.0, 5.0, 2.4], strict=True))),
]
NAMES = [s.name for s in SERIES]


def radius(row) -> float:
    return math.hypot(row.x, row.y)


def layers(spec: dict) -> list[dict]:
    return spec["layer"]


def values(spec: dict, layer: dict) -> list[dict]:
    """The rows a layer draws; Altair moves inline data to the top-level `datasets`."""
    return spec["datasets"][layer["data"]["name"]]


def series_layers(spec: dict, channel: str) -> list[dict]:
    return [
        layer
        for layer in layers(spec)
        if layer.get("encoding", {}).get(channel, {}).get("field") == "series"
    ]


@pytest.fixture
def spec() -> dict:
    return radar_chart(VALUES, SERIES, SCALE, "Corporate values").to_dict()


def test_the_first_axis_points_straight_up_and_the_others_follow_clockwise():
    frame = radar_frame(VALUES, [Series("Target", dict.fromkeys(KEYS, 4))], SCALE)
    for row in frame.itertuples():
        clockwise_from_up = math.atan2(row.x, row.y) % (2 * math.pi)
        assert clockwise_from_up == pytest.approx(2 * math.pi * row.order / 5)
        assert row.axis == KEYS[row.order]
    first, second = frame.iloc[0], frame.iloc[1]
    assert first.x == pytest.approx(0) and first.y > 0
    assert second.x > 0  # clockwise: the second axis is to the right


@pytest.mark.parametrize("axes", [VALUES, AREAS], ids=["values", "readiness areas"])
def test_the_top_level_lies_on_the_outer_ring_and_level_1_on_the_inner_ring(axes):
    keys = [key for key, _ in axes]
    grid = radar_grid(axes, SCALE)
    ring_radius = {
        level: {round(radius(r), 9) for r in group.itertuples()}
        for level, group in grid.rings.groupby("level")
    }
    assert all(len(radii) == 1 for radii in ring_radius.values())  # rings are regular
    series = [Series("Top", dict.fromkeys(keys, 5)), Series("Bottom", dict.fromkeys(keys, 1))]
    frame = radar_frame(axes, series, SCALE)
    for row in frame.itertuples():
        level = 5 if row.series == "Top" else 1
        assert round(radius(row), 9) in ring_radius[level]
    assert ring_radius[5] == {1.0}
    assert max(ring_radius[1]) < min(ring_radius[2])


def test_a_missing_score_is_left_out_of_its_series_never_plotted_at_zero():
    frame = radar_frame(VALUES, SERIES, SCALE)
    team = frame[frame.series == "Your team"]
    assert "stepping-up" not in set(team.axis)
    assert len(team) == 4
    assert (frame.score > 0).all() and (frame.apply(radius, axis=1) > 0).all()
    assert "stepping-up" in set(frame[frame.series == "Council average"].axis)


def test_the_line_breaks_at_a_missing_score_instead_of_joining_its_neighbours():
    outline = radar_outline(radar_frame(VALUES, [TEAM], SCALE), count=5)
    by_order = outline.set_index("order")
    assert by_order.loc[3, ["x", "y"]].isna().all()  # Stepping Up: a gap
    assert by_order.loc[5, "x"] == pytest.approx(by_order.loc[0, "x"])  # closes at the top
    assert by_order.loc[5, "y"] == pytest.approx(by_order.loc[0, "y"])


def test_a_score_outside_the_scale_is_refused_with_a_message_naming_it():
    with pytest.raises(ChartError, match="Your team: score 6 for 'One Team' is outside 1-5"):
        radar_frame(VALUES, [Series("Your team", {"one-team": 6})], SCALE)


def test_every_series_has_its_own_colour_dash_pattern_and_marker_shape(spec):
    for channel in ("color", "strokeDash", "shape"):
        scales = {
            str(layer["encoding"][channel]["scale"]) for layer in series_layers(spec, channel)
        }
        assert len(scales) == 1, f"{channel} is styled the same way in every layer"
        scale = series_layers(spec, channel)[0]["encoding"][channel]["scale"]
        assert scale["domain"] == NAMES
        assert len({str(style) for style in scale["range"]}) == len(NAMES)
    # the data lines are dashed and the data points shaped
    assert "line" in {layer["mark"]["type"] for layer in series_layers(spec, "strokeDash")}
    assert "point" in {layer["mark"]["type"] for layer in series_layers(spec, "shape")}


def test_every_series_colour_stands_out_against_white_by_at_least_3_to_1(spec):
    colours = series_layers(spec, "color")[0]["encoding"]["color"]["scale"]["range"]
    assert colours == [colour for colour, _, _ in STYLES]
    for colour in colours:
        assert contrast_ratio(colour, "#ffffff") >= 3, colour


@pytest.mark.parametrize(
    ("one", "other", "ratio"),
    [("#000000", "#ffffff", 21), ("#ffffff", "#000000", 21), ("#1d70b8", "#1d70b8", 1)],
)
def test_contrast_ratio_follows_wcag(one, other, ratio):
    assert contrast_ratio(one, other) == pytest.approx(ratio)


def test_contrast_ratio_of_govuk_blue_on_white_passes_for_text():
    assert contrast_ratio("#1d70b8", "#ffffff") == pytest.approx(5.17, abs=0.01)


def test_the_legend_names_every_series_with_its_line_and_marker(spec):
    legend_text = [
        layer
        for layer in layers(spec)
        if layer["mark"]["type"] == "text" and layer["encoding"]["text"]["field"] == "series"
    ]
    assert len(legend_text) == 1
    assert [row["series"] for row in values(spec, legend_text[0])] == NAMES
    key_data = {layer["data"]["name"] for layer in series_layers(spec, "color")}
    assert legend_text[0]["data"]["name"] in key_data  # the key's lines and markers, same rows


def test_the_axis_labels_are_in_the_chart_wrapped_when_long():
    spec = radar_chart(AREAS, [TEAM], SCALE, "Readiness areas").to_dict()
    rows = [row for dataset in spec["datasets"].values() for row in dataset if "text" in row]
    by_label = {row["label"]: row["text"] for row in rows if "label" in row}
    assert set(by_label) == {label for _, label in AREAS}
    assert by_label["Customer insight and business intelligence"] == (
        "Customer\ninsight and\nbusiness\nintelligence"
    )


@pytest.mark.parametrize("axes", [VALUES, AREAS], ids=["values", "readiness areas"])
def test_axis_labels_fit_across_the_chart(axes):
    """Bold Arial averages about 0.5em a character; CHAR_WIDTH (0.55em) leaves room to spare."""
    for row in radar_grid(axes, SCALE).axis_labels.itertuples():
        width = max(len(line) for line in row.text.split("\n")) * CHAR_WIDTH / PX
        left = {"left": row.x, "center": row.x - width / 2, "right": row.x - width}[row.align]
        assert -X_EXTENT <= left <= X_EXTENT - width, row.label


def test_the_chart_never_rescales_with_the_scores():
    def domains(score: float) -> list:
        spec = radar_chart(VALUES, [Series("Your team", dict.fromkeys(KEYS, score))], SCALE, "T")
        return [
            (layer["encoding"]["x"]["scale"]["domain"], layer["encoding"]["y"]["scale"]["domain"])
            for layer in layers(spec.to_dict())
        ]

    assert domains(1) == domains(5)
    assert all(x == [-X_EXTENT, X_EXTENT] for x, _ in domains(1))


def test_vega_draws_no_axes_or_gridlines(spec):
    for layer in layers(spec):
        assert layer["encoding"]["x"]["axis"] is None
        assert layer["encoding"]["y"]["axis"] is None


def test_level_names_are_spelled_out_under_the_title():
    names = {1: "Emerging", 2: "Developing", 3: "Established", 4: "Embedded", 5: "Leading"}
    spec = radar_chart(VALUES, SERIES, SCALE, "Corporate values", names).to_dict()
    assert spec["title"]["text"] == ["Corporate values"]
    subtitle = " ".join(spec["title"]["subtitle"]).replace("\u00a0", " ")
    assert subtitle.startswith("Levels: 1 Emerging, 2 Developing")


@pytest.mark.parametrize("count", [0, 6])
def test_a_chart_shows_one_to_five_series(count):
    with pytest.raises(ChartError, match="1 to 5 series"):
        radar_chart(VALUES, [Series(f"S{i}", {}) for i in range(count)], SCALE, "T")


def test_render_svg_is_an_svg_document_with_the_labels_and_a_text_alternative():
    svg = render_svg(radar_chart(AREAS, [TEAM], SCALE, "Readiness areas"))
    assert svg.startswith("<svg")
    assert "Customer insight and" in svg and "business intelligence" in svg
    assert 'role="img"' in svg
    assert "Citizens at the heart of how we work no score" in svg  # TEAM has no area scores


def test_render_svg_refuses_remote_data():
    import altair as alt

    chart = alt.Chart(alt.Data(url="https://example.com/scores.csv")).mark_point()
    with pytest.raises(ValueError, match="not allowed"):
        render_svg(chart)


def test_render_png_returns_png_bytes():
    png = render_png(radar_chart(VALUES, SERIES, SCALE, "Corporate values"))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


scores = st.one_of(st.none(), st.floats(min_value=1, max_value=5, allow_nan=False))


@given(
    axes=st.sampled_from([VALUES, AREAS]),
    rows=st.lists(st.lists(scores, min_size=5, max_size=5), min_size=1, max_size=4),
)
def test_every_point_lies_between_the_inner_and_outer_rings_for_any_score_on_the_scale(axes, rows):
    series = [
        Series(f"Series {i}", dict(zip([key for key, _ in axes], row, strict=False)))
        for i, row in enumerate(rows)
    ]
    frame = radar_frame(axes, series, SCALE)
    for row in frame.itertuples():
        assert 1 / 5 - 1e-9 <= radius(row) <= 1 + 1e-9
    assert len(frame) == sum(score is not None for row in rows for score in row[: len(axes)])


# --- the drawn radar: fill, text size, nothing cut off ----------------------------------------

SVG_NS = "{http://www.w3.org/2000/svg}"
TEMPLATES = Path(__file__).resolve().parent.parent / "assess" / "templates"
LONG_TITLE = "Children's Services Front Door and Early Help Hub: readiness areas, 2025/26"
LEVELS = {1: "Emerging", 2: "Developing", 3: "Established", 4: "Embedded", 5: "Leading"}
AREA_SERIES = [
    Series(name, dict(zip([key for key, _ in AREAS], scores, strict=True)))
    for name, scores in [
        ("Your team", [3.1, 2.4, 2.9, 3.4]),
        ("Council average", [3.0, 2.6, 3.0, 3.3]),
        ("Autumn 2024/25 (pilot round)", [2.9, 2.5, 2.8, 3.2]),
        ("Target", [4, 4, 4, 4]),
    ]
]


def drawn(axes, series, title=LONG_TITLE) -> ET.Element:
    return ET.fromstring(render_svg(radar_chart(axes, series, SCALE, title, LEVELS)))


def texts(svg: ET.Element) -> list[dict]:
    """Every <text>: where Vega put it (group translations added up), its size and lines."""
    found = []

    def walk(node: ET.Element, dx: float, dy: float) -> None:
        move = re.match(r"translate\(([-\d.e]+),([-\d.e]+)\)", node.get("transform", ""))
        if move:
            dx, dy = dx + float(move[1]), dy + float(move[2])
        if node.tag == SVG_NS + "text":
            tspans = node.findall(SVG_NS + "tspan")
            found.append(
                {
                    "x": dx,
                    "y": dy,
                    "size": float(node.get("font-size", "0px").removesuffix("px")),
                    "anchor": node.get("text-anchor", "start"),
                    "lines": [t.text or "" for t in tspans] or [node.text or ""],
                    "line_height": max((float(t.get("dy", 0)) for t in tspans), default=0),
                }
            )
        for child in node:
            walk(child, dx, dy)

    walk(svg, 0, 0)
    return found


def radar_display_widths() -> dict[str, int]:
    """The widths the pages draw a radar at: each <img>'s width, and a 360 px phone's column."""
    widths = {"phone column (360 px screen less 15 px margins)": 330}
    for page in ("team/results.html", "audit/report.html"):
        markup = (TEMPLATES / page).read_text()
        for width in re.findall(r'<img[^>]*team\.chart[^>]*width="(\d+)"', markup, re.S):
            widths[page] = int(width)
    return widths


def test_the_teams_series_is_filled_and_the_others_are_outlines():
    svg = render_svg(radar_chart(VALUES, SERIES, SCALE, "Corporate values"))
    fills = set(re.findall(r'<path[^>]*\bfill="(#[0-9A-Fa-f]{6})"[^>]*fill-opacity', svg))
    team, *others = [colour for colour, _, _ in STYLES]
    assert fills == {team}
    lines = re.findall(r'<path[^>]*aria-roledescription="line mark"[^>]*>', svg)
    for colour in others:
        outlines = [line for line in lines if f'stroke="{colour}"' in line]
        assert outlines and not any('fill="#' in line for line in outlines), colour


def test_the_teams_fill_stops_where_its_line_breaks_at_a_missing_score():
    spec = radar_chart(VALUES, SERIES, SCALE, "Corporate values").to_dict()
    filled = [layer for layer in layers(spec) if layer["mark"].get("fillOpacity")]
    parts = {row["part"] for row in values(spec, filled[0])}
    assert parts == {0, 1, 4}  # Stepping Up (axis 3) has no score: no wedge 2-3 or 3-4


@pytest.mark.parametrize(("page", "width"), radar_display_widths().items())
@pytest.mark.parametrize("axes", ["values", "readiness areas"])
def test_every_text_in_the_radar_is_at_least_12px_where_the_pages_show_it(page, width, axes):
    svg = drawn(VALUES, SERIES) if axes == "values" else drawn(AREAS, AREA_SERIES)
    natural = float(svg.get("width"))
    for text in texts(svg):
        assert text["size"] * width / natural >= 12, (page, text["lines"])


@pytest.mark.parametrize("axes", ["values", "readiness areas"])
def test_no_text_in_the_radar_is_cut_off(axes):
    """Every line, at about 0.55em a character, lies inside the picture."""
    svg = drawn(VALUES, SERIES) if axes == "values" else drawn(AREAS, AREA_SERIES)
    width, height = float(svg.get("width")), float(svg.get("height"))
    for text in texts(svg):
        longest = max(len(line) for line in text["lines"]) * 0.55 * text["size"]
        left = text["x"] - {"start": 0, "middle": longest / 2, "end": longest}[text["anchor"]]
        bottom = text["y"] + (len(text["lines"]) - 1) * text["line_height"]
        assert left >= 0 and left + longest <= width, text["lines"]
        assert text["size"] * 0.7 <= text["y"] and bottom <= height, text["lines"]


def test_long_names_in_the_radar_are_split_across_lines():
    lines = [line for text in texts(drawn(AREAS, AREA_SERIES)) for line in text["lines"]]
    assert {"Customer", "insight and", "business", "intelligence"} <= set(lines)
    assert LONG_TITLE not in lines
    assert "Autumn 2024/25 (pilot round)" in lines  # a legend entry has a line to itself


# --- heatmaps -----------------------------------------------------------------------------------

CSS = Path(__file__).resolve().parent.parent / "assess" / "static" / "govuk" / "assess.css"


def long_hex(colour: str) -> str:
    return "#" + "".join(c * 2 for c in colour[1:]) if len(colour) == 4 else colour


@pytest.mark.parametrize(("fill", "text"), HEATMAP_TINTS)
def test_every_heatmap_tint_carries_its_figure_at_least_4_5_to_1(fill, text):
    assert contrast_ratio(fill, text) >= 4.5


def test_the_stylesheet_tints_heatmap_cells_with_the_same_colours():
    found = re.findall(
        r"\.app-heatmap__cell--tint-(\d)\{background-color:(#[0-9a-f]+);color:(#[0-9a-f]+)\}",
        CSS.read_text(encoding="utf-8-sig"),
    )
    assert [(long_hex(fill), long_hex(text)) for _, fill, text in found] == list(HEATMAP_TINTS)
    assert [int(tint) for tint, _, _ in found] == list(range(len(HEATMAP_TINTS)))


@pytest.mark.parametrize(
    ("score", "levels", "tint"),
    [
        (1.0, SCALE, 0),
        (1.49, SCALE, 0),
        (1.5, SCALE, 1),  # a score rounds half up to its level band
        (3.0, SCALE, 2),
        (4.5, SCALE, 4),
        (5.0, SCALE, 4),
        (1.0, (1, 2, 3, 4), 0),
        (2.0, (1, 2, 3, 4), 1),
        (3.0, (1, 2, 3, 4), 3),
        (4.0, (1, 2, 3, 4), 4),
        (None, SCALE, None),
        (float("nan"), SCALE, None),
    ],
)
def test_a_heatmap_cell_takes_the_tint_of_the_level_its_score_rounds_to(score, levels, tint):
    assert heatmap_tint(score, levels) == tint


def test_a_downloaded_heatmap_links_nowhere_and_keeps_every_heading_whole():
    cells = pd.DataFrame(
        [
            {"row": team, "column": key, "score": score}
            for team, score in (("Building Control", 3.71), ("Allocations", None))
            for key, _ in AREAS
        ]
    )
    chart = heatmap_chart(cells, AREAS, SCALE, "Readiness areas by team")
    spec = chart.to_dict()
    assert "href" not in str(spec)
    svg = render_svg(chart)
    assert "<a " not in svg and "vega.github.io" not in svg
    drawn = " ".join(re.findall(r">([^<>]+)</tspan>", svg))
    for _, name in AREAS:  # wrapped onto lines, never cut short with an ellipsis
        assert all(word in drawn for word in name.split())
    assert "…" not in svg


def test_the_trends_legend_names_every_line_in_full():
    names = {
        "digital-access": "Digital access and automation of routine transactions",
        "customer-insight": "Customer insight and business intelligence",
    }
    frame = pd.DataFrame(
        [
            {"member": m, "round": r, "opens_on": o, "score": 3.0, "segment": 0}
            for m in names
            for r, o in (("2023/24", "2023-09-01"), ("2024/25", "2024-09-01"))
        ]
    )
    svg = render_svg(trend_chart(frame, names, "Readiness areas over rounds"))
    assert "…" not in svg
    for name in names.values():
        assert name in svg
