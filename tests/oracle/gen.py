"""Random models (YAML text) at the sizes where concurrency bugs live: 2-6 threads of 1-4
statements over 1-3 shared variables and a 2-cell array, with critical sections on 1-2
mutexes, read-write lock and semaphore sections, atomics, `if` on shared values, short
bounded loops, asserts, joins, condition waits and signals, `any`, `assume`, atomic blocks,
and (config `SPIN`) spin-waits on a shared flag, variable or cell that another thread may or
may not set, so that some programs hold and some spin forever.

The generator is written against a tiny chooser interface (`int(lo, hi)`, `pick(seq)`), so
the same code serves hypothesis (`models(config)`, which shrinks) and plain `random`
(`random_model(rng, config)`, for the soak script). A `Config` says which features may
appear; `COUNT_SAFE` is the variant for exact trace counts: loop-free, no `assume`, no
`wait`/`signal`, no `any`, nothing that can fail (no assert, no misuse, no bad index), and
atomic blocks whose accesses the checker knows exactly. `SPIN` is `GENERAL` with spin-waits:
a separate config (the `spins` flag), so that the other configs draw exactly the programs
they drew before it existed (the fixed CI seeds are unchanged). `PROCS` (and `PROCS_COUNT_SAFE`)
add procedures, called from several threads, with shared reads and writes, locks, early
`return`s, loops with `break`/`continue`, nested calls, and threads with such loops and an early
`return` (the `procs` flag, for the same reason).
"""
from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, replace
from math import factorial

from hypothesis import strategies as st

VARS = ["x", "y", "z"]


@dataclass(frozen=True)
class Config:
    threads: tuple = (2, 6)  # how many thread instances
    units: tuple = (1, 4)  # statements (or small statement groups) per thread
    max_interleavings: int = 3_000  # rough cap on the interleavings of the plain steps
    loops: bool = True
    waits: bool = True
    anys: bool = True
    assumes: bool = True
    violations: bool = True  # asserts that can fail, lock misuse, bad indices, division by zero
    joins: bool = True
    atomics: bool = True
    nested_atomics: bool = True  # {atomic: [{atomic: [...]}, ...]}
    # only atomic blocks whose accesses do not depend on values (scalars, no cas): the checker
    # computes a block's accesses without the locals' values (an array index covers the whole
    # array, a cas writes), an over-approximation documented in docs/soundness.md
    exact_atomics: bool = False
    counted: bool = True  # a thread with count: 2 (and tid)
    props: bool = True  # final / always properties
    always: bool = True
    inputs: bool = False  # an input g: int in 0..1 (the checker keeps it symbolic)
    # spin-waits ({while: "flag == 0", do: []}): one in most programs, with a write that ends it
    # in another thread more often than not, and more among the units; never in COUNT_SAFE (the
    # checker's trace counts differ on them: tests/oracle/interp.py, Result.count_safe)
    spins: bool = False
    procs: bool = False  # procedures (`procedures:`), calls, break / continue / return


GENERAL = Config()
COUNT_SAFE = Config(loops=False, waits=False, anys=False, assumes=False, violations=False, always=False,
                    exact_atomics=True)
WITH_INPUTS = replace(GENERAL, inputs=True)
SPIN = replace(GENERAL, spins=True)
PROCS = replace(GENERAL, procs=True)
PROCS_COUNT_SAFE = replace(COUNT_SAFE, procs=True)


class RandomChooser:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def int(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def pick(self, seq):
        return self.rng.choice(list(seq))


class DrawChooser:
    def __init__(self, draw):
        self.draw = draw

    def int(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))

    def pick(self, seq):
        return self.draw(st.sampled_from(list(seq)))


