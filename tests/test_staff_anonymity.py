"""Staff answers are anonymous everywhere: with staff answers in the sample council (among them a
team below the minimum with a distinctive comment and an unusual level pattern), every GET route
of the access matrix, as every role, and every export table and API table hold no response id,
no device secret, none of the small team's comments and none of its figures. (That no visible
figure gives a small group's answers away by difference is the rule's own test, in
test_staff_figures.py.)"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask

from assess import store
from assess.assessment.staff_figures import response_scores, staff_view
from assess.store import exports as export_queries
from assess.store import staff as staff_store
from tests.conftest import running_renderer
from tests.samples import SampleCouncil
from tests.test_access_matrix import MATRIX, ROLES, answer_of, request_for, signed_in
from tests.test_access_matrix import Prepared as Matrix

SMALL = "Housing Needs"  # the sample team: its results page is one of the routes walked
COMMENT = "Only the night-shift caretaker Zygmunt would say this"
# Pages may not show the small team's figures: its results table, heatmap cells, CSV figures.
STAFF_TABLE = "staff and agreed scores"


@dataclass
class Council:
    matrix: Matrix
    response_ids: list[str]
    device_secrets: list[str]
    small_team_id: int


def answer(db, round_id: int, team_id: int, pattern: list[int], cex, comment: str = ""):
    """One submitted response per level in `pattern`: statement n answered at the pattern's level
    shifted by n, so the team's spread is like no other's. Returns (response ids, secrets)."""
    ids, secrets = [], []
    invitations = staff_store.create_invitations(
        db, round_id, team_id, "printed", None, count=len(pattern)
    )
    for (_, code), base in zip(invitations, pattern, strict=True):
        started = staff_store.start_response(db, code)
        assert isinstance(started, staff_store.Started)
        section = cex.section_dimension
        for member in section.members:
            statements = cex.statements_in(section.key, member.key)
            levels = {s.key: 1 + (base + n) % 5 for n, s in enumerate(statements)}
            staff_store.save_staff_section(db, started.response_id, levels, member.key, comment)
        staff_store.submit_staff_response(
            db,
            started.response_id,
            [s.key for s in cex.statements],
            lambda levels: response_scores(cex, levels),
        )
        ids.append(started.response_id)
        secrets.append(started.device_secret)
    return ids, secrets


@pytest.fixture(scope="module")
def council(tmp_path_factory, sample_council: SampleCouncil, cex) -> Iterator[Council]:
    app: Flask = sample_council.app_in(tmp_path_factory.mktemp("staff_anonymity"))
    ids = sample_council.ids
    with app.app_context():
        db = store.get_db()
        round_id = ids["round_id"]
        small = store.team_id_by_name(db, SMALL)
        found = answer(db, round_id, small, [0, 3, 1], cex, COMMENT)
        beside = answer(
            db, round_id, store.team_id_by_name(db, "Allocations"), [2] * 6, cex, "Fine"
        )
        response_ids = [r["id"] for r in db.query("SELECT id FROM staff_responses")]
    samples = {
        **ids,
        "assessment_id": ids["signed_off_id"],
        "user_id": sample_council.users["team_lead"],
        "fmt": "svg",
        "filename": "app.js",
        "token": "no-such-invitation",
    }
    with running_renderer(app, ahead=False):
        yield Council(
            Matrix(app, sample_council, samples, {}), response_ids, found[1] + beside[1], small
        )


def small_team_figures(council: Council, cex) -> set[str]:
    """The small team's section medians as a page prints them, where no other figure of the
    round is the same."""
    with council.matrix.app.app_context():
        levels = staff_store.round_staff_levels(
            store.get_db(), council.matrix.samples["round_id"], council.small_team_id
        )
    responses: dict[str, dict] = {}
    for row in levels:
        responses.setdefault(row["response_id"], {})[row["statement_key"]] = row["level"]
    view = staff_view(cex, list(responses.values()))
    return {f"{figure.median:.2f}" for figure in view.sections.values() if figure.median}


def text_of(response) -> str:
    """A page's or a download's text; a round pack is gzipped JSON."""
    data = response.get_data()
    return (gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).decode("utf-8", "replace")


def bodies(council: Council) -> Iterator[tuple[str, str]]:
    """(what was asked, the answer's text) for every GET of the access matrix as every role, the
    round heatmap's staff view and its downloads, and every export and API table."""
    matrix = council.matrix
    round_id = matrix.samples["round_id"]
    for row in MATRIX:
        if row.method != "GET" or "<path:filename>" in row.rule:
            continue
        rule, path, _ = request_for(matrix, row)
        for role in ROLES:
            client, headers = signed_in(matrix, role, rule)
            response = client.get(path, headers=headers)
            yield f"{path} as {role}", text_of(response)
    client, _ = signed_in(matrix, "business_improvement", rule)
    for path in (
        f"/rounds/{round_id}/heatmap/value?view=staff",
        f"/rounds/{round_id}/heatmap/readiness_area?view=staff",
        f"/rounds/{round_id}/heatmap/value.csv?view=staff",
        f"/rounds/{round_id}/calibration",
        f"/rounds/{round_id}",
    ):
        response = client.get(path)
        assert answer_of(response, path) == 200, path
        yield path, text_of(response)
    for role in ("auditor", "business_improvement"):
        client, _ = signed_in(matrix, role, rule)
        for table in export_queries.TABLES:
            path = f"/audit/export?table={table}&format=csv&download=1"
            yield f"{path} as {role}", text_of(client.get(path))


def test_no_page_download_or_table_gives_away_who_answered_or_a_small_teams_answers(council, cex):
    hidden_figures = small_team_figures(council, cex)
    leaks = []
    for asked, text in bodies(council):
        for response_id in council.response_ids:
            if response_id in text:
                leaks.append(f"{asked}: a response id")
        for secret in council.device_secrets:
            if secret in text:
                leaks.append(f"{asked}: a device secret")
        if "Zygmunt" in text:
            leaks.append(f"{asked}: the small team's comment")
        if STAFF_TABLE in text and f"/teams/{council.small_team_id}/" in asked:
            leaks.append(f"{asked}: the small team's staff table")
        if "table=staff_figures" in asked or "api/v1/staff-figures" in asked:
            for line in text.splitlines():
                if SMALL in line and any(figure in line for figure in hidden_figures):
                    leaks.append(f"{asked}: a small team's figure in {line[:80]}")
        if "view=staff" in asked:
            row = text.split(SMALL, 1)[1].split("</tr>", 1)[0] if SMALL in text else ""
            line = next((r for r in text.splitlines() if f'"{SMALL}"' in r), "")
            for figure in hidden_figures:
                if figure in row or figure in line:
                    leaks.append(f"{asked}: the small team's median {figure}")
    assert not leaks, "\n".join(leaks[:20])


def test_the_small_team_is_below_the_minimum_and_its_neighbour_is_hidden_beside_it(council):
    with council.matrix.app.app_context():
        counts = staff_store.round_staff_teams(store.get_db(), council.matrix.samples["round_id"])
    small = next(t[council.small_team_id] for t in counts.values() if council.small_team_id in t)
    assert 0 < small < council.matrix.app.config["MIN_RESPONSES"]
