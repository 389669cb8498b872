"""Importing indicators' figures from a CSV or XLSX file: all rows or none, each mistake named by
row and column, a group short of its target prompting its EqIA review, and garbage refused."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from assess.programme import indicators as rules
from assess.store import programme as programme_store
from tests.conftest import Page, csrf_token, read_page

CSV = (
    "Indicator,Period,Group,Figure,Target,Note\n"
    "PI-05,2024/25 Q2,,61.2,60,Gov-Metric\n"
    "PI-05,2024/25 Q2,Age,52.0,60,Gov-Metric by age\n"
    "PI-02,2024/25,,133000,131498,\n"
)


def upload(client, content: bytes, filename: str):
    token = csrf_token(client.get("/programme/import").get_data(as_text=True))
    return client.post(
        "/programme/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def figure_of(db, ref: str, period: str, group: str = "") -> dict | None:
    rows = list(
        db.query(
            """SELECT v.* FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id
               WHERE i.ref = ? AND v.period = ? AND v.group_name = ?""",
            [ref, period, group],
        )
    )
    return rows[0] if rows else None


def test_a_csv_of_figures_is_imported_audited_and_prompts_the_reviews_its_groups_call_for(
    client_as, db
):
    officer = client_as("business_improvement")
    page = read_page(officer.get("/programme/import"))
    assert page.h1 == ["Import figures"] and "Indicator" in page.text
    events = db["audit_events"].count
    response = upload(officer, CSV.encode(), "figures.csv")
    assert response.status_code == 302
    listed = read_page(officer.get(response.location)).text
    assert "3 figures imported." in listed
    assert "Groups short of their target prompt a review of CEX-EQIA-01." in listed
    assert figure_of(db, "PI-05", "2024/25 Q2", "Age")["value"] == 52.0
    assert figure_of(db, "PI-02", "2024/25")["target"] == 131_498
    assert db["audit_events"].count >= events + 4  # three figures and a prompt
    website = db.execute("SELECT id FROM indicators WHERE ref = 'PI-05'").fetchone()[0]
    groups = {p["group_name"] for p in programme_store.indicator_prompts(db, indicator_id=website)}
    assert groups == {"Disability", "Age"}


def test_an_xlsx_of_figures_is_imported_with_its_numbers_as_numbers(client_as, db):
    officer = client_as("business_improvement")
    content = xlsx(
        [["Indicator", "Period", "Figure", "Target"], ["PI-01", "2024/25", 29_000, 29_000]]
    )
    assert upload(officer, content, "figures.xlsx").status_code == 302
    stored = figure_of(db, "PI-01", "2024/25")
    assert (stored["value"], stored["target"], stored["note"]) == (29_000, 29_000, "")


def test_a_file_with_any_bad_row_is_refused_whole_naming_each_row_and_column(client_as, db):
    officer = client_as("business_improvement")
    content = (
        CSV + "PI-99,2024/25,,1,,\n"
        "PI-05,Q3 2024,,lots,,\n"
        "PI-05,2024/25 Q2,Age,53,,a second figure for the same period and group\n"
    ).encode()
    before = db["indicator_values"].count
    response = upload(officer, content, "figures.csv")
    page = read_page(response, 400)
    assert page.title.startswith("Error:")
    for message in (
        "Row 5, column ‘Indicator’: PI-99 is not an indicator",
        "Row 6, column ‘Period’: Enter the period as a financial year",
        "Row 6, column ‘Figure’: Enter a number, like 26303 or 54.8",
        "Row 7, column ‘Period’: this indicator, period and group is in an earlier row",
    ):
        assert message in page.text, message
    assert db["indicator_values"].count == before


def test_a_file_without_the_needed_columns_says_which(client_as):
    response = upload(client_as("business_improvement"), b"Ref,Value\nPI-01,3\n", "f.csv")
    text = read_page(response, 400).text
    assert "Row 1, column ‘Period’: this column is missing" in text
    assert "‘Indicator’" not in text and "‘Figure’" not in text  # "ref" and "value" will do


def test_no_file_an_empty_one_or_another_kind_is_refused_with_what_to_do(client_as):
    officer = client_as("business_improvement")
    for content, filename, message in (
        (b"", "", "Choose a CSV or XLSX file of figures"),
        (b"Indicator,Period,Figure\n", "f.csv", "The file holds no figures"),
        (b"%PDF-1.4", "figures.pdf", "The file must be a CSV or XLSX file"),
        (b"\xff\xfe\x00", "figures.csv", "is not UTF-8 text"),
    ):
        assert message in read_page(upload(officer, content, filename), 400).text


def test_a_file_over_the_size_limit_is_not_read(app, client_as):
    app.config["IMPORT_MAX_BYTES"] = 100
    response = upload(client_as("business_improvement"), CSV.encode() * 3, "f.csv")
    assert "The file is larger than 0 KB" in read_page(response, 400).text


def test_the_rows_are_checked_as_the_form_checks_a_figure():
    table = [
        {"ref": "PI-01", "period": "2024/25", "value": "26,303", "Group": "x" * 101},
        {},
        {"ref": "PI-01", "period": "2024/25 q1", "value": 5.0, "Group": None},
    ]
    figures, errors = rules.check_figures(table, {"PI-01"})
    assert [str(e) for e in errors] == ["Row 2, column ‘Group’: must be 100 characters or fewer"]
    assert figures[1] == {
        "ref": "PI-01",
        "group_name": "",
        "note": "",
        "period": "2024/25 Q1",
        "value": 5.0,
        "target": None,
    }


CELL = st.one_of(
    st.sampled_from(['<script>alert("xss")</script>', "PI-01", "2024/25", "NaN", "٣"]),
    st.text(max_size=12),
    st.integers(-9, 10**6),
)
GARBAGE = st.one_of(
    st.binary(max_size=200),
    st.just(b"PK\x03\x04" + b"\x00" * 64),
    st.lists(st.lists(CELL.map(str), max_size=6), max_size=4).map(
        lambda rows: "\n".join(
            ",".join(f'"{c}"' for c in r)
            for r in [["Indicator", "Period", "Group", "Figure"], *rows]
        ).encode()
    ),
)


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    content=GARBAGE,
    filename=st.one_of(st.sampled_from(["f.csv", "f.xlsx", "<script>.csv"]), st.text(max_size=9)),
)
def test_an_import_of_garbage_figures_files_is_refused_and_imports_nothing(
    client_as, db, content, filename
):
    officer = client_as("business_improvement")
    before = db["indicator_values"].count
    response = upload(officer, content, filename)
    assert response.status_code in (302, 400)
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html
    if response.status_code == 400:
        assert "govuk-error-summary" in html and Page(html).text
        assert db["indicator_values"].count == before
