"""Safe YAML loading that remembers where every node came from (and the same plain values
from a spec given as Python data, which has no lines to remember).

Only plain values, lists and mappings are accepted. The document is first streamed as
events (PyYAML's parser is iterative) to bound nesting and to refuse anchors, aliases and
object-constructing tags before the recursive composer ever runs; then nodes are turned
into plain Python values while an index records the 1-based line:column of every value
and every mapping key, keyed by its path (`("group_sets", 0, "name")`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from reconciler.errors import Problem, SpecError

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 24

PathKey = tuple[str | int, ...]
Loc = tuple[int, int]

_STD = "tag:yaml.org,2002:"
_PLAIN_TAGS = frozenset(
    _STD + t for t in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")
)
_TEXT_TAG = _STD + "str"
_HINTS = {
    "that cannot start any token": "YAML indentation must use spaces, not tabs",
    "mapping values are not allowed here": "a value with ': ' inside must be quoted, "
    "or the indentation is off",
    "expected <block end>": "check the indentation of this line against the lines above",
}
# Where PyYAML's problem mark is where it gave up looking for the end of something (the
# next token, often on the next line, or the end of the file), its context mark is where
# that something began: the line with the mistake.
_BEGUN_AT = {
    "while scanning a simple key": "a key must be followed by ': ' (is the colon missing?)",
    "while scanning a quoted scalar": "the quote opened here is never closed",
    "while parsing a flow sequence": "the [ opened here is not closed, or its items need commas",
    "while parsing a flow mapping": "the { opened here is not closed, or its items need commas",
}
# PyYAML names no bracket for a bad item inside a [ ] or { }: the innermost one still open,
# which the event stream shows (see compose), is where to look.
_IN_FLOW = "while parsing a flow node"
_FLOW_HINT = "the [ or { opened here is not closed, or its items need commas"


@dataclass(frozen=True)
class Located:
    """A YAML document as plain Python values plus where each value and key sits."""

    filename: str
    data: Any
    values: Mapping[PathKey, Loc] = field(default_factory=dict)
    keys: Mapping[PathKey, Loc] = field(default_factory=dict)

    def where(self, path: PathKey, *, key: bool = False) -> Loc | None:
        """The location of the value at `path` (or of its key), else of its nearest parent."""
        if key and path in self.keys:
            return self.keys[path]
        while path not in self.values and path:
            path = path[:-1]
        return self.values.get(path)

    def problem(self, path: PathKey, message: str, *, key: bool = False) -> Problem:
        loc = self.where(path, key=key)
        line, column = loc if loc else (None, None)
        return Problem(self.filename, line, column, message, dotted(path) or None)


def dotted(path: PathKey) -> str:
    """("group_sets", 0, "name") -> "group_sets[0].name"."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _mark(mark: Any) -> Loc:
    return (mark.line + 1, mark.column + 1) if mark else (1, 1)


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_STD):] if tag.startswith(_STD) else tag


def _fail(filename: str, loc: Loc, message: str) -> SpecError:
    return SpecError([Problem(filename, loc[0], loc[1], message)])


def check_size(size: int, filename: str) -> None:
    if size > MAX_BYTES:
        raise _fail(filename, (1, 1), f"the spec is {size} bytes; specs are limited to "
                    f"{MAX_BYTES} bytes (5 MiB)")


def decode(raw: bytes, filename: str) -> str:
    """bytes -> text, refusing oversized and non-UTF-8 files with a position."""
    check_size(len(raw), filename)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise _fail(filename, (line, column), f"the file is not UTF-8 text: byte "
                    f"0x{raw[exc.start]:02x} cannot be decoded; save the file as UTF-8") from None


