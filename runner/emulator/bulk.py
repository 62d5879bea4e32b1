"""Bulk API 2.0 routes: ``/jobs/ingest`` and ``/jobs/query`` under ``/services/data/vXX.X``.

Create, upload (one ``PUT`` of CSV per job, 201), close or abort (``PATCH``),
job info, list, delete (204), the three result files of an ingest job and the
paged CSV of a query job (``Sforce-Locator``, ``Sforce-NumberOfRecords``).
Errors are REST error arrays with Bulk API 2.0's codes (``INVALIDJOB``,
``INVALIDJOBSTATE``, ``API_ERROR``, ``BULK_API_ERROR``); an unknown job is 404
``NOT_FOUND`` with the wording the Salesforce CLI matches on.
"""

from __future__ import annotations

import re
from typing import Any

from runner.emulator import bulk_csv, bulk_ingest, bulk_query, ids
from runner.emulator.bulk_jobs import JOB_PREFIX, Job, JobTable, invalid_state, jobs_for
from runner.emulator.errors import RestApiError
from runner.emulator.messages import Response
from runner.emulator.routing import Context, Handler
from runner.emulator.values import format_datetime

INGEST_OPERATIONS = ("insert", "update", "upsert", "delete", "hardDelete")
QUERY_OPERATIONS = ("query", "queryAll")
LIST_PAGE = 1000
_RESULT_FILES = {
    "successfulresults": "successful",
    "failedresults": "failed",
    "unprocessedrecords": "unprocessed",
}


def _table(ctx: Context) -> JobTable:
    return jobs_for(ctx.store)


def _job(ctx: Context, job_id: str, kind: str) -> Job:
    table = _table(ctx)
    job = table.get(ctx.org.org_id, job_id, kind)
    table.refresh(job)
    return job


def _bad_property(name: str, value: Any) -> RestApiError:
    shown = "" if value is None else str(value)
    return RestApiError(
        400, "API_ERROR", f"Invalid value: '{shown}' supplied for property: '{name}'"
    )


def _job_body(ctx: Context) -> dict[str, Any]:
    body = ctx.body()
    if not isinstance(body, dict):
        raise RestApiError(400, "JSON_PARSER_ERROR", "Cannot deserialize the job definition")
    for name, allowed in (
        ("contentType", ("CSV",)),
        ("columnDelimiter", tuple(bulk_csv.DELIMITERS)),
        ("lineEnding", tuple(bulk_csv.LINE_ENDINGS)),
    ):
        if name in body and body[name] not in allowed:
            raise _bad_property(name, body[name])
    return body


def _new_job(ctx: Context, kind: str, body: dict[str, Any], sobject: str) -> Job:
    now = format_datetime(ctx.store.clock())
    return Job(
        id=ids.new_id(JOB_PREFIX),
        org_id=ctx.org.org_id,
        kind=kind,
        operation=body["operation"],
        object=sobject,
        created_by=ctx.user_id,
        created_date=now,
        api_version=ctx.version,
        column_delimiter=body.get("columnDelimiter", "COMMA"),
        line_ending=body.get("lineEnding", "LF"),
    )


def _processing_ms(ctx: Context) -> int:
    return ctx.org.config.bulk_processing_ms


def _list(ctx: Context, kind: str) -> Response:
    params = ctx.request.params()
    jobs = _table(ctx).list(ctx.org.org_id, kind)
    for job in jobs:
        _table(ctx).refresh(job)
    wanted_type = params.get("jobType")
    if wanted_type:
        jobs = [j for j in jobs if j.full_info()["jobType"] == wanted_type]
    start = params.get("queryLocator", "0")
    offset = int(start) if start.isdigit() else 0
    page = jobs[offset : offset + LIST_PAGE]
    done = offset + LIST_PAGE >= len(jobs)
    next_url = (
        None
        if done
        else f"/services/data/v{ctx.version}/jobs/{kind}?queryLocator={offset + LIST_PAGE}"
    )
    body = {"done": done, "records": [j.full_info() for j in page], "nextRecordsUrl": next_url}
    return Response.json(200, body)


