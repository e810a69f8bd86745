"""Loops, as written: which `while` statements a thread has, and which of them surely end.

A model whose every loop is counted (or a spin-wait) has finite executions only; one with a
`while true` is a server, searched statefully (`model.Program.counted_loops`, `cyclic`).
"""
from __future__ import annotations

from checker.lang import syntax as S


def loops(body) -> list:
    """Every `while` statement in a list of statements, nested ones included."""
    return [s for s in statements(body) if isinstance(s, S.While)]


def counted(w: S.While, names: set) -> bool:
    """Is `w` a counted loop: `while k < N` or `k <= N` with k a local and N a literal, whose
    body increases k by a positive literal in a statement that runs on every turn (at the top
    of the body, or of an atomic block there) and assigns k nowhere else? Then k grows on every
    turn, so the loop ends after finitely many turns each time it is entered. `names` are the
    model's global names (inputs, shared resources, threads): any other name is a local.
    A `continue` of `w` (one not inside a nested loop) may skip the increment: such a loop is
    never counted; a `break` or `return` only leaves it sooner."""
    c = w.cond
    if not (isinstance(c, S.Binary) and c.op in ("<", "<=") and isinstance(c.left, S.Name)
            and isinstance(c.right, S.Num)):
        return False
    k = c.left.id
    if k == "tid" or k in names or restarts(w.body):
        return False

    def assigns(s) -> bool:
        return isinstance(s, S.Assign) and isinstance(s.target, S.Name) and s.target.id == k

    def bump(s) -> bool:
        if not assigns(s):
            return False
        v = s.value
        return isinstance(v, S.Binary) and v.op == "+" and (
            (isinstance(v.left, S.Name) and v.left.id == k and isinstance(v.right, S.Num) and v.right.value > 0)
            or (isinstance(v.right, S.Name) and v.right.id == k and isinstance(v.left, S.Num) and v.left.value > 0))

    every_turn = list(w.body) + [b for s in w.body if isinstance(s, S.Atomic) for b in s.body]
    bumps = [s for s in every_turn if bump(s)]
    return len(bumps) == 1 and all(not assigns(s) or s is bumps[0] for s in statements(w.body))


def restarts(body) -> bool:
    """Does a `continue` in `body` restart the loop whose body it is (not a nested loop)?"""
    for s in body:
        if isinstance(s, S.Jump) and s.op == "continue":
            return True
        if isinstance(s, S.Labeled) and restarts([s.stmt]):
            return True
        if isinstance(s, S.Atomic) and restarts(s.body):
            return True
        if isinstance(s, S.If) and (restarts(s.then) or restarts(s.orelse)):
            return True
    return False


def statements(body) -> list:
    """Every statement in a list of statements, nested ones included."""
    out = []
    for s in body:
        out.append(s)
        if isinstance(s, S.Labeled):
            out.extend(statements([s.stmt]))
        elif isinstance(s, (S.While, S.Atomic)):
            out.extend(statements(s.body))
        elif isinstance(s, S.If):
            out.extend(statements(s.then) + statements(s.orelse))
    return out