def _syntax_problem(exc: yaml.YAMLError, filename: str, open_flow: Loc | None) -> SpecError:
    """One problem at the mistake: the start of what was left unfinished when PyYAML's own
    context says so (or the innermost [ ] or { } still open), else where PyYAML stopped."""
    stopped = getattr(exc, "problem_mark", None)
    begun = getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None) or ""
    hint = next((h for k, h in _HINTS.items() if k in problem), None)
    where = _mark(stopped or begun)
    if context in _BEGUN_AT and begun is not None:
        where, hint = _mark(begun), _BEGUN_AT[context]
    elif context == _IN_FLOW and open_flow is not None:
        where, hint = open_flow, _FLOW_HINT
    if stopped is not None and where != _mark(stopped):
        context += f"; noticed at line {stopped.line + 1}, column {stopped.column + 1}"
    text = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    return _fail(filename, where, text + (f" — {hint}" if hint else ""))


def _check_events(events: Iterable[yaml.Event], filename: str,
                  opened: list[yaml.CollectionStartEvent]) -> None:
    """Refuse what a spec may not hold; `opened` keeps the collections not yet closed."""
    for event in events:
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _fail(filename, _mark(event.start_mark), "anchors and aliases (&name, *name) "
                        "are not supported in specs; write the values out in full")
        tag = getattr(event, "tag", None)
        if tag and tag != "!" and tag not in _PLAIN_TAGS:
            raise _fail(filename, _mark(event.start_mark), f"the YAML tag {_short_tag(tag)!r} "
                        "is not allowed; a spec holds only plain values, lists and mappings")
        if isinstance(event, yaml.CollectionStartEvent):
            opened.append(event)
            if len(opened) > MAX_DEPTH:
                raise _fail(filename, _mark(event.start_mark), f"the document nests deeper "
                            f"than {MAX_DEPTH} levels; a spec needs at most 7")
        elif isinstance(event, yaml.CollectionEndEvent):
            opened.pop()


# libyaml's parser, where PyYAML was built with it, reads a large spec about ten times
# faster (benchmarks/bench_perf: the no-op plan of a 5,000-membership spec). A document it
# refuses is read again by the pure parser, whose messages and marks the errors are built on.
_FAST_LOADER: type[yaml.SafeLoader] | None = getattr(yaml, "CSafeLoader", None)


def compose(text: str, filename: str) -> yaml.Node | None:
    """Text -> one YAML node tree, or a SpecError. None for an empty document."""
    check_size(len(text.encode("utf-8", "surrogatepass")), filename)
    if _FAST_LOADER is not None and text.isascii():
        try:
            return _compose(text, filename, _FAST_LOADER)
        except yaml.YAMLError:
            pass
    return _compose_or_explain(text, filename)


def _compose(text: str, filename: str, loader: type[yaml.SafeLoader],
             opened: list[yaml.CollectionStartEvent] | None = None) -> yaml.Node | None:
    _check_events(yaml.parse(text, Loader=loader), filename, [] if opened is None else opened)
    return yaml.compose(text, Loader=loader)


def _compose_or_explain(text: str, filename: str) -> yaml.Node | None:
    opened: list[yaml.CollectionStartEvent] = []
    try:
        return _compose(text, filename, yaml.SafeLoader, opened)
    except yaml.YAMLError as exc:
        flow = _mark(opened[-1].start_mark) if opened and opened[-1].flow_style else None
        raise _syntax_problem(exc, filename, flow) from None


