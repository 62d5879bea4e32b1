"""Bulk API 2.0 jobs: their state machine, their JobInfo bodies, and the table that keeps them.

A job is processed a configurable while after it is closed (ingest) or created
(query): ``UploadComplete`` for the first half of that while, ``InProgress``
for the second, then ``JobComplete`` (or ``Failed``). A timer does the work at
the deadline; a read after the deadline that finds the work not yet done does
it itself, so a job never reports completion before its records are written.
Jobs live in memory: they do not survive a restart, as results on Salesforce
do not outlive their seven days.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from runner.emulator import errors, ids
from runner.emulator.bulk_csv import Upload
from runner.emulator.errors import RestApiError

log = logging.getLogger("runner.emulator")
JOB_PREFIX = "750"
MAX_JOBS_PER_ORG = 2000
TERMINAL = frozenset({"JobComplete", "Failed", "Aborted"})
Work = Callable[["Job"], None]


@dataclass
class Job:
    """One ingest or query job; ``kind`` is ``ingest`` or ``query``."""

    id: str
    org_id: str
    kind: str
    operation: str
    object: str
    created_by: str
    created_date: str
    api_version: str
    column_delimiter: str = "COMMA"
    line_ending: str = "LF"
    external_id_field: str | None = None
    assignment_rule_id: str | None = None
    query: str | None = None
    state: str = "Open"
    modstamp: str = ""
    data: str | None = None
    upload: Upload | None = None
    error_message: str | None = None
    processed: int = 0
    failed: int = 0
    successes: list[tuple[str, ...]] = field(default_factory=list)
    failures: list[tuple[str, ...]] = field(default_factory=list)
    unprocessed: list[tuple[str, ...]] = field(default_factory=list)
    columns: tuple[str, ...] = ()
    rows: list[tuple[str, ...]] = field(default_factory=list)
    started: float | None = None
    delay_s: float = 0.0
    processing_ms: int = 0
    done: bool = False
    work: Work | None = field(default=None, repr=False)
    timer: threading.Timer | None = field(default=None, repr=False)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def _prefix(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "id": self.id,
            "operation": self.operation,
            "object": self.object,
            "createdById": self.created_by,
            "createdDate": self.created_date,
            "systemModstamp": self.modstamp or self.created_date,
            "state": self.state,
        }
        if self.external_id_field is not None:
            info["externalIdFieldName"] = self.external_id_field
        if self.assignment_rule_id is not None:
            info["assignmentRuleId"] = self.assignment_rule_id
        info.update(
            {"concurrencyMode": "Parallel", "contentType": "CSV",
             "apiVersion": float(self.api_version)}
        )  # fmt: skip
        return info

    def content_url(self) -> str:
        """Where the upload goes, without a leading ``/`` as Salesforce writes it."""
        return f"services/data/v{self.api_version}/jobs/ingest/{self.id}/batches"

    def created_info(self) -> dict[str, Any]:
        """The body of the create response."""
        info = self._prefix()
        if self.kind == "ingest":
            info["contentUrl"] = self.content_url()
        info["lineEnding"] = self.line_ending
        info["columnDelimiter"] = self.column_delimiter
        return info

    def short_info(self) -> dict[str, Any]:
        """The body of a state change (PATCH): no counters, no timings."""
        return self._prefix()

    def full_info(self) -> dict[str, Any]:
        """The body of ``GET`` on the job (and an entry of the job list)."""
        info = self._prefix()
        info["jobType"] = "V2Ingest" if self.kind == "ingest" else "V2Query"
        if self.kind == "ingest" and self.state == "Open":
            info["contentUrl"] = self.content_url()
        info["lineEnding"] = self.line_ending
        info["columnDelimiter"] = self.column_delimiter
        if self.kind == "query" or self.data is not None:
            info["numberRecordsProcessed"] = self.processed
        if self.kind == "ingest" and self.data is not None:
            info["numberRecordsFailed"] = self.failed
        info["retries"] = 0
        info["totalProcessingTime"] = self.processing_ms
        if self.kind == "ingest":
            info["apiActiveProcessingTime"] = self.processing_ms
            info["apexProcessingTime"] = 0
        if self.error_message and self.kind == "ingest":
            info["errorMessage"] = self.error_message
        return info


def invalid_state(message: str) -> RestApiError:
    """400 ``INVALIDJOBSTATE`` with Bulk API 2.0's ``Code : text`` message."""
    return RestApiError(400, "INVALIDJOBSTATE", f"InvalidJobState : {message}")


