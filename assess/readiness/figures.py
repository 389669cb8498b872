"""A team's readiness review and a round's review scores, as the review page, a team's results,
the heatmap and the printable report read them."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from assess import store
from assess.readiness.checks import Review
from assess.store import readiness as review_store

SERIES_NAME = "Readiness review"  # how charts and tables name the review's scores
COLUMN_SUFFIX = " (review)"  # a heatmap column of review scores: the area's name and this


@dataclass
class TeamReview:
    """A team's review in a round: the checks it is (or will be) answered on, and what is kept."""

    review: Review
    row: dict | None  # None: not started
    answers: dict[str, dict]
    scores: dict[str, dict]  # score rows by area and overall; empty unless completed

    @property
    def status(self) -> str:
        return self.row["status"] if self.row else "not_started"

    @property
    def completed(self) -> bool:
        return self.status == "completed"

    def beside(self, dimension_key: str) -> bool:
        """Whether its scores sit beside this dimension's (the readiness areas')."""
        return self.review.compares_with[1] == dimension_key


def review_for(questionnaire_id: str) -> Review | None:
    """The loaded readiness review that sits beside a questionnaire's scores, if there is one."""
    reviews = current_app.extensions["readiness_reviews"].values()
    return next((r for r in reviews if r.compares_with[0] == questionnaire_id), None)


def review_of(db, version: str) -> Review:
    """The exact version a review was answered on (from the files, or kept in the database)."""
    for review in current_app.extensions["readiness_reviews"].values():
        if review.version == version:
            return review
    return review_store.review_version(db, version)


def team_review(team_id: int, round_id: int, questionnaire_id: str) -> TeamReview | None:
    """A team's review in a round; None when no review sits beside the round's questionnaire."""
    db = store.get_db()
    row = review_store.find_review(db, team_id, round_id)
    if row is None:
        review = review_for(questionnaire_id)
        return TeamReview(review, None, {}, {}) if review else None
    return TeamReview(
        review_of(db, row["version"]),
        row,
        review_store.answers_of_review(db, row["id"]),
        review_store.scores_of_review(db, row["id"]),
    )


def round_review_scores(
    round_id: int, questionnaire_id: str, dimension_key: str
) -> tuple[Review, dict[int, dict[str, float | None]]] | None:
    """For a heatmap of `dimension_key`: the review that sits beside it and its completed
    reviews' scores by team id; None when no review sits beside that dimension."""
    review = review_for(questionnaire_id)
    if review is None or review.compares_with[1] != dimension_key:
        return None
    return review, review_store.review_scores_in_round(store.get_db(), round_id)
