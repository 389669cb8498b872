"""The committee report for a round: a page laid out as a committee appendix, and the same
report as a Word document. Both render one model (`committee_report.Report`), built from the
figures `committee_figures.gather` reads."""

from __future__ import annotations

from flask import Blueprint, g, render_template

from assess import store
from assess.audit import exports
from assess.programme import committee_docx, committee_report
from assess.programme.committee_figures import gather
from assess.web.auth import requires
from assess.web.helpers import round_or_404

bp = Blueprint("committee", __name__)


@bp.route("/rounds/<int:round_id>/committee-report")
@requires("read_council")
def report(round_id: int):
    round_ = round_or_404(round_id)
    built = committee_report.build(gather(round_, "svg"))
    return render_template("programme/committee_report.html", round=round_, report=built)


@bp.route("/rounds/<int:round_id>/committee-report.docx")
@requires("read_council")
def report_docx(round_id: int):
    round_ = round_or_404(round_id)
    built = committee_report.build(gather(round_, "png"))
    db = store.get_db()
    with store.write(db):
        store.record_event(
            db, g.user["id"], "export", "export", None, after={"committee_report": round_id}
        )
    name = f"committee-report-{round_['name'].replace('/', '-')}"
    return exports.document(name, "docx", committee_docx.to_docx(built))
