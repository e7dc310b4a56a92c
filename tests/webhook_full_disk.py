"""Run inside a mount namespace whose inbox folder is a 1 MB tmpfs (test_webhooks.py): the
service receives an answer, the disk fills up, an answer is refused, room is made, the
sender's retry is stored. Prints what happened as JSON; the test judges it."""

from __future__ import annotations

import errno
import json
import sys
from pathlib import Path

import httpx

from tests.webhook_service import answer, post_answer, running_service


def fill(folder: Path) -> None:
    with open(folder / "filler", "wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise


def main(inbox: Path, log: Path) -> None:
    folder = inbox / "webhook"
    statuses = {}
    with running_service(inbox, log, NPS_WEBHOOK_MIN_FREE_MB="0") as service, httpx.Client() as client:
        statuses["before"] = post_answer(client, service.url, "evt-a", answer("WH-A")).status_code
        fill(folder)
        big = answer("WH-B", reason="lång kommentar " * 400)  # more than the page the file has
        refused = post_answer(client, service.url, "evt-b", big)
        statuses["full"] = refused.status_code
        statuses["full_retry_after"] = refused.headers.get("retry-after")
        (folder / "filler").unlink()
        statuses["retried"] = post_answer(client, service.url, "evt-b", big).status_code
        statuses["exit"] = service.stop()
    files = {
        path.relative_to(folder).as_posix(): path.read_bytes().decode() for path in folder.rglob("*.jsonl")
    }
    print(json.dumps({"statuses": statuses, "files": files}))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
