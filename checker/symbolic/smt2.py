"""Proof obligations as SMT-LIB 2: what the solver was asked, kept so that it can be re-checked.

A `Recorder` belongs to one run: `verify` gives one to the `Solver` of a search when
`--emit-smt2` asks for it, and nothing else holds it, so two models verified in one process
never share obligations. Without one the solver records nothing.

Each query the solver decides is *noted* with the constraints it asked about (the base ranges,
the path and the extra condition; or a `no_leak` query's own constraints), the answer, and who
gave it: `z3` (a query that reached z3, counted in the `solver_calls` statistic), `intervals`
(answered unsat by `bounds.py` without z3) or `memo` (the same question asked again, answered
from the memo). The constraints become a standalone script (`script`): `(set-info :status
ANSWER)`, `(set-logic ...)`, the declarations, one `(assert ...)` per constraint and
`(check-sat)`. Scripts with the same text are one `Obligation`; every time it was asked is
counted against where it was asked from (`origin.where`: its property, model line and meaning).

Bounded: at most `limit` obligations (MAX_FILES); a new query after that is only counted in
`unrecorded` (by who answered it) and `capped` is set. So the count of z3 answers over the
obligations plus `unrecorded['z3']` is exactly the number of queries that reached z3.
"""
from __future__ import annotations

import hashlib
import re

import z3

from checker.symbolic.origin import where

MAX_FILES = 10_000  # obligations written per model
MAX_REFERENCES = 64  # distinct places kept per obligation (the rest are counted in `others`)
HOW = ("z3", "memo", "intervals")

# the SMT-LIB logics a script may name; any other combination is written as ALL
LOGICS = {"QF_LIA", "QF_NIA", "QF_ALIA", "QF_ANIA", "QF_UFLIA", "QF_UFNIA", "QF_AUFLIA", "QF_AUFNIA",
          "LIA", "NIA", "ALIA", "UFLIA", "UFNIA", "AUFLIA"}
_SIMPLE = re.compile(r"[A-Za-z~!@$%^&*_+=<>.?/-][A-Za-z0-9~!@$%^&*_+=<>.?/-]*\Z")  # SMT-LIB simple symbol
_RESERVED = {"par", "NUMERAL", "DECIMAL", "STRING", "_", "!", "as", "let", "exists", "forall", "match"}


class Obligation:
    """One distinct script: its text, the answer the checker got, who answered it first, and
    where it was asked from (origin -> {how: count})."""

    __slots__ = ("number", "text", "logic", "answer", "how", "refs", "others")

    def __init__(self, number: int, text: str, logic: str | None, answer: str, how: str):
        self.number = number
        self.text = text
        self.logic = logic
        self.answer = answer  # 'sat', 'unsat' or 'unknown'
        self.how = how  # who gave the answer: 'z3' or 'intervals'
        self.refs: dict = {}
        self.others = dict.fromkeys(HOW, 0)  # asked from more places than MAX_REFERENCES

    def count(self, origin: tuple, how: str) -> None:
        counts = self.refs.get(origin)
        if counts is None:
            if len(self.refs) >= MAX_REFERENCES:
                self.others[how] += 1
                return
            counts = self.refs[origin] = dict.fromkeys(HOW, 0)
        counts[how] += 1

    def asked(self) -> dict:
        """How many times, by who answered: {'z3': n, 'memo': n, 'intervals': n}."""
        return {h: sum(c[h] for c in self.refs.values()) + self.others[h] for h in HOW}


