"""The readiness review: its checks file, its scores, its page, and where its scores show (a
team's results and radar, the heatmap, exports and round packs)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assess import store
from assess.assessment.journey import radars_of_round
from assess.assessment.questionnaire import QuestionnaireError
from assess.assessment.scoring import OVERALL, ScoringError, review_scores
from assess.audit import round_pack
from assess.readiness.checks import NOT_APPLICABLE, REVIEWS_FOLDER, load_reviews, parse_review
from assess.readiness.form import answer_field, note_field, read_review, unanswered
from assess.store import readiness as review_store
from assess.store import round_packs
from tests.conftest import QUESTIONNAIRES, csrf_token, read_page

# The demo's readiness reviews in the open round (assess/demo: DEMO_REVIEW_PROGRESS).
NOT_STARTED, DRAFT, COMPLETED = "Housing Needs", "Taxi Licensing", "Parking Services"


@pytest.fixture(scope="module")
def review(questionnaires):
    return load_reviews(QUESTIONNAIRES / REVIEWS_FOLDER, questionnaires)["cex-readiness-review"]


@pytest.fixture
def current(db):
    return store.current_round(db)


def url(db, team: str, round_: dict) -> str:
    return f"/teams/{store.team_id_by_name(db, team)}/rounds/{round_['id']}/readiness-review/"


def every_check(checks, answer="yes") -> dict[str, str]:
    """A page that answers every check the same way, with evidence."""
    form = {}
    for check in checks:
        form[answer_field(check.key)] = answer
        form[note_field(check.key)] = f"Evidence for {check.key}"
    return form


def post(client, path: str, form: dict, action: str = "later"):
    token = csrf_token(client.get(url_of_overview(path)).get_data(as_text=True))
    return client.post(path, data={**form, "action": action, "csrf_token": token})


def url_of_overview(path: str) -> str:
    return path.split("readiness-review/")[0] + "readiness-review/"


def answer_every_area(client, path: str, review, answer="yes", changes=None):
    """Answer every check, area by area, as the pages ask; `changes` overrides some checks."""
    for area in review.areas:
        form = every_check(review.checks_in(area.key), answer)
        form.update({k: v for k, v in (changes or {}).items() if k in form})
        response = post(client, path + area.key, form, "continue")
        assert response.status_code == 302, read_page(response, response.status_code).text


# --- the checks file ----------------------------------------------------------------------------


def test_the_councils_review_has_the_questionnaires_four_readiness_areas(review, cex):
    assert [a.key for a in review.areas] == [m.key for m in cex.dimension("readiness_area").members]
    assert all(review.checks_in(a.key) for a in review.areas)
    assert [(a.key, a.points, a.evidence_required) for a in review.answers] == [
        ("yes", 5, True),
        ("partly", 3, True),
        ("no", 1, False),
    ]


REVIEW_YAML = """\
id: test-review
title: Test review
compares_with: {questionnaire: cex-culture-maturity, dimension: readiness_area}
answers:
  - {key: "yes", name: "Yes", points: 5, evidence: required}
  - {key: "no", name: "No", points: 1, evidence: optional}
scoring: Yes 5, No 1.
areas:
  - {key: digital-access, name: Digital}
checks:
  - key: pay-online
    area: digital-access
    text: Can people pay online?
    evidence: The payment page.
    descriptors:
      "yes": They can.
      "no": They cannot.
