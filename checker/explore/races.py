"""Data races (`no_race`): which accesses are watched, and whether two of them race.

A *race* is two accesses to one watched cell (the cells of a `no_race` entry) by different
threads, one writing, neither atomic, not ordered by happens-before (happens.py computes the
order; race_states.py is the stateful searches' test). `Watch.touches` gives a step's plain
accesses to watched cells; `Watch.race` decides whether two unordered ones can touch one cell.

An access at a symbolic index covers the whole array in the dependence relation; here its
index term is kept, and two accesses race only if the solver finds the indices equal on the
path (the witness names the cell and gives the inputs; the cross-checks ask for every cell).
"""
from __future__ import annotations

from typing import NamedTuple

from checker.explore import map_races, memory
from checker.explore.state import ATOMIC, WAIT, WRITE, State, Violation
from checker.program import ir
from checker.program.model import MapVar, Program, Property, Var
from checker.symbolic import values as V
from checker.symbolic.solver import Sat

CELL = "\0cell"  # the key under which a witness model returns the racing index


class Touch(NamedTuple):
    """One plain access to watched cells: event position, thread, its seq in the thread, the
    statement (Src), READ/WRITE, the array (None for a variable), and the cell: a slot number,
    or a symbolic index term into `var`, or None (an `assume` read at an index not known)."""

    pos: int
    thread: int
    seq: int
    src: ir.Src
    mode: int
    var: Var | None
    slot: int | None
    index: object


