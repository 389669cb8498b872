"""Directorates, teams, users and their memberships, and sign-ins."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlite_utils import Database

from assess.store.audit import insert_recorded, record_event, record_update
from assess.store.db import NotFound, now, write

ROLES = ("team_lead", "business_improvement", "auditor", "administrator")
ROLE_NAMES = {
    "team_lead": "Team lead",
    "business_improvement": "Business improvement",
    "auditor": "Auditor",
    "administrator": "Administrator",
}


# --- people and teams ---------------------------------------------------------------------------


def add_directorate(db: Database, name: str, actor_id: int | None = None) -> int:
    return insert_recorded(db, "directorates", {"name": name}, actor_id)


def add_team(db: Database, name: str, directorate_id: int, actor_id: int | None = None) -> int:
    return insert_recorded(db, "teams", {"name": name, "directorate_id": directorate_id}, actor_id)


def update_team(
    db: Database, team_id: int, name: str, directorate_id: int, actor_id: int | None
) -> None:
    """Rename a team or move it to another directorate; its assessments stay its own."""
    with write(db):
        before = db.execute(
            "SELECT name, directorate_id FROM teams WHERE id = ?", [team_id]
        ).fetchone()
        if before is None:
            raise NotFound(f"team {team_id} does not exist")
        changes = {"name": name, "directorate_id": directorate_id}
        db.table("teams").update(team_id, changes)
        was = {"name": before[0], "directorate_id": before[1]}
        record_update(db, actor_id, "team", team_id, was, changes)


def rename_directorate(db: Database, directorate_id: int, name: str, actor_id: int | None) -> None:
    with write(db):
        row = db.execute("SELECT name FROM directorates WHERE id = ?", [directorate_id]).fetchone()
        if row is None:
            raise NotFound(f"directorate {directorate_id} does not exist")
        db.table("directorates").update(directorate_id, {"name": name})
        record_update(db, actor_id, "directorate", directorate_id, {"name": row[0]}, {"name": name})


def create_user(
    db: Database,
    email: str,
    name: str,
    role: str,
    password_hash: str,
    team_ids: Iterable[int] = (),
    actor_id: int | None = None,
) -> int:
    """Add a user and their team memberships in one transaction."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    email = email.strip().lower()
    if db.execute("SELECT 1 FROM users WHERE email = ?", [email]).fetchone():
        raise ValueError(f"a user with the email {email} already exists")
    team_ids = list(team_ids)
    record = {
        "email": email,
        "name": name,
        "role": role,
        "password_hash": password_hash,
        "created_at": now(),
    }
    with write(db):
        user_id = insert_recorded(
            db,
            "users",
            record,
            actor_id,
            audit={"email": email, "name": name, "role": role, "teams": team_ids},
        )
        db.table("team_members").insert_all({"user_id": user_id, "team_id": t} for t in team_ids)
    return user_id


def user_by_email(db: Database, email: str) -> dict | None:
    rows = list(db.query("SELECT * FROM users WHERE email = ?", [email.strip().lower()]))
    return rows[0] if rows else None


