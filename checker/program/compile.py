"""Name resolution, type checking and lowering of a `syntax.Model` into a `Program`.

The stages, in order: the namespace and the layout of shared state (`names`, `layout`), the
`no_leak` observers (`properties.leak`, which threads' input reads are seen), each thread
instance's statements lowered to instructions (`lower`, `sync`, with expressions compiled by
`expr`), then the properties (`properties`), which may name the threads' labels. Every error
names the statement's position and, where it can, the near-miss name.
"""
from __future__ import annotations

from dataclasses import replace

from checker.errors import ModelError, Pos
from checker.lang import syntax as S
from checker.program import ir
from checker.program.ir import Src
from checker.program.layout import Layout
from checker.program.liveness import dead_locals, guarded, local_reads
from checker.program.loops import counted, loops
from checker.program.lower import Lowering
from checker.program.model import Program, Property, ThreadCode
from checker.program.procedures import check as check_procedures
from checker.program.properties import compile_property, leak, race

MAX_INSTRS = 20_000


def compile_model(model: S.Model) -> Program:
    try:
        return _program(model)
    except ModelError as e:
        raise e.in_file(model.file)


def _program(model: S.Model) -> Program:
    layout = Layout(model)
    procs = check_procedures(model, layout.names)
    layout.procedures = procs
    decls = model.threads
    leaks = tuple(leak(layout, p) for p in model.properties if p.kind == "no_leak")
    layout.watched = {t for one in leaks for kind, t in one.channels if kind == "thread"}
    threads: list[ThreadCode] = []
    joined: set[int] = set()
    spins: set[int] = set()
    for d in decls:
        for i in range(d.count or 1):
            name = f"{d.name}[{i}]" if d.count is not None else d.name
            lowering = Lowering(layout, d, name, i, len(threads), procs)
            threads.append(lowering.run())
            joined |= lowering.joins
            spins |= lowering.spins
    threads = [with_exit(t) if k in joined else t for k, t in enumerate(threads)]
    has_loops = any(isinstance(i, ir.Jump) and i.back for t in threads for i in t.code)
    props = tuple(Property("leak", None, p.text, p.pos, frozenset(), frozenset()) if p.kind == "no_leak"
                  else race(layout, p) if p.kind == "no_race"
                  else compile_property(layout, threads, p) for p in model.properties if p.kind != "no_deadlock")
    count = sum(len(t.code) for t in threads)
    if count > MAX_INSTRS:
        raise ModelError(f"the model lowers to {count} instructions; at most {MAX_INSTRS} are supported",
                         hint="use fewer thread instances or procedure calls, or shorter statement lists")
    shared = set(layout.names.kinds)
    # a spin-wait turns once per change of what it reads: it ends when the other loops do
    bodies = [d.body for d in decls] + [p.body for p in model.procedures]
    counted_loops = all(counted(w, shared) or id(w) in spins for b in bodies for w in loops(b))
    cyclic = any(isinstance(w.cond, S.Bool) and w.cond.value for b in bodies for w in loops(b))
    return Program(model.name, model.about, model.file, tuple(layout.inputs),
                   tuple(layout.slots), tuple(layout.init), dict(layout.vars), tuple(layout.syncs),
                   tuple(threads), props, model.expect, has_loops, frozenset(joined), count,
                   counted_loops, cyclic, leaks=leaks, maps=dict(layout.maps))


def with_exit(t: ThreadCode) -> ThreadCode:
    """A joined thread ends with an `Exit` step, which `join` waits for."""
    end = Src("(thread ends)", t.code[-1].src.pos if t.code else Pos(1, 1))
    code = t.code + (ir.Exit(end),)
    return replace(t, code=code, dead=dead_locals(code, len(t.local_names), t.final), local_reads=local_reads(code),
                   guarded=guarded(code))