class Gen:
    def __init__(self, c, cfg: Config):
        self.c, self.cfg = c, cfg
        self.vars = VARS[:c.int(1, 3)]
        self.two_mutexes = c.int(0, 1) == 1
        self.used_flag = False
        self.used_ready = False  # a shared bool `ready` (spin-waits on `not ready`)
        self.procs: dict = self.procedures() if cfg.procs else {}  # heading -> body
        self.proc_steps = {h.split("(")[0]: steps(b) for h, b in self.procs.items()}
        for h, b in self.procs.items():  # a call of a call: its callee's steps (one level)
            self.proc_steps[h.split("(")[0]] = steps(b, self.proc_steps)

    def chance(self, percent: int) -> bool:
        return self.c.int(0, 99) < percent

    def var(self) -> str:
        return self.c.pick(self.vars)

    def const(self) -> int:
        return self.c.int(0, 3)

    # -- statements: each returns (statements, estimated steps)
    def mem(self, tid_ok: bool = False) -> list:
        c, v, w = self.c, self.var(), self.var()
        idx = c.pick(["0", "1", "r % 2", f"{w} % 2"] + (["tid % 2"] if tid_ok else []))
        options = [
            f"{v} = {self.const()}", f"r = {v}", f"{v} = r + 1", f"{v} = {w}", f"{v} = {v} + 1", f"r = {v} + {w}",
            f"a[{idx}] = r", f"r = a[{idx}]", f"r = fetch_add({v}, 1)",
            f"ok = cas({v}, {self.const()}, {self.const()})",
            f"r = swap({v}, {self.const()})", "fetch_add(a[r % 2], 1)", "ok = cas(a[1], 0, 1)",
        ]
        if self.cfg.inputs:  # g is symbolic in the checker: a[g] from two threads is one unknown cell
            options += [f"{v} = g", f"r = {v} + g", "a[g] = r", "r = a[g]"]
        if self.cfg.anys:
            options += ["r = any 0..2", f"{v} = any 1..2"]
        if self.cfg.violations:
            options += [f"assert {v} != {self.const()}", "assert r < 2", "a[r] = 1", f"r = 6 // {v}"]
        if self.cfg.assumes:
            options += [f"assume {v} != {self.const()}"]
        return [c.pick(options)]

    def procedures(self) -> dict:
        """The procedures a model may call, over its first variable `v` and the array."""
        v, w = self.vars[0], self.vars[-1]
        cfg = self.cfg
        procs = {
            "add(d)": ["t = " + v, f"{v} = t + d"],
            "add_locked(d)": ["lock m", "t = " + v, f"{v} = t + d", "unlock m"],
            "peek(i)": [{"if": "a[i % 2] > 0", "then": ["return a[i % 2]"]}, "return i + 1"],
            "maybe(u)": [{"if": "u == 0", "then": ["return"]}, f"{w} = u"],
            "twice(d)": ["add_locked(d)", "r2 = peek(d)", f"{w} = r2"],
        }
        if cfg.loops:
            procs["count_up(lim)"] = ["j = 0", {"while": "j < 2", "do": [
                "j = j + 1", {"if": "j == lim", "then": ["continue"]}, f"{v} = {v} + 1",
                {"if": f"{v} > 1", "then": ["break"]}]}]
        if cfg.violations:
            procs["check_small()"] = ["r2 = " + v, "assert r2 < 3", "return r2"]
        return procs

    def call(self, tid_ok: bool) -> list:
        """A call of a procedure, a loop with break / continue, or an early return."""
        c, cfg, v = self.c, self.cfg, self.var()
        options = ["add(1)", "add_locked(2)", "r = peek(r)", "maybe(r)", "twice(1)", "r = peek(" + v + ")"]
        if tid_ok:
            options += ["r = peek(tid)", "add(tid)"]
        if cfg.loops:
            options += ["count_up(r % 3)", "loop", "loop"]
        if cfg.violations:
            options += ["r = check_small()", "check_small()"]
        options += ["return"]
        pick = c.pick(options)
        if pick == "loop":
            return ["k = 0", {"while": "k < 2", "do": [
                "k = k + 1", {"if": f"{v} == 1", "then": ["continue"]}] + self.mem(tid_ok)
                + [{"if": f"{v} > 1", "then": ["break"]}]}]
        if pick == "return":
            return [{"if": f"{v} == {self.const()}", "then": ["return"]}]
        return [pick]

    def mutex(self) -> str:
        return self.c.pick(["m", "n"]) if self.two_mutexes else "m"

    def body(self, tid_ok: bool) -> list:
        """1-2 memory statements."""
        out = self.mem(tid_ok)
        if self.chance(30):
            out += self.mem(tid_ok)
        return out

    def unit(self, t: int, tid_ok: bool) -> list:
        """A statement, or a small group of them (a critical section, a loop with its counter)."""
        c, cfg = self.c, self.cfg
        kinds = ["mem", "mem", "mem", "lock", "lock", "rw", "sem", "trylock", "if"]
        if cfg.loops:
            kinds += ["loop", "loop"]
        if cfg.atomics:
            kinds += ["atomic"]
        if cfg.waits:
            kinds += ["wait", "signal"]
        if cfg.joins and t > 0 and not tid_ok:
            kinds += ["join"]
        if cfg.violations:
            kinds += ["misuse"]
        if cfg.spins:
            kinds += ["spin", "release"]
        if cfg.procs:
            kinds += ["call", "call", "call", "call"]
        kind = c.pick(kinds)
        if kind == "call":
            return self.call(tid_ok)
        if kind == "mem":
            return self.mem(tid_ok)
        if kind == "lock":
            inner = self.body(tid_ok)
            if self.two_mutexes and self.chance(40):  # nested: both orders happen, so deadlocks too
                first, second = ("m", "n") if self.chance(50) else ("n", "m")
                return [f"lock {first}", f"lock {second}"] + inner + [f"unlock {second}", f"unlock {first}"]
            m = self.mutex()
            return [f"lock {m}"] + inner + [f"unlock {m}"]
        if kind == "rw":
            v = self.var()
            if self.chance(50):
                return ["read_lock rw", f"r = {v}", "unlock rw"]
            return ["write_lock rw", f"{v} = r + 1", "unlock rw"]
        if kind == "sem":
            return ["acquire s"] + self.body(tid_ok) + ["release s"]
        if kind == "trylock":
            m = self.mutex()
            return [f"ok = trylock {m}", {"if": "ok", "then": self.mem(tid_ok) + [f"unlock {m}"]}]
        if kind == "if":
            stmt = {"if": f"{self.var()} == {self.const()}", "then": self.mem(tid_ok)}
            if self.chance(50):
                stmt["else"] = self.mem(tid_ok)
            return [stmt]
        if kind == "loop":
            return ["k = 0", {"while": "k < 2", "do": self.mem(tid_ok) + ["k = k + 1"]}]
        if kind == "atomic":
            v, w = self.var(), self.var()
            if cfg.nested_atomics and self.chance(30):
                return [{"atomic": [{"atomic": [f"{v} = 1"]}, f"{w} = 2"]}]
            if cfg.exact_atomics or self.chance(50):
                return [{"atomic": c.pick([[f"r = {v}", f"{v} = r + 1"], [f"{v} = {w}"], [f"r = fetch_add({v}, 1)"],
                                           [f"r = {v}", f"{w} = r"]])}]
            return [{"atomic": self.body(tid_ok)}]
        if kind == "wait":
            self.used_flag = True
            form = c.pick(["while", "if", "bare"])
            if form == "while":
                w = {"while": "flag == 0", "do": ["wait cv m"]}
            elif form == "if":
                w = {"if": "flag == 0", "then": ["wait cv m"]}
            else:
                w = "wait cv m"
            return ["lock m", w, "unlock m"]
        if kind == "signal":
            self.used_flag = True
            op = c.pick(["signal cv", "signal cv", "broadcast cv"])
            if self.chance(60):
                return ["lock m", "flag = 1", op, "unlock m"]
            return ["flag = 1", op]
        if kind == "join":
            return [f"join t{c.int(0, t - 1)}"]
        if kind == "spin":
            wait, _ = self.spin(tid_ok)
            form = c.int(0, 9)
            if form == 0:  # resting while holding a lock: the releasing write may need it
                m = self.mutex()
                return [f"lock {m}", wait, f"unlock {m}"]
            if form == 1:  # inside a counted loop: spins again on the second turn
                return ["k = 0", {"while": "k < 2", "do": [wait] + self.mem(tid_ok) + ["k = k + 1"]}]
            if form == 2:
                return [{"if": f"{self.var()} == 0", "then": [wait]}]
            return [wait]
        if kind == "release":
            _, release = self.spin(tid_ok)
            if self.chance(30):
                m = self.mutex()
                return [f"lock {m}", release, f"unlock {m}"]
            return [release]
        return [c.pick(["unlock m", "lock m", "unlock rw"])]  # misuse (or a lock held at the end)

    def spin(self, tid_ok: bool) -> tuple:
        """A spin-wait (its condition makes one shared read), and a statement that ends it."""
        c = self.c
        form = c.pick(["flag", "flag", "flag", "var", "cell", "ready"])
        if form == "flag":
            self.used_flag = True
            cond = c.pick(["flag == 0", "flag != 1", "flag < 1", "not (flag >= 1)", "0 == flag"])
            release = c.pick(["flag = 1", "flag = 1", "r = fetch_add(flag, 1)", "flag = flag + 1", "flag = 0"])
        elif form == "var":
            v, k = self.var(), c.int(1, 3)
            cond = c.pick([f"{v} != {k}", f"{v} < {k}"])
            release = f"{v} = {k}"
        elif form == "cell":
            idx = c.pick(["0", "1", "r % 2"] + (["tid % 2"] if tid_ok else []) + (["r"] if self.cfg.violations else []))
            cond = c.pick([f"a[{idx}] == 0", f"a[{idx}] < 1"])
            release = c.pick(["a[0] = 1", "a[1] = 1", "fetch_add(a[r % 2], 1)"])
        else:
            self.used_ready = True
            cond = "not ready"
            release = c.pick(["ready = true", "ready = false"])
        return {"while": cond, "do": c.pick([[], [], ["skip"]])}, release

    def model(self) -> str:
        c, cfg = self.c, self.cfg
        n = c.int(*cfg.threads)
        counted = cfg.counted and n >= 3 and self.chance(20)  # the last two instances: one 'count: 2' thread
        plain = n - 2 if counted else n
        lo, hi = cfg.units
        hi = max(lo, hi - max(0, n - 3) // 2)  # many threads: shorter ones
        threads = []  # [name, count, units]
        for t in range(plain):
            threads.append([f"t{t}", None, [self.unit(t, False) for _ in range(c.int(lo, hi))]])
        if counted:
            threads.append(["w", 2, [self.unit(plain, True) for _ in range(c.int(lo, hi))]])
        kept = set()  # id() of the units that trimming must not drop
        if cfg.spins and self.chance(80):  # a spin-wait, and (often) a write that ends it elsewhere
            w = c.int(0, len(threads) - 1)
            wait, release = self.spin(threads[w][0] == "w")
            added = [(w, [wait])]
            if len(threads) > 1 and self.chance(65):
                added.append(((w + c.int(1, len(threads) - 1)) % len(threads), [release]))
            for t, unit in added:
                units = threads[t][2]
                units.insert(c.int(0, len(units)), unit)
                kept.add(id(unit))
        # keep the brute force cheap: drop units from the longest thread while the plain
        # interleavings of the estimated steps are too many
        while True:
            lengths = []
            for _, count, units in threads:
                lengths += [max(1, sum(unit_steps(u, self.proc_steps) for u in units))] * (count or 1)
            total = factorial(sum(lengths))
            for k in lengths:
                total //= factorial(k)
            if total <= cfg.max_interleavings:
                break
            longest = max((th for th in threads if len(th[2]) > 1 and any(id(u) not in kept for u in th[2])),
                          key=lambda th: sum(unit_steps(u, self.proc_steps) for u in th[2]), default=None)
            if longest is not None:  # its last unit that may be dropped
                units = longest[2]
                del units[max(i for i, u in enumerate(units) if id(u) not in kept)]
            elif len(threads) > 2:  # one unit each and still too many: fewer threads (none joins the last)
                threads.pop()
            else:
                break
        props = []
        if cfg.props:
            pool = [f"final: {self.var()} != {self.const()}", "final: a[0] + a[1] != 2",
                    f"final: {self.var()} + {self.var()} < 4"]
            if cfg.always:
                pool += [f"always: {self.var()} != {self.const()}", "always: a[0] + a[1] < 2"]
            props = [c.pick(pool) for _ in range(c.int(0, 2))]
        return render(self, threads, list(dict.fromkeys(props)))


SHARED_WORD = re.compile(r"\b(x|y|z|a|flag|ready|any|lock|unlock|read_lock|write_lock|acquire|release|wait|signal|"
                         r"broadcast|join|trylock)\b")


CALL = re.compile(r"^(?:\w+ = )?(\w+)\(")


def steps(stmts, procs: dict | None = None) -> int:
    """A rough estimate of the steps a statement list takes (shared names and sync words; a
    call: its procedure's, from `procs`)."""
    n = 0
    for s in stmts:
        if isinstance(s, str):
            call = CALL.match(s) if procs else None
            if call and call.group(1) in procs:
                n += procs[call.group(1)] + len(SHARED_WORD.findall(s))
                continue
            n += 0 if s.startswith("assume") else len(SHARED_WORD.findall(s))
        elif "if" in s:
            n += len(SHARED_WORD.findall(s["if"])) + max(steps(s["then"], procs), steps(s.get("else", []), procs))
        elif "while" in s and all(b == "skip" for b in s["do"]):  # a spin-wait: its last test
            n += len(SHARED_WORD.findall(s["while"]))
        elif "while" in s:
            n += 2 * max(1, steps(s["do"], procs)) + 1
        else:
            n += 1
    return n


def unit_steps(unit: list, procs: dict | None = None) -> int:
    """The estimate for a unit: a section under a lock or semaphore counts as three steps at
    most, since other threads' sections on the same object cannot interleave with it."""
    if isinstance(unit[0], str) and unit[0].split()[0] in ("lock", "acquire", "read_lock", "write_lock"):
        return min(3, steps(unit, procs))
    return steps(unit, procs)


def q(s: str) -> str:
    return json.dumps(s)


def stmt_lines(s, indent: str) -> list[str]:
    if isinstance(s, str):
        return [f"{indent}- {q(s)}"]
    if "if" in s:
        out = [f"{indent}- if: {q(s['if'])}", f"{indent}  then:"]
        for b in s["then"]:
            out += stmt_lines(b, indent + "    ")
        if "else" in s:
            out.append(f"{indent}  else:")
            for b in s["else"]:
                out += stmt_lines(b, indent + "    ")
        return out
    if "while" in s and not s["do"]:
        return [f"{indent}- {{while: {q(s['while'])}, do: []}}"]
    if "while" in s:
        out = [f"{indent}- while: {q(s['while'])}", f"{indent}  do:"]
        for b in s["do"]:
            out += stmt_lines(b, indent + "    ")
        return out
    out = [f"{indent}- atomic:"]
    for b in s["atomic"]:
        out += stmt_lines(b, indent + "    ")
    return out


def render(g: Gen, threads, props) -> str:
    lines = ["model: random"]
    if g.cfg.inputs:
        lines += ["inputs:", "  g: int in 0..1"]
    lines.append("shared:")
    lines += [f"  {v}: 0" for v in g.vars]
    if g.used_flag:
        lines.append("  flag: 0")
    if g.used_ready:
        lines.append("  ready: false")
    lines += ["  a: [0, 0]", "  m: mutex", "  n: mutex", "  rw: rwlock", f"  s: semaphore {1 + (len(threads) % 2)}",
              "  cv: condition"]
    if g.procs:
        lines.append("procedures:")
        for heading, body in g.procs.items():
            lines.append(f"  {heading}:")
            for s in body:
                lines += stmt_lines(s, "    ")
    lines.append("threads:")
    for name, count, units in threads:
        lines.append(f"  {name}:")
        if count:
            lines.append(f"    count: {count}")
        lines += ["    locals: {r: 0, k: 0, ok: false}", "    do:"]
        for stmts in units:
            for s in stmts:
                lines += stmt_lines(s, "      ")
    if props:
        lines.append("check:")
        lines += [f"  - {p.split(': ', 1)[0]}: {q(p.split(': ', 1)[1])}" for p in props]
    return "\n".join(lines) + "\n"


@st.composite
def models(draw, cfg: Config = GENERAL) -> str:
    """A hypothesis strategy for model text."""
    return Gen(DrawChooser(draw), cfg).model()


def random_model(rng: random.Random, cfg: Config = GENERAL) -> str:
    return Gen(RandomChooser(rng), cfg).model()


# ---- barriers and arrays of resources ----------------------------------------------------------
# A separate family (the programs above are unchanged, so the fixed CI seeds still draw the same
# ones): 2-4 threads around a barrier `b` whose size may or may not be reached (a barrier that
# cannot fill is a deadlock), a barrier array `bs`, a semaphore array `sems` and a condition
# array `cvs` indexed by tid, a constant, a local, or (BarrierConfig.symbolic) the input g, which
# may be out of range (a runtime violation).

@dataclass(frozen=True)
class BarrierConfig:
    threads: tuple = (2, 4)
    units: tuple = (1, 4)
    waits: bool = True  # condition arrays: `wait cvs[i] m` / `signal cvs[i]` (not count-safe)
    symbolic: bool = False  # an input g: int in 0..2 indexes the arrays (g == 2 is out of range)
    races: bool = False  # `no_race` (and no properties)


BARRIER_COUNTS = BarrierConfig(waits=False)
BARRIER_GENERAL = BarrierConfig()
BARRIER_SYMBOLIC = BarrierConfig(symbolic=True)
BARRIER_RACES = BarrierConfig(waits=False, races=True)


def barrier_program(c, cfg: BarrierConfig = BARRIER_GENERAL) -> str:
    """One random barrier program, drawn with chooser `c` (RandomChooser or DrawChooser)."""
    n = c.int(*cfg.threads)
    counted = n >= 3 and c.int(0, 1) == 1  # the last two instances as `w` with count: 2
    names = [f"t{k}" for k in range(n - 2)] + ["w[0]", "w[1]"] if counted else [f"t{k}" for k in range(n)]
    pick_size = c.int(0, 3)  # 0: any size from 1 to n + 1 (n + 1 never fills); else the arrivals
    bsize = c.pick([1, 1, 2, 3])

    def index(tid_ok: bool) -> str:
        options = ["0", "1", "k"] + (["tid"] if tid_ok else []) + (["g"] if cfg.symbolic else [])
        return c.pick(options)

    def unit(tid_ok: bool) -> list:
        kind = c.int(0, 9 if cfg.waits else 7)
        var = c.pick(["x", "y"])
        if kind <= 1:
            return ["arrive_and_wait b"]
        if kind == 2:
            return [f"arrive_and_wait bs[{index(tid_ok)}]"]
        if kind == 3:
            return [f"{var} = {var} + 1"]
        if kind == 4:
            return [f"r = {var}"]
        if kind == 5:
            return [f"a[{c.pick(['0', '1'] + (['tid % 2'] if tid_ok else []))}] = {c.int(1, 3)}"]
        if kind == 6:
            i = index(tid_ok)
            return [f"acquire sems[{i}]", f"{var} = {var} + 1", f"release sems[{i}]"]
        if kind == 7:
            return [f"k = {c.pick(['0', '1', 'r % 2'])}"]
        i = index(tid_ok)
        if kind == 8:
            return ["lock m", f"wait cvs[{i}] m", "unlock m"]
        return ["lock m", f"{c.pick(['signal', 'broadcast'])} cvs[{i}]", "unlock m"]

    bodies = []
    for name in names[:n - 2] if counted else names:
        bodies.append((name, None, [s for _ in range(c.int(*cfg.units)) for s in unit(False)]))
    if counted:
        bodies.append(("w", 2, [s for _ in range(c.int(*cfg.units)) for s in unit(True)]))
    arriving = sum(1 if count is None else count for _, count, body in bodies if "arrive_and_wait b" in body)
    size = c.int(1, n + 1) if pick_size == 0 or arriving == 0 else arriving
    lines = ["model: barriers"]
    if cfg.symbolic:
        lines += ["inputs:", "  g: int in 0..2"]
    lines += ["shared:", "  x: 0", "  y: 0", "  a: [0, 0]", f"  b: barrier {size}", f"  bs: barrier[2] {bsize}",
              "  sems: semaphore[2] 1", "  cvs: condition[2]", "  m: mutex", "threads:"]
    for name, count, body in bodies:
        lines.append(f"  {name}:")
        if count:
            lines.append(f"    count: {count}")
        lines += ["    locals: {r: 0, k: 0}", "    do:"]
        lines += [f"      - {s}" for s in body] or ["      - skip"]
    if cfg.races:
        lines += ["check:", "  - no_race"]
    elif c.int(0, 1):
        lines += ["check:", f"  - final: x + y <= {c.int(1, 4)}"]
    return "\n".join(lines) + "\n"


@st.composite
def barrier_models(draw, cfg: BarrierConfig = BARRIER_GENERAL) -> str:
    return barrier_program(DrawChooser(draw), cfg)


def random_barrier_model(rng: random.Random, cfg: BarrierConfig = BARRIER_GENERAL) -> str:
    return barrier_program(RandomChooser(rng), cfg)


# ---- shared maps -------------------------------------------------------------------------------
# A separate family (the programs above are unchanged): 2-4 threads over a map `c` and the
# variables x, y: writes, reads (a missing key is a runtime violation), deletes (of a missing key:
# too), `k in c` and `len(c)` in conditions and assignments, a read-through fill under a lock or
# not, keys that are constants, locals, tid, or (MapConfig.symbolic) the input g, which the
# checker keeps symbolic (a key it must fork on, or prove present). Keys 1 and 9 share a bucket
# of the reduction (k % 8), so the counts check that bucket-level dependence is what is documented.

@dataclass(frozen=True)
class MapConfig:
    threads: tuple = (2, 4)
    units: tuple = (1, 3)
    violations: bool = True  # reads and deletes that may miss their key; asserts
    symbolic: bool = False  # an input g: int in 0..2 as a key
    races: bool = False  # `no_race` (and no other property)
    loops: bool = False  # a counted loop around a unit


MAP_COUNTS = MapConfig(violations=False)
MAP_GENERAL = MapConfig(loops=True)
MAP_SYMBOLIC = MapConfig(symbolic=True)
MAP_RACES = MapConfig(violations=False, races=True)
MAP_RACES_SYMBOLIC = MapConfig(violations=False, races=True, symbolic=True)


def map_program(c, cfg: MapConfig = MAP_GENERAL) -> str:
    """One random map program, drawn with chooser `c` (RandomChooser or DrawChooser)."""
    n = c.int(*cfg.threads)
    counted = n >= 3 and c.int(0, 2) == 0

    def key(tid_ok: bool) -> str:
        return c.pick(["1", "1", "9", "2", "r", "r % 2"] + (["tid"] if tid_ok else []) + (["g"] if cfg.symbolic else []))

    def unit(tid_ok: bool) -> list:
        k = key(tid_ok)
        var = c.pick(["x", "y"])
        kinds = ["put", "put", "put", "in", "len", "fill", "locked", "var", "local"]
        if cfg.violations:
            kinds += ["get", "get", "del", "assert"]
        else:
            kinds += ["safe_get", "safe_del"]
        if cfg.loops:
            kinds += ["loop"]
        kind = c.pick(kinds)
        if kind == "put":
            return [f"c[{k}] = {c.pick(['0', '5', 'r', var, 'r + 1'])}"]
        if kind == "in":
            return [c.pick([f"ok = {k} in c", f"ok = {k} in c and x == 0"])]
        if kind == "len":
            return [c.pick(["r = len(c)", f"{var} = len(c)"])]
        if kind == "fill":  # read-through: fill the entry if it is missing
            return [{"if": f"not ({k} in c)", "then": [f"c[{k}] = {var}"]}]
        if kind == "locked":
            return ["lock m", {"if": f"{k} in c", "then": [f"r = c[{k}]"], "else": [f"c[{k}] = 3"]}, "unlock m"]
        if kind == "var":
            return [f"{var} = {c.int(0, 2)}"]
        if kind == "local":
            return [f"r = {c.pick(['1', '2', '9', var])}"]
        if kind == "get":
            return [f"r = c[{k}]"]
        if kind == "del":
            return [f"del c[{k}]"]
        if kind == "assert":
            return [c.pick(["assert len(c) < 3", f"assert not ({k} in c) or c[{k}] != 5"])]
        if kind == "safe_get":
            return [{"if": f"{k} in c", "then": [f"r = c[{k}]"]}] if c.int(0, 1) else ["lock m", {"if": f"{k} in c", "then": [f"r = c[{k}]"]}, "unlock m"]
        if kind == "safe_del":
            return ["lock m", {"if": f"{k} in c", "then": [f"del c[{k}]"]}, "unlock m"]
        return ["j = 0", {"while": "j < 2", "do": unit(tid_ok) + ["j = j + 1"]}]

    names = [f"t{k}" for k in range(n - 2)] + ["w"] if counted else [f"t{k}" for k in range(n)]
    bodies = []
    for name in names:
        count = 2 if name == "w" else None
        bodies.append((name, count, [s for _ in range(c.int(*cfg.units)) for s in unit(count is not None)]))
    lines = ["model: maps"]
    if cfg.symbolic:
        lines += ["inputs:", "  g: int in 0..2"]
    lines += ["shared:", "  c: map", "  x: 0", "  y: 0", "  m: mutex", "threads:"]
    for name, count, body in bodies:
        lines.append(f"  {name}:")
        if count:
            lines.append(f"    count: {count}")
        lines += ["    locals: {r: 0, ok: false, j: 0}", "    do:"]
        for s in body:
            lines += stmt_lines(s, "      ")
    if cfg.races:
        lines += ["check:", "  - no_race"]
    else:
        pool = [None, "final: len(c) <= 2", "final: not (1 in c) or c[1] != 5", "final: x + y < 3"]
        if cfg.violations:  # an `always` adds the reduction's observer: not in the counted family
            pool.append("always: len(c) < 3")
        props = [p for p in (c.pick(pool),) if p]
        if props:
            lines.append("check:")
            lines += [f"  - {p.split(': ', 1)[0]}: {q(p.split(': ', 1)[1])}" for p in props]
    return "\n".join(lines) + "\n"


@st.composite
def map_models(draw, cfg: MapConfig = MAP_GENERAL) -> str:
    return map_program(DrawChooser(draw), cfg)


def random_map_model(rng: random.Random, cfg: MapConfig = MAP_GENERAL) -> str:
    return map_program(RandomChooser(rng), cfg)