def user_by_id(db: Database, user_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM users WHERE id = ?", [user_id]))
    return rows[0] if rows else None


def users_by_ids(db: Database, user_ids: Iterable[int | None]) -> dict[int, dict]:
    """The users with these ids, by id, in one read (None and unknown ids are left out)."""
    ids = sorted({i for i in user_ids if i is not None})
    if not ids:
        return {}
    rows = db.query(f"SELECT * FROM users WHERE id IN ({','.join('?' * len(ids))})", ids)
    return {row["id"]: row for row in rows}


def teams_of_user(db: Database, user_id: int) -> list[dict]:
    return list(
        db.query(
            """SELECT teams.id, teams.name, directorates.name AS directorate
           FROM team_members JOIN teams ON teams.id = team_members.team_id
           JOIN directorates ON directorates.id = teams.directorate_id
           WHERE team_members.user_id = ? ORDER BY teams.name""",
            [user_id],
        )
    )


def claim_sign_in(
    db: Database,
    email: str,
    address: str,
    now: datetime,
    window_start: datetime,
    wait: Callable[[list[datetime], list[datetime]], float],
) -> tuple[int | None, float]:
    """Claim a sign-in attempt before its password is checked, in one write transaction, so
    concurrent guesses see each other: `wait(email_failures, address_failures)` (unsettled
    attempts count as failures) says how long this one must wait. Returns the attempt's id, or
    None and the wait when it must wait (nothing is recorded then)."""
    email = email.strip().lower()
    since = window_start.isoformat()
    with write(db):

        def failures(column: str, value: str) -> list[datetime]:
            rows = db.execute(
                f"""SELECT at FROM sign_in_attempts WHERE {column} = ? AND at >= ?
                    AND coalesce(succeeded, 0) = 0""",
                [value, since],
            ).fetchall()
            return [datetime.fromisoformat(at) for (at,) in rows]

        seconds = wait(failures("email", email), failures("address", address))
        if seconds > 0:
            return None, seconds
        cursor = db.execute(
            "INSERT INTO sign_in_attempts (email, address, at) VALUES (?, ?, ?)",
            [email, address, now.isoformat()],
        )
        return cursor.lastrowid, 0.0


def settle_sign_in(db: Database, attempt_id: int, succeeded: bool) -> None:
    """Record how a claimed attempt ended: a success no longer counts as a failure."""
    with write(db):
        db.execute(
            "UPDATE sign_in_attempts SET succeeded = ? WHERE id = ?", [int(succeeded), attempt_id]
        )


def record_sign_in(db: Database, user_id: int | None, email: str, succeeded: bool) -> None:
    with write(db):
        record_event(
            db,
            user_id,
            "sign_in" if succeeded else "sign_in_failed",
            "user",
            user_id,
            after={"email": email.strip().lower()},
        )


# A user made at their first sign-in with the council's account has no password: no password
# hash is ever this, so the password form can never let them in.
NO_PASSWORD = "!no password: signs in with the council's account"


def record_provider_sign_in(
    db: Database, user_id: int | None, email: str, refused_because: str = "", detail: str = ""
) -> None:
    """Record a sign-in with the council's account, or its refusal and why. Never a token, a
    code or a secret: the email the provider named, the reason, and the provider's error code."""
    after = {"email": email, "method": "council account"}
    if refused_because:
        after["reason"] = refused_because
    if detail:
        after["detail"] = detail
    with write(db):
        record_event(
            db, user_id, "sign_in_refused" if refused_because else "sign_in", "user", user_id,
            after=after,
        )  # fmt: skip


def create_user_from_provider(db: Database, email: str, name: str, role: str, group: str) -> int:
    """Add a user at their first sign-in with the council's account, with the role their group
    gives and no teams or password, and record why."""
    with write(db):
        user_id = create_user(db, email, name, role, NO_PASSWORD)
        record_event(
            db, None, "create_from_provider", "user", user_id,
            after={"email": email, "role": role, "group": group},
        )  # fmt: skip
    return user_id


def end_sessions(db: Database, user_id: int) -> None:
    """End every session the user has open: each holds the session version it signed in with,
    and a session whose version is no longer the user's is signed out on its next request.
    Sign-out, a password change, a role change and deactivation call this."""
    with write(db):
        db.execute("UPDATE users SET session_version = session_version + 1 WHERE id = ?", [user_id])


def home_summary(db: Database, user_id: int) -> dict:
    """What the home page shows: the user, their role and their teams."""
    user = user_by_id(db, user_id)
    if user is None:
        raise NotFound(f"user {user_id} does not exist")
    return {"user": user, "teams": teams_of_user(db, user_id)}


def active_teams(db: Database) -> list[dict]:
    """Every active team with its directorate, ordered for choosing a round's scope."""
    return list(
        db.query(
            """SELECT t.id, t.name, d.name AS directorate FROM teams t
               JOIN directorates d ON d.id = t.directorate_id
               WHERE t.active = 1 ORDER BY d.name, t.name"""
        )
    )


def users_with_teams(db: Database) -> list[dict]:
    """Every user with their teams, for administration."""
    return list(
        db.query(
            """SELECT u.id, u.email, u.name, u.role, u.active, u.created_at,
                 (SELECT group_concat(t.name, ', ') FROM team_members m
                    JOIN teams t ON t.id = m.team_id WHERE m.user_id = u.id) AS teams
               FROM users u ORDER BY u.active DESC, u.name"""
        )
    )


def update_user(
    db: Database,
    user_id: int,
    role: str,
    active: bool,
    team_ids: Iterable[int],
    actor_id: int | None,
) -> None:
    """Change a user's role, teams or whether they may sign in. Nothing they did is removed."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    team_ids = sorted(set(team_ids))
    with write(db):
        before = user_by_id(db, user_id)
        if before is None:
            raise NotFound(f"user {user_id} does not exist")
        old_teams = [t["id"] for t in teams_of_user(db, user_id)]
        db.table("users").update(user_id, {"role": role, "active": int(active)})
        if role != before["role"] or int(active) != before["active"]:
            end_sessions(db, user_id)
        db.execute("DELETE FROM team_members WHERE user_id = ?", [user_id])
        db.table("team_members").insert_all({"user_id": user_id, "team_id": t} for t in team_ids)
        record_event(
            db,
            actor_id,
            "update",
            "user",
            user_id,
            before={"role": before["role"], "active": before["active"], "teams": old_teams},
            after={"role": role, "active": int(active), "teams": team_ids},
        )


def set_password(db: Database, user_id: int, password_hash: str, actor_id: int | None) -> None:
    """Give a user a new password and end every session they have open. The audit event says
    the password changed, never what to."""
    with write(db):
        if user_by_id(db, user_id) is None:
            raise NotFound(f"user {user_id} does not exist")
        db.table("users").update(user_id, {"password_hash": password_hash})
        end_sessions(db, user_id)
        record_event(db, actor_id, "set_password", "user", user_id, after={"password": "changed"})


def directorates_with_teams(db: Database) -> list[dict]:
    """Directorates with their lead and their teams' names."""
    return list(
        db.query(
            """SELECT d.id, d.name, d.lead_user_id, u.name AS lead,
                 (SELECT count(*) FROM teams t WHERE t.directorate_id = d.id AND t.active = 1)
                    AS teams,
                 (SELECT group_concat(t.name, ', ') FROM teams t
                    WHERE t.directorate_id = d.id AND t.active = 1) AS team_names
               FROM directorates d LEFT JOIN users u ON u.id = d.lead_user_id ORDER BY d.name"""
        )
    )


def team_id_by_name(db: Database, name: str) -> int | None:
    row = db.execute("SELECT id FROM teams WHERE name = ?", [name.strip()]).fetchone()
    return row[0] if row else None


def directorate_id_by_name(db: Database, name: str) -> int | None:
    row = db.execute("SELECT id FROM directorates WHERE name = ?", [name.strip()]).fetchone()
    return row[0] if row else None
