"""Where a recorded query was asked from: its property, model line and meaning, in words.

The solver's API carries no label: a query is `check(path, extra)`, `model(...)` or
`decide(constraints)`. When (and only when) queries are recorded, `where()` reads the asker
from the call stack: the first frame outside the solver is one of the few functions of the
search that ask (`ASKERS`: the function's name -> how to read its locals), and the outermost
solver method on the way (check, model, decide, value_in) tells what was asked. A caller this
table does not know still gets a reference, "a query from FUNCTION (FILE:LINE)", and
tests/test_smt2.py fails on one, so a renamed caller cannot go unnoticed.

An origin is a tuple (meaning, property kind or None, property text or None, line, column):
the kind of an always-on check ('assert', 'runtime', 'deadlock') comes without text (the caller
names it, as the result's property table does); None for both is path feasibility, which every
property's verdict rests on.
"""
from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
_SOLVER = {os.path.join(_HERE, "solver.py"), os.path.join(_HERE, "smt2.py"), os.path.abspath(__file__)}


def where() -> tuple:
    """The origin of the query being recorded (see the module docstring)."""
    f = sys._getframe(1)
    method = "check"
    while f is not None and f.f_code.co_filename in _SOLVER:
        if f.f_code.co_filename.endswith("solver.py") and not f.f_code.co_name.startswith(("_", "<")):
            method = f.f_code.co_name  # the outermost public solver method
        f = f.f_back
    if f is None:
        return ("a query from outside the search", None, None, None, None)
    read = ASKERS.get(f.f_code.co_name)
    if read is not None:
        try:
            return read(f, method)
        except (KeyError, AttributeError, TypeError, IndexError):
            pass  # a caller changed shape: fall through to the plain reference
    return (f"a query from {f.f_code.co_name} ({os.path.basename(f.f_code.co_filename)}:{f.f_lineno})",
            None, None, None, None)


def _pos(src) -> tuple:
    return src.pos.line, src.pos.col


def _up(f, name: str):
    """The nearest frame above f of the function `name`."""
    f = f.f_back
    while f is not None and f.f_code.co_name != name:
        f = f.f_back
    if f is None:
        raise KeyError(name)
    return f


def _obligation(f, method):  # Engine.obligation: an assertion or a runtime check on a term
    L = f.f_locals
    return (f"the {L['kind']} check can fail on this path: {L['message']}", L["kind"], None, *_pos(L["src"]))


def _violate(f, method):  # Engine.violate: the model of a counterexample
    L = f.f_locals
    return (f"the counterexample has inputs (a model gives them): {L['message']}", L["kind"], None, *_pos(L["src"]))


def _feasible(f, method):  # Engine.feasible: which way the path can go
    g = f.f_back
    while g is not None and not hasattr(g.f_locals.get("i"), "src"):
        g = g.f_back
    if g is None:
        raise KeyError("i")
    src = g.f_locals["i"].src
    what = {"_assume": f"the assumption '{src.text}' can hold on this path",
            "can_leave": f"the spin-wait test '{src.text}' can be false on this path (the thread can leave)"}
    return (what.get(g.f_code.co_name, f"the condition of '{src.text}' can go this way on this path"),
            None, None, *_pos(src))


def _holds(f, method):  # monitors.holds: an `always` or `final` property in one state
    p = f.f_locals["prop"]
    if method == "model":
        meaning = f"the counterexample has inputs (a model gives them): the {p.kind} property is false"
    else:
        meaning = f"the {p.kind} property can be false in this state"
    return (meaning, p.kind, p.text, p.pos.line, p.pos.col)


def _stuck(f, method):  # monitors.on_stuck: the model of a deadlock
    return ("the deadlock has inputs (a model gives them)", "deadlock", None, None, None)


def _witness(f, method):  # races: can two unordered accesses touch one cell
    L = f.f_locals
    x, y = L["x"], L["y"]
    p = _up(f, "race").f_locals["props"][0]
    lines = f"lines {x.src.pos.line} and {y.src.pos.line}"
    meaning = (f"the race ({lines}) has inputs and a cell (a model gives them)" if method == "model"
               else f"the accesses at {lines} can touch the same cell")
    return (meaning, p.kind, p.text, p.pos.line, p.pos.col)


def _resolve(f, method):  # a mutex-array index on a term
    i = f.f_locals["i"]
    meaning = ("the mutex index can take the value this query asks about" if method == "value_in"
               else f"the mutex index can be outside 0..{i.size - 1} (a runtime error)")
    return (meaning, "runtime", None, *_pos(i.src))


def _find_leak(f, method):  # leaks.find_leak: the `no_leak` query of one execution
    L = f.f_locals
    leak = _up(f, "decide").f_locals["leak"]
    return (f"execution {L['i'] + 1} of {len(L['rs'])} leaks: no execution under another value of the "
            "secret inputs shows what it shows", "leak", leak.text, leak.pos.line, leak.pos.col)


def _leak_witness(f, method):  # leaks._witness: what the second valuation can show instead
    leak = _up(f, "decide").f_locals["leak"]
    return ("this execution can run under the leak's second valuation (for the counterexample)", "leak",
            leak.text, leak.pos.line, leak.pos.col)


ASKERS = {
    "obligation": _obligation, "violate": _violate, "feasible": _feasible, "holds": _holds,
    "on_stuck": _stuck, "witness": _witness, "_resolve": _resolve, "find_leak": _find_leak,
    "_witness": _leak_witness,
}
