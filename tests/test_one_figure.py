"""One figure everywhere: the council average of a round for each value and readiness area.

The rule (assess.assessment.scoring): the mean of the signed-off teams' stored scores, each team
once, teams without a score left out, in exact decimal arithmetic, rounded half up to 2 places
once at the end. The round built here puts every one of those averages on a rounding edge (an
exact mean ending in 5 in the third place) and has a submitted team that is not signed off, so a
surface that rounds binary floats, rounds half to even, or counts unsigned assessments shows a
figure that differs from the expected one by a hundredth. Each test reads one surface the way
its user does and compares every figure it shows with the figure worked out here with fractions.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from flask import Flask
from hypothesis import example, given, settings
from hypothesis import strategies as st

from assess import store
from assess.assessment.questionnaire import Questionnaire, load_questionnaire
from assess.assessment.scoring import OVERALL, council_average, score_assessment
from assess.audit import round_pack
from assess.cli import cli
from assess.rounds.views import OVERALL_HEADING
from assess.store import registers as register_store
from assess.store import round_packs as pack_store
from assess.store import tokens as token_store
from assess.web.app import create_app
from tests.conftest import csrf_token, read_page, sign_in
from tests.one_figure_samples import (
    SIGNED_OFF,
    SUBMITTED_ONLY,
    answer_rows,
    column,
    expected_average,
    expected_mean,
    row,
    shown,
)

OFFICER = "sam.okafor@council.example"  # business improvement
AUDITOR = "jo.maxwell@council.example"
ROUND = "2025/26"
EQIA_REF = "EDGE-EQIA-01"
RISK_REF = "EDGE-R01"
DIMENSIONS = {"value": "Corporate value", "readiness_area": "Readiness area"}
INCLUSION = ("value", "inclusion-respect")
LOW_SCORE = Decimal("2.5")


def figure(average: Decimal | None) -> str | None:
    return None if average is None else f"{average:.2f}"


def assert_shows(figures: dict[str, str | None], expected: dict[str, str | None]) -> None:
    """Every figure a surface shows is the expected one; a failure names each that is not."""
    wrong = [
        f"{name}: shows {figures.get(name)}, expected {want}"
        for name, want in expected.items()
        if figures.get(name) != want
    ]
    assert not wrong, "\n".join(wrong)


@dataclass(frozen=True)
class Member:
    dimension: str
    key: str
    name: str

    @property
    def link_name(self) -> str:
        """How the registers name it: 'Corporate value: Inclusion & Respect'."""
        return f"{DIMENSIONS[self.dimension]}: {self.name}"


@dataclass(frozen=True)
class EdgeRound:
    app: Flask
    instance: Path
    round_id: int
    teams: dict[str, int]
    assessments: dict[str, int]
    members: tuple[Member, ...]
    # team -> (dimension, member) -> stored score, as the database holds them
    stored: dict[str, dict[tuple[str, str], float | None]]
    eqia_id: int

    def scores(self, dimension: str, member: str, teams) -> list[float | None]:
        return [self.stored[team].get((dimension, member)) for team in teams]

    def expected(
        self, dimensions=tuple(DIMENSIONS), overall: bool = False
    ) -> dict[str, str | None]:
        """Member name -> the council average every surface must show, from the signed-off
        teams' stored scores (and "Overall" for the overall score, where a surface shows it)."""
        figures = {
            m.name: figure(expected_average(self.scores(m.dimension, m.key, SIGNED_OFF)))
            for m in self.members
            if m.dimension in dimensions
        }
        if overall:
            figures["Overall"] = figure(expected_average(self.scores(OVERALL, OVERALL, SIGNED_OFF)))
        return figures

    def member(self, dimension: str, key: str) -> Member:
        return next(m for m in self.members if (m.dimension, m.key) == (dimension, key))

    def client(self, email: str):
        client = self.app.test_client()
        sign_in(client, email)
        return client


