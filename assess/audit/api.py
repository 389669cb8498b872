"""The read-only JSON API: scores, answers, the audit log, the risk and EqIA registers and the
strategy programme (indicators, the action plan, scrutiny recommendations), for auditors' own
tools.

Each request carries a personal token (`Authorization: Bearer assess_...`) that its owner made,
and can revoke, on the "API tokens" page. The rows are the export tables' rows, streamed as one
JSON array; every call is recorded in the audit log as an export. The OpenAPI document at
/audit/api/v1/openapi.json describes it (and the tests fuzz the API against it).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from assess import store
from assess.audit import exports
from assess.store import exports as export_queries
from assess.store import tokens as token_store
from assess.store.programme_exports import PROGRAMME_TABLES
from assess.store.register_exports import REGISTER_TABLES
from assess.web import access
from assess.web.helpers import MAX_ID, parse_id

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# The API's tables, each at /api/v1/<key with hyphens>: scores, answers, readiness reviews' scores
# and answers, staff figures (aggregates only), the audit log and the council-wide registers.
TABLES = {
    table.key.replace("_", "-"): table
    for table in (
        export_queries.SCORES,
        export_queries.ANSWERS,
        export_queries.READINESS_SCORES,
        export_queries.READINESS_ANSWERS,
        export_queries.STAFF_FIGURES,
        export_queries.AUDIT_LOG,
        *REGISTER_TABLES,
        *PROGRAMME_TABLES,
    )
}
FILTERS = {"round": "round_id", "directorate": "directorate_id", "team": "team_id"}


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    response = jsonify({"error": error.message})
    response.status_code = error.status
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="assess"'
    return response


def _caller(db) -> tuple[dict, int]:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "Send your API token as 'Authorization: Bearer <token>'.")
    found = token_store.user_for_token(db, token.strip())
    if found is None:
        raise ApiError(401, "This API token is not valid: it may have been revoked.")
    user, token_id = found
    if not access.may(user["role"], "use_api"):
        raise ApiError(403, "Your role cannot use the API.")
    return user, token_id


def _filters(table: export_queries.ExportTable) -> export_queries.Filters:

    if table.council_wide:
        given = [name for name in FILTERS if request.args.get(name) not in (None, "")]
        if given:
            raise ApiError(
                400,
                f"{table.title} are council-wide: they cannot be narrowed by "
                f"{' or '.join(given)}. Leave out the filter.",
            )
    values = {}
    for name, field in FILTERS.items():
        try:
            values[field] = parse_id(request.args.get(name))
        except ValueError:
            raise ApiError(400, f"'{name}' must be a whole number of 1 or more (an id).") from None
    return export_queries.Filters(**values, min_responses=current_app.config["MIN_RESPONSES"])


def _rows(name: str):
    table = TABLES[name]
    db = store.get_db()
    user, token_id = _caller(db)
    filters = _filters(table)
    with store.write(db):
        store.record_event(
            db,
            user["id"],
            "export",
            "export",
            None,
            after={
                "tables": [table.key],
                "format": "json",
                "via": "api",
                "token_id": token_id,
                "filters": {**filters.__dict__, **export_queries.filter_names(db, filters)},
            },
        )
    path = current_app.config["DATABASE_PATH"]

    def body():
        with store.read_snapshot(path) as reader:
            yield from exports.json_chunks(
                table.columns, export_queries.table_rows(reader, table, filters)
            )

    return Response(body(), mimetype="application/json")


def _table_view(name: str):
    def view():
        return _rows(name)

    return view


# One route per table: /scores, /answers, /audit-log, /risks, ... (endpoint audit.api.audit_log).
for _name in TABLES:
    bp.add_url_rule(f"/{_name}", _name.replace("-", "_"), _table_view(_name))


# --- the OpenAPI document -----------------------------------------------------------------------

_KIND_SCHEMAS = {
    export_queries.INTEGER: {"type": "integer"},
    export_queries.NUMBER: {"type": "number"},
    export_queries.TEXT: {"type": "string"},
    export_queries.BOOLEAN: {"type": "boolean"},
    export_queries.TIMESTAMP: {"type": "string", "description": "UTC, ISO 8601"},
    export_queries.DATE: {"type": "string", "description": "YYYY-MM-DD"},
}
_SUMMARIES = {
    "scores": "Stored scores: one row per assessment, dimension and member, with provenance",
    "answers": "Answers with evidence and not-applicable reasons, with provenance",
    "audit-log": "The audit log, each event with its chain hashes",
    "risks": "The risk register, every status, with scores and where a proposed risk came from",
    "risk-scores": "Each risk's score history: likelihood, impact and score at each review",
    "risk-owner-decisions": "Proposed risks accepted or declined by their owners, with reasons",
    "eqias": "Equality impact assessments",
    "readiness-scores": "Each completed readiness review's score per area and overall, with "
    "its team, round and the version of the checks it answered",
    "readiness-answers": "Each readiness review's answers to its checks, with the evidence or "
    "the reason a check does not apply",
    "staff-figures": "What staff answered, as aggregates only: per round, each team's, "
    "directorate's and the council's responses, median and count at each level per section, "
    "overall and statement; where too few answered (or another group could be worked out), the "
    "count and the reason instead. Never a row per response",
    "eqia-impacts": "Each EqIA's impact on each group, with evidence and mitigation",
    "eqia-strand-impacts": "Each EqIA's implications for equality under each strand of the "
    "strategy (the strand by its key), with a note",
    "eqia-review-prompts": "EqIA reviews prompted by low or falling Inclusion & Respect scores, "
    "and what was done",
    "register-actions": "Actions on risks and EqIAs",
    "register-links": "What each risk and EqIA is linked to: readiness areas, values, statements",
    "indicators": "The strategy's performance indicators: definition, unit, which way is "
    "better, owner, readiness area, team and baseline",
    "indicator-values": "Each indicator's figures and targets by period, for everyone or a group",
    "eqia-indicator-prompts": "EqIA reviews prompted by a group's indicator figure short of its "
    "target, and what was done",
    "corporate-actions": "The strategy's action plan: each corporate action with its readiness "
    "area, strand, leads, RAG status and reason, and where it came from",
    "action-milestones": "Each corporate action's milestones: due and done dates",
    "action-progress-notes": "Each corporate action's dated progress updates, kept as written",
    "scrutiny-recommendations": "Scrutiny committees' recommendations, the response to each "
    "(accepted, partially accepted or rejected, with its reason) and the action that carries it",
}


FILTERED = "Every row, or only those of a round, directorate or team (each by its id)."
COUNCIL_WIDE = (
    "Council-wide: every row, always. Round, directorate and team filters do not apply; "
    "a request that gives one is refused with a 400."
)


def openapi_document() -> dict:
    error = {"$ref": "#/components/schemas/Error"}
    parameters = [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": f"Only this {name} (its id)",
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        }
        for name in FILTERS
    ]
    schemas = {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {"error": {"type": "string"}},
            "additionalProperties": False,
        }
    }
    paths = {}
    for name, table in TABLES.items():
        schema_name = table.title.replace(" ", "")
        schemas[schema_name] = {
            "type": "object",
            "required": table.column_names,
            "additionalProperties": False,
            "properties": {
                column: {**_KIND_SCHEMAS[kind], "nullable": True} for column, kind in table.columns
            },
        }

        def reply(text, schema):
            return {"description": text, "content": {"application/json": {"schema": schema}}}

        paths[f"{_prefix()}/{name}"] = {
            "get": {
                "operationId": f"list_{name.replace('-', '_')}",
                "summary": _SUMMARIES[name],
                "description": COUNCIL_WIDE if table.council_wide else FILTERED,
                "parameters": [] if table.council_wide else parameters,
                "responses": {
                    "200": reply(
                        "Every row that matches, in a stable order",
                        {"type": "array", "items": {"$ref": f"#/components/schemas/{schema_name}"}},
                    ),
                    "400": reply(
                        "A filter given to a council-wide table"
                        if table.council_wide
                        else "A filter is not a valid id",
                        error,
                    ),
                    "401": reply("No token, or a token that is not valid or was revoked", error),
                    "403": reply("The token's owner may not use the API", error),
                },
            }
        }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "assess read-only API",
            "version": "1",
            "description": "Scores, answers and the audit log of the culture maturity "
            "self-assessment, the readiness reviews' scores and answers, the council's risk "
            "register and equality impact assessments, and the strategy's performance "
            "indicators. "
            "Make a personal token on the API tokens page.",
        },
        "security": [{"token": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
    }


def _prefix() -> str:
    """Where the API is mounted (it sits inside the audit area)."""
    return url_for("audit.api.scores").rsplit("/", 1)[0]


@bp.route("/openapi.json")
def openapi():
    return jsonify(openapi_document())