class _Builder:
    """Node tree -> Python values + location index, collecting duplicate-key problems."""

    def __init__(self, filename: str, text_keys: frozenset[str]) -> None:
        self.filename = filename
        self.text_keys = text_keys
        self.values: dict[PathKey, Loc] = {}
        self.keys: dict[PathKey, Loc] = {}
        self.problems: list[Problem] = []
        self._constructor = SafeConstructor()

    def build(self, node: yaml.Node, path: PathKey, as_text: bool) -> Any:
        self.values[path] = _mark(node.start_mark)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), as_text) for i, item in enumerate(node.value)]
        return self._scalar(node, as_text)

    def _scalar(self, node: yaml.Node, as_text: bool) -> Any:
        if node.tag == _STD + "null":
            return None
        # Identifiers and names keep their source text: `sis_id: 0012` is "0012", not 10.
        # A plain `=` resolves to YAML 1.1's `value` tag, which no safe loader builds: text.
        if as_text or node.tag in (_TEXT_TAG, _STD + "timestamp", _STD + "value"):
            return str(node.value)
        try:
            return self._constructor.construct_object(node)
        except yaml.YAMLError as exc:
            self.problems.append(Problem(self.filename, *_mark(node.start_mark),
                                         f"cannot read the value {node.value!r}: {exc}"))
            return None

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            loc = _mark(key_node.start_mark)
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(Problem(self.filename, *loc, "a key must be a plain word, "
                                             "not a list or mapping"))
                continue
            key = str(key_node.value)
            if key in out:
                first = self.keys[(*path, key)][0]
                self.problems.append(Problem(self.filename, *loc, f"duplicate key {key!r} "
                                             f"(first given on line {first})", key))
                continue
            self.keys[(*path, key)] = loc
            out[key] = self.build(value_node, (*path, key), key in self.text_keys)
        return out


def load_located(text: str, filename: str, text_keys: Iterable[str] = ()) -> Located:
    """Parse one YAML document safely. Values under `text_keys` stay strings."""
    node = compose(text, filename)
    if node is None:
        raise _fail(filename, (1, 1), "the spec file is empty; it needs at least "
                    "`course:` and `group_sets:`")
    builder = _Builder(filename, frozenset(text_keys))
    data = builder.build(node, (), False)
    if builder.problems:
        raise SpecError(builder.problems)
    return Located(filename, data, builder.values, builder.keys)


class _Plain:
    """Python data -> the plain values the YAML path gives (numbers under a text key become
    text, as YAML keeps their source text), collecting a problem per unusable value."""

    def __init__(self, filename: str, text_keys: frozenset[str]) -> None:
        self.filename = filename
        self.text_keys = text_keys
        self.problems: list[Problem] = []
        self._open: set[int] = set()  # the containers being copied, outermost first

    def fail(self, path: PathKey, message: str) -> None:
        self.problems.append(Problem(self.filename, None, None, message, dotted(path) or None))

    def build(self, value: Any, path: PathKey, as_text: bool) -> Any:
        if len(path) > MAX_DEPTH:
            self.fail(path, f"the document nests deeper than {MAX_DEPTH} levels; a spec "
                      "needs at most 7")
        elif isinstance(value, Mapping | list | tuple):
            return self._container(value, path, as_text)
        elif value is None or isinstance(value, bool):
            return value
        elif isinstance(value, int | float):
            number = int(value) if isinstance(value, int) else float(value)
            return str(number) if as_text else number
        elif isinstance(value, str):
            return str(value)
        else:
            self.fail(path, f"a {type(value).__name__} cannot be used in a spec; use text, "
                      "numbers, true/false, null, lists and mappings")
        return None

    def _container(self, value: Mapping[Any, Any] | list[Any] | tuple[Any, ...],
                   path: PathKey, as_text: bool) -> dict[str, Any] | list[Any] | None:
        if id(value) in self._open:
            self.fail(path, "this value contains itself; a spec is a tree of plain values")
            return None
        self._open.add(id(value))
        try:
            if isinstance(value, Mapping):
                return self._mapping(value, path)
            return [self.build(item, (*path, i), as_text) for i, item in enumerate(value)]
        finally:
            self._open.discard(id(value))

    def _mapping(self, value: Mapping[Any, Any], path: PathKey) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                self.fail(path, f"a key must be text, got {key!r}")
                continue
            out[str(key)] = self.build(item, (*path, key), key in self.text_keys)
        return out


def located_data(data: Any, filename: str, text_keys: Iterable[str] = ()) -> Located:
    """A spec given as Python values (dicts, lists, text, numbers, booleans, None), checked
    and copied into the values YAML would give. There are no lines: problems name the
    field path only."""
    builder = _Plain(filename, frozenset(text_keys))
    plain = builder.build(data, (), False)
    if builder.problems:
        raise SpecError(builder.problems)
    return Located(filename, plain)
