"""`nps-warehouse alerts`: the outbox as operators see it, and what they can do about it.

    nps-warehouse alerts                    counts, destinations on/off, the latest alerts
    nps-warehouse alerts --status dead      only those (pending | sent | dead)
    nps-warehouse alerts --retry-dead       dead alerts pending again, and a delivery pass
    nps-warehouse alerts --send             a delivery pass now (what is due)

Opens the warehouse under the run lock (it waits for a run to finish). Lists what the
outbox holds: rule, destination, owner team, category, times and the last error; never a
URL, an address or a comment.
"""

from __future__ import annotations

import argparse
import sys

from dagster_project.alerts.config import load_alerts_config
from dagster_project.alerts.delivery import deliver_due
from dagster_project.alerts.outbox import STATUSES, outbox_counts, outbox_rows, retry_dead
from dagster_project.settings import Settings


def add_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--status", choices=STATUSES, help="list only alerts in this state")
    command.add_argument(
        "--retry-dead", action="store_true", help="make dead alerts pending and send them now"
    )
    command.add_argument("--send", action="store_true", help="send the alerts that are due now")
    command.add_argument("--limit", type=int, default=20, help="how many alerts to list (20)")


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "-"


def alerts_command(settings: Settings, args: argparse.Namespace) -> int:
    from dagster_project.defs.resources import NpsWarehouse

    config = load_alerts_config(settings.alerts_config)
    for destination in config.destinations:
        missing = destination.missing_variables()
        state = "on" if not missing else f"off (set {', '.join(missing)})"
        print(f"destination {destination.name} ({destination.kind}): {state}")
    if not settings.warehouse_path.exists():
        print(f"no warehouse yet at {settings.warehouse_path}: no alerts")
        return 0
    # under the run lock, with the outbox ensured like every warehouse connection
    with NpsWarehouse(settings).connect() as con:
        if args.retry_dead:
            print(f"{retry_dead(con)} dead alert(s) pending again")
        if args.retry_dead or args.send:
            report = deliver_due(
                con, config, settings.warehouse_path, log=lambda m: print(m, file=sys.stderr)
            )
            print(report.line())
        counts = outbox_counts(con)
        rows = outbox_rows(con, args.status, args.limit)
    print(f"alerts: {counts['pending']} pending, {counts['sent']} sent, {counts['dead']} dead")
    for alert_id, rule, destination, team, category, raised, status, attempts, sent, next_try, error in rows:
        line = (
            f"  {alert_id} {status:<7} {rule} -> {destination} ({team or 'no team'}, {category}); "
            f"raised {_when(raised)}, {attempts} attempt(s)"
        )
        if status == "sent":
            line += f", sent {_when(sent)}"
        elif status == "pending":
            line += f", next try {_when(next_try) if next_try else 'now'}"
        if error and status != "sent":
            line += f"; last error: {error}"
        print(line)
    return 0