class Recorder:
    def __init__(self, limit: int = MAX_FILES):
        self.limit = limit
        self.obligations: list[Obligation] = []
        self.unrecorded = dict.fromkeys(HOW, 0)
        self.capped = False
        self.last: Obligation | None = None  # the obligation of the latest `note` (the memo keeps it)
        self._by_text: dict = {}  # sha256 of a script -> its Obligation
        self._logic = Logic()

    def note(self, how: str, answer, constraints: list) -> None:
        """A query answered by z3 or by the intervals (`answer`: a `solver.Sat`)."""
        self.last = None
        if len(self.obligations) >= self.limit:
            self.capped = True
            self.unrecorded[how] += 1
            return
        text, logic = script(constraints, answer.value, self._logic)
        digest = hashlib.sha256(text.encode()).digest()
        ob = self._by_text.get(digest)
        if ob is None:
            ob = Obligation(len(self.obligations) + 1, text, logic, answer.value, how)
            self.obligations.append(ob)
            self._by_text[digest] = ob
        elif ob.answer == "unknown" and answer.value != "unknown":
            ob.answer, ob.how = answer.value, how  # decided now (a longer timeout)
        ob.count(where(), how)
        self.last = ob

    def again(self, ob: Obligation | None) -> None:
        """A memo hit on a query noted as `ob` (None: it was not recorded, past the cap)."""
        if ob is None:
            self.unrecorded["memo"] += 1
        else:
            ob.count(where(), "memo")

    def asked(self) -> dict:
        out = dict.fromkeys(HOW, 0)
        for ob in self.obligations:
            for h, n in ob.asked().items():
                out[h] += n
        return out


def script(constraints: list, status: str, logic: "Logic | None" = None) -> tuple[str, str | None]:
    """(the SMT-LIB 2 script of `constraints`, its logic or None). The script says `status`
    (`(set-info :status unsat)`), so z3 itself complains if it answers otherwise. `logic` (a
    run's `Logic`, which caches what it learnt about each constraint) finds the logic."""
    cs = [c for c in constraints if not (type(c) is bool and c)]
    if any(type(c) is bool for c in cs):
        cs = [z3.BoolVal(False)]  # a literal false: unsat whatever else
    if not cs:
        cs = [z3.BoolVal(True)]
    cs = [z3.BoolVal(c) if type(c) is bool else c for c in cs]
    name, odd = (logic or Logic()).of(cs)
    asts = (z3.Ast * (len(cs) - 1))(*[c.as_ast() for c in cs[:-1]])
    text = z3.Z3_benchmark_to_smtlib_string(cs[0].ctx_ref(), "", name or "", status, "", len(cs) - 1, asts,
                                            cs[-1].as_ast())
    text = text.split("\n", 1)[1] if text.startswith(";") else text  # z3's empty benchmark-name comment
    if odd:
        text = _quote(text, odd)
    return _renumber(text), name


_LET = re.compile(r"(?<![^\s()])([$?]x|a!)(\d+)(?![^\s()])")


def _renumber(text: str) -> str:
    """z3 names let-bound terms after their AST ids ($x9), which depend on what the process
    built before; numbered in order of appearance instead, the same query is the same text in
    every run, so the files and their hash repeat."""
    seen: dict = {}

    def number(m) -> str:
        return m.group(1) + str(seen.setdefault(m.group(0), len(seen) + 1))

    return _LET.sub(number, text)


# what a term needs of a logic (bits of a mask); OTHER: something no logic below names
_QUANTIFIED, _ARRAYS, _UF, _NONLINEAR, _OTHER = 1, 2, 4, 8, 16
_kind_of, _decl, _decl_kind = z3.Z3_get_ast_kind, z3.Z3_get_app_decl, z3.Z3_get_decl_kind
_nargs, _arg, _id, _sort = z3.Z3_get_app_num_args, z3.Z3_get_app_arg, z3.Z3_get_ast_id, z3.Z3_get_sort
_sort_kind = z3.Z3_get_sort_kind
_PLAIN_SORTS = (z3.Z3_INT_SORT, z3.Z3_BOOL_SORT)


class Logic:
    """The smallest SMT-LIB logic a set of constraints fits in, and the constant names that are
    not SMT-LIB simple symbols. Walks raw ASTs through the C API (like `bounds._Eval`), and
    remembers what it found for every node: a run's queries share most of their terms (the
    path's conjuncts, the cells of the state), so each is looked at once per run."""

    def __init__(self, limit: int = 200_000):
        self.limit = limit
        self._roots: dict = {}  # constraint id -> the constraint: keeps the nodes below alive
        self._nodes: dict = {}  # node id -> (mask, odd names) of the term below it

    def of(self, cs: list) -> tuple[str | None, set]:
        mask, odd = 0, set()
        for c in cs:
            if len(self._nodes) < self.limit:
                self._roots.setdefault(c.get_id(), c)
                m, o = _walk(c, self._nodes)
            else:
                m, o = _walk(c, {})  # past the limit: nothing kept (a freed node's id is reused)
            mask |= m
            odd |= o
        if mask & _OTHER:
            return None, odd
        name = ("" if mask & _QUANTIFIED else "QF_") + ("A" if mask & _ARRAYS else "") + \
               ("UF" if mask & _UF else "") + ("NIA" if mask & _NONLINEAR else "LIA")
        return (name if name in LOGICS else "ALL"), odd


