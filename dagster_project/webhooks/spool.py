"""Durable segment files: the events of one webhook source, written and acknowledged in
groups, handed to the inbox as one file per segment.

One writer task per source takes what the requests queued, appends it to the open segment
(`<folder>/.webhook-spool/*.jsonl`, hidden from the inbox), fsyncs the file, records the
event ids (`event_index.py`), and only then releases the requests to answer 2xx: one fsync
covers every event that arrived meanwhile. A segment is closed after `segment_events`
events or `segment_seconds`: fsync, rename into the source's folder, fsync of both
directories; the inbox sensor lands it like any export.

A write that fails (disk full) is cut off the file again and its requests answered 503:
nothing partial stays. After a crash, `recover` keeps every complete line of an open
segment (each was acknowledged or not; a line cut by the crash was not), indexes its ids
and closes it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import errno
import json
import logging
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from dagster_project.durable import fsync_path
from dagster_project.webhooks.event_index import KEEP_DAYS, EventIndex
from dagster_project.webhooks.payloads import EVENT_ID_FIELD, VERSION_FIELD, Event

LOG = logging.getLogger(__name__)
SPOOL_FOLDER = ".webhook-spool"
BATCH_EVENTS = 1_000  # events written (and fsynced) together at most
# What `store` did with an event (each is durable once it returns):
STORED, REPEATED, SUPERSEDED = "stored", "repeated", "superseded"


class NotNow(Exception):
    """The event cannot be stored now (disk nearly full, shutting down): answered 503."""


@dataclass
class _Segment:
    path: Path
    fd: int
    opened: float
    size: int = 0
    events: int = 0


@dataclass
class Spool:
    """The segments of one source's folder (`inbox_folder`)."""

    inbox_folder: Path
    segment_events: int
    segment_seconds: float
    min_free_bytes: int
    _queue: asyncio.Queue = field(default_factory=asyncio.Queue, init=False)
    _segment: _Segment | None = field(default=None, init=False)
    _writer: asyncio.Task | None = field(default=None, init=False)
    _pending: dict[str, asyncio.Future] = field(default_factory=dict, init=False)
    closing: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        self.spool_dir = self.inbox_folder / SPOOL_FOLDER
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        self.index = EventIndex(self.spool_dir / "events.sqlite")

    # -- requests ------------------------------------------------------------------------

    async def store(self, event: Event) -> str:
        """Durable once this returns: STORED now, REPEATED (this event id was stored before)
        or SUPERSEDED (a later version of its response was stored: a late retry)."""
        if self.closing:
            raise NotNow("the service is shutting down")
        if event.event_id in self._pending:
            await asyncio.shield(self._pending[event.event_id])
            return REPEATED
        if event.event_id in self.index:
            return REPEATED
        if event.version is not None and self.index.newer_stored(event.response_id, event.version):
            return SUPERSEDED
        self._check_space()
        done = asyncio.get_running_loop().create_future()
        self._pending[event.event_id] = done
        self._queue.put_nowait((event, done))
        try:
            await asyncio.shield(done)
        finally:
            self._pending.pop(event.event_id, None)
        return STORED

    def _too_full(self) -> bool:
        return shutil.disk_usage(self.spool_dir).free < self.min_free_bytes

    def _check_space(self) -> None:
        if self._too_full():
            raise NotNow("the disk holding the inbox is (nearly) full")

    # -- the writer task ------------------------------------------------------------------

    def start(self) -> None:
        self.recover()
        self._writer = asyncio.create_task(self._write_forever(), name=f"spool {self.inbox_folder.name}")

    async def stop(self) -> None:
        """Refuse new events, write what was queued, close the open segment."""
        self.closing = True
        self._queue.put_nowait(None)
        if self._writer is not None:
            await self._writer
        self.index.close()

    async def _write_forever(self) -> None:
        while True:
            timeout = None
            if self._segment is not None:
                timeout = max(0.0, self._segment.opened + self.segment_seconds - time.monotonic())
            try:
                item = await asyncio.wait_for(self._queue.get(), timeout)
            except TimeoutError:
                await self._close_segment_safely()
                continue
            batch, stop = [], item is None
            if item is not None:
                batch.append(item)
            while len(batch) < BATCH_EVENTS and not self._queue.empty():
                item = self._queue.get_nowait()
                if item is None:
                    stop = True
                else:
                    batch.append(item)
            if batch:
                await self._write(batch)
            if stop:
                await self._close_segment_safely()
                return

    async def _close_segment_safely(self) -> None:
        try:
            await asyncio.to_thread(self._close_segment)
        except OSError as exc:  # kept in the spool: the next start hands it over (recover)
            LOG.warning("%s: a segment stays in the spool: %s", self.inbox_folder.name, exc)

    async def _write(self, batch: list[tuple[Event, asyncio.Future]]) -> None:
        fresh, seen = [], set()
        for event, _ in batch:  # the same id twice in one batch: stored once
            if event.event_id not in seen:
                seen.add(event.event_id)
                fresh.append(event)
        try:
            await asyncio.to_thread(self._append, fresh)
        except Exception as exc:  # the requests are answered 503 whatever went wrong
            full = isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)
            reason = "the disk is full" if full else f"storing failed: {type(exc).__name__}"
            LOG.warning("%s: %d event(s) refused: %s", self.inbox_folder.name, len(batch), reason)
            for _, done in batch:
                if not done.done():
                    done.set_exception(NotNow(reason))
                    done.exception()  # retrieved here: a request may have gone already
            return
        for _, done in batch:
            if not done.done():
                done.set_result(None)

    # -- blocking file work (a worker thread) ---------------------------------------------

    def _append(self, events: list[Event]) -> None:
        if self._too_full():
            raise OSError(errno.ENOSPC, "below the free space the service keeps")
        segment = self._segment or self._open_segment()
        data = b"".join(event.line() for event in events)
        try:
            written = 0
            while written < len(data):
                written += os.write(segment.fd, data[written:])
            os.fsync(segment.fd)
        except OSError:
            os.ftruncate(segment.fd, segment.size)  # nothing partial stays
            raise
        self.index.add((event.event_id for event in events), _versions(events))
        segment.size += len(data)
        segment.events += len(events)
        if segment.events >= self.segment_events:
            self._close_segment()

    def _open_segment(self) -> _Segment:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        path = self.spool_dir / f"webhook-{stamp}-{uuid.uuid4().hex[:8]}.jsonl"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o640)
        fsync_path(self.spool_dir)
        self._segment = _Segment(path, fd, time.monotonic())
        return self._segment

    def _close_segment(self) -> None:
        segment, self._segment = self._segment, None
        if segment is None:
            return
        os.fsync(segment.fd)
        os.close(segment.fd)
        self._hand_over(segment.path)

    def _hand_over(self, path: Path) -> None:
        """Move a complete segment into the inbox folder (atomic, both directories synced)."""
        if path.stat().st_size == 0:
            path.unlink()
        else:
            os.replace(path, self.inbox_folder / path.name)
            fsync_path(self.inbox_folder)
        fsync_path(self.spool_dir)

    def recover(self) -> int:
        """Close the segments a stopped or killed service left open; returns their events."""
        recovered = 0
        for path in sorted(self.spool_dir.glob("*.jsonl")):
            data = path.read_bytes()
            complete = data[: data.rfind(b"\n") + 1]
            if len(complete) != len(data):
                with open(path, "r+b") as handle:  # a line the crash cut was never acknowledged
                    handle.truncate(len(complete))
                    os.fsync(handle.fileno())
            ids, versions = [], []
            for line in complete.splitlines():
                try:
                    record = json.loads(line)
                    ids.append(str(record[EVENT_ID_FIELD]))
                except (ValueError, KeyError, TypeError):
                    continue
                if isinstance(record.get(VERSION_FIELD), int):
                    versions.append((str(record.get("response_id")), record[VERSION_FIELD]))
            self.index.add(ids, versions)
            recovered += len(ids)
            self._hand_over(path)
        self.index.forget_before(dt.datetime.now(dt.UTC) - dt.timedelta(days=KEEP_DAYS))
        return recovered


def _versions(events: list[Event]) -> list[tuple[str, int]]:
    return [(event.response_id, event.version) for event in events if event.version is not None]
