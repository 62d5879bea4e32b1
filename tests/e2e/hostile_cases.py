"""Hostile and malformed inputs for the command line, as a table.

Each case writes some files into an empty folder, runs ``sfjwt-run`` there with
its arguments, and states the documented exit status and how the one-line
error starts: ``file:line:col: `` where there is a position, else
``sfjwt-run: error: ``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

OK_STEPS = b'steps:\n  - name: a\n    assert: ["true"]\n'
OK_PLAYBOOK = b"name: ok\n" + OK_STEPS
DIRECTORY = None
"""A ``files`` value that makes a directory instead of a file."""


@dataclass(frozen=True)
class Case:
    """Files to create, arguments, and what the error must look like."""

    id: str
    args: tuple[str, ...]
    status: int
    where: str | None  # "p.yml:4:14" for a positioned error, None for "sfjwt-run: error:"
    words: str
    files: dict[str, bytes | None] = field(default_factory=dict)


def _step(extra: str) -> bytes:
    return ("name: x\nsteps:\n  - name: a\n" + extra).encode()


def alias_bomb(levels: int = 9) -> bytes:
    """A "billion laughs" document: 9 levels of 9 aliases each would expand to 9^9 strings."""
    lines = ['  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels + 1):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"  {name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return ("name: bomb\nvars:\n" + "\n".join(lines) + "\nsteps: []\n").encode()


def deep_mapping(depth: int = 200) -> bytes:
    return ("name: deep\nvars:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(depth))
            + "steps: []\n").encode()


def deep_flow(depth: int = 10_000) -> bytes:
    return ("name: deep\nvars:\n  x: " + "[" * depth + "]" * depth + "\nsteps: []\n").encode()


def very_large(size: int = 6 * 1024 * 1024) -> bytes:
    line = b'  v%d: "' + b"x" * 100 + b'"\n'
    body = b"".join(line % i for i in range(size // (len(line) - 1) + 1))
    return b"name: large\nvars:\n" + body + b"steps: []\n"


def python_tags(marker: str) -> bytes:
    """Tags that would create ``marker`` if any YAML constructor ran them."""
    return (
        f'name: !!python/object/apply:os.system ["touch {marker}"]\n'
        "vars:\n"
        f'  a: !!python/object/new:subprocess.Popen [["touch", "{marker}"]]\n'
        "steps: []\n"
    ).encode()


PLAYBOOK_CASES: tuple[Case, ...] = (
    Case("yaml-syntax", ("p.yml",), 4, "p.yml:4:14", "did not find expected ','",
         {"p.yml": _step("    request: {path: /\n")}),
    Case("tab-indent", ("p.yml",), 4, "p.yml:3:1", "tab character",
         {"p.yml": b"name: x\nsteps:\n\t- name: a\n"}),
    Case("wrong-type-int", ("p.yml",), 4, "p.yml:5:5", "expected an integer, got a string",
         {"p.yml": _step("    request: {path: /}\n    retries: many\n")}),
    Case("wrong-type-list", ("p.yml",), 4, "p.yml:2:1", "expected a list",
         {"p.yml": b"name: x\nsteps: {}\n"}),
    Case("wrong-status", ("p.yml",), 4, "p.yml:5:14", "'OK' is not a valid status",
         {"p.yml": _step("    request: {path: /}\n    expect: {status: OK}\n")}),
    Case("top-level-list", ("p.yml",), 4, "p.yml:1:1", "expected a mapping, got a list",
         {"p.yml": b"- a\n- b\n"}),
    Case("unknown-key", ("p.yml",), 4, "p.yml:5:5", "unknown key 'colour'",
         {"p.yml": _step("    request: {path: /}\n    colour: red\n")}),
    Case("misspelled-key", ("p.yml",), 4, "p.yml:4:5", "did you mean 'request'?",
         {"p.yml": _step("    reqest: {path: /}\n")}),
    Case("missing-name", ("p.yml",), 4, "p.yml:1:1", "missing required key 'name'",
         {"p.yml": b"steps:\n  - name: a\n    request: {path: /}\n"}),
    Case("missing-action", ("p.yml",), 4, "p.yml:3:5", "needs one of",
         {"p.yml": b"name: x\nsteps:\n  - name: a\n"}),
    Case("duplicate-key", ("p.yml",), 4, "p.yml:2:1", "duplicate key 'name'",
         {"p.yml": b"name: x\nname: y\nsteps: []\n"}),
    Case("second-document", ("p.yml",), 4, "p.yml:3:1", "second YAML document",
         {"p.yml": b"name: a\nsteps: []\n---\nname: b\n"}),
    Case("template-syntax", ("p.yml",), 4, "p.yml:4:21", "template syntax error",
         {"p.yml": _step('    request: {path: "/{{ x "}\n')}),
    Case("expression-syntax", ("p.yml",), 4, "p.yml:4:11", "template syntax error",
         {"p.yml": _step('    when: "{{ 1 }"\n    assert: ["true"]\n')}),
    Case("assert-syntax", ("p.yml",), 4, "p.yml:4:14", "template syntax error",
         {"p.yml": _step('    assert: ["1 +"]\n')}),
    Case("jmespath-syntax", ("p.yml",), 4, "p.yml:5:21", "invalid JMESPath expression",
         {"p.yml": _step('    request: {path: /}\n    expect: {json: {"a[": {equals: 1}}}\n')}),
    Case("undefined-variable", ("p.yml",), 4, "p.yml:4:26", "undefined variable 'nope'",
         {"p.yml": _step('    request: {path: "/{{ nope }}"}\n')}),
    Case("undefined-in-org", ("p.yml",), 4, "p.yml:4:19", "undefined variable 'nope'",
         {"p.yml": b'name: x\norgs:\n  a:\n    username: "{{ nope }}"\n    emulator: true\n'
                   + OK_STEPS}),
    Case("template-syntax-in-org", ("p.yml",), 4, "p.yml:4:15", "template syntax error",
         {"p.yml": b'name: x\norgs:\n  a:\n    username: "{{ x "\n    emulator: true\n'
                   + OK_STEPS}),
    Case("non-utf8", ("p.yml",), 4, "p.yml:1:8", "invalid UTF-8 byte 0xff",
         {"p.yml": b"name: x\xff\xfe\nsteps: []\n"}),
    Case("binary", ("p.yml",), 4, None, "binary file",
         {"p.yml": bytes(range(256)) * 8}),
    Case("nul-byte", ("p.yml",), 4, None, "binary file",
         {"p.yml": b"name: a\x00b\nsteps: []\n"}),
    Case("empty", ("p.yml",), 4, None, "is empty", {"p.yml": b""}),
    Case("only-a-comment", ("p.yml",), 4, None, "is empty", {"p.yml": b"# nothing\n"}),
    Case("empty-folder", ("d",), 5, None, "d: no playbooks", {"d": DIRECTORY}),
    Case("missing-file", ("nowhere.yml",), 4, None, "no such file"),
    Case("very-large", ("p.yml",), 4, None, "file too large", {"p.yml": very_large()}),
    Case("too-many-values", ("p.yml",), 4, "p.yml:", "more than 50000 values",
         {"p.yml": b"name: many\nsteps:\n" + b'  - {name: s, assert: ["1"]}\n' * 13_000}),
    Case("alias-bomb", ("p.yml",), 4, "p.yml:7:10", "billion laughs",
         {"p.yml": alias_bomb()}),
    Case("deep-mapping", ("p.yml",), 4, "p.yml:66:", "nesting deeper than 64 levels",
         {"p.yml": deep_mapping()}),
    Case("deep-flow", ("p.yml",), 4, "p.yml:3:", "nesting",
         {"p.yml": deep_flow()}),
    Case("binary-tag", ("p.yml",), 4, "p.yml:3:6", "unsupported YAML tag",
         {"p.yml": b"name: x\nvars:\n  a: !!binary aGVsbG8=\nsteps: []\n"}),
    Case("infinite-delay", ("p.yml",), 4, "p.yml:6:12", "'.inf' is not a finite number",
         {"p.yml": _step('    request: {path: /}\n    retries: 1\n    delay: .inf\n')}),
    Case("nan-timeout", ("p.yml",), 4, "p.yml:5:14", "'.nan' is not a finite number",
         {"p.yml": _step("    request: {path: /}\n    timeout: .nan\n")}),
    Case("huge-delay", ("p.yml",), 4, "p.yml:6:5", "greater than the maximum of 86400",
         {"p.yml": _step("    request: {path: /}\n    retries: 1\n    delay: 1.0e+300\n")}),
    Case("huge-timeout", ("p.yml",), 4, "p.yml:5:5", "greater than the maximum of 86400",
         {"p.yml": _step("    request: {path: /}\n    timeout: 1.0e+300\n")}),
    Case("too-many-retries", ("p.yml",), 4, "p.yml:5:5", "greater than the maximum of 1000",
         {"p.yml": _step("    request: {path: /}\n    retries: 1000000\n")}),
    Case("max-pages-zero", ("p.yml",), 4, "p.yml:4:", "less than the minimum of 1",
         {"p.yml": _step("    query: {soql: SELECT Id FROM Account, max_pages: 0}\n")}),
    Case("number-literal-too-long", ("p.yml",), 4, "p.yml:4:21", "(4300 digits)",
         {"p.yml": _step('    request: {path: "/{{ ' + "9" * 5000 + ' }}"}\n')}),
    Case("unknown-filter", ("p.yml", "--syntax-check"), 4, "p.yml:4:21",
         "no filter named 'tojsn'; did you mean 'tojson'?",
         {"p.yml": _step('    request: {path: "/{{ 1 | tojsn }}"}\n')}),
    Case("unknown-test-in-a-loop", ("p.yml",), 4, "p.yml:4:21", "no test named 'nosuch'",
         {"p.yml": _step('    request: {path: "/{% for i in [1] if i is nosuch %}'
                         '{% endfor %}"}\n')}),
    Case("invalid-expect-schema", ("p.yml",), 4, "p.yml:6:16", "not a valid JSON Schema",
         {"p.yml": _step("    request: {path: /}\n    expect:\n      schema: {type: nonsense}\n")}),
    Case("deeply-nested-template", ("p.yml",), 4, "p.yml:4:21", "nested too deeply",
         {"p.yml": _step('    request: {path: "/{{ ' + "(" * 3000 + "1" + ")" * 3000 + ' }}"}\n')}),
    Case("deeply-nested-jmespath", ("p.yml",), 4, "p.yml:7:9", "nested too deeply",
         {"p.yml": _step("    request: {path: /}\n    expect:\n      json:\n        '"
                         + "(" * 500 + "a" + ")" * 500 + "': {exists: true}\n")}),
    Case("second-playbook-broken", ("ok.yml", "p.yml"), 4, "p.yml:1:1", "missing required key",
         {"ok.yml": OK_PLAYBOOK, "p.yml": OK_STEPS}),
)

def group_chain(depth: int, *, closed: bool = False) -> bytes:
    """Groups each holding the next: ``depth`` levels, the last one back to the first."""
    first = "  g0: {orgs: [a]" + (f", children: [g{depth - 1}]" if closed else "") + "}\n"
    lines = "".join(f"  g{level}: {{children: [g{level - 1}]}}\n" for level in range(1, depth))
    return ("orgs:\n  a: {emulator: true}\ngroups:\n" + first + lines).encode()


def diamond_groups(count: int = 44) -> bytes:
    """``count`` groups, each holding the two before it: 2^count paths from top to bottom."""
    lines = "".join(f"  d{n}: {{children: [d{n - 1}, d{n - 2}]}}\n" for n in range(2, count))
    return ("orgs:\n  a: {emulator: true}\ngroups:\n  d0: {orgs: [a]}\n"
            "  d1: {children: [d0]}\n" + lines).encode()


_INVENTORY_FILES: tuple[Case, ...] = tuple(
    Case(f"inventory-{case_id}", ("-i", "inv.yml", "ok.yml"), status, where, words,
         {"inv.yml": content, "ok.yml": OK_PLAYBOOK})
    for case_id, status, where, words, content in (
        ("yaml-syntax", 4, "inv.yml:2:6", "did not find expected",
         b"orgs:\n  a: {emulator: true\n"),
        ("tab-indent", 4, "inv.yml:2:1", "tab character", b"orgs:\n\t a: {}\n"),
        ("unknown-key", 4, "inv.yml:3:5", "did you mean 'emulator'?",
         b"orgs:\n  a:\n    emulatr: true\n"),
        ("wrong-type", 4, "inv.yml:1:1", "expected a mapping, got a list", b"orgs: [a, b]\n"),
        ("bad-emulator-option", 4, "inv.yml:3:16", "less than the minimum of 0",
         b"orgs:\n  a:\n    emulator: {latency_ms: -5}\n"),
        ("unknown-group-member", 4, "inv.yml:6:12", "no org named 'nope'",
         b"orgs:\n  a:\n    emulator: true\ngroups:\n  g:\n    orgs: [nope]\n"),
        ("template-syntax", 4, "inv.yml:2:3", "template syntax error",
         b'orgs:\n  a:\n    emulator: true\n    username: "{{ x "\n'),
        ("undefined-variable", 4, "inv.yml:2:3", "undefined variable 'nope'",
         b'orgs:\n  a:\n    emulator: true\n    username: "{{ nope }}"\n'),
        ("non-utf8", 4, "inv.yml:1:1", "invalid UTF-8", b"\xffrgs: {}\n"),
        ("binary", 4, None, "binary file", bytes(range(256)) * 8),
        ("empty", 4, None, "is empty", b""),
        ("alias-bomb", 4, "inv.yml:7:10", "billion laughs", alias_bomb()),
        ("huge-timeout", 4, "inv.yml:4:15", "greater than the maximum of 86400",
         b"orgs:\n  a:\n    emulator: true\n    timeout: {connect: 1.0e+300, read: 5}\n"),
        ("group-cycle-400-deep", 4, "inv.yml:4:3",
         "groups: children form a cycle: g0 -> g399 -> g398 -> … -> g2 -> g1 -> g0",
         group_chain(400, closed=True)),
        ("python-tag", 4, "inv.yml:3:15", "unsupported YAML tag",
         b'orgs:\n  a:\n    emulator: !!python/object/apply:os.system ["true"]\n'),
    )
)
INVENTORY_CASES: tuple[Case, ...] = (
    *_INVENTORY_FILES,
    Case("inventory-directory", ("-i", "d", "ok.yml"), 4, None, "is a directory",
         {"d": DIRECTORY, "ok.yml": OK_PLAYBOOK}),
    Case("inventory-missing", ("-i", "nowhere.yml", "ok.yml"), 4, None, "no such file",
         {"ok.yml": OK_PLAYBOOK}),
)

OPTION_CASES: tuple[Case, ...] = tuple(
    Case(f"option-{case_id}", args, status, where, words,
         {"ok.yml": OK_PLAYBOOK, "bomb.yml": alias_bomb()})
    for case_id, args, status, words, where in (
        ("unknown-flag", ("--bogus", "ok.yml"), 5, "unrecognized arguments: --bogus", None),
        ("no-playbook", (), 5, "required: PLAYBOOK", None),
        ("negative-forks", ("-f", "-1", "ok.yml"), 5, "must be at least 1", None),
        ("zero-forks", ("--forks", "0", "ok.yml"), 5, "must be at least 1", None),
        ("forks-not-a-number", ("-f", "many", "ok.yml"), 5, "not a whole number", None),
        ("negative-org-timeout", ("--org-timeout", "-1", "ok.yml"), 5, "--org-timeout", None),
        ("extra-var-without-value", ("-e", "novalue", "ok.yml"), 5, "expected NAME=VALUE", None),
        ("extra-var-without-name", ("-e", "=v", "ok.yml"), 5, "expected NAME=VALUE", None),
        ("extra-var-bad-json", ("-e", "{bad", "ok.yml"), 5, "not valid YAML or JSON", None),
        ("extra-var-json-list", ("-e", "[1,2]", "ok.yml"), 5, "must be a mapping", None),
        ("extra-var-json-5000-deep", ("-e", '{"a":' * 5000 + "1" + "}" * 5000, "ok.yml"), 5,
         '-e \'{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":{"a":…\': not valid '
         "YAML or JSON (nesting deeper than 64 levels)", None),
        ("extra-var-missing-file", ("-e", "@nowhere.yml", "ok.yml"), 4, "no such file", None),
        ("extra-var-alias-bomb", ("-e", "@bomb.yml", "ok.yml"), 4, "billion laughs",
         "bomb.yml:7:10"),
        ("unknown-limit", ("-l", "nope", "ok.yml"), 5, "no org or group named 'nope'", None),
        ("unknown-start-step", ("--start-at-step", "nope", "ok.yml"), 5, "no step named", None),
        ("unknown-tag", ("-t", "nope", "ok.yml"), 5, "unknown tag 'nope'", None),
        ("missing-ca-bundle", ("--ca-bundle", "nowhere.pem", "ok.yml"), 5, "no such file", None),
    )
)

REPORT_PATH_CASES: tuple[Case, ...] = tuple(
    Case(f"report-{case_id}", (*args, "ok.yml"), 5, None, words,
         {"ok.yml": OK_PLAYBOOK, "folder": DIRECTORY, "file.txt": b"a file\n"})
    for case_id, args, words in (
        ("under-proc", ("--junit", "/proc/nope/r.xml", "--json", "ok.json", "--markdown", "ok.md"),
         "--junit /proc/nope/r.xml: cannot write the report: cannot create its folder "
         "/proc/nope: No such file or directory"),
        ("is-a-folder", ("--json", "folder"), "--json folder: cannot write the report: "
         "it is a folder"),
        ("under-a-file", ("--markdown", "file.txt/m.md"), "--markdown file.txt/m.md: cannot "
         "write the report: a part of its path is a file, not a folder"),
        ("twice", ("--json", "r.out", "--junit", "folder/../r.out"),
         "--junit folder/../r.out and --json r.out are the same file"),
    )
)
"""Report paths are judged before the run: nothing runs, so no report is half-made."""

INIT_CASES: tuple[Case, ...] = (
    Case("init-org-name-breaking-yaml", ("init", "project", "--org", "bad: name"), 5, None,
         "--org 'bad: name': not a valid org name"),
    Case("init-org-name-with-a-newline", ("init", "project", "--org", "a\nb"), 5, None,
         "not a valid org name"),
)
"""``init`` refuses what would make a project it could not repair itself."""

ALL_CASES = (PLAYBOOK_CASES + INVENTORY_CASES + OPTION_CASES + REPORT_PATH_CASES
             + INIT_CASES)
