"""Queues (`q: queue 4`, `q: queue`, `qs: queue[2] 4`): put, get, try_put, try_get, a timed get, len.

A bounded FIFO of values (`queue N`: capacity N) or an unbounded one (`queue`). `put q EXPR`
is enabled while the queue has room and appends (a put into an unbounded queue that holds
GROWTH items is cut: the search goes on, and the verdict is bounded); `v = get q` is enabled while it has an item
and takes the oldest; `ok = try_put q EXPR` and `ok, v = try_get q` never block (`ok` says
whether they did it; a failed `try_get` leaves `v` as it was); `ok, v = get q timeout` is a
`try_get` (docs/semantics.md, "Timed waits": in an interleaving semantics a timeout that fires
while the queue is empty is the same as finding it empty); `len(q)` reads the number of items.

State: `(head, items)`: `items` the values in order, `head` the position of the oldest item on
a ring of R positions (R = the capacity, or RING for an unbounded queue). The n-th put of an
execution writes position n mod R, the n-th get takes position n mod R.

Dependence (docs/soundness.md, "Queues"): a queue has R + 2 locations of its own
(`Dependence.queue0`): its R ring positions, its put end and its get end. A put writes the
position of its item, (head + len) mod R, and the put end; a get writes the position of its
item, head, and the get end; `put` and `get` are ACQ on the position (they may be disabled).
Two puts (or two gets) are dependent through their end. A put and a get touch the same
position exactly when the queue is empty or full (bounded: `len` is 0 or R), which is when
they do not commute; on a queue that is neither they touch different locations and commute.
The position is a property of the event (the n-th put, the m-th get), which swapping a put
with a get does not change, so both keep their classification. A `try_*` that fails only reads
its position and its end (it changes nothing; a step of the other end, or of its own, could
change what it finds); `len` reads every position.
Happens-before: a put before the get that takes its item (`happens.Monitor`, per item).
"""
from __future__ import annotations

from checker.primitives.base import (ACQ, OTHER, READ, STOP, WRITE, Declaration, Operand, Param, Statement, Surface,
                                     holds_nothing, no_holders)

KIND = "queue"
RING = 8  # the positions of an unbounded queue's ring (a put and a get R items apart: dependent)
GROWTH = 32  # an unbounded queue holding this many items is cut there: the verdict is bounded
QUEUE = (Operand(("queue",), "queue"),)
SURFACE = Surface(
    Declaration("a queue", "q: queue 4", Param("capacity", 1, 64, 4, optional=True), array_of="queues"),
    (Statement("put", QUEUE, blocks=True, atomic_ok=False, value="item", usage="put QUEUE EXPR"),
     Statement("get", QUEUE, returns="int", blocks=True, atomic_ok=False, timed=("bool", "int"),
               usage="v = get QUEUE"),
     Statement("try_put", QUEUE, returns="bool", value="item", usage="ok = try_put QUEUE EXPR"),
     Statement("try_get", QUEUE, returns=("bool", "int"), usage="ok, v = try_get QUEUE")))


def ring(obj) -> int:
    """The number of ring positions of queue `obj` (its locations: these, then its two ends)."""
    return obj.permits or RING


def initial(obj) -> tuple:
    return (0, ())


def enabled(obj, y, op: str, t: int) -> bool:
    if op == "get":
        return bool(y[1])
    if op == "put":
        return not full(obj, y)
    return True


def full(obj, y) -> bool:
    return bool(obj.permits) and len(y[1]) >= obj.permits


def apply(e, f, i, k: int, out):
    obj, (head, items) = e.program.syncs[k], f.Y[k]
    op, n = i.op, ring(obj)
    if op == "len":
        f.L[i.dst] = len(items)
        f.note("sync", "queue", f"{obj.name} has {len(items)} item{'s' * (len(items) != 1)}")
        f.pc += 1
        return None
    if op in ("put", "try_put"):
        ok, v = e.eval(f, i.arg, i.src, out)
        if not ok:
            return STOP
        room = not full(obj, (head, items))
        if room and not obj.permits and len(items) >= GROWTH:  # an unbounded queue filled on and on
            e.cut(f, f"the unbounded queue {obj.name} holds {GROWTH} items", i.src, out)
            return STOP
        if room:
            f.Y[k] = (head, items + (v,))
        if op == "try_put":
            f.L[i.dst] = room
        f.note("sync", "queue", f"puts {show(v)}: {obj.name} = {shown(items + (v,))}" if room
               else f"{obj.name} is full ({len(items)} items): nothing put")
    else:  # get, try_get, a timed get (`try_get`, timed)
        took = bool(items)
        if took:
            f.Y[k] = ((head + 1) % n, items[1:])
            f.L[i.dst2 if op == "try_get" else i.dst] = items[0]
        if op == "try_get":
            f.L[i.dst] = took
        f.note("sync", "queue", f"takes {show(items[0])}: {obj.name} = {shown(items[1:])}" if took
               else f"{obj.name} is empty: " + ("times out" if i.timed else "nothing taken"))
    f.pc += 1
    return None


def show(v) -> str:
    return ("true" if v else "false") if type(v) is bool else str(v) if type(v) is int else f"({v})"


def shown(items: tuple) -> str:
    return "[" + ", ".join(map(show, items)) + "]"


def position(obj, y, op: str) -> int:
    """The ring position the step's item is at: the tail for a put, the head for a get."""
    head, items = y
    return (head + len(items)) % ring(obj) if op in ("put", "try_put") else head


def access(dep, i, t: int, s, L) -> tuple:
    known = L is not None and (i.obj.local is None or type(L[i.obj.local]) is int)
    if s is None or not known or i.op == "len":  # any state: every location of the queue (or the array)
        return (dep.queue(i.obj, L, None, READ if i.op == "len" else WRITE, OTHER),)
    k = i.obj.id(L)
    obj, y = dep.program.syncs[k], s.Y[k]
    at = position(obj, y, i.op)
    end = ring(obj) + (i.op in ("get", "try_get"))  # the put end, or the get end
    if i.op == "try_put" and full(obj, y) or i.op == "try_get" and not y[1]:  # a try that fails only reads
        return (dep.queue(i.obj, L, at, READ, OTHER), dep.queue(i.obj, L, end, READ, OTHER))
    return (dep.queue(i.obj, L, at, WRITE, ACQ if i.op in ("put", "get") else OTHER),
            dep.queue(i.obj, L, end, WRITE, OTHER))


def state_dependent(i) -> bool:
    return True


def describe(obj, y, names) -> str | None:
    """The queue's state in words, for traces: '[3, 5] (2 of 4)'."""
    return shown(y[1]) + (f" ({len(y[1])} of {obj.permits})" if obj.permits else "")


def waits_for(obj, y, op: str) -> tuple[str, str]:
    """What a thread blocked on this queue waits for, in a deadlock report."""
    if op == "get":
        return "queue", f"an item in {obj.name} (empty)"
    return "queue", f"room in {obj.name} ({len(y[1])} of {obj.permits} items)"


holds = holds_nothing
holders = no_holders
