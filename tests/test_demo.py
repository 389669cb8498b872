"""The demo council reads like one: built today, its dates sit around today and in order, its
teams score as their kind of service would, and its words fit what they answer."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from statistics import mean

import pytest
from click.testing import CliRunner

from assess import demo, store
from assess.cli import cli


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The demo as `assess init-db --demo-if-empty` builds it today, in a temporary instance."""
    folder = tmp_path_factory.mktemp("demo") / "instance"
    result = CliRunner().invoke(
        cli,
        ["--instance", str(folder), "init-db", "--demo-if-empty"],
        env={"ASSESS_ENV": "development"},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    db = store.connect(folder / "assess.db", audit_key=(folder / "audit_key").read_text().strip())
    yield db, date.today(), datetime.now(UTC)
    db.conn.close()


def rows(db, sql, params=()):
    return list(db.query(sql, params))


def moment(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def test_the_open_round_opened_recently_and_closes_in_the_future(built):
    db, today, _ = built
    (open_round,) = rows(db, "SELECT * FROM rounds WHERE status = 'open'")
    opens, closes = (
        date.fromisoformat(open_round["opens_on"]),
        date.fromisoformat(open_round["closes_on"]),
    )
    assert today - timedelta(days=35) <= opens < today < closes
    assert closes - opens > timedelta(weeks=8)


def test_closed_rounds_are_in_the_past_a_year_apart_and_named_by_year(built):
    db, today, _ = built
    rounds = store.rounds(db)
    assert [r["status"] for r in rounds] == ["closed", "closed", "open"]
    for earlier, later in zip(rounds, rounds[1:], strict=False):
        assert earlier["closes_on"] < later["opens_on"]
        assert int(later["name"][:4]) == int(earlier["name"][:4]) + 1
    for round_ in rounds[:-1]:
        assert date.fromisoformat(round_["closes_on"]) < today


def test_every_assessment_is_started_saved_submitted_and_signed_off_in_that_order(built):
    db, _, now = built
    checked = 0
    for a in rows(
        db,
        """SELECT a.*, r.opens_on, r.closes_on, r.status AS round_status,
                  (SELECT min(answered_at) FROM answers WHERE assessment_id = a.id) AS first,
                  (SELECT max(answered_at) FROM answers WHERE assessment_id = a.id) AS last
           FROM assessments a JOIN rounds r ON r.id = a.round_id""",
    ):
        started = moment(a["created_at"])
        assert started.date() >= date.fromisoformat(a["opens_on"])
        assert started <= moment(a["first"]) <= moment(a["last"]) <= moment(a["updated_at"])
        assert moment(a["updated_at"]) < now
        if a["submitted_at"]:
            assert moment(a["last"]) <= moment(a["submitted_at"])
            if a["round_status"] == "closed":
                assert moment(a["submitted_at"]).date() <= date.fromisoformat(a["closes_on"])
        if a["signed_off_at"]:
            assert moment(a["submitted_at"]) <= moment(a["signed_off_at"]) < now
        checked += 1
    assert checked > 80


def test_the_open_round_has_submitted_drafted_and_unstarted_teams(built):
    db, _, _ = built
    (open_round,) = rows(db, "SELECT * FROM rounds WHERE status = 'open'")
    assessments = rows(db, "SELECT status FROM assessments WHERE round_id = ?", [open_round["id"]])
    assert {"draft", "submitted", "signed_off"} <= {a["status"] for a in assessments}
    assert len(assessments) < db["teams"].count


def test_readiness_reviews_are_in_the_open_round_only_completed_drafted_and_unstarted(built):
    db, _, now = built
    (open_round,) = rows(db, "SELECT * FROM rounds WHERE status = 'open'")
    reviews = rows(
        db,
        """SELECT r.*, (SELECT count(*) FROM readiness_answers WHERE review_id = r.id) AS answers
           FROM readiness_reviews r""",
    )
    assert {r["round_id"] for r in reviews} == {open_round["id"]}
    assert {"completed", "draft"} == {r["status"] for r in reviews}
    assert len(reviews) < db["teams"].count
    for r in reviews:
        assert date.fromisoformat(open_round["opens_on"]) <= moment(r["created_at"]).date()
        assert moment(r["created_at"]) <= moment(r["updated_at"]) < now
        assert r["status"] != "completed" or r["completed_at"] == r["updated_at"]
    drafts = [r["answers"] for r in reviews if r["status"] == "draft"]
    completed = [r["answers"] for r in reviews if r["status"] == "completed"]
    assert max(drafts) < min(completed)


def test_register_reviews_are_spread_around_today_a_few_overdue(built):
    db, today, _ = built
    risks = rows(db, "SELECT * FROM risks")
    overdue = [r for r in risks if date.fromisoformat(r["next_review_on"]) < today]
    assert 1 <= len(overdue) < len(risks) / 3
    for r in risks:
        assert r["raised_on"] <= r["last_review_on"] <= today.isoformat()
        assert r["last_review_on"] < r["next_review_on"]
    (eqia,) = rows(db, "SELECT * FROM eqias WHERE ref = 'CEX-EQIA-01'")
    assert eqia["signed_off_on"] <= today.isoformat() < eqia["review_on"]


def test_each_workstream_has_its_own_eqia_reviewed_around_today_one_overdue(built):
    db, today, _ = built
    eqias = {
        e["workstream"].split(":")[0]: e
        for e in rows(db, "SELECT * FROM eqias WHERE ref != 'CEX-EQIA-01'")
    }
    assert set(eqias) == {"Website", "Webforms", "Complaints system", "Vulnerable Resident line"}
    days = sorted((date.fromisoformat(e["review_on"]) - today).days for e in eqias.values())
    assert days[0] < 0 <= days[1], "one overdue, the rest to come"
    assert sum(0 <= d <= 60 for d in days) >= 2, "some due soon"
    for e in eqias.values():
        assert e["lead_officer"] and e["signed_off_on"] <= today.isoformat()
        strands = rows(db, "SELECT * FROM eqia_strand_impacts WHERE eqia_id = ?", [e["id"]])
        assert {s["strand"] for s in strands} == {
            "citizen-focused",
            "positive-experience",
            "inclusive-access",
            "right-first-time",
        }
        impacts = rows(db, "SELECT * FROM eqia_impacts WHERE eqia_id = ?", [e["id"]])
        assert any(i["impact"] != "Neutral" for i in impacts)
    overarching = "SELECT id FROM eqias WHERE ref = 'CEX-EQIA-01'"
    assert rows(db, f"SELECT * FROM eqia_strand_impacts WHERE eqia_id = ({overarching})")
    actions = rows(db, "SELECT * FROM register_actions WHERE entry_kind = 'eqia'")
    assert len({a["entry_id"] for a in actions}) >= 4


def period_ends(period: str) -> date:
    """The last day of a financial year ("2024/25") or of one of its quarters ("2024/25 Q2")."""
    year, _, quarter = period.partition(" Q")
    start = int(year[:4])
    ends = [date(start, 6, 30), date(start, 9, 30), date(start, 12, 31), date(start + 1, 3, 31)]
    return ends[int(quarter) - 1] if quarter else ends[-1]


def test_indicator_values_are_for_periods_ended_by_today_the_latest_recently(built):
    db, today, _ = built
    values = rows(db, "SELECT * FROM indicator_values")
    assert len({v["indicator_id"] for v in values}) == db["indicators"].count >= 6
    ends = [period_ends(v["period"]) for v in values]
    assert max(ends) < today
    for v in values:
        assert period_ends(v["period"]) < moment(v["recorded_at"]).date() < today, v
    assert today - max(ends) <= timedelta(days=92), "the latest quarter to have ended"
    this_year = today.year if today.month >= 4 else today.year - 1
    baselines = {i["baseline_period"] for i in rows(db, "SELECT * FROM indicators")}
    assert baselines == {f"{this_year - 2}/{(this_year - 1) % 100:02d}"}
    (online,) = rows(db, "SELECT * FROM indicators WHERE ref = 'PI-01'")
    (result,) = rows(
        db,
        "SELECT * FROM indicator_values WHERE indicator_id = ? AND period != ?",
        [online["id"], online["baseline_period"]],
    )
    assert online["baseline"] == 26_303 and round(result["value"] / 26_303 - 1, 2) == 0.06


def test_a_groups_satisfaction_short_of_its_target_prompts_a_review_of_a_linked_eqia(built):
    db, _, _ = built
    (prompt,) = rows(
        db,
        """SELECT p.*, i.readiness_area FROM eqia_indicator_prompts p
           JOIN indicators i ON i.id = p.indicator_id""",
    )
    assert prompt["group_name"] == "Disability" and prompt["resolved_at"] is None
    assert rows(
        db,
        """SELECT 1 FROM register_links WHERE entry_kind = 'eqia' AND entry_id = ?
           AND dimension = 'readiness_area' AND member = ?""",
        [prompt["eqia_id"], prompt["readiness_area"]],
    )


def test_no_text_cites_a_seed_file_number(built):
    db, _, _ = built
    texts = [
        value
        for table in (
            "answers",
            "risks",
            "eqias",
            "eqia_impacts",
            "eqia_strand_impacts",
            "register_actions",
            "indicators",
            "indicator_values",
        )
        for row in rows(db, f"SELECT * FROM {table}")
        for value in row.values()
        if isinstance(value, str)
    ]
    assert texts
    assert not [t for t in texts if re.search(r"\(0\d\d\)|, 0\d\d\)", t)]


def test_evidence_and_not_applicable_reasons_belong_to_the_statement_they_answer(built):
    db, _, _ = built
    for answer in rows(db, "SELECT * FROM answers WHERE evidence != '' OR not_applicable = 1"):
        key = answer["statement_key"]
        if answer["not_applicable"]:
            general = demo.NOT_APPLICABLE.get(key, (set(), None))[1]
            specific = {r for (_, k), r in demo.NOT_APPLICABLE_FOR_TEAM.items() if k == key}
            assert answer["not_applicable_reason"] in {general} | specific
        else:
            assert answer["evidence"] in demo.EVIDENCE[key]
            assert answer["level"] >= 3


def test_teams_score_as_their_kind_of_service_would(built):
    db, _, _ = built
    last_closed = rows(db, "SELECT * FROM rounds WHERE status = 'closed' ORDER BY opens_on DESC")[0]
    levels = rows(
        db,
        """SELECT t.name AS team, a.statement_key, a.level FROM answers a
           JOIN assessments s ON s.id = a.assessment_id JOIN teams t ON t.id = s.team_id
           WHERE s.round_id = ? AND a.level IS NOT NULL""",
        [last_closed["id"]],
    )
    by_team: dict[str, list[int]] = {}
    for row in levels:
        by_team.setdefault(row["team"], []).append(row["level"])
    ranked = sorted(by_team, key=lambda team: mean(by_team[team]), reverse=True)
    assert demo.team_kind(ranked[0]) not in {"back_office"}
    assert ranked.index("Legal Services") > len(ranked) / 2

    def service_excellence(team):
        return mean(
            r["level"]
            for r in levels
            if r["team"] == team and r["statement_key"].startswith("service-excellence-")
        )

    assert service_excellence("Contact Centre") > service_excellence("Procurement")
