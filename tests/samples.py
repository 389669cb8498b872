"""The sample council the suites that walk every route share (the access matrix, the auditor's
read-only walk, hostile input, round scope): the demo council, plus a row of every kind a route
takes an id of, built once per test session. Each suite puts an app on a copy of it
(`SampleCouncil.app_in`) and puts the copy back as it was (`SampleCouncil.reset`).

What it adds to the demo:
- Housing Needs' draft in the open round answers every statement (so its check page can submit),
  and has an improvement action; so does the first team that submitted in the open round;
- the closed round before it is frozen in a round pack;
- the first risk and the first EqIA with a link to an area each get a new action, and the EqIA a
  review prompt in the open round;
- (the demo's indicators and the EqIA review prompt one of their figures raised are used as
  they are);
- Housing Needs' improvement action serves the demo's first corporate action (so Priya reads
  that action, and Tom does not); the demo's milestones and scrutiny recommendations are used as
  they are;
- three proposed risks: one raised through the page from Housing Needs' score (no owner yet),
  one proposed to Priya (Housing Needs' lead), one to Sam (business improvement);
- an API token for each role.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from flask import Flask

from assess import store
from assess.store import plan as plan_store
from assess.store import registers as register_store
from assess.store import round_packs as pack_store
from assess.store import tokens as token_store
from assess.web.app import create_app
from tests.conftest import PEOPLE, csrf_token, sign_in_as

TEAM = "Housing Needs"  # Priya's team, not Tom's


@dataclass(frozen=True)
class SampleCouncil:
    template: Path  # the database file every copy starts from
    users: dict[str, int]  # role (as PEOPLE names them) -> user id
    tokens: dict[str, str]  # role -> a bearer token of that user's
    ids: dict[str, object]  # what a URL or form needs, by name

    def copy_to(self, folder: Path) -> Path:
        """An instance folder, folder/instance, holding a copy of the sample council."""
        instance = folder / "instance"
        instance.mkdir(parents=True, exist_ok=True)
        shutil.copy(self.template, instance / "assess.db")
        return instance

    def app_in(self, folder: Path, **settings) -> Flask:
        """An app on a copy of the sample council, in folder/instance."""
        config = {"TESTING": True, "SECRET_KEY": "test", **settings}
        return create_app(config, instance_path=self.copy_to(folder))

    def reset(self, app: Flask) -> None:
        """The app's database as the sample council was, before anything changed it."""
        path = Path(app.config["DATABASE_PATH"])
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        shutil.copy(self.template, path)


def one(db, sql: str, params=()):
    row = db.execute(sql, params).fetchone()
    assert row, f"the demo council has no answer to: {sql}"
    return row[0]


