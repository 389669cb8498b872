"""An online backup taken while team leads save and submit is one consistent snapshot.

Writers in background threads save answers and submit assessments through the store, each on
its own connection, while `store.backup` copies the database a few pages at a time. The backup's
progress callback waits for a writer to commit between steps, so every step of the copy is
interleaved with writes. The backup is then checked, restored into a new instance and compared
with itself: row counts of every table match exactly, no assessment is half submitted, the audit
trail verifies and is a prefix of the live one.
"""

from __future__ import annotations

import random
import threading
import time

from assess import store
from assess.assessment.scoring import score_assessment
from assess.store.audit import check_audit_trail
from tests.conftest import AUDIT_KEY

WRITERS = 3
PAGES_PER_STEP = 16  # the 1.5 MB demo database takes about 25 steps


def open_teams(db, round_id: int) -> list[int]:
    """Teams in the round whose assessment a team lead can still change (or has not started)."""
    return [
        row[0]
        for row in db.execute(
            """SELECT t.id FROM teams t
               LEFT JOIN assessments a ON a.team_id = t.id AND a.round_id = ?
               WHERE t.active = 1 AND (a.id IS NULL OR a.status IN ('draft', 'returned'))
               ORDER BY t.id""",
            [round_id],
        )
    ]


class Writers:
    """Threads that each save answers for their own teams and sometimes submit, until stopped."""

    def __init__(self, path, cex, round_id: int, team_ids: list[int]):
        self.path, self.cex, self.round_id = path, cex, round_id
        self.shares = [team_ids[i::WRITERS] for i in range(WRITERS)]
        self.commits = 0
        self.committed = threading.Condition()
        self.stop = threading.Event()
        self.errors: list[BaseException] = []
        self.threads = [
            threading.Thread(target=self.work, args=(n,), daemon=True) for n in range(WRITERS)
        ]

    def committed_one(self) -> None:
        with self.committed:
            self.commits += 1
            self.committed.notify_all()

    def wait_for_commit_after(self, seen: int, timeout: float = 5.0) -> None:
        with self.committed:
            self.committed.wait_for(lambda: self.commits > seen, timeout=timeout)

    def work(self, n: int) -> None:
        rng = random.Random(n)
        db = store.connect(self.path, check_same_thread=False, audit_key=AUDIT_KEY)
        lead = db.execute("SELECT id FROM users WHERE role = 'team_lead' LIMIT 1").fetchone()[0]
        levels = [level.level for level in self.cex.scale]
        teams = list(self.shares[n])
        try:
            while teams and not self.stop.is_set():
                team_id = rng.choice(teams)
                assessment_id = store.start_assessment(db, team_id, self.round_id, lead)
                chosen = rng.sample(self.cex.statements, 8)
                store.save_answers(
                    db,
                    assessment_id,
                    [{"statement_key": s.key, "level": rng.choice(levels)} for s in chosen],
                    lead,
                )
                self.committed_one()
                if rng.random() < 0.15:
                    answered = {a["statement_key"] for a in store.answers_of(db, assessment_id)}
                    store.save_answers(
                        db,
                        assessment_id,
                        [
                            {"statement_key": s.key, "level": rng.choice(levels)}
                            for s in self.cex.statements
                            if s.key not in answered
                        ],
                        lead,
                    )
                    store.submit_assessment(
                        db,
                        assessment_id,
                        lead,
                        lambda rows: score_assessment(self.cex, store.as_scoring_answers(rows)),
                    )
                    teams.remove(team_id)
                    self.committed_one()
        except BaseException as error:  # reported by the test, not lost in the thread
            self.errors.append(error)
        finally:
            db.conn.close()

    def __enter__(self) -> Writers:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)


def half_submitted(db) -> list[str]:
    """Assessments whose status and stored submission disagree, described for the failure."""
    rows = db.execute(
        """SELECT a.id, a.status, a.reference IS NOT NULL,
             (SELECT count(*) FROM scores s WHERE s.assessment_id = a.id),
             (SELECT count(*) FROM assessment_reviews r
               WHERE r.assessment_id = a.id AND r.action = 'submitted')
           FROM assessments a"""
    ).fetchall()
    problems = []
    for assessment_id, status, referenced, scores, reviews in rows:
        submitted = status in ("submitted", "signed_off")
        if submitted and not (referenced and scores and reviews):
            problems.append(f"{assessment_id} is {status} without its scores or reference")
        if status == "draft" and (referenced or scores or reviews):
            problems.append(f"{assessment_id} is a draft with a submission's traces")
    return problems


def audit_hashes(db) -> list[tuple[int, str]]:
    return db.execute("SELECT id, hash FROM audit_events ORDER BY id").fetchall()


def test_an_online_backup_under_writes_restores_to_one_consistent_snapshot(app, db, cex, tmp_path):
    live = app.config["DATABASE_PATH"]
    round_id = store.current_round(db)["id"]
    teams = open_teams(db, round_id)
    assert len(teams) >= 10
    copy = tmp_path / "backup.db"

    with Writers(live, cex, round_id, teams) as writers:
        writers.wait_for_commit_after(0)
        steps = []

        def between_steps(done: int, total: int) -> None:
            steps.append(writers.commits)
            restarted = len(steps) > 2 * (total // PAGES_PER_STEP + 1)
            assert not restarted, "the backup keeps starting again while the service writes"
            writers.wait_for_commit_after(writers.commits)

        started = time.perf_counter()
        store.backup(live, copy, between_steps, pages=PAGES_PER_STEP)
        seconds = time.perf_counter() - started
        writers.wait_for_commit_after(writers.commits)
    assert not writers.errors, writers.errors
    assert len(steps) >= 10 and steps[-1] > steps[0], (steps, seconds)

    counts = store.check_backup(copy)  # integrity check, an assess database of this version
    restored_instance = tmp_path / "restored"
    restored_instance.mkdir()
    store.restore(copy, restored_instance / "assess.db", audit_key=AUDIT_KEY)
    restored = store.connect(restored_instance / "assess.db", audit_key=AUDIT_KEY)
    snapshot = store.connect(copy)
    try:
        with_restore_event = {**counts, "audit_events": counts["audit_events"] + 1}
        assert store.table_counts(restored) == with_restore_event
        assert counts == store.table_counts(snapshot)
        assert half_submitted(restored) == []
        check = check_audit_trail(restored)
        assert check.intact, check.summary()

        # The live database went on; the backup holds exactly what it had at one moment:
        # its audit trail is a prefix of the live one, and it lacks the later writes.
        backed_up, now_live = audit_hashes(restored)[:-1], audit_hashes(db)  # less the restore
        assert backed_up == now_live[: len(backed_up)]
        assert len(now_live) > len(backed_up)
        saves = restored.execute(
            "SELECT count(*) FROM audit_events WHERE action = 'save_answers'"
        ).fetchone()[0]
        assert saves > 0
    finally:
        restored.conn.close()
        snapshot.conn.close()
    assert half_submitted(db) == []
