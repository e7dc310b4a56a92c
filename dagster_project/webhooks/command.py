"""`nps-warehouse serve`: the webhook receiver on uvicorn (127.0.0.1:8080 by default)."""

from __future__ import annotations

import logging
import sys

from dagster_project.config_files import ConfigurationError
from dagster_project.settings import Settings

EXIT_CONFIG = 2


def serve(settings: Settings) -> int:
    import uvicorn

    from dagster_project.webhooks.service import create_app
    from dagster_project.webhooks.settings import ServiceSettings

    try:
        service = ServiceSettings.from_env(settings)
    except ConfigurationError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    if not service.sources:
        print("configuration error: no webhook source in the source configuration", file=sys.stderr)
        return EXIT_CONFIG
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    print(
        f"Receiving webhooks on http://{service.host}:{service.port}/webhooks/<source> for "
        f"{', '.join(sorted(service.sources))}; events land in {settings.raw_dir}",
        flush=True,
    )
    # uvicorn answers SIGTERM/SIGINT by finishing the requests in flight, then the lifespan
    # closes every open segment (webhooks/spool.py)
    uvicorn.run(
        create_app(service),
        host=service.host,
        port=service.port,
        log_level="warning",
        timeout_graceful_shutdown=20,
    )
    return 0
