"""``lookup('file', NAME, ...)`` and ``query('file', ...)``: data files read in a template.

As Ansible's file lookup: the name is looked up along the place's search path
(``files/`` before the folder itself, in the role's folder, the step file's and
the playbook's), trailing whitespace is stripped (``rstrip``, ``lstrip``), several
names join with commas (``query`` and ``wantlist=true`` give a list), and
``errors='ignore'`` or ``'warn'`` skips a missing file. Only files inside the
project are read, each at most ``MAX_DATA_BYTES``. The template's scope says
where it stands (its ``files``); a context without one reads nothing.
"""

from __future__ import annotations

from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context

from runner.errors import SfjwtError
from runner.playbook.project import FileAccessError, FileSearch

PLUGINS = ("file",)


class LookupFailed(SfjwtError):
    """A lookup that cannot be done."""


def _search(context: Context) -> FileSearch:
    found = getattr(context.parent, "files", None)
    if not isinstance(found, FileSearch):
        raise LookupFailed("lookup('file') is not available here: this value is not read "
                           "from a playbook's folder")
    return found


def _read(search: FileSearch, name: Any, *, rstrip: bool, lstrip: bool, errors: str) -> str | None:
    if not isinstance(name, str):
        raise LookupFailed(f"lookup('file'): a file name is text, got {type(name).__name__}")
    try:
        text = search.read(name)
    except FileAccessError as exc:
        if errors in ("ignore", "warn") and "no such file" in exc.message:
            return None
        raise LookupFailed(f"lookup('file'): {exc.message}") from None
    text = text.rstrip() if rstrip else text
    return text.lstrip() if lstrip else text


def _files(context: Context, plugin: str, terms: tuple[Any, ...], options: dict[str, Any]
           ) -> list[str]:
    if plugin not in PLUGINS:
        raise LookupFailed(f"no lookup named {plugin!r} (available: {', '.join(PLUGINS)})")
    errors = str(options.pop("errors", "strict"))
    rstrip = bool(options.pop("rstrip", True))
    lstrip = bool(options.pop("lstrip", False))
    if errors not in ("strict", "warn", "ignore"):
        raise LookupFailed(f"lookup('file'): errors={errors!r} is not strict, warn or ignore")
    if options:
        raise LookupFailed(f"lookup('file'): unknown option {sorted(options)[0]!r} "
                           "(rstrip, lstrip, errors, wantlist)")
    search = _search(context)
    found = (_read(search, term, rstrip=rstrip, lstrip=lstrip, errors=errors) for term in terms)
    return [text for text in found if text is not None]


@pass_context
def lookup(context: Context, plugin: str, *terms: Any, **options: Any) -> Any:
    """``lookup('file', 'a.csv')``: the text; several names join with commas."""
    wantlist = bool(options.pop("wantlist", False))
    texts = _files(context, plugin, terms, options)
    return texts if wantlist else ",".join(texts)


@pass_context
def query(context: Context, plugin: str, *terms: Any, **options: Any) -> list[str]:
    """``query('file', 'a.json', 'b.json')``: a list of texts."""
    options.pop("wantlist", None)
    return _files(context, plugin, terms, options)


GLOBALS = {"lookup": lookup, "query": query, "q": query}