class Watch:
    """The `no_race` entries of a program: which slots each watches."""

    def __init__(self, program: Program, dep):
        self.program = program
        self.props = [p for p in program.properties if p.kind == "race"]
        self.slots = frozenset().union(*(p.slots for p in self.props))
        self.var_of = {}
        for v in program.vars.values():
            for k in range(v.base, v.base + v.size):
                self.var_of[k] = v
        self.nM, self.sync0, self.obs = dep.nM, dep.sync0, dep.obs
        self.maps = program.maps
        self.mem_end = len(program.slots)  # past it: the maps' buckets (map_races.py)

    def __bool__(self) -> bool:
        return bool(self.props)

    def touches(self, code: tuple, s: State, t: int, A: tuple, pos: int, seq: int) -> list[Touch]:
        """The plain accesses to watched cells of thread t's step from s (accesses A)."""
        ts = s.T[t]
        if ts.status == WAIT or ts.pc >= len(code):
            return []
        out = map_races.touches(self, code, s, t, A, pos, seq, Touch) if self.maps else []
        for a in A:
            if a.op == ATOMIC or a.lo >= self.nM or not any(a.lo <= k < a.hi for k in self.slots):
                continue
            if a.lo >= self.mem_end:  # a map's buckets: its touches are above
                continue
            i = code[ts.pc]
            var = self.var_of[a.lo]
            if type(i) in (ir.Read, ir.Write) and i.var.base == var.base:
                src = i.src
                index = None if a.hi - a.lo == 1 or i.index is None else memory.index_value(i.index, ts.L, s.M)
            else:  # an in-place read of an `assume` in the step's local work
                src = next((j.src for j in code[ts.pc + 1:] if type(j) is ir.Assume
                            and any(lo <= a.lo < hi for lo, hi in j.reads)), i.src)
                index = None
            if a.hi - a.lo == 1:
                out.append(Touch(pos, t, seq, src, a.mode, var if var.array else None, a.lo, None))
            else:
                out.append(Touch(pos, t, seq, src, a.mode, var, None, index))
        return out

    def cells(self, x: Touch) -> range:
        if type(x.var) is MapVar:
            return map_races.cells(x)
        if x.slot is not None:
            return range(x.slot, x.slot + 1)
        return range(x.var.base, x.var.base + x.var.size)

    def race(self, e, x: Touch, y: Touch, path: tuple, only=None, every_cell: bool = False) -> list[Violation]:
        """Violations (one per `no_race` entry that watches the cell, except those `only`
        rejects) if x and y can touch one cell on `path`; x and y are of different threads,
        one writes, and they are not ordered."""
        if not (x.mode == WRITE or y.mode == WRITE):
            return []
        if type(x.var) is MapVar or type(y.var) is MapVar:
            return map_races.race(self, e, x, y, path, only, every_cell)
        common = set(self.cells(x)) & set(self.cells(y)) & self.slots
        if not common:
            return []
        if x.slot is not None and y.slot is not None:
            cond, slot = True, x.slot
        else:
            var = x.var if x.slot is None else y.var
            ix = x.slot - var.base if x.slot is not None else x.index
            iy = y.slot - var.base if y.slot is not None else y.index
            if ix is None or iy is None:  # an `assume` read at an unknown index: any cell
                ix = iy if ix is None else ix
                iy = ix
            if ix is None:
                cond, slot = True, min(common)
            else:
                cond = V.compare("==", ix, iy)
                slot = var.base + ix if type(ix) is int else None
        props = [p for p in self.props if (slot in p.slots if slot is not None else p.slots & common)
                 and (only is None or only(p))]
        if not props:
            return []
        if every_cell and slot is None and ix is not None:  # the cross-checks: each cell they can share
            out = []
            for k in sorted(common):
                at_k = V.and_(V.compare("==", ix, k - var.base), V.compare("==", iy, k - var.base))
                out += self.race_at(e, path, at_k, x, y, k, props)
            return out
        values, slot = self.witness(e, path, cond, x, y, slot)
        if values is False:
            return []
        loc = self.program.slots[slot].name
        return [violation(self.program, p, loc, x, y, values) for p in props if slot in p.slots]

    def race_at(self, e, path: tuple, cond, x: Touch, y: Touch, slot: int, props: list) -> list[Violation]:
        """The race of x and y on cell `slot` (where `cond` says both indices point), if they can be there."""
        values, _ = self.witness(e, path, cond, x, y, slot)
        if values is False:
            return []
        loc = self.program.slots[slot].name
        return [violation(self.program, p, loc, x, y, values) for p in props if slot in p.slots]

    def witness(self, e, path: tuple, cond, x: Touch, y: Touch, slot):
        """(a model of the inputs, the racing slot), or (False, None) if the indices cannot be equal."""
        if cond is False:
            return False, None
        if cond is True and slot is not None:
            if e.values is not None:
                return None, slot
            return (e.solver.model(path, None, e.symbols) if (path or e.symbols) else {}), slot
        if cond is True:  # one index term on both sides: the cell is whichever it is
            cond = None
        else:
            r = e.solver.check(path, cond)
            if r is Sat.UNKNOWN:
                e.unknowns.append(f"solver returned unknown on whether two accesses touch one cell "
                                  f"(lines {x.src.pos.line} and {y.src.pos.line})")
                return False, None
            if r is Sat.UNSAT:
                return False, None
        term = x.index if x.slot is None else y.index
        model = e.solver.model(path, cond, {**e.symbols, CELL: term})
        if model is None:
            return False, None
        var = x.var if x.slot is None else y.var
        return ({k: v for k, v in model.items() if k != CELL} if e.values is None else None), var.base + model[CELL]


def violation(program: Program, prop: Property, loc: str, x: Touch, y: Touch, values) -> Violation:
    """The race between x and y on loc, as a violation of `prop` (its `no_race` entry)."""
    names = [t.name for t in program.threads]

    def one(a: Touch) -> dict:
        return {"thread": names[a.thread], "statement": a.src.text, "line": a.src.pos.line,
                "col": a.src.pos.col, "access": "write" if a.mode == WRITE else "read", "location": loc}

    first, second = one(x), one(y)
    words = " and ".join(f"{a['thread']} {a['access']}s it in '{a['statement']}' (line {a['line']})"
                         for a in (first, second))
    return Violation("race", f"data race on {loc}: {words}, not ordered by happens-before", prop.text,
                     prop.pos.line, prop.pos.col, values, {"location": loc, "accesses": [first, second]})