def jobs_root(ctx: Context, args: list[str]) -> Response:
    """``POST /jobs/{ingest|query}`` creates a job; ``GET`` lists the org's jobs."""
    kind = args[0]
    if ctx.request.method == "GET":
        return _list(ctx, kind)
    if ctx.request.method != "POST":
        return ctx.refuse("GET,POST")
    body = _job_body(ctx)
    if kind == "ingest":
        job = _table(ctx).add(_create_ingest(ctx, body))
        return Response.json(200, job.created_info())
    job, paths = _create_query(ctx, body)
    _table(ctx).add(job)
    store = ctx.store
    _table(ctx).start(job, _processing_ms(ctx), lambda j: bulk_query.run(store, j, paths))
    info = job.created_info()
    info["state"] = "UploadComplete"
    return Response.json(200, info)


def _create_ingest(ctx: Context, body: dict[str, Any]) -> Job:
    operation = body.get("operation")
    if operation not in INGEST_OPERATIONS:
        raise _bad_property("operation", operation)
    name = body.get("object")
    meta = ctx.schema.find(name) if isinstance(name, str) else None
    if meta is None:
        raise RestApiError(400, "INVALIDJOB", f"InvalidJob : Unable to find object: {name or ''}")
    job = _new_job(ctx, "ingest", body, meta.name)
    external = body.get("externalIdFieldName")
    if operation == "upsert":
        if not external:
            raise RestApiError(
                400,
                "INVALIDJOB",
                f"InvalidJob : External ID was blank for {meta.name}. An External ID must be "
                "specified for upsert.",
            )
        field = bulk_ingest.is_lookup_field(meta, str(external))
        if field is None:
            raise RestApiError(
                400,
                "INVALIDJOB",
                f"InvalidJob : Field name provided, {external} does not match an External ID, "
                f"Salesforce Id, or indexed field for {meta.name}",
            )
        job.external_id_field = field.name
    if body.get("assignmentRuleId"):
        job.assignment_rule_id = str(body["assignmentRuleId"])
    return job


def _create_query(ctx: Context, body: dict[str, Any]) -> tuple[Job, bulk_query.Paths]:
    operation = body.get("operation")
    if operation not in QUERY_OPERATIONS:
        raise _bad_property("operation", operation)
    soql = body.get("query")
    if not isinstance(soql, str) or not soql.strip():
        raise _bad_property("query", soql)
    env = ctx.store.query_env(ctx.org.org_id, ctx.user_id, False)
    sobject, paths = bulk_query.check_query(soql, env)
    job = _new_job(ctx, "query", body, sobject)
    job.query = soql
    return job, paths


def job_resource(ctx: Context, args: list[str]) -> Response:
    """``GET``, ``PATCH`` (close or abort) and ``DELETE`` on one job."""
    kind, job_id = args
    job = _job(ctx, job_id, kind)
    method = ctx.request.method
    if method in ("GET", "HEAD"):
        return Response.json(200, job.full_info())
    if method == "PATCH":
        return _change_state(ctx, job)
    if method == "DELETE":
        allowed = ("UploadComplete", "JobComplete", "Aborted", "Failed")
        if job.state not in (allowed if kind == "ingest" else allowed[1:]):
            raise invalid_state(f"Job is in state {job.state} and cannot be deleted")
        _table(ctx).remove(job)
        return Response.empty(204)
    return ctx.refuse("GET,PATCH,DELETE")


def _change_state(ctx: Context, job: Job) -> Response:
    body = ctx.body()
    wanted = body.get("state") if isinstance(body, dict) else None
    if wanted == "Aborted":
        with job.lock:
            if job.state not in ("Open", "UploadComplete", "InProgress") or job.done:
                raise invalid_state(f"Job is in state {job.state} and cannot be aborted")
            job.state = "Aborted"
            job.modstamp = format_datetime(ctx.store.clock())
        if job.timer is not None:
            job.timer.cancel()
        return Response.json(200, job.short_info())
    if wanted == "UploadComplete" and job.kind == "ingest":
        if job.state != "Open":
            raise invalid_state(f"Job is in state {job.state} and cannot be closed")
        store = ctx.store
        _table(ctx).start(job, _processing_ms(ctx), lambda j: bulk_ingest.process(store, j))
        info = job.short_info()
        info["state"] = "UploadComplete"
        return Response.json(200, info)
    raise _bad_property("state", wanted)


