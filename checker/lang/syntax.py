"""The syntax tree of a model, as written. Every node carries the `Pos` it came from.

Nothing here is resolved: names are strings, and whether `x` is shared, local or an input is
decided by `checker.program`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from checker.errors import Pos

# ---- expressions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Num:
    value: int
    pos: Pos


@dataclass(frozen=True)
class Bool:
    value: bool
    pos: Pos


@dataclass(frozen=True)
class Name:
    id: str
    pos: Pos


@dataclass(frozen=True)
class Index:
    """`base[index]`: an array cell, a mutex of an array, or a thread instance."""

    base: Name
    index: "Expr"
    pos: Pos


@dataclass(frozen=True)
class Unary:
    op: str  # '-' or 'not'
    operand: "Expr"
    pos: Pos


@dataclass(frozen=True)
class Binary:
    op: str  # + - * // % == != < <= > >= and or
    left: "Expr"
    right: "Expr"
    pos: Pos


@dataclass(frozen=True)
class Call:
    """`sum(a)`, `len(a)`, `at(T, L)`, the atomics `fetch_add/cas/swap` on the right of `=`, and a
    primitive's value statement (`ok = trylock m`; its operands, then the value it takes, as in
    `ok = try_put q EXPR`)."""

    fn: str
    args: tuple["Expr", ...]
    pos: Pos
    timed: bool = False  # `ok = lock m timeout`: the timed form of a blocking statement


@dataclass(frozen=True)
class AnyValue:
    """`any LO..HI`: a fresh value in the inclusive range; only as a whole right-hand side."""

    lo: "Expr"
    hi: "Expr"
    pos: Pos


Expr = Union[Num, Bool, Name, Index, Unary, Binary, Call, AnyValue]

# ---- statements --------------------------------------------------------------------------


@dataclass(frozen=True)
class Assign:
    target: Name | Index
    value: Expr  # may be AnyValue, or a Call to fetch_add/cas/swap or to a value statement (trylock)
    pos: Pos
    text: str
    second: "Name | Index | None" = None  # `ok, v = try_get q`: the second target (v)


@dataclass(frozen=True)
class Sync:
    """A primitive's statement, `WORD OPERAND...` (`checker.primitives.STATEMENTS`): `lock m`,
    `wait cv m`, `acquire s`, `join t`, ..."""

    op: str
    args: tuple[Name | Index, ...]
    pos: Pos
    text: str
    value: Expr | None = None  # the value it takes (`put q EXPR`)


@dataclass(frozen=True)
class Await:
    """`await` (a bare yield to the event loop), or `cancel NAME[i]` (`task` set)."""

    task: "Name | Index | None"
    pos: Pos
    text: str


@dataclass(frozen=True)
class Spawn:
    """`spawn NAME`, `spawn NAME(ARGS)`, `h = spawn NAME(ARGS)`: start the next instance of a
    thread declared `start: spawned`; h gets the instance's index."""

    name: Name
    args: tuple[Expr, ...]
    target: "Name | Index | None"
    pos: Pos
    text: str


@dataclass(frozen=True)
class Check:
    """`assert EXPR` or `assume EXPR`."""

    op: str
    cond: Expr
    pos: Pos
    text: str


@dataclass(frozen=True)
class Skip:
    pos: Pos
    text: str


@dataclass(frozen=True)
class Atomic:
    body: tuple["Stmt", ...]
    pos: Pos
    text: str = "atomic"


@dataclass(frozen=True)
class If:
    cond: Expr
    then: tuple["Stmt", ...]
    orelse: tuple["Stmt", ...]
    pos: Pos
    text: str


@dataclass(frozen=True)
class While:
    cond: Expr
    body: tuple["Stmt", ...]
    pos: Pos
    text: str


@dataclass(frozen=True)
class Labeled:
    label: str
    stmt: "Stmt"
    pos: Pos
    text: str


@dataclass(frozen=True)
class Jump:
    """`break`, `continue` (leave / restart the innermost loop) or `return` (leave the procedure,
    or end the thread); `value` is the EXPR of `return EXPR`, else None. `op` is the word."""

    op: str  # 'break' | 'continue' | 'return'
    value: "Expr | None"
    pos: Pos
    text: str


