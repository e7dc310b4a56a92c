"""The event ids a source has stored: a repeated delivery is acknowledged, not stored again;
and, for sources whose later event replaces the earlier (Delighted), the newest version of
each response stored: an older event arriving late (a retry) is acknowledged, not stored.

SQLite beside the spool (`events.sqlite`), written in the same step that makes the events
durable, before they are acknowledged; ids older than `KEEP_DAYS` are dropped (senders
retry for hours, not weeks). Readers use their own connection (WAL)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from pathlib import Path

KEEP_DAYS = 14


class EventIndex:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = self._connect(path)
        self._writer.execute(
            "create table if not exists events (event_id text primary key, stored_at text not null)"
        )
        self._writer.execute(
            """create table if not exists versions (
                   response_id text primary key, version integer not null, stored_at text not null)"""
        )
        self._reader = self._connect(path)

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        con = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        con.execute("pragma journal_mode = wal")
        con.execute("pragma synchronous = full")
        return con

    def __contains__(self, event_id: str) -> bool:
        found = self._reader.execute("select 1 from events where event_id = ?", (event_id,))
        return found.fetchone() is not None

    def newer_stored(self, response_id: str, version: int) -> bool:
        """Whether a later version of this response is stored already."""
        found = self._reader.execute(
            "select 1 from versions where response_id = ? and version > ?", (response_id, version)
        )
        return found.fetchone() is not None

    def add(
        self,
        event_ids: Iterable[str],
        versions: Iterable[tuple[str, int]] = (),
        now: dt.datetime | None = None,
    ) -> None:
        stamp = (now or dt.datetime.now(dt.UTC)).isoformat()
        self._writer.execute("begin")
        self._writer.executemany(
            "insert or ignore into events values (?, ?)", [(event_id, stamp) for event_id in event_ids]
        )
        self._writer.executemany(
            """insert into versions values (?, ?, ?) on conflict (response_id) do update
               set version = max(version, excluded.version), stored_at = excluded.stored_at""",
            [(response_id, version, stamp) for response_id, version in versions],
        )
        self._writer.execute("commit")

    def forget_before(self, moment: dt.datetime) -> int:
        self._writer.execute("delete from versions where stored_at < ?", (moment.isoformat(),))
        return self._writer.execute("delete from events where stored_at < ?", (moment.isoformat(),)).rowcount

    def close(self) -> None:
        self._reader.close()
        self._writer.close()
