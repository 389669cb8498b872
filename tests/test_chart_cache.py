"""The chart cache (assess/store/charts.py) on a real SQLite file, and chart keys."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assess import charts
from assess.store import charts as cache

AXES = [("a", "A"), ("b", "B"), ("c", "C")]


def radar(score: float | None = 3.0, name: str = "Team") -> charts.Chart:
    series = [charts.Series(name, {"a": score, "b": 2.0, "c": 4.0})]
    return charts.radar(AXES, series, (1, 2, 3, 4, 5), "A title")


@pytest.fixture
def db(tmp_path):
    connection = cache.open_charts(tmp_path / "charts.db")
    yield connection
    connection.conn.close()


scores = st.one_of(st.none(), st.floats(1, 5, allow_nan=False))


@given(scores, scores)
def test_the_same_numbers_find_the_same_key_and_other_numbers_another(one, other):
    assert radar(one).key == radar(one).key
    assert (radar(one).key == radar(other).key) == (one == other)


def test_a_series_name_is_part_of_the_key():
    """The lead's "Your team" and everyone else's team name are two pictures."""
    assert radar(name="Your team").key != radar(name="Housing Needs").key


def test_no_score_and_pandas_not_a_number_are_the_same_chart():
    assert radar(None).key == radar(float("nan")).key


def test_a_drawn_chart_is_not_asked_for_again(db):
    chart = radar()
    cache.keep(db, chart, "svg", b"<svg/>")
    cache.want(db, [chart], "svg", cache.AHEAD)
    assert cache.next_wanted(db) is None
    assert cache.picture(db, chart, "svg") == b"<svg/>"
    assert cache.picture(db, chart, "png") is None


def test_the_most_urgent_is_drawn_first_and_asking_again_only_raises_urgency(db):
    ahead, viewed = radar(1.0), radar(2.0)
    cache.want(db, [ahead], "svg", cache.AHEAD)
    cache.want(db, [viewed], "svg", cache.VIEWED)
    cache.want(db, [viewed], "svg", cache.AHEAD)  # still VIEWED
    assert cache.next_wanted(db) == (viewed, "svg")
    cache.want(db, [ahead], "svg", cache.WAITING)
    assert cache.next_wanted(db) == (ahead, "svg")


def test_a_chart_is_tried_three_times_then_left_alone(db):
    chart = radar()
    cache.want(db, [chart], "svg", cache.VIEWED)
    for _ in range(cache.ATTEMPTS):
        assert cache.next_wanted(db) == (chart, "svg")
        cache.failed(db, chart, "svg", "RuntimeError()")
    assert cache.next_wanted(db) is None
    assert cache.waiting(db) == {"wanted": 0, "failed": 1, "changed": 0}


def test_a_whole_round_change_takes_its_teams_changes_with_it(db):
    cache.note_change(db, 3, 7)
    cache.note_change(db, 3, None)
    cache.note_change(db, 3, 8)
    cache.note_change(db, 4, 9)
    assert cache.take_change(db) == (3, 7)
    assert cache.take_change(db) == (3, None)
    assert cache.take_change(db) == (4, 9)  # team 8's change went with its whole round
    assert cache.take_change(db) is None


def test_pruning_keeps_the_newest_pictures(db):
    for score in (1.0, 2.0, 3.0):
        cache.keep(db, radar(score), "svg", b"<svg/>")
    db.execute("UPDATE drawn SET drawn_at = '2020-01-01' WHERE key = ?", [radar(1.0).key])
    db.conn.commit()
    assert cache.prune(db, 2) == 1
    assert cache.picture(db, radar(1.0), "svg") is None
    assert cache.picture(db, radar(3.0), "svg") == b"<svg/>"


@pytest.mark.parametrize(("checkpoints", "grows"), [(False, True), (True, False)])
def test_only_the_renderer_copies_the_log_back_so_a_request_never_waits_on_it(
    tmp_path, checkpoints, grows
):
    """A web request's connection leaves the write-ahead log to grow past its usual 1,000
    pages (4 MB) rather than copy it back itself; the renderer's connection copies it back."""
    path = tmp_path / "charts.db"
    renderer = cache.open_charts(path)  # held open, as the renderer holds it
    writer = cache.open_charts(path, checkpoints=checkpoints)
    for n in range(160):
        cache.keep(writer, radar(float(n % 4) + 1, name=f"Team {n}"), "png", bytes(40_000))
    log_bytes = (tmp_path / "charts.db-wal").stat().st_size
    writer.conn.close()
    renderer.conn.close()
    assert (log_bytes > 6_000_000) is grows
