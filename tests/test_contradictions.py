"""Figures that used to contradict each other from one page to the next now agree, and each says
what it rests on."""

from __future__ import annotations

import csv
import io
import math
import re
from fractions import Fraction

import pytest

from assess import store
from assess.assessment import results
from assess.assessment.questionnaire import Member
from assess.assessment.scoring import Change
from tests.conftest import hidden_fields, read_page, sign_in


@pytest.fixture
def officer(app):
    client = app.test_client()
    sign_in(client, "sam.okafor@council.example")
    return client


@pytest.fixture
def current(db):
    return store.current_round(db)


def exact_average(scores) -> float | None:
    present = [Fraction(repr(s)) for s in scores if s is not None]
    if not present:
        return None
    return math.floor(sum(present) / len(present) * 100 + Fraction(1, 2)) / 100


def heatmap_csv(client, round_id: int, query: str = "") -> dict[str, list[str]]:
    body = client.get(f"/rounds/{round_id}/heatmap/value.csv{query}").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    return {row[1]: row for row in rows[1:]}


def overall_scores(db, round_id: int, statuses: tuple[str, ...]) -> list[float]:
    return [
        r["score"] for r in store.round_scores(db, round_id, statuses, ("overall",)) if r["score"]
    ]


def test_the_heatmap_council_average_counts_signed_off_teams_even_with_submitted_shown(
    officer, db, current
):
    published = exact_average(overall_scores(db, current["id"], ("signed_off",)))
    everyone = exact_average(overall_scores(db, current["id"], ("submitted", "signed_off")))
    assert published != everyone  # the demo round has teams waiting for sign-off

    alone = heatmap_csv(officer, current["id"])
    assert float(alone["Council average"][-1]) == published
    assert not any(label.startswith("All teams shown") for label in alone)

    shown = heatmap_csv(officer, current["id"], "?include=submitted")
    assert float(shown["Council average"][-1]) == published
    assert float(shown["All teams shown, submitted included"][-1]) == everyone

    page = read_page(officer.get(f"/rounds/{current['id']}/heatmap/value?include=submitted"))
    assert "All teams shown, submitted included" in page.text
    assert f"{published:.2f}" in page.text and f"{everyone:.2f}" in page.text


def test_a_directorate_heatmap_keeps_the_council_average_and_adds_its_own(officer, db, current):
    rows = store.round_scores(db, current["id"], ("signed_off",), ("overall",))
    directorate = max(
        {r["directorate"] for r in rows},
        key=lambda d: sum(1 for r in rows if r["directorate"] == d),
    )
    council = heatmap_csv(officer, current["id"])["Council average"][-1]
    filtered = heatmap_csv(officer, current["id"], f"?directorate={directorate}")
    assert filtered["Council average"][-1] == council
    expected = exact_average(r["score"] for r in rows if r["directorate"] == directorate)
    assert float(filtered[f"{directorate} average"][-1]) == expected


def test_a_directorate_average_resting_on_too_few_teams_is_not_shown(app, officer, current, db):
    directorate = store.round_scores(db, current["id"], ("signed_off",))[0]["directorate"]
    app.config["SMALL_GROUP_TEAMS"] = 1000
    row = heatmap_csv(officer, current["id"], f"?directorate={directorate}")[
        f"{directorate} average"
    ]
    assert row[2] == "Not shown: fewer than 1000 teams"
    assert set(row[3:]) == {""}


def test_the_rounds_list_and_the_tracker_count_each_status_alike(officer, current):
    tracker = read_page(officer.get(f"/rounds/{current['id']}")).text
    from_tracker = {
        name: int(number)
        for number, name in re.findall(
            r"(\d+) (not started|in progress|returned|submitted|signed off)\b", tracker
        )
    }
    html = officer.get("/rounds/").get_data(as_text=True)
    header = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', html)
    row = re.search(rf">{re.escape(current['name'])}</a></th>(.*?)</tr>", html, re.S).group(1)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
    listed = dict(zip(header[1:], cells, strict=True))
    for name, number in from_tracker.items():
        assert int(listed[name.capitalize()]) == number, name
    assert from_tracker["submitted"] > 0 and from_tracker["signed off"] > 0
    assert int(listed["Teams in scope"]) == sum(from_tracker.values())


def test_a_preview_of_two_sections_says_what_it_rests_on(app, db):
    lead = app.test_client()
    sign_in(lead, "priya.shah@council.example")  # Housing Needs: two of five sections done
    team_id = db.execute("SELECT id FROM teams WHERE name = 'Housing Needs'").fetchone()[0]
    page = read_page(lead.get(f"/teams/{team_id}/rounds/{store.current_round(db)['id']}/results"))
    answered = re.search(r"It rests on the (\d+) of 38 statements answered so far", page.text)
    assert answered and "(2 of 5 sections complete)" in page.text
    assert "Overall score so far:" in page.text
    basis = f"in the {answered.group(1)} of 38 statements answered so far"
    assert f"rated highest, {basis}" in page.text and f"rated lowest, {basis}" in page.text


