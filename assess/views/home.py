"""The home page: who you are, your role and your teams."""

from flask import Blueprint, current_app, g, render_template

from assess import store
from assess.auth import sign_in_required

bp = Blueprint("home", __name__)


@bp.route("/")
@sign_in_required
def index():
    summary = store.home_summary(store.get_db(), g.user["id"])
    return render_template(
        "home.html",
        teams=summary["teams"],
        questionnaires=current_app.extensions["questionnaires"].values(),
    )
