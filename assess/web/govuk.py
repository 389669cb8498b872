"""The GOV.UK Frontend components and the service's error summary, table and filter select,
callable from any template without an import line of its own."""

from __future__ import annotations

from flask import Flask

from assess.web.helpers import example_date

COMPONENTS = (
    "back-link",
    "button",
    "checkboxes",
    "date-input",
    "error-summary",
    "file-upload",
    "inset-text",
    "input",
    "notification-banner",
    "panel",
    "radios",
    "select",
    "summary-list",
    "tag",
    "task-list",
    "textarea",
    "warning-text",
)


def numeric(heading: str) -> dict[str, str]:
    """A data_table column heading over numbers, set to the right as its cells are."""
    return {"text": heading, "format": "numeric"}


def macro_name(component: str) -> str:
    """The macro a component's template defines: "back-link" is govukBackLink."""
    return "govuk" + "".join(part.capitalize() for part in component.split("-"))


def init_app(app: Flask) -> None:
    env = app.jinja_env
    for component in COMPONENTS:
        module = env.get_template(f"govuk_frontend_jinja/components/{component}/macro.html").module
        env.globals[macro_name(component)] = getattr(module, macro_name(component))
    env.globals["error_summary"] = env.get_template("team/_macros.html").module.error_summary
    # make_module, not .module: a template's cached module would miss globals added after this
    # (csrf_token), which other macros of _forms.html need when a template imports them
    env.globals["data_table"] = env.get_template("_tables.html").make_module().data_table
    env.globals["filter_select"] = env.get_template("_forms.html").make_module().filter_select
    env.filters["numeric"] = numeric
    env.globals["example_date"] = example_date
