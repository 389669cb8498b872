"""The team lead's answers are the team's agreed view: written beside what the staff said (shown
under each statement once enough staff have answered), with evidence for every level 4 or 5, and
recorded as agreed after the staff view when it was there to see."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from assess import store
from assess.assessment.results import EVIDENCE_FROM_LEVEL, needs_evidence
from tests import test_views_team
from tests.conftest import read_page
from tests.test_staff_results import staff_answer
from tests.test_views_team import all_levels, section_post, submit

journey = test_views_team.journey

VALUES = ("one-team", "inclusion-respect", "service-excellence", "stepping-up", "amazing-outcomes")

answers_strategy = st.fixed_dictionaries(
    {},
    optional={
        key: st.fixed_dictionaries(
            {
                "level": st.one_of(st.none(), st.integers(1, 5)),
                "not_applicable": st.sampled_from([0, 1]),
                "evidence": st.sampled_from(["", "  ", "Case audit, May"]),
            }
        )
        for key in ("a", "b", "c")
    },
)


@given(answers_strategy)
def test_evidence_is_needed_exactly_for_high_levels_without_any(answers):
    class Questionnaire:
        statements = [type("S", (), {"key": key}) for key in ("a", "b", "c")]

    needed = needs_evidence(Questionnaire, answers)  # type: ignore[arg-type]
    for key in ("a", "b", "c"):
        answer = answers.get(key)
        expected = bool(
            answer
            and not answer["not_applicable"]
            and (answer["level"] or 0) >= EVIDENCE_FROM_LEVEL
            and not answer["evidence"].strip()
        )
        assert (key in needed) is expected


def answer_everything(client, journey, cex, level="3") -> None:
    for value in VALUES:
        url = f"{journey['base']}/sections/{value}"
        response = section_post(client, url, all_levels(cex, value, level))
        assert response.status_code == 302, value


def test_a_level_4_without_evidence_is_marked_and_cannot_be_submitted(client, db, journey, cex):
    answer_everything(client, journey, cex)
    first = cex.statements_in("value", "one-team")[0]
    url = f"{journey['base']}/sections/one-team"
    response = section_post(client, url, {**all_levels(cex, "one-team"), f"{first.key}-level": "4"})
    assert response.status_code == 302, "a draft keeps a level 4 without evidence"

    page = read_page(client.get(journey["base"] + "/check"))
    assert "Evidence needed" in page.text
    assert "1 answer is marked “Evidence needed”" in page.text
    refused = submit(client, journey)
    assert "Give evidence for the 1 answer at level 4 or above" in read_page(refused, 400).text
    assessment = store.find_assessment(db, journey["team_id"], journey["round_id"])
    assert assessment["status"] == "draft"

    evidence = {f"{first.key}-level": "4", f"{first.key}-evidence": "Query routing log, Q2"}
    section_post(client, url, {**all_levels(cex, "one-team"), **evidence})
    assert submit(client, journey).headers["Location"].endswith("/submitted")


def test_the_section_page_shows_what_staff_said_under_each_statement(client, db, journey, cex):
    staff_answer(db, journey["round_id"], "Housing Needs", [2, 2, 3, 4, 2], cex)
    page = read_page(client.get(journey["base"] + "/sections/one-team"))
    assert "5 of your staff have answered this round" in page.text
    assert "What your staff said about statement 1 (5 answered): middle answer 2;" in page.text
    assert "2 Developing: 3, 3 Established: 1, 4 Embedded: 1" in page.text


def test_too_few_staff_answers_are_not_shown_on_the_section_page(client, db, journey, cex):
    staff_answer(db, journey["round_id"], "Housing Needs", [2, 2, 3, 4], cex)
    page = read_page(client.get(journey["base"] + "/sections/one-team"))
    assert "What your staff said" not in page.text


def test_an_assessment_submitted_after_the_staff_view_is_recorded_as_agreed_after_it(
    client, db, journey, cex
):
    staff_answer(db, journey["round_id"], "Housing Needs", [3, 3, 3, 4, 2, 3], cex)
    answer_everything(client, journey, cex)
    assert submit(client, journey).status_code == 302
    assessment = store.find_assessment(db, journey["team_id"], journey["round_id"])
    assert assessment["staff_seen"] == 6
    page = read_page(client.get(journey["base"] + "/results"))
    assert "agreed scores, submitted after seeing what 6 staff said" in page.text


def test_without_a_staff_view_nothing_is_recorded(client, db, journey, cex):
    answer_everything(client, journey, cex)
    submit(client, journey)
    assessment = store.find_assessment(db, journey["team_id"], journey["round_id"])
    assert (assessment["status"], assessment["staff_seen"]) == ("submitted", None)
    assert "submitted after seeing" not in read_page(client.get(journey["base"] + "/results")).text
