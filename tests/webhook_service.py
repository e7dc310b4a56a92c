"""The webhook service as users run it (`nps-warehouse serve` in its own process) on a free
localhost port, and signed requests to it. Stopped by its context manager, never left
running; every wait is bounded."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from standardwebhooks import Webhook

from tests.alert_receivers import free_port

SECRET = "whsec_" + "dGVzdC1zZWNyZXQtZm9yLXdlYmhvb2tzLTEyMzQ1Njc4"  # base64 of a test key
TYPEFORM_SECRET = "typeform-test-secret"
CLI = str(Path(sys.executable).parent / "nps-warehouse")


@dataclass
class Service:
    process: subprocess.Popen
    url: str
    log: Path

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout)


def service_environment(raw_dir: Path, port: int, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "NPS_RAW_DIR": str(raw_dir),
        "NPS_SERVE_PORT": str(port),
        "NPS_WEBHOOK_SECRET": SECRET,
        "NPS_WEBHOOK_SEGMENT_SECONDS": "0.5",
        **extra,
    }


def wait_until_healthy(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"the service stopped (exit {process.returncode}): {log.read_text()[-2000:]}"
            )
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise AssertionError(f"the service did not answer within {timeout} s")


@contextlib.contextmanager
def running_service(raw_dir: Path, log: Path, **extra: str) -> Iterator[Service]:
    port = free_port()
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [CLI, "serve"], env=service_environment(raw_dir, port, **extra), stdout=out, stderr=out
        )
    service = Service(process, f"http://127.0.0.1:{port}", log)
    try:
        wait_until_healthy(service.url, process, log)
        yield service
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def answer(response_id: str, score: int = 9, **fields) -> dict:
    return {
        "response_id": response_id,
        "survey_id": "tnps",
        "responded_at": "2025-03-10T09:00:00Z",
        "score": score,
        "channel": "web",
        **fields,
    }


def signed(body: bytes, event_id: str, secret: str = SECRET, at: dt.datetime | None = None) -> dict[str, str]:
    at = at or dt.datetime.now(dt.UTC)
    return {
        "content-type": "application/json",
        "webhook-id": event_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(event_id, at, body.decode()),
    }


def post_answer(client: httpx.Client, url: str, event_id: str, record: dict) -> httpx.Response:
    body = json.dumps(record).encode()
    return client.post(f"{url}/webhooks/webhook", content=body, headers=signed(body, event_id))


def stored_lines(folder: Path) -> list[dict]:
    """Every event line the service handed to the inbox folder (segments closed)."""
    return [
        json.loads(line)
        for path in sorted(folder.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def post_burst(
    url: str, records: list[tuple[str, dict]], acknowledged: list[str], connections: int = 20
) -> None:
    """Post every (event id, answer) over `connections` connections; record the ids answered 200."""

    async def main() -> None:
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        gate = asyncio.Semaphore(connections)
        async with httpx.AsyncClient(limits=limits, timeout=30) as client:

            async def one(event_id: str, record: dict) -> None:
                body = json.dumps(record).encode()
                async with gate:
                    try:
                        response = await client.post(
                            f"{url}/webhooks/webhook", content=body, headers=signed(body, event_id)
                        )
                    except httpx.HTTPError:
                        return  # the service went away: not acknowledged
                if response.status_code == 200:
                    acknowledged.append(event_id)

            await asyncio.gather(*(one(event_id, record) for event_id, record in records))

    asyncio.run(main())