def upload(ctx: Context, args: list[str]) -> Response:
    """``PUT /jobs/ingest/{id}/batches``: the job's CSV, once; 201 with no body."""
    if ctx.request.method != "PUT":
        return ctx.refuse("PUT")
    job = _job(ctx, args[0], "ingest")
    if job.state != "Open":
        raise invalid_state(f"Job is in state {job.state} and is not open for upload")
    if job.data is not None:
        raise RestApiError(
            400,
            "BULK_API_ERROR",
            f"Found multipe contents for job: <{job.id[:15]}>, please 'Close' / 'Abort' / "
            "'Delete' the current Job then create a new Job and make sure you only do 'PUT' "
            "once on a given Job.",
        )
    try:
        job.data = ctx.request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise RestApiError(
            400, "CLIENTINPUTERROR", "ClientInputError : The data is not valid UTF-8"
        ) from None
    return Response.empty(201)


def _not_finished(job: Job) -> RestApiError:
    return invalid_state(f"Job is in state {job.state}; results are available once it ends")


def ingest_results(ctx: Context, args: list[str]) -> Response:
    """``successfulResults``, ``failedResults`` and ``unprocessedrecords`` as CSV."""
    if ctx.request.method not in ("GET", "HEAD"):
        return ctx.refuse("GET")
    job = _job(ctx, args[0], "ingest")
    which = _RESULT_FILES[args[1].lower()]
    if job.state not in ("JobComplete", "Failed", "Aborted"):
        raise _not_finished(job)
    header = job.upload.header_line if job.upload else _first_line(job)
    sep, end = job.column_delimiter, job.line_ending
    if which == "successful":
        text = bulk_csv.result_file(("sf__Id", "sf__Created"), header, job.successes, sep, end)
    elif which == "failed":
        text = bulk_csv.result_file(("sf__Id", "sf__Error"), header, job.failures, sep, end)
    else:
        text = bulk_csv.unprocessed_file(header, _unprocessed(job), sep, end)
    return Response.text(200, text, "text/csv")


def _unprocessed(job: Job) -> tuple[tuple[str, ...], ...]:
    """The rows of an aborted job that never ran; none once a job has run."""
    if job.done or not job.data:
        return ()
    try:
        return bulk_csv.parse_upload(job.data, job.column_delimiter, job.line_ending).rows
    except bulk_csv.CsvError:
        return ()


def _first_line(job: Job) -> str:
    data = (job.data or "").removeprefix("\ufeff")
    return data.split(bulk_csv.LINE_ENDINGS[job.line_ending], 1)[0]


def query_results(ctx: Context, args: list[str]) -> Response:
    """``GET /jobs/query/{id}/results[?maxRecords=N][&locator=L]``: one CSV page."""
    if ctx.request.method not in ("GET", "HEAD"):
        return ctx.refuse("GET")
    job = _job(ctx, args[0], "query")
    if job.state != "JobComplete":
        raise _not_finished(job)
    if ctx.version != job.api_version:
        raise RestApiError(
            409,
            "API_ERROR",
            f"Results must be requested with the API version of the job: {job.api_version}",
        )
    params = ctx.request.params()
    size = bulk_query.page_size(params.get("maxRecords"))
    offset = bulk_query.offset_of(params["locator"]) if params.get("locator") else 0
    if offset > len(job.rows):
        raise bulk_query.invalid_locator(params["locator"])
    end = min(offset + size, len(job.rows))
    text = bulk_csv.query_page(job.columns, job.rows[offset:end], job.column_delimiter,
                               job.line_ending)  # fmt: skip
    response = Response.text(200, text, "text/csv")
    response.headers["Sforce-NumberOfRecords"] = str(end - offset)
    response.headers["Sforce-Locator"] = (
        bulk_query.locator_for(end) if end < len(job.rows) else "null"
    )
    return response


def routes() -> list[tuple[re.Pattern[str], Handler]]:
    """The Bulk API 2.0 entries of the REST route table."""
    results = "|".join(_RESULT_FILES)
    return [
        (re.compile(r"^jobs/(ingest|query)$"), jobs_root),
        (re.compile(r"^jobs/(ingest|query)/([^/]+)$"), job_resource),
        (re.compile(r"^jobs/ingest/([^/]+)/batches$"), upload),
        (re.compile(rf"^jobs/ingest/([^/]+)/({results})$", re.IGNORECASE), ingest_results),
        (re.compile(r"^jobs/query/([^/]+)/results$"), query_results),
    ]