def sign_off_through_the_review_page(client, round_id: int, team_id: int) -> None:
    review = f"/rounds/{round_id}/teams/{team_id}"
    token = csrf_token(client.get(review).get_data(as_text=True))
    response = client.post(f"{review}/sign-off", data={"csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@pytest.fixture(scope="module")
def cex_2024() -> Questionnaire:
    """The 2024 version of the culture questionnaire (30 statements), kept in tests/fixtures: the
    answer sheets were chosen against its statements and tags, and a round keeps the version it
    was opened on however the file in questionnaires/ has changed since."""
    return load_questionnaire(Path(__file__).parent / "fixtures" / "cex-culture-maturity-2024.yaml")


@pytest.fixture(scope="module")
def edge_round(tmp_path_factory, demo_database, cex_2024) -> EdgeRound:
    """The demo council plus an open 2025/26 round of seven new teams: six signed off through
    the review page, one submitted and left waiting. An EqIA linked to Inclusion & Respect is
    added before the last sign-off, so the prompt it raises rests on the whole round; a risk is
    linked to every value and readiness area, so the exposure view shows each average."""
    instance = tmp_path_factory.mktemp("one-figure") / "instance"
    instance.mkdir()
    shutil.copy(demo_database, instance / "assess.db")
    app = create_app({"TESTING": True, "SECRET_KEY": "test"}, instance_path=instance)
    db = store.connect(app.config["DATABASE_PATH"], audit_key=app.config["AUDIT_KEY"])
    try:
        directorate = store.add_directorate(db, "Registration and Civic Services")
        sheets = {**SIGNED_OFF, **SUBMITTED_ONLY}
        teams = {name: store.add_team(db, name, directorate) for name in sheets}
        store.store_questionnaire_version(db, cex_2024)
        round_id = store.create_round(
            db,
            ROUND,
            cex_2024.version,
            "2025-09-01",
            "2025-12-12",
            "open",
            team_ids=list(teams.values()),
        )
        assessments = {}
        for name, sheet in sheets.items():
            assessment_id = store.start_assessment(db, teams[name], round_id, None)
            store.save_answers(db, assessment_id, answer_rows(cex_2024, sheet), None)
            store.submit_assessment(
                db,
                assessment_id,
                None,
                lambda rows: score_assessment(cex_2024, store.as_scoring_answers(rows)),
            )
            assessments[name] = assessment_id

        officer = app.test_client()
        sign_in(officer, OFFICER)
        *first, last = SIGNED_OFF
        for name in first:
            sign_off_through_the_review_page(officer, round_id, teams[name])
        eqia_id = register_store.add_eqia(
            db, {"ref": EQIA_REF, "title": "Registration services move online"}, [], None
        )
        register_store.add_link(db, "eqia", eqia_id, cex_2024.id, *INCLUSION, None)
        sign_off_through_the_review_page(officer, round_id, teams[last])

        members = tuple(
            Member(dimension, m.key, m.name)
            for dimension in DIMENSIONS
            for m in cex_2024.dimension(dimension).members
        )
        risk_id = register_store.add_risk(
            db,
            {
                "ref": RISK_REF,
                "title": "Residents miss out where services are least mature",
                "raised_on": "2025-09-01",
                **{
                    f"{stage}_{axis}": 3
                    for stage in ("inherent", "current", "target")
                    for axis in ("likelihood", "impact")
                },
            },
            None,
        )
        for m in members:
            register_store.add_link(db, "risk", risk_id, cex_2024.id, m.dimension, m.key, None)

        stored: dict[str, dict[tuple[str, str], float | None]] = {name: {} for name in sheets}
        for team, dimension, member, score in db.execute(
            """SELECT t.name, s.dimension, s.member, s.score
               FROM scores s JOIN assessments a ON a.id = s.assessment_id
               JOIN teams t ON t.id = a.team_id WHERE a.round_id = ?""",
            [round_id],
        ):
            stored[team][(dimension, member)] = score
        statuses = dict(
            db.execute(
                "SELECT t.name, a.status FROM assessments a JOIN teams t ON t.id = a.team_id "
                "WHERE a.round_id = ?",
                [round_id],
            ).fetchall()
        )
    finally:
        db.conn.close()
    assert statuses == {
        **{name: "signed_off" for name in SIGNED_OFF},
        **{name: "submitted" for name in SUBMITTED_ONLY},
    }
    return EdgeRound(app, instance, round_id, teams, assessments, members, stored, eqia_id)


def test_every_council_average_of_the_sample_round_sits_on_a_rounding_edge(edge_round):
    """The sample is only a test of rounding if the exact means end in 5 in the third place and
    counting the unsigned team would change them; this fails first if scoring moves them."""
    for m in edge_round.members:
        signed_off = edge_round.scores(m.dimension, m.key, SIGNED_OFF)
        tie = expected_mean(signed_off) * 200
        assert tie.denominator == 1 and tie.numerator % 2 == 1, (m.name, signed_off)
        everyone = signed_off + edge_round.scores(m.dimension, m.key, SUBMITTED_ONLY)
        assert expected_average(everyone) != expected_average(signed_off), m.name
    inclusion = edge_round.scores(*INCLUSION, SIGNED_OFF)
    assert inclusion.count(None) == 2, "two teams marked every Inclusion & Respect statement n/a"
    assert expected_average(inclusion) < LOW_SCORE
    assert expected_average(inclusion + edge_round.scores(*INCLUSION, SUBMITTED_ONLY)) < LOW_SCORE


# --- the results page and the printable report ---------------------------------------------------


@pytest.mark.parametrize(
    "page, team",
    [
        ("results", "Registrars"),
        ("results", "Coroner Liaison"),  # submitted, not signed off: it still reads the average
        ("printable report", "Registrars"),
    ],
)
def test_a_teams_results_show_the_council_average_of_the_signed_off_teams(edge_round, page, team):
    client = edge_round.client(OFFICER)
    if page == "results":
        url = f"/teams/{edge_round.teams[team]}/rounds/{edge_round.round_id}/results"
    else:
        url = f"/audit/assessments/{edge_round.assessments[team]}/report"
    response = client.get(url)
    text = read_page(response).text
    council = column(response.get_data(as_text=True), "Council average")
    figures = {m.name: shown(council.get(m.name)) for m in edge_round.members}
    overall = re.search(r"council average (\S+?),", text)
    figures["Overall"] = shown(overall.group(1)) if overall else None
    assert_shows(figures, edge_round.expected(overall=True))


# --- heatmaps -----------------------------------------------------------------------------------


def heatmap_heading(name: str) -> str:
    """The heatmap's column heading for a figure's name."""
    return OVERALL_HEADING if name == "Overall" else name


@pytest.mark.parametrize("dimension", list(DIMENSIONS))
def test_the_heatmaps_council_average_row_shows_the_one_figure(edge_round, dimension):
    client = edge_round.client(OFFICER)
    response = client.get(f"/rounds/{edge_round.round_id}/heatmap/{dimension}")
    read_page(response)
    averages = row(response.get_data(as_text=True), "Council average")
    expected = edge_round.expected((dimension,), overall=True)
    assert_shows({name: shown(averages.get(heatmap_heading(name))) for name in expected}, expected)


@pytest.mark.parametrize("dimension", list(DIMENSIONS))
def test_the_heatmap_csv_download_carries_the_same_council_average(edge_round, dimension):
    client = edge_round.client(OFFICER)
    response = client.get(f"/rounds/{edge_round.round_id}/heatmap/{dimension}.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    averages = next((r for r in rows if r.get("Team") == "Council average"), {})
    expected = edge_round.expected((dimension,), overall=True)
    assert_shows({name: shown(averages.get(heatmap_heading(name))) for name in expected}, expected)


# --- the council view and trends ----------------------------------------------------------------


def test_the_council_view_shows_the_one_figure_as_each_areas_average(edge_round):
    client = edge_round.client(OFFICER)
    response = client.get(f"/rounds/{edge_round.round_id}/council")
    read_page(response)
    averages = column(response.get_data(as_text=True), "Average")
    expected = edge_round.expected()
    assert_shows({name: shown(averages.get(heatmap_heading(name))) for name in expected}, expected)


@pytest.mark.parametrize("dimension", list(DIMENSIONS))
def test_the_councils_trend_shows_the_one_figure_for_the_round(edge_round, dimension):
    client = edge_round.client(OFFICER)
    response = client.get(f"/trends/{dimension}")
    read_page(response)
    this_round = row(response.get_data(as_text=True), ROUND)
    expected = edge_round.expected((dimension,))
    # The sample round is on the 2024 questionnaire and the demo's rounds on the current one, so
    # each figure carries the trend's note that the two are on different versions.
    note = "not comparable with the round before"
    figures = {name: (this_round.get(name) or "").replace(note, "") or None for name in expected}
    assert_shows({name: shown(figures[name]) for name in expected}, expected)


def test_the_committee_report_shows_the_one_figure_on_its_page_and_in_its_document(edge_round):
    client = edge_round.client(OFFICER)
    url = f"/rounds/{edge_round.round_id}/committee-report"
    response = client.get(url)
    read_page(response)
    html = response.get_data(as_text=True)
    expected = edge_round.expected(overall=True)
    overall = f"The council average overall score is {expected['Overall']} out of"
    spread, by_directorate = column(html, "Average"), row(html, "Council average")
    assert_shows(
        {name: shown(spread.get(name)) for name in expected if name != "Overall"},
        {name: figure for name, figure in expected.items() if name != "Overall"},
    )
    assert_shows({name: shown(by_directorate.get(name)) for name in expected}, expected)
    assert overall in html
    document = docx.Document(io.BytesIO(client.get(url + ".docx").data))
    tables = [[[cell.text for cell in r.cells] for r in table.rows] for table in document.tables]
    in_document = {
        **{r[0]: r[-1] for t in tables if t[0][-1] == "Average" for r in t[1:]},
        **{
            heading: cell
            for t in tables
            if t[0][0] == "Directorate"
            for r in t[1:]
            if r[0] == "Council average"
            for heading, cell in zip(t[0], r, strict=True)
        },
    }
    assert_shows({name: shown(in_document.get(name)) for name in expected}, expected)
    assert any(overall in p.text for p in document.paragraphs)


# --- risks and equality -------------------------------------------------------------------------


def test_risks_exposed_by_low_maturity_show_the_one_figure_for_each_linked_area(edge_round):
    client = edge_round.client(OFFICER)
    page = read_page(client.get("/registers/exposure"))
    assert f"teams signed off in {ROUND}" in page.text, "the sample round is the open one"
    figures = {}
    for m in edge_round.members:
        found = re.search(
            re.escape(m.link_name) + r": \d+ below, average (\S+?)(?:,| \()", page.text
        )
        figures[m.name] = shown(found.group(1)) if found else None
    assert_shows(figures, edge_round.expected())


def test_a_risk_proposed_from_low_scores_quotes_the_one_figure_as_its_evidence(edge_round):
    client = edge_round.client(OFFICER)
    token = csrf_token(client.get("/registers/exposure").get_data(as_text=True))
    figures = {}
    for m in edge_round.members:
        response = client.post(
            "/registers/risks/propose",
            data={
                "target": f"{m.dimension}:{m.key}",
                "round_id": str(edge_round.round_id),
                "csrf_token": token,
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        text = read_page(client.get(response.headers["Location"])).text
        found = re.search(
            r"The council average in " + re.escape(m.link_name) + r" was (\S+?) in ", text
        )
        figures[m.name] = shown(found.group(1)) if found else None
    assert_shows(figures, edge_round.expected())


def eqia_prompt_figure(reason: str | None) -> str | None:
    found = reason and re.search(r"council average for Inclusion & Respect is (\S+?),", reason)
    return shown(found.group(1)) if found else reason


def test_the_eqia_review_prompt_raised_at_sign_off_quotes_the_one_figure(edge_round):
    client = edge_round.client(OFFICER)
    page = read_page(client.get(f"/registers/eqias/{edge_round.eqia_id}"))
    found = re.search(
        rf"{EQIA_REF}: [^,]+, {re.escape(ROUND)}\. (.+?), so review this assessment", page.text
    )
    inclusion = edge_round.member(*INCLUSION).name
    figures = {inclusion: eqia_prompt_figure(found.group(1) if found else None)}
    assert_shows(figures, {inclusion: edge_round.expected()[inclusion]})


# --- what auditors take away --------------------------------------------------------------------


def averages_of_signed_off(rows, edge_round) -> dict[str, str | None]:
    """The council average from rows of per-team scores (an export or the API carries no
    average of its own): the rule applied to the signed-off rows of the sample round."""
    scores: dict[tuple[str, str], list] = {}
    for r in rows:
        if r["round"] == ROUND and r["assessment_status"] == "signed_off":
            scores.setdefault((r["dimension"], r["member"]), []).append(r["score"] or None)
    return {
        m.name: figure(expected_average(scores.get((m.dimension, m.key), [])))
        for m in edge_round.members
    }


def test_the_scores_export_averages_to_the_one_figure(edge_round):
    """The scores export carries each team's stored score and its assessment's status, not a
    council average: averaging its signed-off rows by the rule must give the same figure."""
    client = edge_round.client(AUDITOR)
    response = client.get(f"/audit/export?table=scores&format=csv&round={edge_round.round_id}")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert {r["team"] for r in rows} == {*SIGNED_OFF, *SUBMITTED_ONLY}
    assert_shows(averages_of_signed_off(rows, edge_round), edge_round.expected())


def test_the_eqia_review_prompts_export_quotes_the_one_figure(edge_round):
    client = edge_round.client(AUDITOR)
    response = client.get("/audit/export?table=eqia_review_prompts&format=csv")
    assert response.status_code == 200
    rows = csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
    reason = next((r["reason"] for r in rows if r["eqia_ref"] == EQIA_REF), None)
    inclusion = edge_round.member(*INCLUSION).name
    assert_shows(
        {inclusion: eqia_prompt_figure(reason)}, {inclusion: edge_round.expected()[inclusion]}
    )


@pytest.fixture(scope="module")
def api_token(edge_round) -> str:
    db = store.connect(
        edge_round.app.config["DATABASE_PATH"], audit_key=edge_round.app.config["AUDIT_KEY"]
    )
    try:
        auditor = store.user_by_email(db, AUDITOR)
        return token_store.create_token(db, auditor["id"], "one figure")[1]
    finally:
        db.conn.close()


def test_the_apis_scores_average_to_the_one_figure(edge_round, api_token):
    """The API's scores are per team, like the export: the rule over its signed-off rows must
    give the figure every page shows."""
    response = edge_round.app.test_client().get(
        f"/audit/api/v1/scores?round={edge_round.round_id}",
        headers={"Authorization": f"Bearer {api_token}"},
    )
    assert response.status_code == 200
    assert_shows(averages_of_signed_off(response.get_json(), edge_round), edge_round.expected())


def test_the_apis_eqia_review_prompts_quote_the_one_figure(edge_round, api_token):
    response = edge_round.app.test_client().get(
        "/audit/api/v1/eqia-review-prompts", headers={"Authorization": f"Bearer {api_token}"}
    )
    assert response.status_code == 200
    reason = next((r["reason"] for r in response.get_json() if r["eqia_ref"] == EQIA_REF), None)
    inclusion = edge_round.member(*INCLUSION).name
    assert_shows(
        {inclusion: eqia_prompt_figure(reason)}, {inclusion: edge_round.expected()[inclusion]}
    )


def test_a_round_pack_recomputes_scores_that_average_to_the_one_figure(edge_round, tmp_path):
    """A round pack holds per-team scores (every submitted assessment, with its status) and
    `assess audit recompute` checks each against its answers; the pack carries no council
    average, so its recomputed signed-off scores, averaged by the rule, must give the figure."""
    db = store.connect(
        edge_round.app.config["DATABASE_PATH"], audit_key=edge_round.app.config["AUDIT_KEY"]
    )
    try:
        pack = pack_store.gather(db, edge_round.round_id, None)
    finally:
        db.conn.close()
    path = tmp_path / "pack.json.gz"
    path.write_bytes(round_pack.to_file(pack))
    result = CliRunner().invoke(
        cli, ["--instance", str(edge_round.instance), "audit", "recompute", str(path)]
    )
    assert result.exit_code == 0, result.output
    assert "recomputed from the pack match the stored scores" in result.output
    assert round_pack.recompute(json.loads(json.dumps(pack))).differences == []
    status = {a["id"]: a["status"] for a in pack["assessments"]}
    rows = [
        {**s, "round": pack["round"]["name"], "assessment_status": status[s["assessment_id"]]}
        for s in pack["scores"]
    ]
    assert_shows(averages_of_signed_off(rows, edge_round), edge_round.expected())


# --- the one function, by property --------------------------------------------------------------

HUNDREDTHS = st.integers(min_value=100, max_value=500)  # a score from 1.00 to 5.00
SCORES = st.lists(st.one_of(st.none(), HUNDREDTHS.map(lambda h: h / 100)), max_size=12)


@st.composite
def scores_whose_mean_ends_in_five(draw) -> list[float | None]:
    """An even number of teams whose exact mean ends in 5 in the third place (an odd number of
    teams cannot: their hundredths divide into thirds, fifths, ...), with teams without a score
    mixed in."""
    teams = draw(st.sampled_from([2, 4, 6, 8, 10]))
    first = draw(st.lists(HUNDREDTHS, min_size=teams - 1, max_size=teams - 1))
    wanted = (teams // 2 - sum(first)) % teams
    last = draw(st.sampled_from([h for h in range(100, 501) if h % teams == wanted]))
    scores = [h / 100 for h in [*first, last]] + [None] * draw(st.integers(0, 3))
    return draw(st.permutations(scores))


@st.composite
def the_same_score_for_every_team(draw) -> list[float | None]:
    score = draw(HUNDREDTHS) / 100
    return [score] * draw(st.integers(1, 40)) + [None] * draw(st.integers(0, 2))


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    scores=st.one_of(
        SCORES,
        scores_whose_mean_ends_in_five(),
        the_same_score_for_every_team(),
        HUNDREDTHS.map(lambda h: [h / 100]),
    )
)
@example(scores=[2.34, 2.35])
@example(scores=[2.0, 2.01])
@example(scores=[2.0, 3.0, 1.71, 2.67, None, None])
@example(scores=[1.11, 1.12, 1.12, 1.11])
@example(scores=[None, None])
@example(scores=[])
def test_the_council_average_is_the_exact_mean_of_the_teams_rounded_half_up_once(scores):
    """2.34 and 2.35 average 2.35 though binary floats sum them to 2.3449...; 2.0 and 2.01 average
    2.01 though round() gives 2.0; the sample round's Inclusion & Respect scores average 2.35;
    teams without a score are left out, and no score at all is no average."""
    average = council_average(scores)
    expected = expected_average(scores)
    if expected is None:
        assert average is None
    else:
        assert average is not None and Decimal(str(average)) == expected, (
            scores,
            average,
            expected,
        )
