"""One SOQL query → a compiled SQL statement and the shaper of its rows.

Picks the form: ``COUNT()``, a grouped query (``grouped``) or records
(``records``, with their child sub-queries); ``translate`` does the names,
joins, filter and order that all forms share.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from runner.emulator import errors
from runner.emulator.errors import soql_error
from runner.emulator.soql.grouped import compile_grouped, is_grouped
from runner.emulator.soql.parser import parse
from runner.emulator.soql.records import compile_records
from runner.emulator.soql.translate import Compiled, QueryEnv, Translator


def compile_query(text: str, env: QueryEnv) -> Compiled:
    """Parse, check and translate one query; RestApiError with Salesforce's codes on error."""
    query = parse(text)
    found = env.schema.find(query.sobject.text)
    if found is None:
        token = query.sobject
        raise soql_error(
            "INVALID_TYPE", text, token.row, token.col, errors.unsupported_type(token.text)
        )
    translator = Translator(text, query, found, env)
    translator.check_offset()
    if query.count_only:
        translator.add_select("1")
        sql = translator.statement(translator.where_sql(), "")
        return Compiled(f"SELECT COUNT(*) FROM ({sql})", translator.params, "count", _no_shape,
                        (), env.user_id)  # fmt: skip
    if is_grouped(query):
        return compile_grouped(translator)
    return compile_records(translator)


def _no_shape(row: Sequence[Any], api_version: str) -> dict[str, Any]:
    raise AssertionError("COUNT() queries have no records")
