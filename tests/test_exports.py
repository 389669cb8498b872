"""Exports: what the files contain, who may take them, and that each is recorded."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from datetime import datetime

import pytest
from openpyxl import load_workbook

from assess import store
from assess.audit import exports, writers
from assess.store import exports as export_queries
from assess.store import plan as plan_store
from assess.store import registers as register_store
from tests.conftest import draw_charts, read_page, sign_in

AUDITOR = "jo.maxwell@council.example"
BUSINESS_IMPROVEMENT = "sam.okafor@council.example"
TEAM_LEAD = "priya.shah@council.example"
COLUMNS = [("name", "text"), ("count", "integer"), ("score", "number")]


def csv_of(columns, rows) -> bytes:
    return b"".join(exports.csv_chunks(columns, exports.plain(rows)))


def plain_sheet(title, columns, rows) -> exports.Sheet:
    return exports.Sheet(title, columns, exports.plain(rows))


def read_csv(data: bytes) -> list[dict]:
    assert data.startswith("\ufeff".encode()), "Excel needs the byte order mark to read UTF-8"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# --- the writers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["=SUM(A1:A9)", "+44 20 7946 0000", "-1+1", "@SUM(A1)", "\tTAB", "\rCR"]
)
def test_csv_neutralises_a_cell_excel_would_run_as_a_formula(value):
    data = csv_of(["evidence"], [(value,)])
    assert read_csv(data) == [{"evidence": "'" + value}]


@pytest.mark.parametrize("value", ["Plain words", "A = B", "3 teams", "", "'quoted"])
def test_csv_leaves_ordinary_text_as_it_is(value):
    data = csv_of(["evidence"], [(value,)])
    assert read_csv(data) == [{"evidence": value}]


def test_csv_keeps_numbers_and_non_english_text():
    data = csv_of(["name", "score"], [("Gwasanaethau Cymraeg – ŵ", -1.5)])
    assert read_csv(data) == [{"name": "Gwasanaethau Cymraeg – ŵ", "score": "-1.5"}]


TRICKY_ROWS = [
    ("plain", 1, 2.5, None),
    ('say "hi"', -3, None, "=SUM(A1)"),
    ("=first", "+second", "middle\r\nline", "last\r"),
    ("-", "@", "\ttab", ""),
    (None, None, None, None),
    ('""', "a,b", "x\ny", "end,"),
]


@pytest.mark.parametrize(
    "rows",
    [
        TRICKY_ROWS,
        TRICKY_ROWS * 700,  # more than one batch
        [("field\x1fseparator", "record\x1eseparator", 1, None)],  # the fallback path
        [("short",), ("a", "longer", "row")],
    ],
)
def test_csv_matches_the_csv_module_with_neutralised_formulas(rows):
    expected = io.StringIO()
    expected.write("\ufeff")
    writer = csv.writer(expected, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(["a", "b", "c", "d"])
    writer.writerows([writers.neutralise(value) for value in row] for row in rows)
    data = csv_of(["a", "b", "c", "d"], rows)
    assert data.decode("utf-8") == expected.getvalue()


def test_json_is_one_array_of_objects_with_booleans():
    columns = [("statement_key", "text"), ("not_applicable", "boolean"), ("level", "integer")]
    data = b"".join(exports.json_chunks(columns, exports.plain([("v1", 1, None), ("v2", 0, 3)])))
    assert json.loads(data) == [
        {"statement_key": "v1", "not_applicable": True, "level": None},
        {"statement_key": "v2", "not_applicable": False, "level": 3},
    ]


def test_json_of_no_rows_is_an_empty_array():
    assert json.loads(b"".join(exports.json_chunks(COLUMNS, exports.plain([])))) == []


def write_workbook(sheets) -> tuple[bytes, list[exports.SheetSummary]]:
    target = io.BytesIO()
    about = exports.About(
        "Jo Maxwell (jo.maxwell@council.example), Auditor",
        "2025-01-31 09:00:00",
        {"Round": "2024/25", "Directorate": "All", "Team": "All"},
        ["A note"],
    )
    summaries = exports.write_xlsx(target, sheets, about)
    return target.getvalue(), summaries


def test_xlsx_has_an_about_sheet_first_then_one_typed_sheet_per_table():
    columns = [
        ("team", "text"),
        ("level", "integer"),
        ("score", "number"),
        ("not_applicable", "boolean"),
        ("submitted_at", "timestamp"),
        ("due_on", "date"),
    ]
    rows = [
        ("Housing Needs", 3, 2.75, 0, "2024-12-13T10:15:00.000000Z", "2025-03-31"),
        ('=HYPERLINK("http://x")', None, None, 1, None, None),
    ]
    data, summaries = write_workbook(
        [plain_sheet("Answers", columns, rows), plain_sheet("Audit log", COLUMNS, [])]
    )
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["About this export", "Answers", "Audit log"]
    sheet = workbook["Answers"]
    assert sheet.freeze_panes == "A2"
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == tuple(name for name, _ in columns)
    assert values[1] == (
        "Housing Needs",
        3,
        2.75,
        False,
        datetime(2024, 12, 13, 10, 15),
        datetime(2025, 3, 31),
    )
    formula_like = sheet["A3"]
    assert formula_like.value == '=HYPERLINK("http://x")'
    assert formula_like.data_type == "s", "text that looks like a formula stays text"
    assert values[2][3] is True
    assert [(s.title, s.rows) for s in summaries] == [("Answers", 2), ("Audit log", 0)]


@pytest.mark.parametrize(
    ("stored", "read_back"),
    [
        ('<b>Tom & "Jerry"</b> it\'s > 3', '<b>Tom & "Jerry"</b> it\'s > 3'),
        ("bell\x07 and null\x00 and form feed\x0c", "bell and null and form feed"),
        ("  leading and trailing spaces  ", "  leading and trailing spaces  "),
        ("line one\nline two\ttabbed", "line one\nline two\ttabbed"),
        ("Gwasanaethau Cymraeg – ŵ 😀", "Gwasanaethau Cymraeg – ŵ 😀"),
        ("]]></t></is></c><c><v>1</v>", "]]></t></is></c><c><v>1</v>"),
    ],
)
def test_xlsx_text_with_markup_quotes_and_control_characters_reads_back_safely(stored, read_back):
    data, _ = write_workbook([plain_sheet("Answers", COLUMNS, [(stored, 1, 0.5)])])
    sheet = load_workbook(io.BytesIO(data))["Answers"]
    assert [cell.value for cell in sheet[2]] == [read_back, 1, 0.5]


def test_xlsx_numbers_are_numbers_and_the_header_is_bold_and_frozen():
    rows = [("Housing Needs", 3, 2.5), ("Parking", -1, None), ("Libraries", 0, 1e-9)]
    data, _ = write_workbook([plain_sheet("Scores", COLUMNS, rows)])
    sheet = load_workbook(io.BytesIO(data))["Scores"]
    assert sheet.freeze_panes == "A2"
    assert [(c.value, c.font.b) for c in sheet[1]] == [
        ("name", True),
        ("count", True),
        ("score", True),
    ]
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=2)] == [
        list(row) for row in rows
    ]
    assert [c.data_type for c in sheet[2]] == ["s", "n", "n"]
    assert sheet["C3"].value is None, "an empty cell keeps the cells after it in place"
    assert sheet.max_row == 4


def test_xlsx_values_a_column_cannot_type_stay_as_text():
    columns = [("level", "integer"), ("at", "timestamp"), ("due_on", "date")]
    rows = [("three", "last Tuesday", "soon"), (float("nan"), None, "2025-02-30")]
    data, _ = write_workbook([plain_sheet("Odd", columns, rows)])
    values = list(load_workbook(io.BytesIO(data))["Odd"].iter_rows(min_row=2, values_only=True))
    assert values == [("three", "last Tuesday", "soon"), ("nan", None, "2025-02-30")]


def test_xlsx_about_sheet_says_who_when_filters_counts_and_each_sheets_sha256():
    rows = [("Housing Needs", 3, 2.5), ("+Parking", 1, None)]
    data, _ = write_workbook([plain_sheet("Scores", COLUMNS, rows)])
    about = [row for row in load_workbook(io.BytesIO(data))["About this export"].values]
    text = "\n".join(" | ".join(str(v) for v in row if v is not None) for row in about)
    assert "Exported by | Jo Maxwell (jo.maxwell@council.example), Auditor" in text
    assert "Exported at (UTC) | 2025-01-31 09:00:00" in text
    assert "Round | 2024/25" in text
    csv_bytes = csv_of([n for n, _ in COLUMNS], rows)
    assert f"Scores | 2 | {hashlib.sha256(csv_bytes).hexdigest()}" in text


# Rows as the store reads them: each assessment's provenance is one object shared by its rows.
HOUSING = (("=Housing", 'Team "A"'), ("-3", None))
PARKING = (("Parking,\r\nand roads\x1e", 7), ("", "@last\x1d"))  # and placeholder characters
WITH_PROVENANCE = [
    (HOUSING, ("v1", 3, None)),
    (HOUSING, ("+v2", -1, 'say "hi"')),
    (PARKING, ("v1", None, "\tTAB")),
    (HOUSING, ("v3", 2.5, "")),  # an assessment may come round again
]
FLAT_COLUMNS = [
    ("team", "text"),
    ("ref", "text"),
    ("statement", "text"),
    ("level", "number"),
    ("evidence", "text"),
    ("status", "text"),
    ("signed_off_by", "text"),
]


def flattened(rows):
    return [(*before, *values, *after) for (before, after), values in rows]


@pytest.mark.parametrize("repeat", [1, 1001])  # 1001: batches that split a run of rows
def test_rows_with_shared_provenance_write_the_same_csv_json_and_xlsx_as_flat_rows(repeat):
    rows = WITH_PROVENANCE * repeat
    names = [name for name, _ in FLAT_COLUMNS]
    assert b"".join(exports.csv_chunks(names, rows)) == csv_of(names, flattened(rows))
    assert b"".join(exports.json_chunks(FLAT_COLUMNS, rows)) == b"".join(
        exports.json_chunks(FLAT_COLUMNS, exports.plain(flattened(rows)))
    )
    shared, shared_summary = write_workbook([exports.Sheet("Answers", FLAT_COLUMNS, rows)])
    flat, flat_summary = write_workbook([plain_sheet("Answers", FLAT_COLUMNS, flattened(rows))])
    assert shared_summary == flat_summary
    read = [list(load_workbook(io.BytesIO(data))["Answers"].values) for data in (shared, flat)]
    assert read[0] == read[1]


def test_csv_neutralises_formulas_in_the_provenance_too():
    rows = read_csv(b"".join(exports.csv_chunks([n for n, _ in FLAT_COLUMNS], WITH_PROVENANCE)))
    assert [r["team"] for r in rows] == [
        "'=Housing",
        "'=Housing",
        "Parking,\r\nand roads\x1e",
        "'=Housing",
    ]
    assert rows[0]["status"] == "'-3", "text, so neutralised (a number -3 would not be)"
    assert rows[2]["signed_off_by"] == "'@last\x1d"
    assert [r["level"] for r in rows] == ["3", "-1", "", "2.5"]


# --- the exports through the app ----------------------------------------------------------------


def ids(db) -> dict:
    one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
    return {
        "round": one("SELECT id FROM rounds WHERE name = '2023/24'"),
        "team": one("SELECT id FROM teams WHERE name = 'Housing Needs'"),
        "directorate": one("SELECT directorate_id FROM teams WHERE name = 'Housing Needs'"),
    }


def export(client, **params):
    response = client.get("/audit/export", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def test_every_answer_row_carries_its_provenance(client, db):
    chosen = ids(db)
    sign_in(client, AUDITOR)
    response = export(
        client, table="answers", format="csv", round=chosen["round"], team=chosen["team"]
    )
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = read_csv(response.data)
    assessment = db.execute(
        "SELECT * FROM assessments WHERE team_id = ? AND round_id = ?",
        [chosen["team"], chosen["round"]],
    ).fetchone()
    assert assessment is not None
    assert (
        len(rows)
        == db.execute(
            "SELECT count(*) FROM answers WHERE assessment_id = ?", [assessment[0]]
        ).fetchone()[0]
        > 0
    )
    version = db.execute(
        "SELECT questionnaire_version FROM rounds WHERE name = '2023/24'"
    ).fetchone()[0]
    for row in rows:
        assert row["round"] == "2023/24"
        assert row["team"] == "Housing Needs"
        assert row["directorate"] == "Housing"
        assert row["questionnaire_id"] == "cex-culture-maturity"
        assert row["questionnaire_version"] == version
        assert row["assessment_status"] == "signed_off"
        assert row["submitted_by"].endswith("@council.example")
        assert row["submitted_at"].startswith("20")
        assert row["signed_off_by"].endswith("@council.example")
        assert row["signed_off_at"] >= row["submitted_at"]
    assert set(rows[0]) >= {
        "statement_key",
        "level",
        "not_applicable",
        "not_applicable_reason",
        "evidence",
    }


def test_scores_have_one_row_per_assessment_dimension_and_member_with_provenance(client, db):
    chosen = ids(db)
    sign_in(client, BUSINESS_IMPROVEMENT)
    rows = json.loads(export(client, table="scores", format="json", round=chosen["round"]).data)
    stored = db.execute(
        """SELECT count(*) FROM scores s JOIN assessments a ON a.id = s.assessment_id
           WHERE a.round_id = ?""",
        [chosen["round"]],
    ).fetchone()[0]
    assert len(rows) == stored > 0
    keys = {(r["assessment_id"], r["dimension"], r["member"]) for r in rows}
    assert len(keys) == len(rows)
    assert {r["round"] for r in rows} == {"2023/24"}
    assert all(r["questionnaire_version"] and r["submitted_by"] for r in rows)
    assert all(r["scoring_rules_version"] for r in rows)


def test_a_directorate_filter_keeps_only_that_directorates_teams(client, db):
    chosen = ids(db)
    sign_in(client, AUDITOR)
    rows = read_csv(
        export(client, table="completion", format="csv", directorate=chosen["directorate"]).data
    )
    housing_teams = {
        r[0]
        for r in db.execute(
            "SELECT name FROM teams WHERE directorate_id = ?", [chosen["directorate"]]
        )
    }
    assert {r["team"] for r in rows} == housing_teams
    assert {r["round"] for r in rows} == {"2022/23", "2023/24", "2024/25"}


def test_evidence_that_looks_like_a_formula_is_neutralised_in_the_csv(client, db):
    chosen = ids(db)
    assessment_id = db.execute(
        "SELECT id FROM assessments WHERE team_id = ? AND round_id = ?",
        [chosen["team"], chosen["round"]],
    ).fetchone()[0]
    db.execute(
        'UPDATE answers SET evidence = \'=HYPERLINK("http://evil.example","Click")\' '
        "WHERE assessment_id = ? AND rowid = (SELECT min(rowid) FROM answers "
        "WHERE assessment_id = ?)",
        [assessment_id, assessment_id],
    )
    db.conn.commit()
    sign_in(client, AUDITOR)
    rows = read_csv(
        export(
            client, table="answers", format="csv", team=chosen["team"], round=chosen["round"]
        ).data
    )
    assert '\'=HYPERLINK("http://evil.example","Click")' in [r["evidence"] for r in rows]


def test_an_excel_export_of_every_table_says_what_it_holds(client, db):
    chosen = ids(db)
    sign_in(client, AUDITOR)
    data = export(client, table="all", format="xlsx", team=chosen["team"]).data
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    assert workbook.sheetnames == [
        "About this export",
        "Scores",
        "Answers",
        "Rounds and completion",
        "Improvement actions",
        "Readiness review scores",
        "Readiness review answers",
        "Staff figures",
        "Audit log",
        *COUNCIL_WIDE_SHEETS,
    ]
    about = "\n".join(
        " | ".join(str(v) for v in row if v is not None)
        for row in workbook["About this export"].values
    )
    assert "Jo Maxwell (jo.maxwell@council.example), Auditor" in about
    assert "Team | Housing Needs" in about
    assert "Round | All" in about
    assert ", ".join(COUNCIL_WIDE_SHEETS[:-1]) + f" and {COUNCIL_WIDE_SHEETS[-1]}" in about
    assert "are council-wide: the round, directorate and team filters do not apply" in about
    answers = list(workbook["Answers"].values)
    assert f"Answers | {len(answers) - 1} | " in about
    csv_bytes = export(client, table="answers", format="csv", team=chosen["team"]).data
    assert f"| {hashlib.sha256(csv_bytes).hexdigest()}" in about


def test_each_export_is_recorded_in_the_audit_log_with_its_filters(client, db):
    chosen = ids(db)
    sign_in(client, AUDITOR)
    export(client, table="audit_log", format="json", round=chosen["round"])
    event = db.execute(
        "SELECT actor_id, after FROM audit_events WHERE action = 'export' ORDER BY id DESC"
    ).fetchone()
    auditor = store.user_by_email(db, AUDITOR)
    assert event[0] == auditor["id"]
    after = json.loads(event[1])
    assert after["tables"] == ["audit_log"]
    assert after["format"] == "json"
    assert after["filters"]["round_id"] == chosen["round"]
    assert after["filters"]["Round"] == "2023/24"
    assert after["filters"]["Team"] == "All"


def test_the_audit_log_export_holds_the_chain_hashes(client, db):
    sign_in(client, AUDITOR)
    rows = read_csv(export(client, table="audit_log", format="csv").data)
    stored = store.audit_events(db)
    assert [int(r["event_id"]) for r in rows[: len(stored)]] == [e["id"] for e in stored]
    assert rows[0]["hash"] == stored[0]["hash"]
    assert rows[1]["previous_hash"] == stored[0]["hash"]


def test_the_export_page_offers_every_table_and_format(client):
    sign_in(client, AUDITOR)
    page = read_page(client.get("/audit/"))
    assert page.h1 == ["Audit and exports"]
    for words in (
        "Scores",
        "Answers",
        "Rounds and completion",
        "Improvement actions",
        "Audit log",
        "CSV",
        "Excel (XLSX)",
        "JSON",
        "Risks",
        "Equality impact assessments",
        "EqIA impacts by group",
        "Risk and EqIA actions",
        "Risk and EqIA links",
        "Council-wide: not narrowed by round, directorate or team",
        "Check the whole audit trail",
    ):
        assert words in page.text


def test_csv_of_all_tables_is_refused_with_a_message(client):
    sign_in(client, AUDITOR)
    page = read_page(client.get("/audit/export?table=all&format=csv"), status=400)
    assert page.title.startswith("Error: ")
    assert "Choose one table for CSV or JSON, or choose Excel for all" in page.text


def test_an_export_with_nothing_chosen_asks_for_a_table_and_a_format(client):
    sign_in(client, AUDITOR)
    page = read_page(client.get("/audit/export"), status=400)
    assert "Choose what to export" in page.text
    assert "Choose a format" in page.text


@pytest.mark.parametrize("path", ["/audit/", "/audit/export?table=answers&format=csv"])
def test_team_leads_cannot_export(client, path):
    sign_in(client, TEAM_LEAD)
    assert client.get(path).status_code == 403


def test_export_queries_read_rows_from_a_cursor_not_a_list(db):
    rows = export_queries.table_rows(db, export_queries.ANSWERS, export_queries.Filters())
    assert not isinstance(rows, list)
    first, values = next(rows)
    before, after = first
    assert len(before) + len(values) + len(after) == len(export_queries.ANSWERS.columns)
    second, _ = next(rows)
    assert second is first, "an assessment's rows share one provenance, rendered once"
    rows.close()


# --- staff figures: aggregates only ------------------------------------------------------------


@pytest.mark.parametrize("table", export_queries.TABLES.values(), ids=lambda t: t.key)
def test_every_tables_sheet_title_fits_excels_31_characters(table):
    assert len(table.title) <= 31


def test_staff_figures_export_only_shown_groups_figures_and_the_rest_with_their_reason(client, db):
    """The demo's closed rounds hold staff answers, some teams below the minimum: their rows
    give the count and the reason, no median; no row names a response."""
    chosen = ids(db)
    sign_in(client, AUDITOR)
    rows = read_csv(export(client, table="staff_figures", format="csv", round=chosen["round"]).data)
    assert rows and {r["round"] for r in rows} == {"2023/24"}
    hidden = [r for r in rows if r["hidden_because"]]
    shown = [r for r in rows if not r["hidden_because"]]
    assert hidden and shown
    assert all(r["median"] == "" and r["responses_at_each_level"] == "" for r in hidden)
    assert all(int(r["responses"]) < 5 for r in hidden if r["hidden_because"].startswith("fewer"))
    assert {r["scope"] for r in rows} == {"team", "directorate", "council"}
    assert all(r["min_responses"] == "5" for r in rows)
    response_ids = {r[0] for r in db.execute("SELECT id FROM staff_responses")}
    assert not any(cell in response_ids for r in rows for cell in r.values())
    comments = {r[0] for r in db.execute("SELECT text FROM staff_comments")}
    assert not any(cell in comments for r in rows for cell in r.values())


def test_staff_figures_say_what_the_heatmaps_staff_view_says(client, db, app):
    chosen = ids(db)
    sign_in(client, AUDITOR)
    rows = read_csv(export(client, table="staff_figures", format="csv", round=chosen["round"]).data)
    overall = {
        r["team"]: r["median"] for r in rows if r["scope"] == "team" and r["dimension"] == "overall"
    }
    sign_in(client, "sam.okafor@council.example")
    heat = client.get(f"/rounds/{chosen['round']}/heatmap/value.csv?view=staff")
    compared = 0
    for row in read_csv(heat.data):
        if row["Team"] in overall:
            assert float(row["Overall score (all statements)"]) == float(overall[row["Team"]])
            compared += 1
    assert compared


# --- the risk register and EqIAs: council-wide --------------------------------------------------

REGISTER_TABLES = [
    "risks",
    "risk_scores",
    "risk_owner_decisions",
    "eqias",
    "eqia_impacts",
    "eqia_strand_impacts",
    "eqia_review_prompts",
    "register_actions",
    "register_links",
]
REGISTER_SHEETS = [
    "Risks",
    "Risk score history",
    "Proposed risk decisions",
    "Equality impact assessments",
    "EqIA impacts by group",
    "EqIA implications by strand",
    "EqIA review prompts",
    "Risk and EqIA actions",
    "Risk and EqIA links",
]
# The performance indicators' tables: council-wide too, exported after the registers.
PROGRAMME_TABLES = [
    "indicators",
    "indicator_values",
    "eqia_indicator_prompts",
    "corporate_actions",
    "action_milestones",
    "action_progress_notes",
    "scrutiny_recommendations",
]
PROGRAMME_SHEETS = [
    "Performance indicators",
    "Indicator figures",
    "EqIA prompts from indicators",
    "Action plan",
    "Action plan milestones",
    "Action plan progress notes",
    "Scrutiny recommendations",
]
COUNCIL_WIDE_TABLES = REGISTER_TABLES + PROGRAMME_TABLES
COUNCIL_WIDE_SHEETS = REGISTER_SHEETS + PROGRAMME_SHEETS


def add_register_entries(db) -> dict:
    """A proposed risk raised from Housing Needs' results and an EqIA with two groups and two
    strands, each with an action and a link, their text written to look like formulas where it
    can."""
    chosen = ids(db)
    officer = store.user_by_email(db, BUSINESS_IMPROVEMENT)["id"]
    risk_id = register_store.add_risk(
        db,
        {
            "ref": "TEST-R1",
            "title": '=HYPERLINK("http://evil.example","Staff turnover")',
            "cause": "+ agency staff",
            "event": "Knowledge is lost",
            "consequence": "-1 service level",
            "category": "People",
            "owner": "@Director of Housing",
            "raised_on": "2025-01-15",
            "inherent_likelihood": 4,
            "inherent_impact": 5,
            "current_likelihood": 3,
            "current_impact": 4,
            "target_likelihood": 2,
            "target_impact": 2,
            "response": "Treat",
            "controls": "Exit interviews",
            "next_review_on": "2025-04-15",
            "source_round_id": chosen["round"],
            "source_team_id": chosen["team"],
            "source_evidence": "=cmd|' /C calc'!A0",
        },
        officer,
        status="proposed",
    )
    eqia_id = register_store.add_eqia(
        db,
        {
            "ref": "TEST-E1",
            "title": "Library opening hours",
            "workstream": "Libraries",
            "lead_officer": "Sam Okafor",
            "evidence": "@Census 2021",
            "overall_outcome": "Adjust the policy",
            "signed_off_on": "2025-02-01",
        },
        [
            {
                "group_name": "Age",
                "impact": "Negative",
                "severity": "High",
                "evidence": "=older readers use Saturday mornings",
                "mitigation": "Mobile library",
            },
            {
                "group_name": "Disability",
                "impact": "Positive",
                "severity": None,
                "evidence": "Step-free entrance",
                "mitigation": "",
            },
        ],
        officer,
        [
            {"strand": "inclusive-access", "impact": "Negative", "note": "-fewer evening hours"},
            {"strand": "citizen-focused", "impact": "Positive", "note": ""},
        ],
    )
    register_store.add_register_action(
        db, "risk", risk_id, {"what": "+Buddy scheme", "owner": "HR", "due_on": "2025-06-30"}, None
    )
    register_store.add_register_action(db, "eqia", eqia_id, {"what": "Consult readers"}, None)
    register_store.add_link(
        db, "risk", risk_id, "cex-culture-maturity", "readiness_area", "people", officer
    )
    register_store.add_link(db, "eqia", eqia_id, "cex-culture-maturity", "value", "open", officer)
    return {"risk": risk_id, "eqia": eqia_id, **chosen}


def test_score_history_owner_decisions_review_prompts_and_closed_actions_say_who_and_when(
    client, db
):
    entries = add_register_entries(db)
    officer = store.user_by_email(db, BUSINESS_IMPROVEMENT)["id"]
    priya = store.user_by_email(db, "priya.shah@council.example")
    register_store.update_risk(db, entries["risk"], {"current_likelihood": 2}, officer)
    register_store.update_risk(db, entries["risk"], {"owner_user_id": priya["id"]}, officer)
    register_store.decline_risk(db, entries["risk"], "=Not my service", priya)
    register_store.raise_review_prompt(db, entries["eqia"], entries["round"], "Inclusion fell")
    [prompt] = [p for p in register_store.review_prompts(db) if p["eqia_id"] == entries["eqia"]]
    register_store.resolve_review_prompt(db, prompt["id"], "Reviewed: no change", officer)
    [action] = register_store.actions_of(db, "eqia", entries["eqia"])
    register_store.update_register_action(
        db, action["id"], {"status": "done", "completion_note": "Survey sent"}, officer
    )
    sign_in(client, AUDITOR)

    def rows(table):
        return json.loads(export(client, table=table, format="json").data)

    history = [r for r in rows("risk_scores") if r["risk_ref"] == "TEST-R1"]
    assert [(r["likelihood"], r["impact"], r["score"]) for r in history] == [(3, 4, 12), (2, 4, 8)]
    assert history[-1]["recorded_by"] == BUSINESS_IMPROVEMENT
    [decision] = [r for r in rows("risk_owner_decisions") if r["risk_ref"] == "TEST-R1"]
    assert (decision["decision"], decision["reason"]) == ("declined", "=Not my service")
    assert decision["owner"] == decision["decided_by"] == "priya.shah@council.example"
    [review] = [r for r in rows("eqia_review_prompts") if r["eqia_ref"] == "TEST-E1"]
    assert (review["reason"], review["outcome"]) == ("Inclusion fell", "Reviewed: no change")
    assert review["round"] == "2023/24" and review["resolved_by"] == BUSINESS_IMPROVEMENT
    [closed] = [r for r in rows("register_actions") if r["entry_ref"] == "TEST-E1"]
    assert (closed["status"], closed["completion_note"]) == ("done", "Survey sent")
    assert closed["closed_by"] == BUSINESS_IMPROVEMENT and closed["closed_at"]
    decisions = export(client, table="risk_owner_decisions", format="csv").data
    csv_reasons = [r["reason"] for r in read_csv(decisions)]
    assert "'=Not my service" in csv_reasons, "a reason that looks like a formula stays text"


def test_risks_export_with_scores_status_and_where_a_proposed_risk_came_from(client, db):
    entries = add_register_entries(db)
    sign_in(client, AUDITOR)
    rows = read_csv(export(client, table="risks", format="csv").data)
    assert len(rows) == db["risks"].count > 1, "every risk, whatever its status"
    [risk] = [r for r in rows if r["ref"] == "TEST-R1"]
    assert risk["risk_id"] == str(entries["risk"])
    assert risk["ref"] == "TEST-R1"
    assert risk["status"] == "proposed"
    assert (risk["inherent_score"], risk["current_score"], risk["target_score"]) == (
        "20",
        "12",
        "4",
    )
    assert risk["raised_on"] == "2025-01-15"
    assert (risk["source_round"], risk["source_team"]) == ("2023/24", "Housing Needs")
    assert risk["created_by"] == BUSINESS_IMPROVEMENT
    assert risk["accepted_by"] == ""


def test_eqias_impacts_actions_and_links_export_with_their_entries_refs(client, db):
    entries = add_register_entries(db)
    sign_in(client, AUDITOR)
    tables = {
        key: json.loads(export(client, table=key, format="json").data) for key in REGISTER_TABLES
    }
    assert {t: len(rows) for t, rows in tables.items()} == {t: db[t].count for t in tables}
    ours = {"TEST-R1", "TEST-E1"}
    [eqia] = [e for e in tables["eqias"] if e["ref"] == "TEST-E1"]
    assert (eqia["eqia_id"], eqia["ref"], eqia["signed_off_on"]) == (
        entries["eqia"],
        "TEST-E1",
        "2025-02-01",
    )
    assert [
        (i["eqia_ref"], i["group"], i["impact"], i["severity"])
        for i in tables["eqia_impacts"]
        if i["eqia_ref"] in ours
    ] == [
        ("TEST-E1", "Age", "Negative", "High"),
        ("TEST-E1", "Disability", "Positive", None),
    ]
    assert [
        (s["eqia_id"], s["eqia_ref"], s["strand"], s["impact"], s["note"])
        for s in tables["eqia_strand_impacts"]
        if s["eqia_ref"] in ours
    ] == [
        (entries["eqia"], "TEST-E1", "inclusive-access", "Negative", "-fewer evening hours"),
        (entries["eqia"], "TEST-E1", "citizen-focused", "Positive", ""),
    ]
    assert [
        (a["entry_kind"], a["entry_ref"], a["what"], a["status"])
        for a in tables["register_actions"]
        if a["entry_ref"] in ours
    ] == [
        ("risk", "TEST-R1", "+Buddy scheme", "not_started"),
        ("eqia", "TEST-E1", "Consult readers", "not_started"),
    ]
    assert [
        (k["entry_kind"], k["entry_ref"], k["questionnaire_id"], k["dimension"], k["member"])
        for k in tables["register_links"]
        if k["entry_ref"] in ours
    ] == [
        ("risk", "TEST-R1", "cex-culture-maturity", "readiness_area", "people"),
        ("eqia", "TEST-E1", "cex-culture-maturity", "value", "open"),
    ]


@pytest.mark.parametrize(
    ("table", "column", "stored"),
    [
        ("risks", "title", '=HYPERLINK("http://evil.example","Staff turnover")'),
        ("risks", "cause", "+ agency staff"),
        ("risks", "consequence", "-1 service level"),
        ("risks", "owner", "@Director of Housing"),
        ("risks", "source_evidence", "=cmd|' /C calc'!A0"),
        ("eqias", "evidence", "@Census 2021"),
        ("eqia_impacts", "evidence", "=older readers use Saturday mornings"),
        ("eqia_strand_impacts", "note", "-fewer evening hours"),
        ("register_actions", "what", "+Buddy scheme"),
    ],
)
def test_register_text_that_looks_like_a_formula_is_neutralised_in_the_csv(
    client, db, table, column, stored
):
    add_register_entries(db)
    sign_in(client, AUDITOR)
    rows = read_csv(export(client, table=table, format="csv").data)
    assert "'" + stored in [r[column] for r in rows]


def test_the_registers_excel_sheets_have_frozen_headers_and_typed_columns(client, db):
    add_register_entries(db)
    sign_in(client, AUDITOR)
    workbook = load_workbook(io.BytesIO(export(client, table="all", format="xlsx").data))
    assert workbook.sheetnames[-len(COUNCIL_WIDE_SHEETS) :] == COUNCIL_WIDE_SHEETS
    for title in REGISTER_SHEETS:
        assert workbook[title].freeze_panes == "A2", title
        assert workbook[title]["A1"].font.b, title
    risks = workbook["Risks"]
    header = [c.value for c in risks[1]]
    [risk] = [
        dict(zip(header, row, strict=True))
        for row in risks.iter_rows(min_row=2)
        if row[1].value == "TEST-R1"
    ]
    assert risk["risk_id"].data_type == "n"
    assert risk["current_score"].value == 12 and risk["current_score"].data_type == "n"
    assert risk["raised_on"].value == datetime(2025, 1, 15)
    assert isinstance(risk["created_at"].value, datetime)
    assert risk["title"].value == '=HYPERLINK("http://evil.example","Staff turnover")'
    assert risk["title"].data_type == "s", "text that looks like a formula stays text"
    impacts = workbook["EqIA impacts by group"]
    assert [c.value for c in impacts[1]] == [
        "eqia_id",
        "eqia_ref",
        "group",
        "impact",
        "severity",
        "evidence",
        "mitigation",
    ]
    assert impacts["A2"].data_type == "n"
    strands = workbook["EqIA implications by strand"]
    assert [c.value for c in strands[1]] == ["eqia_id", "eqia_ref", "strand", "impact", "note"]
    assert strands["A2"].data_type == "n"
    actions = workbook["Risk and EqIA actions"]
    [due_on] = [row[6].value for row in actions.iter_rows(min_row=2) if row[3].value == "TEST-R1"]
    assert due_on == datetime(2025, 6, 30), "due_on is a date"


def test_filters_narrow_the_assessment_sheets_but_the_registers_come_whole_and_say_so(client, db):
    entries = add_register_entries(db)
    sign_in(client, AUDITOR)
    data = export(
        client, table="all", format="xlsx", team=entries["team"], round=entries["round"]
    ).data
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    assert len(list(workbook["Risks"].values)) == 1 + db["risks"].count
    assert len(list(workbook["EqIA impacts by group"].values)) == 1 + db["eqia_impacts"].count
    strands = workbook["EqIA implications by strand"]
    assert len(list(strands.values)) == 1 + db["eqia_strand_impacts"].count
    about = "\n".join(
        " | ".join(str(v) for v in row if v is not None)
        for row in workbook["About this export"].values
    )
    assert "Team | Housing Needs" in about
    assert (
        ", ".join(COUNCIL_WIDE_SHEETS[:-1])
        + f" and {COUNCIL_WIDE_SHEETS[-1]} are council-wide: the "
        "round, directorate and team filters do not apply, so they are always exported in full."
    ) in about
    after = json.loads(
        db.execute(
            "SELECT after FROM audit_events WHERE action = 'export' ORDER BY id DESC"
        ).fetchone()[0]
    )
    assert after["filters"]["Team"] == "Housing Needs"
    assert after["not_filtered"] == COUNCIL_WIDE_TABLES


@pytest.mark.parametrize("table", COUNCIL_WIDE_TABLES)
@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_a_register_table_with_a_filter_is_refused_not_silently_whole(client, db, table, fmt):
    chosen = ids(db)
    sign_in(client, AUDITOR)
    response = client.get(
        "/audit/export", query_string={"table": table, "format": fmt, "round": chosen["round"]}
    )
    page = read_page(response, status=400)
    assert "cannot be narrowed by round, directorate or team" in page.text
    assert not db.execute("SELECT 1 FROM audit_events WHERE action = 'export'").fetchone()


def test_a_register_export_is_recorded_in_the_audit_log(client, db):
    add_register_entries(db)
    sign_in(client, AUDITOR)
    export(client, table="risks", format="xlsx")
    after = json.loads(
        db.execute(
            "SELECT after FROM audit_events WHERE action = 'export' ORDER BY id DESC"
        ).fetchone()[0]
    )
    assert after["tables"] == ["risks"]
    assert after["format"] == "xlsx"
    assert after["not_filtered"] == ["risks"]


# --- the printable team report ------------------------------------------------------------------


def signed_off_assessment(db) -> dict:
    chosen = ids(db)
    return store.find_assessment(db, chosen["team"], chosen["round"])


def test_the_printable_report_shows_results_answers_actions_and_provenance(app, client, db):
    assessment = signed_off_assessment(db)
    answers = store.answers_of(db, assessment["id"])
    with_evidence = next(a for a in answers if a["evidence"])
    store.add_action(
        db,
        assessment["team_id"],
        assessment["round_id"],
        answers[0]["statement_key"],
        "Publish our service standards",
        "Priya Shah",
        "2025-06-30",
        None,
    )
    signer = store.user_by_id(db, assessment["signed_off_by"])
    sign_in(client, AUDITOR)
    client.get(f"/audit/assessments/{assessment['id']}/report")
    draw_charts(app)  # as the renderer does in the background
    response = client.get(f"/audit/assessments/{assessment['id']}/report")
    page = read_page(response)
    assert page.h1 == ["Assessment report: Housing Needs, 2023/24"]
    html = response.get_data(as_text=True)
    assert 'href="/static/audit/print.css"' in html
    for words in (
        assessment["reference"],
        "cex-culture-maturity",
        assessment["questionnaire_version"],
        f"Signed off by {signer['name']} ({signer['email']})",
        "Overall score:",
        "Answers and evidence",
        with_evidence["evidence"],
        "Publish our service standards",
        "Scoring rules version",
    ):
        assert words in page.text, words
    assert html.count('<img src="/teams/') == 2, "a radar chart for each required dimension"


def test_the_export_page_leads_to_a_teams_report(client, db):
    chosen = ids(db)
    sign_in(client, BUSINESS_IMPROVEMENT)
    response = client.get(f"/audit/report?round={chosen['round']}&team={chosen['team']}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/audit/assessments/{signed_off_assessment(db)['id']}/report"
    )


def test_the_report_choices_are_exactly_the_assessments_that_exist(client, db):
    sign_in(client, BUSINESS_IMPROVEMENT)
    page = client.get("/audit/").get_data(as_text=True)
    select = page.split('name="assessment"', 1)[1].split("</select>", 1)[0]
    offered = {int(v) for v in re.findall(r'value="(\d+)"', select)}
    assert offered == {r[0] for r in db.execute("SELECT id FROM assessments")}
    some = min(offered)
    response = client.get(f"/audit/report?assessment={some}")
    assert response.headers["Location"].endswith(f"/audit/assessments/{some}/report")
    assert client.get(response.headers["Location"]).status_code == 200


def test_a_team_lead_can_print_only_their_own_teams_report(client, db):
    own = signed_off_assessment(db)
    other = db.execute(
        "SELECT id FROM assessments WHERE team_id <> ? LIMIT 1", [own["team_id"]]
    ).fetchone()[0]
    sign_in(client, TEAM_LEAD)
    read_page(client.get(f"/audit/assessments/{own['id']}/report"))
    assert client.get(f"/audit/assessments/{other}/report").status_code == 404


@pytest.mark.parametrize("value", ["abc", "0", "²", str(2**64)])
def test_a_team_that_is_not_an_id_is_refused_not_ignored(client, value):
    sign_in(client, AUDITOR)
    response = client.get(
        "/audit/export", query_string={"table": "answers", "format": "csv", "team": value}
    )
    page = read_page(response, status=400)
    assert "Choose a team from the list" in page.text


def test_the_action_plan_and_scrutiny_log_export_with_who_changed_them_and_formulas_neutralised(
    client, db
):
    officer = store.user_by_email(db, BUSINESS_IMPROVEMENT)["id"]
    action_id = plan_store.add_corporate_action(
        db,
        {
            "ref": "TEST-A1",
            "title": '=HYPERLINK("http://evil.example","Portal")',
            "readiness_area": "digital-access",
            "rag": "amber",
            "rag_reason": "@late",
            "source_kind": "strategy",
        },
        officer,
    )
    plan_store.add_note(db, action_id, "2024-09-01", "+ halfway", "amber", "@late", officer)
    sign_in(client, AUDITOR)
    actions = read_csv(export(client, table="corporate_actions", format="csv").data)
    found = [r for r in actions if r["ref"] == "TEST-A1"][0]
    assert found["title"].startswith("'=HYPERLINK")
    assert found["rag_reason"] == "'@late"
    assert found["created_by"] == found["updated_by"] == BUSINESS_IMPROVEMENT
    notes = read_csv(export(client, table="action_progress_notes", format="csv").data)
    assert [
        (n["note"], n["recorded_by"]) for n in notes if n["corporate_action_ref"] == "TEST-A1"
    ] == [("'+ halfway", BUSINESS_IMPROVEMENT)]
    scrutiny = read_csv(export(client, table="scrutiny_recommendations", format="csv").data)
    assert {r["response"] for r in scrutiny} == {"accepted", "partially_accepted", ""}
