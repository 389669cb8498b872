"""The committee report: one model, two renderings. The Word document has real headings, tables
with a repeating header row and the council view's numbers, pictures with alt text, a title and
a language; the page has the same headings and tables; council-wide roles read it, team leads
are refused."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime
from html import unescape

import docx
import pytest
from docx.oxml.ns import qn

from assess import store
from assess.assessment.scoring import PUBLISHED
from assess.programme import committee_docx, committee_report
from assess.rounds.figures import council_figures
from assess.store import charts as cache
from tests.conftest import draw_charts, read_page

ROUND = "2024/25"  # the demo's current round: signed-off teams, movers since 2023/24, prompts
TITLE = f"Culture maturity and readiness: committee report, {ROUND}"
SECTIONS = [
    "Summary",
    "The council picture",
    "Directorates",
    "Movement since 2023/24",
    "Risks exposed by low maturity",
    "Equality impact assessments to review",
    "Performance indicators against target",
    "The action plan",
    "Scrutiny recommendations",
]


@pytest.fixture
def officer(client_as):
    return client_as("business_improvement")


@pytest.fixture
def round_id(db) -> int:
    return store.round_by_name(db, ROUND)["id"]


def document_of(response) -> docx.document.Document:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return docx.Document(io.BytesIO(response.data))


def headings(document, level: int) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == f"Heading {level}"]


def table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def captioned(document) -> dict[str, list[list[str]]]:
    """Each table by the caption just before it."""
    body = document.element.body
    tables, caption = {}, None
    lookup = {t._tbl: t for t in document.tables}
    paragraphs = {p._p: p.text for p in document.paragraphs}
    for element in body.iterchildren():
        if element.tag == qn("w:p"):
            text = paragraphs[element]
            if text.strip():
                caption = text
        elif element.tag == qn("w:tbl"):
            tables[caption] = table_rows(lookup[element])
    return tables


def council_page_rows(html: str, caption: str) -> list[list[str]]:
    """The body rows of the council page's table with this caption, as text cells."""
    table = html.split(f">{caption}</caption>", 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody", 1)[1]
    return [
        [
            unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


# --- the Word document --------------------------------------------------------------------------


def test_the_docx_has_the_reports_title_language_and_headings_in_order(officer, round_id):
    document = document_of(officer.get(f"/rounds/{round_id}/committee-report.docx"))
    assert document.core_properties.title == TITLE
    assert document.core_properties.language == "en-GB"
    assert document.core_properties.author == "Sam Okafor (Business improvement)"
    assert "python-docx" not in document.core_properties.comments
    page = document.sections[0]
    assert (round(page.page_width.cm, 1), round(page.page_height.cm, 1)) == (21.0, 29.7)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    lang = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    assert lang.get(qn("w:val")) == "en-GB"
    assert [p.text for p in document.paragraphs if p.style.name == "Title"] == [TITLE]
    assert headings(document, 1) == SECTIONS
    assert headings(document, 2) == ["Corporate values", "Readiness areas"] * 2
    assert not headings(document, 3)


def test_the_docx_states_where_its_figures_come_from(officer, round_id):
    text = "\n".join(
        p.text
        for p in document_of(officer.get(f"/rounds/{round_id}/committee-report.docx")).paragraphs
    )
    assert "Scoring rules version: 2026.1" in text
    assert "by Sam Okafor (Business improvement)" in text
    assert "Figures: Signed-off assessments only, as published" in text


def test_every_docx_table_has_a_repeating_header_row_and_borders(officer, round_id):
    document = document_of(officer.get(f"/rounds/{round_id}/committee-report.docx"))
    assert len(document.tables) >= 10
    for table in document.tables:
        assert table.style.name == "Table Grid"
        rows = table._tbl.findall(qn("w:tr"))
        first = rows[0].find(f"{qn('w:trPr')}/{qn('w:tblHeader')}")
        assert first is not None and first.get(qn("w:val")) == "true"
        assert all(r.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is None for r in rows[1:])
        assert all(run.bold for cell in table.rows[0].cells for run in cell.paragraphs[0].runs)


def test_the_docx_tables_hold_the_council_views_numbers(app, officer, round_id):
    document = document_of(officer.get(f"/rounds/{round_id}/committee-report.docx"))
    tables = captioned(document)
    council = officer.get(f"/rounds/{round_id}/council").get_data(as_text=True)
    for plural in ("Corporate values", "Readiness areas"):
        for caption in (
            f"{plural}: spread across teams",
            f"{plural}: how many teams score at each level",
        ):
            assert tables[caption][1:] == council_page_rows(council, caption), caption
    with app.test_request_context():
        app.preprocess_request()
        figures = council_figures(store.round_(store.get_db(), round_id), PUBLISHED)
    summary = "\n".join(p.text for p in document.paragraphs)
    assert f"The council average overall score is {figures['overall']:.2f} out of 5" in summary
    [directorates] = [
        rows
        for caption, rows in tables.items()
        if caption == "Corporate values: average by directorate"
    ]
    assert directorates[1][0] == "Council average"
    assert directorates[1][-2] == f"{figures['overall']:.2f}"


def test_a_chart_not_drawn_yet_is_said_to_be_coming_and_its_table_is_there(officer, round_id):
    document = document_of(officer.get(f"/rounds/{round_id}/committee-report.docx"))
    assert not document.inline_shapes
    text = "\n".join(p.text for p in document.paragraphs)
    assert text.count("The chart was being prepared") == 2
    assert "Corporate values: spread across teams" in captioned(document)


def test_every_drawn_chart_is_a_picture_with_alt_text(app, officer, round_id):
    officer.get(f"/rounds/{round_id}/committee-report.docx")  # asks for the pictures
    draw_charts(app)
    document = document_of(officer.get(f"/rounds/{round_id}/committee-report.docx"))
    assert len(document.inline_shapes) == 2
    described = [p.get("descr") for p in document.element.body.iter(qn("wp:docPr"))]
    assert len(described) == 2
    assert all(d and d.startswith("Radar chart of the council’s median") for d in described)
    assert "The chart was being prepared" not in "\n".join(p.text for p in document.paragraphs)


def test_reading_the_page_prepares_the_documents_pictures(app, officer, round_id):
    officer.get(f"/rounds/{round_id}/committee-report")
    draw_charts(app)
    document = document_of(officer.get(f"/rounds/{round_id}/committee-report.docx"))
    assert len(document.inline_shapes) == 2


def test_a_change_to_the_rounds_figures_draws_the_documents_pictures_ahead(app, officer, round_id):
    cache.note_change(cache.open_charts(app.config["CHARTS_PATH"]), round_id, None)
    draw_charts(app)
    document = document_of(officer.get(f"/rounds/{round_id}/committee-report.docx"))
    assert len(document.inline_shapes) == 2


def test_the_docx_comes_through_the_export_path_and_is_recorded(officer, db, round_id):
    response = officer.get(f"/rounds/{round_id}/committee-report.docx")
    assert response.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="committee-report-2024-25.docx"'
    )
    after = db.execute(
        "SELECT after FROM audit_events WHERE action = 'export' ORDER BY id DESC"
    ).fetchone()[0]
    assert json.loads(after) == {"committee_report": round_id}


# --- the page -----------------------------------------------------------------------------------


def test_the_page_has_the_same_headings_and_tables_as_the_docx(officer, round_id):
    response = officer.get(f"/rounds/{round_id}/committee-report")
    page = read_page(response)
    html = response.get_data(as_text=True).split("<main", 1)[1].split("</main>", 1)[0]
    assert page.h1 == [TITLE]
    h2 = [
        unescape(re.sub(r"<[^>]+>", "", h)).strip()
        for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html, re.S)
    ]
    assert h2 == SECTIONS
    h3 = [unescape(h).strip() for h in re.findall(r"<h3[^>]*>(.*?)</h3>", html, re.S)]
    assert h3 == ["Corporate values", "Readiness areas"] * 2
    document = document_of(officer.get(f"/rounds/{round_id}/committee-report.docx"))
    for caption, rows in captioned(document).items():
        if caption and rows and rows[0][0] in ("Status", "Corporate value", "Directorate", "Team"):
            assert council_page_rows(html, caption) == rows[1:], caption
    assert html.count('class="govuk-heading-l app-report-new-page"') == len(SECTIONS) - 1
    assert "audit/print.css" in response.get_data(as_text=True)
    assert f"/rounds/{round_id}/committee-report.docx" in page.links


def test_the_page_says_a_chart_is_being_prepared_then_shows_it(app, officer, round_id):
    html = officer.get(f"/rounds/{round_id}/committee-report").get_data(as_text=True)
    assert html.count("chart is being prepared") == 2
    assert "The corporate values chart is being prepared" in html
    draw_charts(app)
    html = officer.get(f"/rounds/{round_id}/committee-report").get_data(as_text=True)
    assert html.count(f'src="/rounds/{round_id}/council/') == 2
    assert 'alt="Radar chart of the council’s median corporate values' in html


def test_the_round_and_the_council_view_link_to_the_report(officer, round_id):
    for url in (f"/rounds/{round_id}", f"/rounds/{round_id}/council"):
        assert f"/rounds/{round_id}/committee-report" in read_page(officer.get(url)).links


# --- who may read it ----------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", ".docx"])
def test_team_leads_are_refused_and_auditors_may_read_it(client_as, round_id, suffix):
    url = f"/rounds/{round_id}/committee-report{suffix}"
    assert client_as("team_lead").get(url).status_code == 403
    assert client_as("auditor").get(url).status_code == 200
    assert client_as("administrator").get(url).status_code == 200


def test_a_round_that_does_not_exist_is_not_found(officer):
    assert officer.get("/rounds/999/committee-report").status_code == 404
    assert officer.get("/rounds/999/committee-report.docx").status_code == 404


# --- the model ----------------------------------------------------------------------------------


def data(**changes) -> committee_report.ReportData:
    values = dict(
        round_name="2025/26",
        generated_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        generated_by="Sam Okafor (Business improvement)",
        rules_version="2026.1",
        questionnaire="CEX Culture Maturity Assessment, version abc",
        counts={"teams": 3, "signed_off": 2, "submitted": 1, "outstanding": 0},
        overall=2.5,
        top_level=5,
        dimensions=(),
        small_group=3,
        previous_round=None,
        threshold=0.5,
        up=(),
        down=(),
        low_score=2.5,
        exposure=(),
        weak_areas=(),
        review_prompts=(),
        indicator_prompts=(),
        indicators=(),
        mismatches=(),
    )
    return committee_report.ReportData(**{**values, **changes})


def test_a_section_is_a_function_and_one_returning_none_is_left_out():
    def action_plan(_: committee_report.ReportData) -> committee_report.Section:
        table = committee_report.Table("Actions by RAG", ("RAG", "Actions"), (("Green", "4"),))
        return committee_report.Section("The action plan: RAG summary", tables=(table,))

    report = committee_report.build(
        data(), (*committee_report.SECTIONS, action_plan, lambda _: None)
    )
    assert [s.heading for s in report.sections][-1] == "The action plan: RAG summary"
    document = docx.Document(io.BytesIO(committee_docx.to_docx(report)))
    assert headings(document, 1)[-1] == "The action plan: RAG summary"
    assert table_rows(document.tables[-1]) == [["RAG", "Actions"], ["Green", "4"]]


def test_the_summary_counts_teams_and_says_when_there_is_no_average():
    section = committee_report.summary(data(overall=None))
    assert section.paragraphs[0].startswith(
        "3 teams took part in 2025/26: 2 signed off, 1 submitted"
    )
    assert "no council average" in section.paragraphs[1]
    assert committee_report.movement(data()).paragraphs == (
        "There is no earlier round to compare with.",
    )


def test_text_from_the_data_is_escaped_on_the_page_and_plain_in_the_document(officer, db, round_id):
    db.execute(
        """UPDATE teams SET name = '<script>alert(1)</script>' || id WHERE id IN
           (SELECT team_id FROM assessments WHERE round_id = ? AND status = 'signed_off')""",
        [round_id],
    )
    db.execute("UPDATE directorates SET name = '<b>Bold</b> & co ' || id")
    db.conn.commit()
    html = officer.get(f"/rounds/{round_id}/committee-report").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "<b>Bold</b>" not in html and "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in html
    document = document_of(officer.get(f"/rounds/{round_id}/committee-report.docx"))
    assert any(
        "<b>Bold</b> & co" in row[0] for rows in captioned(document).values() for row in rows
    )


def test_characters_xml_cannot_hold_are_left_out_of_the_document():
    weird = "Bell\x07 and form feed\x0c team"
    section = committee_report.Section(
        weird, (weird,), tables=(committee_report.Table(weird, ("Team",), ((weird,),)),)
    )
    report = committee_report.Report(weird, weird, (("Round", weird),), (section,))
    document = docx.Document(io.BytesIO(committee_docx.to_docx(report)))
    assert headings(document, 1) == ["Bell and form feed team"]
    assert table_rows(document.tables[0]) == [["Team"], ["Bell and form feed team"]]


def test_the_action_plan_and_the_scrutiny_log_are_summarised_as_their_pages_give_them(
    officer, db, round_id
):
    document = document_of(officer.get(f"/rounds/{round_id}/committee-report.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    actions = list(db.query("SELECT ref, title, rag FROM corporate_actions"))
    reds = sum(1 for a in actions if a["rag"] == "red")
    assert f"{len(actions)} corporate actions: {reds} red," in text
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    assert {f"{a['ref']} {a['title']}" for a in actions} <= cells
    recommendation = db.execute(
        "SELECT recommendation FROM scrutiny_recommendations ORDER BY id"
    ).fetchone()[0]
    assert recommendation in cells
    assert "Awaiting response" in cells or "Overdue" in cells, "the demo has one unanswered"