"""


def test_a_check_file_in_the_format_loads():
    review = parse_review(REVIEW_YAML, "test.yaml")
    assert review.check("pay-online").descriptors == {"yes": "They can.", "no": "They cannot."}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('"yes": They can.', "yes: They can."), "missing descriptor for 'yes'"),
        (("points: 5", "points: 7"), "'points' must be a whole number from 1 to 5"),
        (("area: digital-access", "area: digital"), "unknown area 'digital'"),
        (("evidence: required", "evidence: always"), "'evidence' must be 'required' or"),
        (("    evidence: The payment page.\n", ""), "'evidence' is missing or empty"),
    ],
)
def test_a_fault_in_a_check_file_is_named_with_its_line(change, message):
    with pytest.raises(QuestionnaireError) as raised:
        parse_review(REVIEW_YAML.replace(*change), "test.yaml")
    problem = next(p for p in raised.value.problems if message in p.message)
    assert problem.line is not None and problem.path == "test.yaml"


def test_areas_that_are_not_the_questionnaires_are_refused_when_the_app_loads(
    tmp_path, questionnaires
):
    folder = tmp_path / REVIEWS_FOLDER
    folder.mkdir()
    (folder / "review.yaml").write_text(REVIEW_YAML)
    with pytest.raises(QuestionnaireError, match="the areas must be digital-access, customer"):
        load_reviews(folder, questionnaires)


# --- scores -------------------------------------------------------------------------------------


def test_an_areas_score_is_the_weighted_mean_of_its_answers_points(review):
    area = review.areas[0].key
    first, second, third, fourth = review.checks_in(area)[:4]
    weights = first.weight + second.weight + third.weight
    answers = {
        first.key: "yes",
        second.key: "partly",
        third.key: "no",
        fourth.key: NOT_APPLICABLE,
    }
    scores = review_scores(review, answers)
    expected = round((5 * first.weight + 3 * second.weight + 1 * third.weight) / weights, 2)
    assert scores[area].mean == expected
    assert (scores[area].answered, scores[area].not_applicable) == (3, 1)
    assert scores[review.areas[1].key].mean is None  # nothing answered: no score, never 0
    assert scores[OVERALL].answered == 3


def test_an_answer_the_review_does_not_offer_cannot_be_scored(review):
    with pytest.raises(ScoringError):
        review_scores(review, {review.checks[0].key: "maybe"})
    with pytest.raises(ScoringError):
        review_scores(review, {"no-such-check": "yes"})


@given(data=st.data())
def test_a_score_lies_between_its_lowest_and_highest_answer(review, data):
    chosen = data.draw(
        st.dictionaries(
            st.sampled_from([c.key for c in review.checks]),
            st.sampled_from(["yes", "partly", "no", NOT_APPLICABLE]),
        )
    )
    points = {"yes": 5, "partly": 3, "no": 1}
    for area in review.areas:
        given_points = [
            points[chosen[c.key]] for c in review.checks_in(area.key) if chosen.get(c.key) in points
        ]
        score = review_scores(review, chosen)[area.key]
        if not given_points:
            assert score.mean is None
        else:
            assert min(given_points) <= score.mean <= max(given_points)


# --- reading the page ---------------------------------------------------------------------------


def test_an_answer_without_what_it_needs_is_not_kept_and_is_named(review):
    yes, na, loose, fine = (c.key for c in review.checks[:4])
    posted = read_review(
        review,
        list(review.checks),
        {
            answer_field(yes): "yes",
            note_field(yes): "   ",
            answer_field(na): NOT_APPLICABLE,
            note_field(loose): "a note with no answer",
            answer_field(fine): "no",
        },
        max_text=100,
    )
    assert posted.kept == {fine: ("no", "")}
    named = dict(posted.errors)
    assert "Give the evidence for answering “Yes” to check 1" in named[note_field(yes)]
    assert "Say why check 2" in named[note_field(na)]
    assert "Choose an answer for check 3" in named[answer_field(loose)]
    assert posted.values[note_field(loose)] == "a note with no answer"


def test_a_note_over_the_limit_is_refused_and_completing_needs_every_check(review):
    first = review.checks[0].key
    posted = read_review(
        review,
        list(review.checks),
        {answer_field(first): "yes", note_field(first): "x" * 101},
        max_text=100,
    )
    assert posted.kept == {}
    assert f"must be {100:,} characters or fewer" in dict(posted.errors)[note_field(first)]
    missing = unanswered(review, {first: "yes"})
    assert [key for key, _ in missing] == [c.key for c in review.checks[1:]]
    assert missing[0][1].startswith("Answer check 2 (")


# --- the page -----------------------------------------------------------------------------------


def test_a_save_keeps_what_it_can_and_names_the_rest(client_as, db, current, review):
    lead = client_as("team_lead")  # Priya, Housing Needs: not started
    path = url(db, NOT_STARTED, current) + review.areas[0].key
    first, second = review.checks[0].key, review.checks[1].key
    form = {
        answer_field(first): "partly",
        note_field(first): "Card payments online; cash at the office",
        answer_field(second): "yes",
        note_field(second): "",
    }
    response = post(lead, path, form)
    page = read_page(response, 400)
    assert "There is a problem" in page.text
    assert "Give the evidence for answering “Yes” to check 2" in page.text
    assert "Card payments online; cash at the office" in page.text  # what was typed, shown back
    kept = review_store.find_review(db, store.team_id_by_name(db, NOT_STARTED), current["id"])
    answers = review_store.answers_of_review(db, kept["id"])
    assert {k: (a["answer"], a["note"]) for k, a in answers.items()} == {
        first: ("partly", "Card payments online; cash at the office")
    }
    assert kept["status"] == "draft"


def test_a_completed_review_shows_beside_the_teams_readiness_scores(
    app, client_as, db, current, review
):
    lead = client_as("team_lead")
    path = url(db, NOT_STARTED, current)
    answer_every_area(lead, path, review, changes={answer_field(review.checks[0].key): "no"})
    assert post(lead, path, {}).status_code == 302  # "Complete the review"
    team_id = store.team_id_by_name(db, NOT_STARTED)
    found = review_store.find_review(db, team_id, current["id"])
    assert found["status"] == "completed"
    scores = review_store.scores_of_review(db, found["id"])
    first_area = review.checks[0].area
    assert scores[first_area]["score"] < 5.0
    page = read_page(lead.get(f"/teams/{team_id}/rounds/{current['id']}/results"))
    assert "Readiness review" in page.text
    assert f"{scores[first_area]['score']:.2f}" in page.text
    with app.app_context():
        charts = [c for team, c in radars_of_round(current["id"], team_id) if team == team_id]
    drawn = [json.loads(c.inputs) for c in charts]
    series = {inputs["title"]: [name for name, _ in inputs["series"]] for inputs in drawn}
    areas = next(names for title, names in series.items() if "readiness areas" in title)
    values = next(names for title, names in series.items() if "corporate values" in title)
    assert "Readiness review" in areas and "Readiness review" not in values


def test_changing_a_completed_review_makes_it_a_draft_until_completed_again(
    client_as, db, current, review
):
    lead = client_as("other_team_lead")  # Tom: Parking Services' review is completed
    path = url(db, COMPLETED, current)
    found = review_store.find_review(db, store.team_id_by_name(db, COMPLETED), current["id"])
    saved = review_store.answers_of_review(db, found["id"])
    area = review.areas[0].key
    path += area
    form = {}
    for key, answer in saved.items():
        if key in {c.key for c in review.checks_in(area)}:
            form[answer_field(key)], form[note_field(key)] = answer["answer"], answer["note"]
    assert post(lead, path, form).status_code == 302  # nothing changed: still completed
    assert review_store.find_review(db, found["team_id"], current["id"])["status"] == "completed"
    first = review.checks[0].key
    form[answer_field(first)], form[note_field(first)] = "no", ""
    assert post(lead, path, form).status_code == 302
    again = review_store.find_review(db, found["team_id"], current["id"])
    assert again["status"] == "draft"
    assert review_store.scores_of_review(db, found["id"]) == {}


def test_business_improvement_completes_any_teams_review_and_auditors_only_read(
    client_as, db, current, review
):
    path = url(db, DRAFT, current)
    auditor = client_as("auditor")
    page = read_page(auditor.get(path))
    assert "Complete the review" not in page.text and "Change the answers" not in page.text
    assert auditor.get(path + review.areas[0].key).status_code == 302  # to the overview
    officer = client_as("business_improvement")
    refused = post(officer, path, {})
    assert "Answer check" in read_page(refused, 400).text  # the draft has checks unanswered
    answer_every_area(officer, path, review)
    assert post(officer, path, {}).status_code == 302
    found = review_store.find_review(db, store.team_id_by_name(db, DRAFT), current["id"])
    assert found["status"] == "completed"
    assert found["completed_by"] == store.user_by_email(db, "sam.okafor@council.example")["id"]


def test_another_teams_lead_finds_no_review(client_as, db, current):
    assert client_as("other_team_lead").get(url(db, NOT_STARTED, current)).status_code == 404


def test_a_closed_rounds_review_cannot_change(client_as, db, current, review):
    path = url(db, COMPLETED, current)
    lead = client_as("other_team_lead")
    token = csrf_token(lead.get(path).get_data(as_text=True))
    store.set_round_status(db, current["id"], "closed", None)
    area = review.areas[0]
    form = every_check(review.checks_in(area.key), "no")
    response = lead.post(path + area.key, data={**form, "csrf_token": token})
    assert response.status_code == 409
    found = review_store.find_review(db, store.team_id_by_name(db, COMPLETED), current["id"])
    kept = review_store.answers_of_review(db, found["id"])
    assert not all(a["answer"] == "no" for a in kept.values())
    assert "Complete the review" not in read_page(lead.get(path)).text
    assert lead.post(path, data={"csrf_token": token}).status_code == 409


def test_the_task_list_offers_the_review(client_as, db, current):
    page = read_page(
        client_as("team_lead").get(url(db, NOT_STARTED, current)[: -len("readiness-review/")])
    )
    assert "Readiness review" in page.text and "Not started" in page.text


# --- heatmap, exports and round packs -----------------------------------------------------------


def test_the_readiness_heatmap_carries_the_review_beside_the_self_assessment(
    client_as, db, current, review
):
    officer = client_as("business_improvement")
    base = f"/rounds/{current['id']}/heatmap/readiness_area"
    body = officer.get(base + ".csv", query_string={"include": "submitted"}).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    column = review.areas[0].name + " (review)"
    team_id = store.team_id_by_name(db, COMPLETED)
    found = review_store.find_review(db, team_id, current["id"])
    expected = review_store.scores_of_review(db, found["id"])[review.areas[0].key]["score"]
    row = next(r for r in rows if r["Team"] == COMPLETED)
    assert row[column] == f"{expected:.2f}"
    assert review.areas[0].name in rows[0]  # the self-assessed column is still there
    assert "(review)" in read_page(officer.get(base)).text
    assert "(review)" not in read_page(officer.get(f"/rounds/{current['id']}/heatmap/value")).text


def test_the_export_of_review_scores_is_what_the_pages_show(client_as, db, current):
    auditor = client_as("auditor")
    response = auditor.get(
        "/audit/export",
        query_string={"table": "readiness_scores", "format": "csv", "round": current["id"]},
    )
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    completed = review_store.review_scores_in_round(db, current["id"])
    assert {r["team"] for r in rows} == {
        db.execute("SELECT name FROM teams WHERE id = ?", [t]).fetchone()[0] for t in completed
    }
    for r in rows:
        team_id = store.team_id_by_name(db, r["team"])
        stored = completed[team_id][r["area"]]
        assert (float(r["score"]) if r["score"] else None) == stored
        assert r["checks_version"] and r["review_status"] == "completed"


def test_a_round_pack_holds_the_reviews_and_recomputes_their_scores(db, current):
    store.set_round_status(db, current["id"], "closed", None)
    pack = round_packs.gather(db, current["id"], "jo.maxwell@council.example")
    reviews = pack["readiness_reviews"]["reviews"]
    assert reviews and {r["status"] for r in reviews} == {"completed"}
    checked = round_pack.recompute(pack)
    assert checked.differences == []
    tampered = json.loads(json.dumps(pack))
    answer = next(a for a in tampered["readiness_reviews"]["answers"] if a["answer"] == "yes")
    answer["answer"] = "no"
    assert round_pack.recompute(tampered).differences


def test_the_printable_report_gives_the_review_beside_the_readiness_areas(client_as, db, current):
    team_id = store.team_id_by_name(db, COMPLETED)
    assessment = store.find_assessment(db, team_id, current["id"])
    found = review_store.find_review(db, team_id, current["id"])
    scores = review_store.scores_of_review(db, found["id"])
    page = read_page(client_as("auditor").get(f"/audit/assessments/{assessment['id']}/report"))
    assert "“Readiness review”: the scores of the service’s readiness review" in page.text
    for area, row in scores.items():
        if area != "overall" and row["score"] is not None:
            assert f"{row['score']:.2f}" in page.text
