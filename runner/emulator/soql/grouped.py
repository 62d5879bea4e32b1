"""Grouped queries: aggregates, date functions, GROUP BY, ROLLUP, CUBE and GROUPING().

Rows are ``AggregateResult`` records keyed by field name, alias, or ``expr0``,
``expr1``… (unaliased functions, counted in order). SQLite has no ROLLUP, so a
ROLLUP or CUBE is one grouped statement per grouping set (the rolled-up fields
null, ``GROUPING()`` 1), joined by UNION ALL; without ORDER BY, subtotals follow
the rows they total and the grand total comes last, as in Salesforce's example.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

from runner.emulator.soql.ast import (
    Aggregate,
    DateFunction,
    FieldPath,
    Grouping,
    Query,
    Wrapped,
)
from runner.emulator.soql.functions import converter, format_converter, label_converter
from runner.emulator.soql.translate import Compiled, Translator, order_terms

Selected = FieldPath | Aggregate | DateFunction | Grouping | Wrapped
Output = tuple[str, Selected, Callable[[Any], Any]]


def is_grouped(query: Query) -> bool:
    """Whether a query answers aggregate rows rather than records."""
    calls = (Aggregate, DateFunction, Grouping)
    return bool(query.group_by) or any(
        isinstance(s, calls) or (isinstance(s, Wrapped) and isinstance(s.inner, calls))
        for s in query.select
    )


def compile_grouped(t: Translator) -> Compiled:
    """The statement of a grouped query and how to shape its rows."""
    query = t.query
    group_sqls = [t.operand(g).sql for g in query.group_by]
    outputs = _outputs(t, set(group_sqls))
    if query.group_mode:
        sql = _grouping_sets(t, outputs, group_sqls)
    else:
        for _, item, _ in outputs:
            t.add_select(t.operand(item).sql)
        group = " GROUP BY " + ", ".join(group_sqls) if group_sqls else ""
        where = t.where_sql()
        if query.having is not None:
            group += " HAVING " + t.filter(t.operand).condition(query.having)
        sql = t.statement(where, t.order_sql("aggregate"), group)

    def shape(row: Sequence[Any], api_version: str) -> dict[str, Any]:
        record: dict[str, Any] = {"attributes": {"type": "AggregateResult"}}
        for index, (key, _, convert) in enumerate(outputs):
            record[key] = convert(row[index])
        return record

    return Compiled(sql, t.params, "aggregate", shape, (), t.env.user_id)


def _outputs(t: Translator, grouped: set[str]) -> list[Output]:
    """Each select item's key, and how to convert its value; refuses what is not grouped."""
    outputs: list[Output] = []
    unnamed = 0
    for item in t.query.select:
        if not isinstance(item, (FieldPath, Aggregate, DateFunction, Grouping, Wrapped)):
            raise t.error(item.token, "unexpected token: '('", "MALFORMED_QUERY")
        inner = item.inner if isinstance(item, Wrapped) else item
        col = t.operand(inner)
        if isinstance(inner, (FieldPath, DateFunction)) and col.sql not in grouped:
            raise t.error(
                inner.token, f"Field must be grouped or aggregated: {col.field.name}",
                "MALFORMED_QUERY",
            )  # fmt: skip
        alias = None if isinstance(item, FieldPath) else item.alias
        if alias is None and not isinstance(inner, FieldPath):
            alias, unnamed = f"expr{unnamed}", unnamed + 1
        convert = converter(col.field)
        if isinstance(item, Wrapped):
            wanted = label_converter if item.function == "TOLABEL" else format_converter
            convert = wanted(col.field)
        outputs.append((alias or col.field.name, item, convert))
    return outputs


def _grouping_sets(t: Translator, outputs: list[Output], group_sqls: list[str]) -> str:
    """One grouped SELECT per grouping set of the ROLLUP or CUBE, unioned and ordered."""
    query = t.query
    count = len(group_sqls)
    if query.group_mode == "ROLLUP":
        sets = [frozenset(range(count - n, count)) for n in range(count + 1)]
    else:
        sets = [frozenset(c) for n in range(count + 1)
                for c in itertools.combinations(range(count), n)]  # fmt: skip
    branches = []
    for rolled in sets:
        t.rolled = frozenset(group_sqls[i] for i in rolled)
        columns = [t.operand(item).sql for _, item, _ in outputs]
        columns += [str(int(i in rolled)) for i in range(count)]
        columns += ["NULL" if i in rolled else sql for i, sql in enumerate(group_sqls)]
        columns += [t.operand(o.field).sql for o in query.order_by]
        kept = [sql for i, sql in enumerate(group_sqls) if i not in rolled]
        where = t.where_sql()
        group = " GROUP BY " + ", ".join(kept) if kept else ""
        having = [t.filter(t.operand).condition(query.having)] if query.having else []
        having += [] if kept else ["COUNT(*) > 0"]
        group += " HAVING " + " AND ".join(having) if having else ""
        selected = ", ".join(f"{sql} AS c{i}" for i, sql in enumerate(columns))
        branches.append(
            f'SELECT {selected} FROM "{t.base.name}" t0 {" ".join(t.join_sql)} '
            f"WHERE {where}{group}"
        )
    t.rolled = frozenset()
    first_order = len(outputs) + 2 * count
    if query.order_by:
        terms = []
        for i, item in enumerate(query.order_by):
            terms += order_terms(f"c{first_order + i}", item.descending, item.nulls_first)
    else:
        terms = [
            term
            for i in range(count)
            for term in (f"c{len(outputs) + i} ASC", f"c{len(outputs) + count + i} ASC")
        ]
    return f"SELECT * FROM ({' UNION ALL '.join(branches)}) ORDER BY {', '.join(terms)}" + (
        t.limit_sql()
    )
