"""The `no_leak` query: possibilistic noninterference over the explored executions.

Input: the executions a search explored, each as its path condition P_i (a tuple of boolean
terms over the inputs and its own `any` draws) and its observations O_i (per observation
channel, the tuple of values the observer saw: ints, bools or terms). Two valuations v1, v2
*agree off S* when they give every input outside the secret inputs S the same value. There is a
leak iff, for some i, there are v1, v2 agreeing off S, with some execution from v2 (v2 is in the
input domain: `assume` may discard every execution of a valuation) and

    P_i(v1, d_i)  and  for every j of O_i's shape:  for all d_j: not (P_j(v2, d_j) and O_j(v2, d_j) == O_i(v1, d_i))

(d_i, d_j: the `any` draws of i and of j, existential on the first side, universal inside the
negation on the second: an execution of v2 may draw any value). An execution whose P_i and O_i do
not mention S needs no query: v2 = v1 with S changed satisfies P_i and gives the same O_i. The
argument that the explored executions are enough is in docs/soundness.md, "Noninterference".

Contract: one query per execution that mentions a secret, through `Solver.decide`; `unknown`
is never read as "no leak": `find_leak` then returns the reason (a str), never None.
"""
from __future__ import annotations

from dataclasses import dataclass

import z3

from checker.symbolic.solver import Sat
from checker.symbolic.values import key, term

MAX_INSTEAD = 8  # observations shown for the second valuation (each costs a query)


@dataclass(frozen=True)
class Input:
    name: str
    const: object  # its z3 constant
    lo: int | None
    hi: int | None
    secret: bool  # one of the `no_leak` entry's S


@dataclass(frozen=True)
class Witness:
    """A leak: execution `run` under the first valuation sees `seen`, which no execution under
    the second valuation (the same inputs, the secrets as in `secret2`) sees; `instead` are
    observations possible there (a sample, one per explored execution that can run)."""

    run: int
    values: dict  # first valuation: every symbol (inputs, draws of `run`) -> int | bool
    secret2: dict  # secret input -> its value in the second valuation
    seen: tuple  # per channel: the concrete values seen under the first valuation
    instead: tuple  # per channel tuples, each one observation possible under the second


def _is_bool(v) -> bool:
    return type(v) is bool or (type(v) is not int and z3.is_bool(v))


def _consts(terms, memo: dict) -> dict:
    """The uninterpreted constants (name -> constant) that the terms mention."""
    out: dict = {}
    for t in terms:
        if not z3.is_expr(t):
            continue
        hit = memo.get(t.get_id())
        if hit is None:
            hit = {}
            todo, done = [t], set()
            while todo:
                u = todo.pop()
                if u.get_id() in done:
                    continue
                done.add(u.get_id())
                if z3.is_const(u) and u.decl().kind() == z3.Z3_OP_UNINTERPRETED:
                    hit[str(u)] = u
                else:
                    todo.extend(u.children())
            memo[t.get_id()] = (t, hit)  # keeps t alive: z3 reuses the id of a freed term
        else:
            hit = hit[1]
        out.update(hit)
    return out


def _ranges(inp: Input, c) -> list:
    return [] if inp.lo is None else [c >= inp.lo, c <= inp.hi]


def _value(m, t):
    v = m.eval(term(t, m.ctx), model_completion=True)
    return v.as_long() if z3.is_int_value(v) else z3.is_true(v)


class _Run:
    __slots__ = ("pc", "flat", "shape", "draws", "secret")

    def __init__(self, pc, seen, inputs: dict, secret: set, memo: dict):
        self.pc = tuple(pc)
        self.flat = tuple(v for channel in seen for v in channel)
        self.shape = tuple((len(channel), tuple(_is_bool(v) for v in channel)) for channel in seen)
        consts = _consts(self.pc + self.flat, memo)
        self.draws = [c for name, c in consts.items() if name not in inputs]
        self.secret = any(name in secret for name in consts)


