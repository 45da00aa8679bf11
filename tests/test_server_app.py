"""The webhook server end to end: Starlette's TestClient for the handler, and one real
uvicorn on loopback."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from click.testing import CliRunner
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from bot.cli.serve import serve
from bot.errors import ConfigError
from bot.forges.github.events import MAX_PAYLOAD_BYTES, sign
from bot.forges.github.webhook import GitHubWebhook
from bot.queue import JobQueue
from bot.server import build_app, create_app
from bot.server.dedupe import SqlDeliveryLog
from tests.test_intake_hardening import serving
from tests.test_webhook_events import example, pr_comment

SECRET = "webhook-secret-for-tests"


class Server:
    """One app over a state dir; `restart` opens a new app on the same files."""

    def __init__(self, state: Path, **config: Any) -> None:
        self.state = state
        self.config = GitHubWebhook(webhook_secret=SECRET, app_id=4242, **config)
        self.open()

    def open(self) -> None:
        self.queue = JobQueue(self.state / "queue.sqlite3")
        self.deliveries = SqlDeliveryLog.sqlite(self.state / "deliveries.sqlite3")
        self.app = create_app(self.config, self.queue, self.deliveries)
        self.client = TestClient(self.app).__enter__()

    def restart(self) -> None:
        self.client.__exit__(None, None, None)
        self.open()

    def deliver(
        self,
        event: str,
        payload: dict[str, Any] | bytes,
        delivery: str = "d-1",
        *,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        sent = {
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery,
            "X-Hub-Signature-256": signature if signature is not None else sign(SECRET, body),
            "Content-Type": "application/json",
            **(headers or {}),
        }
        return self.client.post("/webhooks/github", content=body, headers=sent)

    def metric(self, name: str, **labels: str) -> float:
        text = self.client.get("/metrics").text
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == name and all(
                    sample.labels.get(k) == v for k, v in labels.items()
                ):
                    return float(sample.value)
        return 0.0


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    s = Server(tmp_path)
    yield s
    s.client.__exit__(None, None, None)


def test_pull_request_is_queued_with_202(server: Server) -> None:
    response = server.deliver("pull_request", example("pull_request", "opened"))
    assert response.status_code == 202
    assert response.text.startswith("queued github:Codertocat/Hello-World#2:review as ")
    [job] = server.queue.pending_jobs()
    assert job.delivery == "d-1" and job.trigger == "pull_request" and job.installation_id == 1
    assert (
        server.metric(
            "switchyard_webhook_deliveries_total", event="pull_request", outcome="enqueued"
        )
        == 1
    )
    assert server.metric("switchyard_jobs_enqueued_total") == 1


def test_bad_signature_is_401_and_nothing_is_queued(server: Server) -> None:
    payload = example("pull_request", "opened")
    wrong = sign("not-the-secret", json.dumps(payload).encode())
    assert server.deliver("pull_request", payload, signature=wrong).status_code == 401
    assert server.deliver("pull_request", payload, signature="").status_code == 401
    response = server.client.post(
        "/webhooks/github", content=b"{}", headers={"X-GitHub-Event": "pull_request"}
    )
    assert response.status_code == 401
    assert server.queue.pending_count() == 0
    assert server.metric("switchyard_webhook_signature_failures_total") == 3
    assert server.metric("switchyard_webhook_deliveries_total", outcome="bad_signature") == 3


def test_a_delivery_is_queued_once_even_across_a_restart(server: Server) -> None:
    payload = example("pull_request", "synchronize")
    assert server.deliver("pull_request", payload, "same-id").status_code == 202
    again = server.deliver("pull_request", payload, "same-id")
    assert (again.status_code, again.text) == (200, "ignored: duplicate delivery")
    server.restart()
    after = server.deliver("pull_request", payload, "same-id")
    assert (after.status_code, after.text) == (200, "ignored: duplicate delivery")
    assert server.queue.pending_count() == 1
    assert server.deliver("pull_request", payload, "other-id").status_code == 202


def test_oversized_payloads_are_413(server: Server) -> None:
    huge = b'{"pad":"' + b"x" * MAX_PAYLOAD_BYTES + b'"}'
    response = server.deliver("pull_request", huge, signature=sign(SECRET, huge))
    assert response.status_code == 413
    assert server.queue.pending_count() == 0
    assert server.metric("switchyard_webhook_deliveries_total", outcome="too_large") == 1


def test_a_body_past_the_cap_without_content_length_is_413(tmp_path: Path) -> None:
    small = Server(tmp_path, max_payload_bytes=1000)
    chunks = [b'{"pad":"', b"x" * 600, b"x" * 600, b'"}']
    response = small.client.post(
        "/webhooks/github",
        content=iter(chunks),  # streamed: chunked transfer, no Content-Length
        headers={"X-GitHub-Event": "pull_request", "X-Hub-Signature-256": "sha256=00"},
    )
    assert response.status_code == 413


def test_malformed_json_is_400(server: Server) -> None:
    assert server.deliver("pull_request", b"{not json").status_code == 400
    assert server.deliver("pull_request", b"[1, 2]").status_code == 400
    assert server.queue.pending_count() == 0


def test_ping_is_200_pong(server: Server) -> None:
    response = server.deliver("ping", example("ping", installation=False))
    assert (response.status_code, response.text) == (200, "pong")


@pytest.mark.parametrize(
    ("event", "payload", "reason"),
    [
        ("push", lambda: example("push", installation=False), "event push is not handled"),
        (
            "pull_request",
            lambda: example("pull_request", "labeled"),
            "pull_request action labeled is not handled",
        ),
        (
            "issue_comment",
            lambda: pr_comment("/review", user={"login": "ci[bot]", "type": "Bot"}),
            "comment by a bot (ci[bot])",
        ),
        (
            "issue_comment",
            lambda: pr_comment("/review", performed_via_github_app={"id": 4242}),
            "comment by this app",
        ),
        ("issue_comment", lambda: pr_comment("/frobnicate"), "unknown command /frobnicate"),
    ],
)
def test_skipped_events_are_200_with_the_reason(
    server: Server, event: str, payload: Any, reason: str
) -> None:
    response = server.deliver(event, payload())
    assert (response.status_code, response.text) == (200, f"ignored: {reason}")
    assert server.queue.pending_count() == 0


def test_slash_command_is_queued_with_its_requester(server: Server) -> None:
    response = server.deliver("issue_comment", pr_comment("/ask is this thread-safe?"))
    assert response.status_code == 202
    [job] = server.queue.pending_jobs()
    assert (job.trigger, job.requester, job.tasks, job.argument) == (
        "comment",
        "Codertocat",
        ("ask",),
        "is this thread-safe?",
    )


def test_form_encoded_deliveries_are_accepted(server: Server) -> None:
    body = urlencode({"payload": json.dumps(example("pull_request", "reopened"))}).encode()
    response = server.deliver(
        "pull_request", body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 202


def test_queue_failure_is_503_and_the_delivery_can_be_redelivered(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(job: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(server.queue, "submit", broken)
    payload = example("pull_request", "opened")
    assert server.deliver("pull_request", payload, "retry-me").status_code == 503
    monkeypatch.undo()
    assert server.deliver("pull_request", payload, "retry-me").status_code == 202


def test_healthz_and_metrics(server: Server) -> None:
    server.deliver("pull_request", example("pull_request", "opened"))
    health = server.client.get("/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok", "queued": 1}
    metrics = server.client.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    names = {f.name for f in text_string_to_metric_families(metrics.text)}
    assert {
        "switchyard_webhook_deliveries",
        "switchyard_webhook_signature_failures",
        "switchyard_webhook_ack_seconds",
        "switchyard_jobs_enqueued",
        "switchyard_jobs_superseded",
        "switchyard_jobs_run",
        "switchyard_jobs_failed",
        "switchyard_queue_depth",
    } <= names
    assert server.metric("switchyard_queue_depth") == 1
    assert server.metric("switchyard_webhook_ack_seconds_count") == 1


def test_config_from_environment(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="GITHUB_WEBHOOK_SECRET"):
        GitHubWebhook.from_environ({})
    config = GitHubWebhook.from_environ(
        {
            "GITHUB_WEBHOOK_SECRET": "s",
            "GITHUB_APP_ID": "99",
            "GITHUB_API_URL": "https://ghe.example/api/v3/",
            "SWITCHYARD_BOT_LOGIN": "bot-a, bot-b",
            "SWITCHYARD_PR_TASKS": "review,describe",
        }
    )
    assert config.app_id == 99 and config.api_url == "https://ghe.example/api/v3"
    assert config.bot_logins == {"bot-a", "bot-b"} and config.pr_tasks == ("review", "describe")
    assert "secret" not in repr(config).replace("webhook_secret", "") and "'s'" not in repr(config)
    app = build_app({"GITHUB_WEBHOOK_SECRET": "s"}, tmp_path)
    assert app.state.queue.where == str(tmp_path / "queue.sqlite3")


def test_serve_without_a_secret_exits_2_and_says_why(tmp_path: Path) -> None:
    env = {"SWITCHYARD_STATE": str(tmp_path), "GITHUB_WEBHOOK_SECRET": ""}
    result = CliRunner().invoke(serve, [], env=env)
    assert isinstance(result.exception, ConfigError)
    assert "GITHUB_WEBHOOK_SECRET" in result.exception.message
    assert result.exception.exit_code == 2


def test_a_real_uvicorn_on_loopback_acknowledges_deliveries(tmp_path: Path) -> None:
    app = create_app(
        GitHubWebhook(webhook_secret=SECRET),
        JobQueue(tmp_path / "queue.sqlite3"),
        SqlDeliveryLog.sqlite(tmp_path / "deliveries.sqlite3"),
    )
    with serving(app) as port, httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
        body = json.dumps(example("pull_request", "opened")).encode()
        headers = {
            "X-GitHub-Event": "pull_request",
            "X-GitHub-Delivery": "real-1",
            "X-Hub-Signature-256": sign(SECRET, body),
            "Content-Type": "application/json",
        }
        response = http.post("/webhooks/github", content=body, headers=headers)
        assert response.status_code == 202
        assert http.get("/healthz").json() == {"status": "ok", "queued": 1}
        assert http.post("/webhooks/github", content=body, headers=headers).status_code == 200
        bad = {**headers, "X-Hub-Signature-256": "sha256=" + "0" * 64}
        assert http.post("/webhooks/github", content=body, headers=bad).status_code == 401
