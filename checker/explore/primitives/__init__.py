"""One module per resource kind: its state, its step semantics, when it is enabled, the locations
it touches (its dependence) and whom a thread blocked on it waits for.

`memory` (variables and arrays), `mutex`, `rwlock`, `semaphore`, `condition` (with `wait` and
the re-acquisition), `thread` (`join` and a joined thread's exit). A sync object's operations go
through `SYNC[kind]`: `initial(obj)`, `enabled(y, op, t)`, `apply(e, f, i, k, out)`,
`access(dep, i, t, s, L)`, `state_dependent(i)`, `holds(y, t)`, `holders(y)`. Adding a kind of
sync object is one module here and one entry in `SYNC`.
"""
from __future__ import annotations

from checker.explore.primitives import condition, mutex, rwlock, semaphore

SYNC = {m.KIND: m for m in (mutex, rwlock, semaphore, condition)}