def test_a_preview_of_one_section_names_no_strengths_gaps_highest_or_lowest(app, db, cex):
    round_ = store.current_round(db)
    row = next(
        r for r in store.completion(db, round_["id"]) if r["status"] == "not_started" and r["leads"]
    )
    lead = app.test_client()
    sign_in(lead, row["lead_emails"].split(", ")[0])
    base = f"/teams/{row['team_id']}/rounds/{round_['id']}"
    url = f"{base}/sections/one-team"
    hidden = hidden_fields(lead.get(url).get_data(as_text=True))
    levels = {
        f"{s.key}-level": str(i % 5 + 1)
        for i, s in enumerate(cex.statements_in("value", "one-team"))
    }
    assert lead.post(url, data={**hidden, **levels, "action": "later"}).status_code == 302

    page = read_page(lead.get(f"{base}/results"))
    assert (
        "It rests on the 8 of 38 statements answered so far (1 of 5 sections complete)" in page.text
    )
    assert "scores highest" not in page.text and "lowest on" not in page.text
    assert (
        "These scores rest on too few sections to call any corporate value highest or lowest"
        in page.text
    )
    assert page.text.count("Listed once at least two sections are complete (1 of 5 so far)") == 2


def axis(name: str, team: float | None) -> results.AxisRow:
    return results.AxisRow(
        name, name, team, None, None, Change(None, "no comparison"), None, results.TRUST_SELF
    )


def test_a_summary_of_one_scored_value_calls_it_neither_highest_nor_lowest():
    words = results.summary([axis("One Team", 3.0), axis("Stepping Up", None)], "value", None, 0.5)
    assert "scores highest" not in words and "lowest on" not in words
    assert "Only One Team has a score so far (3.00)" in words


def test_a_summary_of_equal_scores_names_no_highest_or_lowest():
    words = results.summary([axis("One Team", 3.0), axis("Stepping Up", 3.0)], "value", None, 0.5)
    assert words.startswith("Your team scores 3.00 on every value with a score.")


def test_a_summary_gives_scores_as_the_table_does_to_two_places():
    words = results.summary([axis("One Team", 3.25), axis("Stepping Up", 2.75)], "value", None, 0.5)
    assert "One Team (3.25)" in words and "Stepping Up (2.75)" in words


def test_a_completed_count_counts_only_sections_with_every_statement_answered():
    member = Member("one-team", "One Team", "")
    sections = [
        results.SectionProgress(member, results.COMPLETED, 6, 6),
        results.SectionProgress(member, results.IN_PROGRESS, 3, 6),
        results.SectionProgress(member, results.NOT_STARTED, 0, 6),
    ]
    assert results.sections_completed(sections) == 1


def test_the_heatmap_says_how_many_teams_each_average_row_rests_on(officer, db, current):
    rows = store.round_scores(db, current["id"], ("submitted", "signed_off"), ("overall",))
    signed = len({r["team_id"] for r in rows if r["status"] == "signed_off"})
    submitted = len({r["team_id"] for r in rows if r["status"] == "submitted"})
    page = read_page(officer.get(f"/rounds/{current['id']}/heatmap/value?include=submitted"))
    assert f"{signed} teams signed off" in page.text
    assert f"{signed + submitted} teams: {signed} signed off, {submitted} submitted" in page.text


def test_within_a_small_directorate_no_average_is_shown_even_with_submitted_teams(
    app, officer, db, current
):
    rows = store.round_scores(db, current["id"], ("submitted", "signed_off"), ("overall",))
    directorate = rows[0]["directorate"]
    app.config["SMALL_GROUP_TEAMS"] = 1000
    found = heatmap_csv(officer, current["id"], f"?directorate={directorate}&include=submitted")
    for label in (f"{directorate} average", "All teams shown, submitted included"):
        if label in found:
            assert found[label][2] in (
                "Not shown: fewer than 1000 teams",
                "No signed-off teams yet",
            )
            assert set(found[label][3:]) == {""}
    assert float(found["Council average"][-1]) > 0  # the council's own figure stays


def test_heatmap_downloads_give_scores_to_two_places_as_the_table_does(officer, current):
    rows = heatmap_csv(officer, current["id"])
    figures = [cell for row in rows.values() for cell in row[3:] if cell]
    assert figures and all(re.fullmatch(r"\d\.\d\d", cell) for cell in figures)


def test_the_printable_report_says_not_answered_for_evidence_without_a_level(app, db):
    round_ = store.current_round(db)
    assessment = db.execute(
        "SELECT id FROM assessments WHERE round_id = ? AND status = 'draft' LIMIT 1",
        [round_["id"]],
    ).fetchone()[0]
    answered = {a["statement_key"] for a in store.answers_of(db, assessment)}
    statement = next(
        s
        for s in store.questionnaire_version(db, round_["questionnaire_version"]).statements
        if s.key not in answered
    )
    store.save_answers(
        db, assessment, [{"statement_key": statement.key, "evidence": "Call logs Q2."}], None
    )
    auditor = app.test_client()
    sign_in(auditor, "jo.maxwell@council.example")
    page = read_page(auditor.get(f"/audit/assessments/{assessment}/report"))
    assert "Level None" not in page.text
    assert f"{statement.text} Not answered. Evidence: Call logs Q2." in page.text


def test_the_tracker_says_no_activity_rather_than_none(officer, current):
    page = read_page(officer.get(f"/rounds/{current['id']}"))
    assert "No activity yet" in page.text and " None " not in page.text


def test_trends_list_a_round_with_no_signed_off_team_and_say_so(officer, db):
    rounds = store.rounds(db)
    page = read_page(officer.get("/trends/?directorate=Environmental Services"))
    assert all(r["name"] in page.text for r in rounds)
    counts = {
        r["name"]: len(
            {
                s["team_id"]
                for s in store.round_scores(db, r["id"], ("signed_off",), ("value",))
                if s["directorate"] == "Environmental Services"
            }
        )
        for r in rounds
    }
    if 0 in counts.values():
        assert "None signed off" in page.text
