"""Random models with queues and timed waits, a family of their own (tests/oracle/gen.py's
programs are unchanged, so its fixed CI seeds still draw the same ones).

2-5 threads of 1-3 units over a queue `q` (capacity 1, 2, or unbounded), a queue array
`qs: queue[2] 1` indexed by a constant, `tid` or a local, and x, y, a mutex `m`, a semaphore
`s`, a condition `cv`: blocking `put` / `get` (a queue that stays empty or full is a deadlock),
`try_put`, `try_get`, `len(q)` in assignments and conditions, the timed forms of `lock`,
`acquire` and `get` (their `try` forms) and, unless `QueueConfig.counts`, timed waits on `cv`
whose timeout may fire while nobody signals, and properties over `len(q)`. `QUEUE_COUNTS`
draws only what the exact trace counts hold for: no assertion that can fail, no timed `wait`,
no property.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass

from hypothesis import strategies as st

from oracle.gen import DrawChooser, RandomChooser


@dataclass(frozen=True)
class QueueConfig:
    threads: tuple = (2, 5)
    units: tuple = (1, 3)
    counts: bool = False  # only what trace counts hold for (see the module's text)
    max_steps: int = 11  # a cap on the steps of all threads together (the brute force stays cheap)
    spawns: bool = False  # a thread `w` with `start: spawned` (count 1-2, a parameter) that others spawn


QUEUE_GENERAL = QueueConfig()
QUEUE_COUNTS = QueueConfig(threads=(2, 4), counts=True, max_steps=10)
SPAWN_GENERAL = QueueConfig(threads=(1, 3), spawns=True)
SPAWN_COUNTS = QueueConfig(threads=(1, 3), counts=True, max_steps=9, spawns=True)


def queue_program(c, cfg: QueueConfig = QUEUE_GENERAL) -> str:
    """One random program, drawn with chooser `c` (RandomChooser or DrawChooser)."""
    n = c.int(*cfg.threads)
    counted = n >= 3 and c.int(0, 2) == 0  # the last two instances as `w` with count: 2
    cap = c.pick(["1", "2", "2", ""])  # "": unbounded

    def value() -> str:
        return c.pick(["1", "2", "r", "r + 1"])

    def index(tid_ok: bool) -> str:
        return c.pick(["0", "1", "r % 2"] + (["tid"] if tid_ok else []))

    def unit(tid_ok: bool) -> tuple[list, int]:
        """Statements and their estimated steps."""
        var = c.pick(["x", "y"])
        kinds = ["put", "put", "get", "get", "try_put", "try_get", "len", "if_len", "array", "mem", "mem",
                 "timed_lock", "timed_acquire", "timed_get"]
        if cfg.spawns and not tid_ok:
            kinds += ["spawn", "spawn", "spawn", "join"]
        if not cfg.counts:
            kinds += ["timed_wait", "signal", "assert"]
        kind = c.pick(kinds)
        if kind == "spawn":
            return [c.pick(["h = spawn w(r)", "h = spawn w(2)", "spawn w(1)", "h = spawn w(x)"])], 2
        if kind == "join":
            return [c.pick(["join w[h]", "join w[0]"])], 1
        if kind == "put":
            return [f"put q {value()}"], 1
        if kind == "get":
            return ["r = get q"], 1
        if kind == "try_put":
            return [f"ok = try_put q {value()}"], 1
        if kind == "try_get":
            return ["ok, r = try_get q"], 1
        if kind == "len":
            return [c.pick(["r = len(q)", f"{var} = len(q)"])], 1
        if kind == "if_len":
            return [{"if": "len(q) > 0", "then": [c.pick(["r = get q", "ok, r = try_get q"])]}], 2
        if kind == "array":
            i = index(tid_ok)
            return [c.pick([f"put qs[{i}] {value()}", f"r = get qs[{i}]", f"ok, r = try_get qs[{i}]",
                            f"ok = try_put qs[{i}] 1", f"r = len(qs[{i}])"])], 1
        if kind == "mem":
            return [c.pick([f"{var} = r", f"r = {var}", f"{var} = {var} + 1"])], 2
        if kind == "timed_lock":
            return ["ok = lock m timeout", {"if": "ok", "then": [f"{var} = {var} + 1", "unlock m"]}], 3
        if kind == "timed_acquire":
            return ["ok = acquire s timeout", {"if": "ok", "then": [f"r = {var}", "release s"]}], 3
        if kind == "timed_get":
            return ["ok, r = get q timeout"], 1
        if kind == "timed_wait":
            return ["lock m", {"if": "x == 0", "then": ["ok = wait cv m timeout"]}, "unlock m"], 4
        if kind == "signal":
            return ["lock m", "x = 1", c.pick(["signal cv", "broadcast cv"]), "unlock m"], 4
        return [c.pick(["assert r != 2", "assert ok", "assert len(q) < 2"])], 1

    threads = []  # (name, count, statements)
    total = 0
    for k in range(n - 2 if counted else n):
        body = []
        for _ in range(c.int(*cfg.units)):
            stmts, cost = unit(False)
            if total + cost > cfg.max_steps and body:
                break
            body += stmts
            total += cost
        threads.append((f"t{k}", None, body))
    if counted and not cfg.spawns:
        stmts, cost = unit(True)
        threads.append(("w", 2, stmts))
    if cfg.spawns:  # the spawned worker: its parameter p, and a unit or two
        body = [c.pick(["x = p", "y = y + p", "put q p", "r = x", "ok = try_put q p"])]
        if c.int(0, 1):
            body += unit(True)[0]
        spawns = sum(str(u).count("spawn w") for _, _, b in threads for u in b)
        threads.append(("w", max(spawns, 1) if cfg.counts else c.pick([1, 2]), body))  # counts: never one too many
    lines = ["model: queues", "shared:", "  x: 0", "  y: 0", f"  q: queue {cap}".rstrip(), "  qs: queue[2] 1",
             "  m: mutex", "  s: semaphore 1", "  cv: condition", "threads:"]
    for name, count, body in threads:
        lines.append(f"  {name}:")
        if count:
            lines.append(f"    count: {count}")
        if cfg.spawns and name == "w":
            lines += ["    start: spawned", "    params: [p]"]
        lines += ["    locals: {r: 0, ok: false" + (", h: 0" if cfg.spawns and name != "w" else "") + "}", "    do:"]
        lines += [("      - " if k == 0 else "        ") + line for s in body for k, line in enumerate(_lines(s))]
    if not cfg.counts and c.int(0, 2) == 0:
        lines += ["check:", "  - " + c.pick(["final: len(q) == 0", "final: len(q) + x < 3", "always: len(q) < 2",
                                             "final: x + y != 2"])]
    return "\n".join(lines) + "\n"


def _lines(s) -> list[str]:
    """A statement in block-list YAML (statements with commas quoted)."""
    if isinstance(s, str):
        return [json.dumps(s)]
    out = [f"if: {json.dumps(s['if'])}", "then:"]
    out += [f"  - {json.dumps(b)}" for b in s["then"]]
    return out


@st.composite
def queue_models(draw, cfg: QueueConfig = QUEUE_GENERAL) -> str:
    return queue_program(DrawChooser(draw), cfg)


def random_queue_model(rng: random.Random, cfg: QueueConfig = QUEUE_GENERAL) -> str:
    return queue_program(RandomChooser(rng), cfg)


# ---- event loops --------------------------------------------------------------------------------
# 2-4 tasks of loop `main` (sometimes one of loop `aux`), and sometimes a plain thread, over x, y, a
# mutex m and a queue q: `await`, lock sections with an await inside (a task that holds m and
# yields), blocking puts and gets (a blocked task parks), `try_get`, `cancel` of a task (by a
# task or by the plain thread), and `finally:` blocks.

@dataclass(frozen=True)
class TaskConfig:
    tasks: tuple = (2, 4)
    units: tuple = (1, 3)
    counts: bool = False  # no assertion that can fail (exact trace counts)
    max_steps: int = 10


TASK_GENERAL = TaskConfig()
TASK_COUNTS = TaskConfig(counts=True, max_steps=9)


def task_program(c, cfg: TaskConfig = TASK_GENERAL) -> str:
    n = c.int(*cfg.tasks)
    names = [f"t{k}" for k in range(n)]
    plain = c.int(0, 2) == 0

    def unit() -> tuple[list, int]:
        var = c.pick(["x", "y"])
        kinds = ["await", "await", "mem", "mem", "section", "put", "get", "try_get", "cancel"]
        if not cfg.counts:
            kinds += ["assert", "wait", "signal", "timed"]
        kind = c.pick(kinds)
        if kind == "await":
            return ["await"], 1
        if kind == "mem":
            return [c.pick([f"{var} = {var} + 1", f"r = {var}", f"{var} = r"])], 2
        if kind == "section":
            return ["lock m", c.pick(["await", f"{var} = 1"]), f"{var} = {var} + 1", "unlock m"], 4
        if kind == "put":
            return [f"put q {c.pick(['1', 'r'])}"], 1
        if kind == "get":
            return ["r = get q"], 1
        if kind == "try_get":
            return ["ok, r = try_get q"], 1
        if kind == "cancel":
            return [f"cancel {c.pick(names)}"], 1
        if kind == "wait":
            return ["lock m", c.pick(["wait cv m", "ok = wait cv m timeout"]), "unlock m"], 4
        if kind == "signal":
            return ["lock m", c.pick(["signal cv", "broadcast cv"]), "unlock m"], 3
        if kind == "timed":
            return [c.pick(["ok = lock m timeout", "ok, r = get q timeout"])], 1
        return [c.pick(["assert x < 2", "assert r != 1"])], 1

    bodies, total = [], 0
    for name in names + (["p"] if plain else []):
        body = []
        for _ in range(c.int(*cfg.units)):
            stmts, cost = unit()
            if name == "p":  # not a task: it cannot await
                stmts = [f"cancel {c.pick(names)}" if st == "await" else st for st in stmts]
            if total + cost > cfg.max_steps and body:
                break
            body += stmts
            total += cost
        bodies.append((name, body))
    lines = ["model: tasks", "shared:", "  x: 0", "  y: 0", "  m: mutex", f"  q: queue {c.pick(['1', '2'])}",
             "  cv: condition", "threads:"]
    for name, body in bodies:
        lines.append(f"  {name}:")
        if name != "p":
            lines.append(f"    loop: {'aux' if name == names[-1] and n > 2 and c.int(0, 3) == 0 else 'main'}")
        lines += ["    locals: {r: 0, ok: false}", "    do:"]
        lines += [f"      - {json.dumps(s)}" for s in body]
        if name != "p" and c.int(0, 2) == 0:
            lines += ["    finally:", f"      - {json.dumps(c.pick(['y = y + 1', 'r = x', 'ok = try_put q 3']))}"]
    if not cfg.counts and c.int(0, 2) == 0:
        lines += ["check:", "  - " + c.pick(["final: x + y < 3", "final: x != 1", "always: y < 2"])]
    return "\n".join(lines) + "\n"


@st.composite
def task_models(draw, cfg: TaskConfig = TASK_GENERAL) -> str:
    return task_program(DrawChooser(draw), cfg)


def random_task_model(rng: random.Random, cfg: TaskConfig = TASK_GENERAL) -> str:
    return task_program(RandomChooser(rng), cfg)