def find_leak(solver, inputs: list[Input], runs: list[tuple], symbols: dict):
    """runs: [(path condition, observations per channel)]. Returns a Witness, a str (why the
    answer is unknown: never read as "no leak"), or None (no leak)."""
    by_name = {inp.name: inp for inp in inputs}
    secret = {inp.name for inp in inputs if inp.secret}
    memo: dict = {}
    rs = [_Run(pc, seen, by_name, secret, memo) for pc, seen in runs]
    ctx = solver.ctx
    primed = {inp.name: (z3.Bool if z3.is_bool(inp.const) else z3.Int)(f"{inp.name}'", ctx)
              for inp in inputs if inp.secret}
    swap = [(by_name[n].const, c) for n, c in primed.items()]  # the second valuation: S renamed
    base = [r for inp in inputs for r in _ranges(inp, inp.const)]
    base += [r for n, c in primed.items() for r in _ranges(by_name[n], c)]

    def second(r: _Run, tag: str, terms) -> tuple[list, list]:
        """r's terms under the second valuation, its draws renamed apart: (terms, new draws)."""
        fresh = [z3.Const(f"{d}@{tag}", d.sort()) for d in r.draws]
        pairs = swap + list(zip(r.draws, fresh))
        return [z3.substitute(term(t, ctx), *pairs) if pairs else term(t, ctx) for t in terms], fresh

    # v2 runs some execution: an `assume` that discards every execution of a valuation puts it
    # outside the input domain (existential draws: fresh free constants)
    alive = []
    for j, r in enumerate(rs):
        pc, _ = second(r, f"live{j}", r.pc)
        alive.append(z3.And(*pc) if pc else z3.BoolVal(True, ctx))
    live = z3.Or(*alive) if alive else z3.BoolVal(False, ctx)
    unknown = None
    for i, ri in enumerate(rs):
        if not ri.secret:
            continue  # neither its path nor what it shows depends on S: v2 = v1[S := S'] runs it too
        cons = base + list(ri.pc) + [live]
        for j, rj in enumerate(rs):
            if rj.shape != ri.shape:
                continue
            terms, fresh = second(rj, f"{j}", rj.pc + rj.flat)
            pc, flat = terms[:len(rj.pc)], terms[len(rj.pc):]
            same = [term(a, ctx) == term(b, ctx) for a, b in zip(flat, ri.flat)]
            body = z3.And(*pc, *same) if pc or same else z3.BoolVal(True, ctx)
            cons.append(z3.ForAll(fresh, z3.Not(body)) if fresh else z3.Not(body))
        answer, m = solver.decide(cons)
        if answer is Sat.UNKNOWN:
            unknown = unknown or f"solver returned unknown on the no_leak query for execution {i + 1} of {len(rs)}"
            continue
        if answer is Sat.SAT:
            return _witness(solver, m, i, ri, rs, runs, inputs, primed, symbols)
    return unknown


def _witness(solver, m, i: int, ri: _Run, rs: list, runs: list, inputs: list, primed: dict, symbols: dict) -> Witness:
    values = {name: _value(m, c) for name, c in symbols.items()}
    secret2 = {name: _value(m, c) for name, c in primed.items()}
    seen = tuple(tuple(_value(m, v) for v in channel) for channel in runs[i][1])
    ctx = solver.ctx
    v2 = [(inp.const, term(secret2[inp.name] if inp.secret else values[inp.name], ctx)) for inp in inputs]
    instead: list = []
    keys = set()
    for j, rj in enumerate(rs[:MAX_INSTEAD * 8]):
        if len(instead) >= MAX_INSTEAD:
            break
        answer, mj = solver.decide([z3.substitute(c, *v2) for c in rj.pc] or [z3.BoolVal(True, ctx)])
        if answer is not Sat.SAT:
            continue
        obs = tuple(tuple(_value(mj, z3.substitute(term(v, ctx), *v2)) for v in channel) for channel in runs[j][1])
        k = tuple(tuple(key(v) for v in channel) for channel in obs)
        if k not in keys:
            keys.add(k)
            instead.append(obs)
    return Witness(i, values, secret2, seen, tuple(instead))