@dataclass(frozen=True)
class Invoke:
    """A procedure call `NAME(ARGS)` as a statement (`target` None) or `v = NAME(ARGS)`.
    `call` is the call as written (`apply_grad(g1)`), for traces."""

    name: str
    args: tuple["Expr", ...]
    target: "Name | Index | None"
    pos: Pos
    text: str
    call: str = ""


@dataclass(frozen=True)
class Delete:
    """`del cache[k]`: remove key k from a shared map (`target` as written)."""

    target: "Name | Index"
    pos: Pos
    text: str


Stmt = Union[Assign, Sync, Check, Skip, Atomic, If, While, Labeled, Jump, Invoke, Delete]

# ---- declarations ------------------------------------------------------------------------


@dataclass(frozen=True)
class InputDecl:
    name: str
    type: str  # 'int' or 'bool'
    lo: int | None
    hi: int | None
    pos: Pos
    secret: bool = False  # `... secret`: one tenant's private data, for `no_leak`


@dataclass(frozen=True)
class SharedDecl:
    """A shared resource. `kind` is var, int_array, bool_array, a primitive's kind
    (`checker.primitives.KINDS`: mutex, rwlock, condition, semaphore) or KIND_array (`mutex_array`).
    `init` is an Expr for a variable, a tuple of Exprs for an array, the number of a primitive
    that takes one (a semaphore's permits), else None."""

    name: str
    kind: str
    init: object
    size: int
    pos: Pos
    atomic: bool = False  # `x: atomic 0`, `a: atomic int[4]`: every access is atomic (never races)


@dataclass(frozen=True)
class ThreadDecl:
    name: str
    body: tuple[Stmt, ...]
    count: int | None
    locals: tuple[tuple[str, Expr, Pos], ...]
    pos: Pos
    spawned: bool = False  # `start: spawned`: its instances start when another thread spawns them
    params: tuple[tuple[str, Pos], ...] = ()  # `params: [a, b]`: bound by `spawn NAME(ARGS)`
    loop: tuple[str, Pos] | None = None  # `loop: NAME`: its instances are tasks of that event loop
    final: tuple = ()  # `finally: [...]`: runs when the thread ends (normally, by return, by cancellation)


@dataclass(frozen=True)
class ProcedureDecl:
    """`NAME(PARAM, ...): [statements]` (or `{do: [...], locals: {...}}`) under `procedures:`."""

    name: str
    params: tuple[tuple[str, Pos], ...]
    body: tuple[Stmt, ...]
    locals: tuple[tuple[str, Expr, Pos], ...]
    pos: Pos


@dataclass(frozen=True)
class LeakDecl:
    """`no_leak: {secret: S, to: OBS}`: the names as written, each with its position."""

    secret: tuple[tuple[str, Pos], ...]
    to: tuple[tuple[str, Pos], ...]


@dataclass(frozen=True)
class PropertyDecl:
    kind: str  # 'final' | 'always' | 'no_deadlock' | 'no_leak'
    expr: Expr | None
    text: str
    pos: Pos
    leak: LeakDecl | None = None  # for 'no_leak'
    names: tuple[tuple[str, Pos], ...] = ()  # for 'no_race: [x, d]': the names as written (empty: all)


@dataclass(frozen=True)
class Expect:
    verdict: str  # 'holds' | 'violated'
    kinds: tuple[str, ...]  # with 'violated': exactly these kinds of property are violated (empty: any)
    pos: Pos


@dataclass(frozen=True)
class Model:
    name: str
    about: str
    inputs: tuple[InputDecl, ...]
    shared: tuple[SharedDecl, ...]
    threads: tuple[ThreadDecl, ...]
    properties: tuple[PropertyDecl, ...]
    expect: Expect | None
    file: str = ""
    extra: dict = field(default_factory=dict, compare=False)
    procedures: tuple[ProcedureDecl, ...] = ()