def build(folder: Path, demo_database: Path, cex) -> SampleCouncil:
    app = SampleCouncil(demo_database, {}, {}, {}).app_in(folder)
    db = store.connect(app.config["DATABASE_PATH"], audit_key=app.config["AUDIT_KEY"])
    users = {
        role: one(db, "SELECT id FROM users WHERE email = ?", [e]) for role, e in PEOPLE.items()
    }
    team_id = one(db, "SELECT id FROM teams WHERE name = ?", [TEAM])
    round_id = one(db, "SELECT id FROM rounds WHERE status = 'open' ORDER BY opens_on DESC")
    assert round_id == store.current_round(db)["id"]
    previous_round_id = one(
        db,
        "SELECT id FROM rounds WHERE opens_on < (SELECT opens_on FROM rounds WHERE id = ?) "
        "ORDER BY opens_on DESC",
        [round_id],
    )
    draft_id = one(
        db,
        "SELECT id FROM assessments WHERE team_id = ? AND round_id = ? AND status = 'draft'",
        [team_id, round_id],
    )
    signed_off_id = one(
        db,
        "SELECT id FROM assessments WHERE team_id = ? AND round_id = ? AND status = 'signed_off'",
        [team_id, previous_round_id],
    )
    store.save_answers(
        db,
        draft_id,
        [{"statement_key": s.key, "level": 3} for s in cex.statements],
        users["team_lead"],
    )
    statement_key = cex.statements[0].key
    submitted_team_id = one(
        db,
        "SELECT team_id FROM assessments WHERE round_id = ? AND status = 'submitted' ORDER BY id",
        [round_id],
    )
    submitted_id = one(
        db,
        "SELECT id FROM assessments WHERE team_id = ? AND round_id = ?",
        [submitted_team_id, round_id],
    )
    moderated_key = one(
        db,
        "SELECT statement_key FROM answers WHERE assessment_id = ? AND level IS NOT NULL "
        "ORDER BY statement_key",
        [submitted_id],
    )
    action_id, submitted_action_id = (
        store.add_action(
            db, team, round_id, statement_key, "Publish the service standards", "Priya",
            "2025-06-30", users["team_lead"],
        )
        for team in (team_id, submitted_team_id)
    )  # fmt: skip
    pack_id = pack_store.freeze_round(db, previous_round_id, users["administrator"], 5)
    corporate_action_id = one(db, "SELECT id FROM corporate_actions ORDER BY ref")
    plan_store.set_served(db, action_id, corporate_action_id, users["business_improvement"])

    risk_id = one(
        db,
        "SELECT r.id FROM risks r JOIN register_links l ON l.entry_kind = 'risk' "
        "AND l.entry_id = r.id WHERE r.status = 'open' ORDER BY r.id",
    )
    eqia_id = one(
        db,
        "SELECT e.id FROM eqias e JOIN register_links l ON l.entry_kind = 'eqia' "
        "AND l.entry_id = e.id ORDER BY e.id",
    )
    entries = {"risk": risk_id, "eqia": eqia_id}
    link_ids = {
        kind: one(
            db,
            "SELECT id FROM register_links WHERE entry_kind = ? AND entry_id = ? ORDER BY id",
            [kind, entry],
        )
        for kind, entry in entries.items()
    }
    register_action_ids = {
        kind: register_store.add_register_action(
            db,
            kind,
            entry,
            {"what": "Train", "owner": "Sam", "due_on": "2025-06-30", "status": "not_started"},
            users["business_improvement"],
        )
        for kind, entry in entries.items()
    }
    register_store.raise_review_prompt(db, eqia_id, round_id, "Inclusion & Respect fell")
    prompt_id = one(db, "SELECT id FROM eqia_review_prompts WHERE eqia_id = ?", [eqia_id])
    tokens, token_ids = {}, {}
    for role, user_id in users.items():
        token_ids[role], tokens[role] = token_store.create_token(db, user_id, "Sample council")

    # A risk proposed from Housing Needs' own score, as business improvement raises one.
    section = cex.section_dimension
    target = f"{section.key}:{section.members[0].key}"
    client = app.test_client()
    sign_in_as(client, users["business_improvement"])
    response = client.post(
        "/registers/risks/propose",
        data={
            "target": target,
            "round_id": previous_round_id,
            "team_id": team_id,
            "csrf_token": csrf_token(client.get("/registers/exposure").get_data(as_text=True)),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    proposed_risk_id = int(response.location.rsplit("/", 1)[1])
    assert TEAM in register_store.risk(db, proposed_risk_id)["source_evidence"]
    # Proposed risks with an owner: theirs (or an administrator's) to accept or decline.
    proposed_to = {
        role: register_store.add_risk(
            db,
            {
                **register_store.risk(db, proposed_risk_id),
                "ref": ref,
                "owner": owner,
                "owner_user_id": users[role],
            },
            users["business_improvement"],
            status="proposed",
        )
        for role, ref, owner in (
            ("team_lead", "PROP-PRIYA", "Priya Shah"),
            ("business_improvement", "PROP-SAM", "Sam Okafor"),
        )
    }

    ids = {
        "team_id": team_id,
        "other_team_id": one(db, "SELECT id FROM teams WHERE name = 'Taxi Licensing'"),
        "directorate_id": one(db, "SELECT directorate_id FROM teams WHERE id = ?", [team_id]),
        "team_ids": [t["id"] for t in store.active_teams(db)][:3],
        "round_id": round_id,
        "previous_round_id": previous_round_id,
        "draft_id": draft_id,
        "signed_off_id": signed_off_id,
        "submitted_team_id": submitted_team_id,
        "submitted_id": submitted_id,
        "moderated_key": moderated_key,
        "statement_key": statement_key,
        "action_id": action_id,
        "submitted_action_id": submitted_action_id,
        "questionnaire": cex.version,
        "section": section.members[0].key,
        "area": cex.dimension("readiness_area").members[0].key,
        "dimension": section.key,
        "dimension_key": section.key,
        "member_key": section.members[0].key,
        "member_keys": [m.key for m in section.members],
        "target": target,
        "pack_id": pack_id,
        "risk_id": risk_id,
        "eqia_id": eqia_id,
        "risk_link_id": link_ids["risk"],
        "eqia_link_id": link_ids["eqia"],
        "risk_action_id": register_action_ids["risk"],
        "eqia_action_id": register_action_ids["eqia"],
        "prompt_id": prompt_id,
        "proposed_risk_id": proposed_risk_id,
        "risk_proposed_to_priya_id": proposed_to["team_lead"],
        "risk_proposed_to_sam_id": proposed_to["business_improvement"],
        "token_id": token_ids["auditor"],
        "indicator_id": one(db, "SELECT id FROM indicators ORDER BY ref"),
        "indicator_prompt_id": one(db, "SELECT id FROM eqia_indicator_prompts ORDER BY id"),
        "corporate_action_id": corporate_action_id,
        "milestone_id": one(
            db,
            "SELECT id FROM action_milestones WHERE corporate_action_id = ? ORDER BY id",
            [corporate_action_id],
        ),
        "improvement_action_id": action_id,
        "recommendation_id": one(db, "SELECT id FROM scrutiny_recommendations ORDER BY id"),
    }
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    template = folder / "template.db"
    shutil.copy(app.config["DATABASE_PATH"], template)
    return SampleCouncil(template, users, tokens, ids)


def risk_form(**changes) -> dict:
    """A risk as the register's form posts it (dates as GOV.UK date inputs), with `changes`."""
    values = {
        "ref": "CEX-R50",
        "title": "Assisted digital sessions end",
        "cause": "Funding for the Community Larder sessions stops",
        "event": "Sessions close",
        "consequence": "Digitally excluded residents lose help",
        "category": "Inclusion",
        "owner": "Head of Communities",
        "raised_on_day": "1",
        "raised_on_month": "10",
        "raised_on_year": "2024",
        "inherent_likelihood": "4",
        "inherent_impact": "4",
        "current_likelihood": "3",
        "current_impact": "4",
        "target_likelihood": "2",
        "target_impact": "3",
        "response": "Treat",
        "controls": "Bid for external funding",
        "next_review_on_day": "31",
        "next_review_on_month": "1",
        "next_review_on_year": "2030",
    }
    return {**values, **changes}


def stored_risk(ref: str, title: str) -> dict:
    """The fewest fields a risk is stored with: every likelihood and impact 2."""
    scores = {
        f"{s}_{a}": 2 for s in ("inherent", "current", "target") for a in ("likelihood", "impact")
    }
    return {"ref": ref, "title": title, "raised_on": "2024-01-01", **scores}
