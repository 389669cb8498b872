"""Security headers on every page, and the health check."""

from __future__ import annotations

from assess import store


def test_every_page_sends_a_strict_content_security_policy_and_friends(client):
    for url in ["/sign-in", "/static/govuk/assess.css"]:
        headers = client.get(url).headers
        policy = headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "http" not in policy  # no third-party host
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_the_only_inline_script_is_the_one_the_policy_allows_by_hash(client_as):
    client = client_as("team_lead")
    html = client.get("/").get_data(as_text=True)
    inline = [chunk for chunk in html.split("<script")[1:] if "src=" not in chunk.split(">")[0]]
    assert len(inline) == 1
    assert "'sha256-" in client.get("/").headers["Content-Security-Policy"]


def test_the_health_check_answers_ok_with_the_schema(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "schema": store.KNOWN_MIGRATIONS[-1]}


def test_the_health_check_says_unavailable_when_the_database_is_broken(app, client, instance):
    (instance / "assess.db").write_bytes(b"not a database" * 100)
    for suffix in ("-wal", "-shm"):
        (instance / f"assess.db{suffix}").unlink(missing_ok=True)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "not a usable assess database" in response.json["reason"]


def test_signed_in_pages_and_downloads_are_never_stored_by_a_cache(app, client_as):
    officer = client_as("business_improvement")
    assert officer.get("/rounds/").headers["Cache-Control"] == "no-store"
    download = officer.get("/registers/risks/export.csv")
    assert download.headers["Cache-Control"] == "no-store"
    assert download.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" not in app.test_client().get("/sign-in").headers.get("Cache-Control", "")


def test_strict_transport_security_is_sent_only_when_set(app, client):
    assert "Strict-Transport-Security" not in client.get("/sign-in").headers
    app.config["HSTS_SECONDS"] = 31536000
    assert client.get("/sign-in").headers["Strict-Transport-Security"] == "max-age=31536000"
