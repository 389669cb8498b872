"""Charts as data: what a chart shows, named by a key, drawn by the renderer, never in a request.

A page describes each chart it wants as a `Chart`: its kind and the plain numbers and words it
draws (JSON). The chart's `key` is the hash of that description and of the code that draws it,
so the same numbers always find the same picture, and a change to either is a new picture.
Drawing is `assess/charts/builders.py` (Altair specs, drawn by vl-convert), which only the
renderer process (`renderer.py`) imports: web workers carry neither Altair nor vl-convert.

Also here, because pages need them without drawing anything: the heatmap's cell tints (the
on-page heatmap is an HTML table) and the WCAG contrast rule the colours are held to.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

from assess.assessment.scoring import level_band

FORMATS: Final = ("svg", "png")
MIMETYPES: Final = {"svg": "image/svg+xml", "png": "image/png"}

# A picture is kept by its numbers and by the code that draws it: a new release that changes how
# a chart looks draws every chart again rather than serving yesterday's picture.
BUILDERS_VERSION: Final = hashlib.sha256(
    Path(__file__).with_name("builders.py").read_bytes()
).hexdigest()[:16]


@dataclass(frozen=True)
class Series:
    """One line on a radar chart: axis key -> score; None means no score."""

    name: str
    scores: dict[str, float | None]


@dataclass(frozen=True)
class Chart:
    """A chart to draw: its kind (a builder in `builders.BUILDERS`) and its inputs as JSON."""

    kind: str
    inputs: str

    @property
    def key(self) -> str:
        text = f"{BUILDERS_VERSION}\n{self.kind}\n{self.inputs}"
        return hashlib.sha256(text.encode()).hexdigest()


def _number(value: object) -> object:
    """A score as JSON has it: NaN (pandas' "no score") becomes null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _chart(kind: str, **inputs: object) -> Chart:
    return Chart(kind, json.dumps(inputs, sort_keys=True, separators=(",", ":"), default=str))


def radar(
    axes: list[tuple[str, str]],
    series: list[Series],
    scale: tuple[int, ...],
    title: str,
    level_names: dict[int, str] | None = None,
) -> Chart:
    """A radar chart: one axis per (key, label), one line per series."""
    return _chart(
        "radar",
        axes=[list(axis) for axis in axes],
        series=[[s.name, {key: _number(score) for key, score in s.scores.items()}] for s in series],
        scale=list(scale),
        title=title,
        level_names={str(level): name for level, name in (level_names or {}).items()},
    )


def heatmap(
    cells: list[tuple[str, str, float | None]],
    columns: list[tuple[str, str]],
    scale: tuple[int, ...],
    title: str,
) -> Chart:
    """A heatmap: cells as (row label, column key, score), rows in the order given."""
    return _chart(
        "heatmap",
        cells=[[row, column, _number(score)] for row, column, score in cells],
        columns=[list(column) for column in columns],
        scale=list(scale),
        title=title,
    )


def risk_matrix(cells: list[dict], title: str) -> Chart:
    """Likelihood by impact: `registers.rules.matrix_frame`'s rows as records."""
    return _chart("risk_matrix", cells=cells, title=title)


def trend(frame: pd.DataFrame, names: dict[str, str], title: str) -> Chart:
    """Scores over rounds: a row per member and round (member, round, opens_on, score,
    segment), and each member's name in the order the lines are drawn."""
    return _chart(
        "trend",
        points=json.loads(frame.to_json(orient="records", date_format="iso")),
        names=list(names.items()),
        title=title,
    )


# --- colours ------------------------------------------------------------------------------------


def _luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(colour: str, other: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours, 1 to 21 (graphics need at least 3)."""
    lighter, darker = sorted((_luminance(colour), _luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


# The on-page heatmap (an HTML table) tints each cell by its level band: viridis sampled at 0, 1/4,
# 1/2, 3/4 and 1, so the page and the downloaded picture agree. The text colour on each fill is the
# one with the better contrast; both are at least 4.5:1 (WCAG AA for text), held by a test. The CSS
# (`frontend/assess.scss`, `.app-heatmap__cell--tint-N`) uses the same colours, held by a test too.
HEATMAP_TINTS: Final = (
    ("#440154", "#ffffff"),
    ("#3b528b", "#ffffff"),
    ("#21918c", "#0b0c0c"),
    ("#5ec962", "#0b0c0c"),
    ("#fde725", "#0b0c0c"),
)


def heatmap_tint(score: float | None, levels: tuple[int, ...]) -> int | None:
    """Which of `HEATMAP_TINTS` a cell takes: its level band (`scoring.level_band`, the one rule)
    spread over the tints, lowest level darkest. None for no score."""
    if score is None or score != score:
        return None
    band = level_band(score, levels)
    return round((band - levels[0]) * (len(HEATMAP_TINTS) - 1) / (levels[-1] - levels[0]))
