"""Sign-in throttling: a growing delay rather than a lock, claimed atomically, and a limit per
client address."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from assess.web.throttle import ThrottlePolicy, in_words, wait_before_sign_in
from tests.conftest import csrf_token, sign_in

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
POLICY = ThrottlePolicy(
    free=5, delay_seconds=2, per_address=30, window=timedelta(minutes=15)
)  # fmt: skip


def ago(*seconds: float) -> list[datetime]:
    return [NOW - timedelta(seconds=s) for s in seconds]


def test_the_free_failures_need_no_wait():
    assert wait_before_sign_in(ago(1, 2, 3, 4), [], NOW, POLICY) == 0


def test_each_failure_beyond_the_free_ones_adds_a_delay_after_the_last():
    assert wait_before_sign_in(ago(0, 1, 2, 3, 4), [], NOW, POLICY) == 2
    assert wait_before_sign_in(ago(0, 1, 2, 3, 4, 5, 6), [], NOW, POLICY) == 6
    assert wait_before_sign_in(ago(10, 11, 12, 13, 14), [], NOW, POLICY) == 0  # waited enough


def test_the_delay_never_exceeds_the_window():
    many = ago(*range(1000))
    assert wait_before_sign_in(many, [], NOW, POLICY) <= POLICY.window.total_seconds()


def test_an_address_with_too_many_failures_waits_until_they_leave_the_window():
    address = ago(*range(60, 90))  # 30 failures, the oldest 89 seconds ago
    assert wait_before_sign_in([], address, NOW, POLICY) == 15 * 60 - 89


def test_waits_are_said_in_words():
    assert [in_words(s) for s in (0.2, 2, 59.5, 61, 900)] == [
        "1 second",
        "2 seconds",
        "1 minute",
        "2 minutes",
        "15 minutes",
    ]


def post_sign_in(client, email, password, address="10.0.0.1"):
    page = client.get("/sign-in", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    return client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": csrf_token(page)},
        environ_base={"REMOTE_ADDR": address},
    )


def test_concurrent_wrong_passwords_are_not_all_checked(app, db):
    app.config["SIGN_IN_MAX_FAILURES"] = 3
    clients = [app.test_client() for _ in range(12)]
    pages = [c.get("/sign-in").get_data(as_text=True) for c in clients]
    answers: list[int] = []
    start = threading.Barrier(len(clients))

    def guess(client, page):
        start.wait()
        answers.append(
            client.post(
                "/sign-in",
                data={
                    "email": "priya.shah@council.example",
                    "password": "wrong password!",
                    "csrf_token": csrf_token(page),
                },
            ).status_code
        )

    threads = [
        threading.Thread(target=guess, args=pair) for pair in zip(clients, pages, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    checked = answers.count(400)
    assert checked <= 3 and answers.count(429) == len(clients) - checked
    recorded = db.execute("SELECT count(*) FROM sign_in_attempts").fetchone()[0]
    assert recorded == checked


def test_the_real_user_still_gets_in_after_a_colleagues_wrong_guesses(app, client):
    app.config["SIGN_IN_MAX_FAILURES"] = 2
    app.config["SIGN_IN_DELAY_SECONDS"] = 0.3
    for _ in range(2):
        assert (
            post_sign_in(client, "priya.shah@council.example", "wrong!", "10.0.0.9").status_code
            == 400
        )
    assert (
        post_sign_in(client, "priya.shah@council.example", "anything", "10.0.0.7").status_code
        == 429
    )
    time.sleep(0.35)
    assert sign_in(client, "priya.shah@council.example").status_code == 302


def test_one_address_guessing_many_emails_is_refused_and_others_are_not(app):
    app.config["SIGN_IN_MAX_FAILURES_PER_ADDRESS"] = 4
    guesser, colleague = app.test_client(), app.test_client()
    emails = [f"person{n}@council.example" for n in range(4)]
    assert [post_sign_in(guesser, e, "wrong!", "10.9.9.9").status_code for e in emails] == [400] * 4
    refused = post_sign_in(guesser, "sam.okafor@council.example", "assess-demo-2025", "10.9.9.9")
    assert refused.status_code == 429 and "from this device" in refused.get_data(as_text=True)
    ok = post_sign_in(colleague, "sam.okafor@council.example", "assess-demo-2025", "10.1.1.1")
    assert ok.status_code == 302
