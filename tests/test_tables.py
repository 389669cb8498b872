"""The table every page draws through `data_table`: caption, labelled scrolling region, headings."""

from __future__ import annotations

from flask import render_template_string

from assess.web.govuk import numeric

TABLE = """{% call data_table("Scores by team", ["Team", "Score" | numeric]) %}
<tr class="govuk-table__row"><td class="govuk-table__cell">Housing Needs</td></tr>
{% endcall %}"""


def test_a_numeric_heading_is_the_govuk_tables_numeric_format():
    assert numeric("Score") == {"text": "Score", "format": "numeric"}


def test_a_data_table_is_labelled_by_its_caption_and_holds_the_callers_rows(app):
    with app.test_request_context():
        html = render_template_string(TABLE)
    assert '<div class="app-table-scroll" data-label="Scores by team">' in html
    caption = '<caption class="govuk-table__caption govuk-visually-hidden">Scores by team</caption>'
    assert caption in html
    assert '<th scope="col" class="govuk-table__header">Team</th>' in html
    assert (
        '<th scope="col" class="govuk-table__header govuk-table__header--numeric">Score</th>'
        in html
    )
    assert "Housing Needs" in html.split('<tbody class="govuk-table__body">')[1]


def test_a_data_table_without_scrolling_has_no_region(app):
    with app.test_request_context():
        html = render_template_string(TABLE.replace("| numeric])", "| numeric], scroll=false)"))
    assert "app-table-scroll" not in html
    assert html.count("<table") == 1