class JobTable:
    """The jobs of every org on one server; thread-safe, bounded per org."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self.clock = clock

    def add(self, job: Job) -> Job:
        """Keep a new job, dropping the org's oldest finished ones beyond the bound."""
        with self._lock:
            mine = [j for j in self._jobs.values() if j.org_id == job.org_id]
            if len(mine) >= MAX_JOBS_PER_ORG:
                finished = [j for j in mine if j.state in TERMINAL]
                if not finished:
                    raise RestApiError(
                        400, "EXCEEDEDQUOTA", "ExceededQuota : Too many unfinished jobs"
                    )
                for old in finished[: len(mine) - MAX_JOBS_PER_ORG + 1]:
                    del self._jobs[old.id]
            self._jobs[job.id] = job
        return job

    def get(self, org_id: str, job_id: str, kind: str) -> Job:
        """The org's job of this kind; 404 ``NOT_FOUND`` for any other id."""
        try:
            key = ids.normalize(job_id)
        except ValueError:
            raise errors.not_found() from None
        with self._lock:
            job = self._jobs.get(key)
        if job is None or job.org_id != org_id or job.kind != kind:
            raise errors.not_found()
        return job

    def remove(self, job: Job) -> None:
        with self._lock:
            self._jobs.pop(job.id, None)
        if job.timer is not None:
            job.timer.cancel()

    def list(self, org_id: str, kind: str) -> list[Job]:
        """The org's jobs of one kind, oldest first."""
        with self._lock:
            return [j for j in self._jobs.values() if j.org_id == org_id and j.kind == kind]

    def cancel_all(self) -> None:
        """Stop every pending timer (the server is going away)."""
        with self._lock:
            jobs = list(self._jobs.values())
        for job in jobs:
            if job.timer is not None:
                job.timer.cancel()

    def start(self, job: Job, delay_ms: int, work: Work) -> None:
        """Queue the job: ``work`` runs once, ``delay_ms`` from now (at once when 0)."""
        with job.lock:
            job.work = work
            job.state = "UploadComplete"
            job.started = self.clock()
            job.delay_s = delay_ms / 1000
        if delay_ms <= 0:
            self.finish(job)
            return
        timer = threading.Timer(job.delay_s, self.finish, (job,))
        timer.daemon = True
        job.timer = timer
        timer.start()

    def finish(self, job: Job) -> None:
        """Run the job's work unless it already ran or the job was aborted."""
        with job.lock:
            work = job.work
            if job.done or job.state == "Aborted" or work is None:
                return
            began = time.perf_counter()
            job.state = "InProgress"
            try:
                work(job)
            except Exception:
                log.exception("bulk job %s could not be processed", job.id)
                job.state = "Failed"
                job.error_message = "Unknown : the job could not be processed"
            job.done = True
            job.processing_ms = max(1, round((time.perf_counter() - began) * 1000))

    def refresh(self, job: Job) -> None:
        """Bring the job's state up to date with the clock before it is read."""
        with job.lock:
            if job.done or job.started is None or job.state in TERMINAL:
                return
            elapsed = self.clock() - job.started
        if elapsed >= job.delay_s:
            self.finish(job)
        elif elapsed >= job.delay_s / 2:
            with job.lock:
                if not job.done and job.state == "UploadComplete":
                    job.state = "InProgress"


_TABLES: weakref.WeakKeyDictionary[object, JobTable] = weakref.WeakKeyDictionary()
_TABLES_LOCK = threading.Lock()


def jobs_for(store: object) -> JobTable:
    """The job table of a record store: jobs belong to the org data they write and read."""
    with _TABLES_LOCK:
        table = _TABLES.get(store)
        if table is None:
            table = _TABLES[store] = JobTable()
        return table
