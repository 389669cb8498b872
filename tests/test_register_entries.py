"""Checking register entries and reading imported files (assess/registers/entries.py): one risk
or EqIA row, the links it names, its dates, and the CSV and XLSX files an officer imports. Pure
functions, tested without the app."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from assess.registers import entries
from assess.registers import rules as risk

SETTINGS = risk.RiskSettings()
GROUPS = risk.eqia_groups(["Carers"])


def risk_row(**changes) -> dict:
    """A risk as a row of an imported file gives it: text, by field."""
    values = {
        "ref": "CEX-R50",
        "title": "Assisted digital sessions end",
        "cause": "Funding stops",
        "event": "Sessions close",
        "consequence": "Digitally excluded residents lose help",
        "category": "Inclusion",
        "owner": "Head of Communities",
        "raised_on": "2024-10-01",
        "inherent_likelihood": "4",
        "inherent_impact": "4",
        "current_likelihood": "3",
        "current_impact": "4",
        "target_likelihood": "2",
        "target_impact": "3",
        "response": "Treat",
        "controls": "Bid for external funding",
        "last_review_on": "",
        "next_review_on": "31/01/2030",
        "links": "",
    }
    return {**values, **changes}


def messages(errors) -> dict[str, str]:
    return dict(errors)


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2025-03-31", "2025-03-31"),
        ("31/03/2025", "2025-03-31"),
        ("1/4/2025", "2025-04-01"),
        (" 2025-03-31 ", "2025-03-31"),
        ("29/02/2024", "2024-02-29"),
    ],
)
def test_a_date_is_read_as_iso_or_as_day_month_year(text, iso):
    assert entries.check_date(text) == iso


@pytest.mark.parametrize(
    "text", ["31/02/2025", "2025-02-30", "29/02/2025", "03/31/2025", "tomorrow", "", "1/2"]
)
def test_a_date_that_is_not_real_is_refused(text):
    assert entries.check_date(text) is None


# --- links --------------------------------------------------------------------------------------


def test_links_are_read_from_a_list_separated_by_semicolons_or_lines(cex):
    statement = cex.statements[0].key
    text = f"readiness_area:digital-access; value : one-team\nstatement:{statement};"
    links, error = entries.parse_links(text, cex)
    assert error is None
    assert links == [("readiness_area", "digital-access"), ("value", "one-team"),
                     ("statement", statement)]  # fmt: skip


@pytest.mark.parametrize(
    "text", ["readiness_area:no-such-area", "team:housing-needs", "statement:nope", "one-team"]
)
def test_a_link_to_nothing_in_the_questionnaire_is_refused_with_an_example(cex, text):
    links, error = entries.parse_links(f"value:one-team; {text}", cex)
    assert links == []
    assert error == (
        f"‘{text}’ is not an area, value or statement of {cex.title}; "
        "write for example readiness_area:digital-access"
    )


def test_no_links_is_no_links_and_no_error(cex):
    assert entries.parse_links(" ; \n", cex) == ([], None)


def test_a_link_target_exists_only_when_the_questionnaire_has_it(cex):
    assert entries.link_target_exists(cex, "value", "stepping-up")
    assert entries.link_target_exists(cex, "statement", cex.statements[-1].key)
    assert not entries.link_target_exists(cex, "value", "digital-access")
    assert not entries.link_target_exists(cex, "colour", "blue")


def test_a_link_is_named_in_the_councils_words(cex):
    first = cex.statements[0]
    assert entries.link_name(cex, "readiness_area", "digital-access") == (
        "Readiness area: Digital access and automation"
    )
    assert entries.link_name(cex, "value", "one-team") == "Corporate value: One Team"
    assert entries.link_name(cex, "statement", first.key) == f"Statement: {first.text}"


def test_a_link_to_something_the_questionnaire_no_longer_has_is_named_by_its_keys(cex):
    assert entries.link_name(cex, "statement", "gone") == "Statement: gone"
    assert entries.link_name(cex, "value", "gone") == "value: gone"


# --- one risk -----------------------------------------------------------------------------------


def test_a_good_risk_row_is_stored_with_numbers_iso_dates_and_its_links(cex):
    fields, errors = entries.check_risk(
        risk_row(links="value:one-team", response="tolerate"), SETTINGS, cex
    )
    assert errors == []
    assert (fields["current_likelihood"], fields["current_impact"]) == (3, 4)
    assert (fields["raised_on"], fields["next_review_on"], fields["last_review_on"]) == (
        "2024-10-01",
        "2030-01-31",
        None,
    )
    assert fields["response"] == "Tolerate"  # as the register spells it
    assert fields["links"] == [(cex.id, "value", "one-team")]


def test_a_risk_without_its_ref_title_or_date_raised_names_each_missing_field():
    fields, errors = entries.check_risk(risk_row(ref="", title=" ", raised_on=""), SETTINGS)
    assert messages(errors) == {
        "ref": "Enter the ref",
        "title": "Enter the title",
        "raised_on": "Enter the date raised",
    }


@pytest.mark.parametrize("value", ["0", "6", "2.5", "three", ""])
def test_a_score_off_the_matrix_is_refused_saying_the_range(value):
    _, errors = entries.check_risk(risk_row(current_likelihood=value), SETTINGS)
    assert errors == [
        ("current_likelihood", "The current likelihood must be a whole number from 1 to 5")
    ]


def test_the_range_of_a_score_follows_the_councils_matrix():
    four = risk.RiskSettings(4, ("a", "b", "c", "d"), ("e", "f", "g", "h"), 3, 8)
    _, errors = entries.check_risk(risk_row(current_likelihood="5"), four)
    assert errors == [
        ("current_likelihood", "The current likelihood must be a whole number from 1 to 4")
    ]


def test_a_date_raised_that_is_not_a_real_date_is_refused_with_an_example():
    _, errors = entries.check_risk(risk_row(raised_on="31/02/2024"), SETTINGS)
    assert errors == [("raised_on", "The date raised must be a real date, for example 2025-03-31")]


def test_a_response_must_be_one_of_the_four():
    _, errors = entries.check_risk(risk_row(response="Ignore"), SETTINGS)
    assert errors == [
        ("response", "The response must be one of Treat, Tolerate, Transfer, Terminate")
    ]


def test_text_over_the_limit_is_refused_and_at_the_limit_kept():
    _, errors = entries.check_risk(risk_row(cause="x" * (entries.MAX_TEXT + 1)), SETTINGS)
    assert errors == [("cause", "The cause must be 5,000 characters or fewer")]
    fields, errors = entries.check_risk(risk_row(cause="x" * entries.MAX_TEXT), SETTINGS)
    assert errors == [] and len(fields["cause"]) == entries.MAX_TEXT


def test_a_risk_with_a_bad_link_keeps_its_good_fields_and_names_the_link(cex):
    fields, errors = entries.check_risk(risk_row(links="value:nothing"), SETTINGS, cex)
    assert [field for field, _ in errors] == ["links"]
    assert fields["links"] == [] and fields["title"] == "Assisted digital sessions end"


def test_values_from_a_spreadsheet_are_read_as_the_text_they_show():
    fields, errors = entries.check_risk(
        risk_row(
            current_likelihood=3.0,  # XLSX numbers arrive as floats
            raised_on=datetime(2024, 10, 1, 0, 0),  # and dates as datetimes
            next_review_on=date(2030, 1, 31),
            title="  Assisted digital sessions end  ",
        ),
        SETTINGS,
    )
    assert errors == []
    assert (fields["current_likelihood"], fields["raised_on"], fields["next_review_on"]) == (
        3,
        "2024-10-01",
        "2030-01-31",
    )
    assert fields["title"] == "Assisted digital sessions end"


# --- one EqIA and its groups --------------------------------------------------------------------


def test_an_eqia_needs_its_ref_and_title_and_real_dates():
    fields, errors = entries.check_eqia({"ref": "", "title": "", "review_on": "2025-13-01"})
    assert messages(errors) == {
        "ref": "Enter the ref",
        "title": "Enter the title",
        "review_on": "The review date must be a real date, for example 2025-03-31",
    }
    fields, errors = entries.check_eqia(
        {"ref": "EQ-1", "title": "Library hours", "signed_off_on": "01/04/2025"}
    )
    assert errors == []
    assert (fields["signed_off_on"], fields["review_on"]) == ("2025-04-01", None)


def test_a_groups_impact_is_matched_whatever_its_case():
    record, errors = entries.check_impact(
        {"group_name": "carers", "impact": "positive", "group_evidence": "Survey"}, GROUPS
    )
    assert errors == []
    assert record == {
        "group_name": "Carers",
        "impact": "Positive",
        "severity": None,
        "evidence": "Survey",
        "mitigation": "",
    }


def test_a_negative_impact_needs_its_severity():
    _, errors = entries.check_impact({"group_name": "Age", "impact": "Negative"}, GROUPS)
    assert errors == [("severity", "Give the severity of a negative impact: High, Medium or Low")]
    _, errors = entries.check_impact(
        {"group_name": "Age", "impact": "Negative", "severity": "high"}, GROUPS
    )
    assert errors == []


def test_an_unknown_group_impact_or_severity_is_named():
    _, errors = entries.check_impact(
        {"group_name": "Left-handed people", "impact": "Mixed", "severity": "Severe"}, GROUPS
    )
    assert errors == [
        ("group_name", "‘Left-handed people’ is not one of the groups an EqIA covers"),
        ("impact", "The impact must be one of Positive, Neutral, Negative, Unknown"),
        ("severity", "The severity must be one of High, Medium, Low"),
    ]


# --- reading files ------------------------------------------------------------------------------


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_csv_is_read_by_its_headings_with_a_byte_order_mark_and_blank_rows_kept_in_place():
    content = "\ufeffRef,Title,\nR1,First,ignored\n,,\nR2,Second,\n".encode()
    table = entries.read_table("register.CSV", content)
    assert table == [{"Ref": "R1", "Title": "First"}, {}, {"Ref": "R2", "Title": "Second"}]


def test_an_xlsx_is_read_like_a_csv_from_its_first_sheet():
    content = xlsx([["Ref", "Title", "Date raised"], ["R1", "First", date(2024, 6, 1)]])
    [row] = entries.read_table("register.xlsx", content)
    assert (row["Ref"], row["Title"], row["Date raised"]) == ("R1", "First", datetime(2024, 6, 1))


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("register.xlsx", b"PK\x03\x04 not really a zip", "register.xlsx is not a readable XLSX"),
        ("register.csv", "Réf".encode("latin-1"), "register.csv is not UTF-8 text. Save it as CSV"),
        ("register.txt", b"Ref\nR1\n", "The file must be a CSV or XLSX file"),
        ("register.csv", b"", "register.csv is empty"),
    ],
)
def test_a_file_that_is_not_a_table_is_refused_saying_why(filename, content, message):
    with pytest.raises(entries.UnreadableFile, match=message):
        entries.read_table(filename, content)


def test_a_column_is_found_by_its_heading_or_its_field_name_in_any_case():
    table = [{"REF": "R1", "date raised": "2024-06-01", "current_likelihood": "3"}]
    found = entries.headings_in(table, entries.RISK_COLUMNS)
    assert found == {
        "ref": "REF",
        "raised_on": "date raised",
        "current_likelihood": "current_likelihood",
    }
    missing = entries.missing_columns(table, entries.RISK_COLUMNS, entries.REQUIRED_RISK)
    assert missing == ["Title"]


# --- previews of a whole file -------------------------------------------------------------------


def headed(rows: list[dict]) -> list[dict]:
    """Rows keyed by the column headings a file gives them ("Date raised")."""
    return [{entries.RISK_COLUMNS[f]: v for f, v in row.items()} for row in rows]


def test_a_risk_file_missing_a_needed_column_is_refused_on_its_heading_row(cex):
    table = headed([risk_row()])
    for row in table:
        del row["Current impact"]
    preview = entries.preview_risks(table, SETTINGS, cex, set())
    assert [str(e) for e in preview.errors] == [
        "Row 1, column ‘Current impact’: this column is missing"
    ]
    assert (preview.entries, preview.rows) == ([], 0)


def test_a_risk_file_names_the_row_and_column_of_each_mistake_and_every_duplicate_ref(cex):
    table = headed(
        [
            risk_row(ref="R1"),
            risk_row(ref="R2", current_likelihood="7"),
            risk_row(ref="R1"),
            risk_row(ref="CEX-R01"),
        ]
    )
    table.insert(2, {})  # a blank row keeps the numbering a spreadsheet shows
    preview = entries.preview_risks(table, SETTINGS, cex, {"CEX-R01"})
    assert [str(e) for e in preview.errors] == [
        "Row 3, column ‘Current likelihood’: The current likelihood must be a whole number "
        "from 1 to 5",
        "Row 5, column ‘Ref’: R1 is already used by another risk",
        "Row 6, column ‘Ref’: CEX-R01 is already used by another risk",
    ]
    assert preview.rows == 4


def test_an_eqia_file_makes_one_eqia_per_ref_with_a_row_per_group(cex):
    table = [
        {"Ref": "EQ-1", "Title": "Library hours", "Group": "Age", "Impact": "Negative",
         "Severity": "Low", "Links": "value:inclusion-respect"},
        {"Ref": "EQ-1", "Title": "Library hours", "Group": "Carers", "Impact": "Neutral"},
        {},
        {"Ref": "EQ-2", "Title": "Parking permits", "Group": "Disability", "Impact": "Unknown"},
    ]  # fmt: skip
    preview = entries.preview_eqias(table, GROUPS, cex, set())
    assert preview.errors == [] and preview.rows == 3
    first, second = preview.entries
    assert [i["group_name"] for i in first["impacts"]] == ["Age", "Carers"]
    assert first["links"] == [(cex.id, "value", "inclusion-respect")]
    assert (second["ref"], second["links"]) == ("EQ-2", [])


def test_an_eqia_file_names_a_group_given_twice_and_a_ref_already_taken(cex):
    table = [
        {"Ref": "EQ-1", "Title": "Library hours", "Group": "Age", "Impact": "Neutral"},
        {"Ref": "EQ-1", "Title": "Library hours", "Group": "age", "Impact": "Neutral"},
        {"Ref": "CEX-EQIA-01", "Title": "Strategy", "Group": "Age", "Impact": "Neutral"},
    ]
    preview = entries.preview_eqias(table, GROUPS, cex, {"CEX-EQIA-01"})
    assert [str(e) for e in preview.errors] == [
        "Row 3, column ‘Group’: EQ-1 already has a row for this group",
        "Row 4, column ‘Ref’: CEX-EQIA-01 is already used by another EqIA",
    ]


def test_an_eqia_file_without_its_group_column_is_refused(cex):
    preview = entries.preview_eqias(
        [{"Ref": "EQ-1", "Title": "T", "Impact": "Neutral"}], GROUPS, cex, set()
    )
    assert [str(e) for e in preview.errors] == ["Row 1, column ‘Group’: this column is missing"]


GROUP_ROW = {"Ref": "EQ-1", "Title": "Library hours", "Group": "Age", "Impact": "Neutral"}


def strand_row(**cells) -> dict:
    """A row of an EqIA file giving one strand's implication, keyed by the file's headings."""
    return {"Ref": "EQ-1", "Title": "Library hours", **cells}


def test_an_eqia_file_gives_each_strand_a_row_of_its_own_kept_by_its_key(cex):
    table = [
        GROUP_ROW,
        strand_row(Strand="inclusive-access", **{"Strand impact": "negative"}),
        strand_row(Strand="citizen FOCUSED", **{"Strand impact": "Positive", "Strand note": " x "}),
    ]
    preview = entries.preview_eqias(table, GROUPS, cex, set())
    assert preview.errors == [] and preview.rows == 3
    [eqia] = preview.entries
    assert [i["group_name"] for i in eqia["impacts"]] == ["Age"]
    assert eqia["strand_impacts"] == [
        {"strand": "inclusive-access", "impact": "Negative", "note": ""},
        {"strand": "citizen-focused", "impact": "Positive", "note": "x"},
    ]


def test_an_eqia_file_heads_its_strand_columns_as_the_download_does(cex):
    row = {"ref": "EQ-1", "title": "T", "group": "", "impact": "", "strand": "right-first-time",
           "strand_impact": "Unknown", "strand_note": "Pilot"}  # fmt: skip
    preview = entries.preview_eqias([row], GROUPS, cex, set())
    assert preview.errors == []
    assert preview.entries[0]["strand_impacts"] == [
        {"strand": "right-first-time", "impact": "Unknown", "note": "Pilot"}
    ]


@pytest.mark.parametrize(
    ("cells", "error"),
    [
        (
            {"Strand": "Bins", "Strand impact": "Positive"},
            "column ‘Strand’: ‘Bins’ is not a strand of the strategy: Citizen focused, Positive "
            "citizen experience, Inclusive access, Get it right first time",
        ),
        (
            {"Strand": "citizen-focused", "Strand note": "Offline residents"},
            "column ‘Strand impact’: Choose the impact on equality that the note explains",
        ),
        (
            {"Strand": "citizen-focused"},
            "column ‘Strand impact’: Give the impact on equality under this strand",
        ),
        (
            {"Strand": "citizen-focused", "Strand impact": "Mixed"},
            "column ‘Strand impact’: The impact must be one of Positive, Neutral, Negative, "
            "Unknown",
        ),
        (
            {"Strand": "citizen-focused", "Strand impact": "Neutral",
             "Strand note": "x" * (entries.MAX_STRAND_NOTE + 1)},
            f"column ‘Strand note’: The note must be {entries.MAX_STRAND_NOTE:,} characters or "
            "fewer",
        ),
        (
            {"Strand": "citizen-focused", "Strand impact": "Neutral", "Group": "Age"},
            "column ‘Group’: This row is for a strand: give the group a row of its own",
        ),
        (
            {"Group": "Carers", "Impact": "Neutral", "Strand impact": "Positive"},
            "column ‘Strand’: Name the strand this implication is for",
        ),
    ],
)  # fmt: skip
def test_an_eqia_files_strand_row_names_its_row_and_column_when_wrong(cex, cells, error):
    preview = entries.preview_eqias([GROUP_ROW, strand_row(**cells)], GROUPS, cex, set())
    assert [str(e) for e in preview.errors] == [f"Row 3, {error}"]


def test_an_eqia_file_names_a_strand_given_twice(cex):
    twice = strand_row(Strand="Inclusive access", **{"Strand impact": "Neutral"})
    first = strand_row(Strand="inclusive-access", **{"Strand impact": "Positive"})
    preview = entries.preview_eqias([GROUP_ROW, first, twice], GROUPS, cex, set())
    assert [str(e) for e in preview.errors] == [
        "Row 4, column ‘Strand’: EQ-1 already has a row for this strand"
    ]


def test_a_questionnaire_without_strands_takes_no_strand_rows(cex):
    without = replace(cex, dimensions=tuple(d for d in cex.dimensions if d.key != "strand"))
    assert entries.strands_of(without) == []
    row = strand_row(Strand="citizen-focused", **{"Strand impact": "Positive"})
    preview = entries.preview_eqias([GROUP_ROW, row], GROUPS, without, set())
    assert [str(e) for e in preview.errors] == [
        "Row 3, column ‘Strand’: ‘citizen-focused’ is not a strand of the strategy: it has none"
    ]
