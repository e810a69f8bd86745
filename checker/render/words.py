"""Wording shared by every renderer: counts with the right plural, the violation a result shows,
the values that made a `final` or `always` property false, and a deadlock's heading."""
from __future__ import annotations

import re

from checker.result import Result

NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 step', '2 steps', '1 property', '3 properties' (give `many` when it is not word + s)."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def shown_violation(r: Result):
    """The violation to show: the replay's for a deadlock (it knows which signals the trace sent,
    so it can tell a lost wake-up from a missing signal), else the search's."""
    v = r.violation
    t = r.trace
    if v is not None and t is not None and v.kind == "deadlock" and t.violation.kind == "deadlock":
        return t.violation
    return v


def show_value(x) -> str:
    """A value as the model language writes it: true/false, integers, arrays as [1, 2]."""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, list):
        return "[" + ", ".join(show_value(c) for c in x) + "]"
    return str(x)


def property_values(r: Result) -> str | None:
    """For a violated `final` or `always`: the property with the values that made it false,
    e.g. '0 == -1 + 0 is false', or 'false with d = [1, 2], k = 3' when arrays or `at()` take
    part. None when there is nothing to show."""
    v, t = r.violation, r.trace
    if v is None or t is None or v.kind not in ("final", "always"):
        return None
    env = {**{k: show_value(x) for k, x in t.inputs.items()},
           **{k: show_value(x) for k, x in t.state["shared"].items()}}
    used = list(dict.fromkeys(m.group() for m in NAME.finditer(v.text) if m.group() in env))
    if not used:
        return None
    simple = "at(" not in v.text.replace(" ", "") and all(not isinstance(t.state["shared"].get(n), list) for n in used)
    if simple:
        return NAME.sub(lambda m: env.get(m.group(), m.group()), v.text) + " is false"
    return "false with " + ", ".join(f"{n} = {env[n]}" for n in used)


def deadlock_heading(v) -> str:
    """'deadlock: a cycle of waits', 'deadlock: lost wake-up', ...: the message without the
    per-thread list, which the renderer prints one line per thread."""
    return f"deadlock: {(v.detail or {}).get('summary') or 'no thread can move'}"