_NONE: frozenset = frozenset()


def _walk(t, memo: dict) -> tuple[int, frozenset]:
    """(mask, odd names) of the term t; memo: node id -> the same, of the nodes already seen."""
    ctx = t.ctx_ref()
    todo = [(t.as_ast(), None)]
    while todo:
        a, below = todo.pop()
        i = _id(ctx, a)
        if below is not None:  # every node below is done: add theirs to its own
            mask, odd = below[0], below[1]
            for j in below[2]:
                m, o = memo[j]
                mask |= m
                odd = odd | o if o else odd
            memo[i] = (mask, odd)
            continue
        if i in memo:
            continue
        mask, odd, kids = _own(ctx, a)
        todo.append((a, (mask, odd, [_id(ctx, k) for k in kids])))
        todo.extend((k, None) for k in kids)
    return memo[_id(ctx, t.as_ast())]


def _own(ctx, a) -> tuple[int, frozenset, list]:
    """What node a itself needs (mask, odd names), and the nodes right below it."""
    k = _kind_of(ctx, a)
    if k == z3.Z3_QUANTIFIER_AST:
        mask = _QUANTIFIED
        for j in range(z3.Z3_get_quantifier_num_bound(ctx, a)):
            if _sort_kind(ctx, z3.Z3_get_quantifier_bound_sort(ctx, a, j)) not in _PLAIN_SORTS:
                mask |= _OTHER
        return mask, _NONE, [z3.Z3_get_quantifier_body(ctx, a)]
    if k == z3.Z3_VAR_AST:
        return 0, _NONE, []
    mask = 0
    sk = _sort_kind(ctx, _sort(ctx, a))
    if sk == z3.Z3_ARRAY_SORT:
        mask |= _ARRAYS
    elif sk not in _PLAIN_SORTS:
        mask |= _OTHER
    if k != z3.Z3_APP_AST:
        return mask, _NONE, []  # a numeral
    d = _decl(ctx, a)
    dk, n = _decl_kind(ctx, d), _nargs(ctx, a)
    kids = [_arg(ctx, a, j) for j in range(n)]
    odd = _NONE
    if dk == z3.Z3_OP_UNINTERPRETED:
        if n > 0:
            mask |= _UF
        name = z3.Z3_get_symbol_string(ctx, z3.Z3_get_decl_name(ctx, d))
        if not _SIMPLE.match(name) or name in _RESERVED:
            odd = frozenset([name])
    elif dk == z3.Z3_OP_MUL:
        if sum(_kind_of(ctx, x) != z3.Z3_NUMERAL_AST for x in kids) > 1:
            mask |= _NONLINEAR
    elif dk in (z3.Z3_OP_IDIV, z3.Z3_OP_MOD, z3.Z3_OP_REM):
        if _kind_of(ctx, kids[1]) != z3.Z3_NUMERAL_AST:
            mask |= _NONLINEAR
    elif dk in (z3.Z3_OP_POWER, z3.Z3_OP_TO_REAL, z3.Z3_OP_TO_INT, z3.Z3_OP_IS_INT):
        mask |= _OTHER
    return mask, odd, kids


def _quote(text: str, names: set) -> str:
    """The script with each of `names` written |quoted| (z3 prints x' bare; SMT-LIB needs |x'|)."""
    bare = sorted(names, key=len, reverse=True)
    pattern = re.compile(r"(?<=[\s()])(" + "|".join(re.escape(n) for n in bare) + r")(?=[\s()])")
    return pattern.sub(lambda m: "|" + m.group(1) + "|", text)
