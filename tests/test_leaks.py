"""`no_leak`: possibilistic noninterference (docs/semantics.md, "Noninterference").

(a) precision: values computed from the secret that cannot differ leak nothing; implicit flows,
    copies into a shared buffer, an observer reading the secret, and draws that shift a range leak;
(b) the reused session buffer (models/session_buffer_reuse.yaml, without its assertions) leaks,
    and with the buffer held under a lock and cleared it does not;
(c) the counterexample: two secret values, inputs that replay, the step marked, what the second
    valuation shows instead; the replay through `checker.verify.verify`;
(d) never holds without an answer: the stateful search and a truncated search say unknown;
(e) errors in the `no_leak` entry and the `secret` marker, with position and hint;
(f) random small loop-free programs: the verdict equals an explicit check written here (its own
    interpreter of a small statement language, no checker code), which collects for every value
    of the secret and of the public input the set of observation sequences over every schedule.
"""
from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from checker.errors import ModelError
from checker.explore.budget import Budget
from checker.explore.dpor import Dpor
from checker.verify import Options, engine_for, load, load_text, verify
from helpers import search

LEAK = "no_leak: {secret: prompt_a, to: b}"


def model(threads: str, shared: str = "  out: 0\n", check: str = LEAK,
          inputs: str = "  prompt_a: int in 0..255 secret\n  x: int in 0..3\n") -> str:
    return f"model: m\ninputs:\n{inputs}shared:\n{shared}threads:\n{threads}check:\n  - {check}\n"


def leaks(text: str, strategy: str = "dpor", symbolic_any: bool = False) -> bool:
    """Does the search find a leak? (A search that cannot decide fails the test.) `any` draws are
    enumerated, as in tests/helpers.py, unless `symbolic_any` (DPOR only: one constant per draw)."""
    if symbolic_any:
        e = engine_for(load_text(text, "m.yaml"), Options(), enumerate_any=False)
        x = Dpor(e, Budget(), keep_going=True).run()
    else:
        x = search(text, strategy, keep_going=True)
    found = any(v[0] == "leak" for v in x.violations)
    assert found or not (x.unknowns or x.undecided), (x.unknowns, x.undecided)
    return found


# ---- (a) precision ---------------------------------------------------------------------------

def test_multiplied_by_zero_holds():
    assert not leaks(model("  a:\n    - out = prompt_a * 0\n  b:\n    - r = out\n"))


def test_modulo_one_plus_public_holds():
    assert not leaks(model("  a:\n    - out = prompt_a % 1 + x\n  b:\n    - r = out\n"))


def test_copy_leaks():
    assert leaks(model("  a:\n    - out = prompt_a + 1\n  b:\n    - r = out\n"))


def test_implicit_flow_leaks():
    t = "  a:\n    - if: prompt_a > 100\n      then: [out = 1]\n  b:\n    - r = out\n"
    assert leaks(model(t))


def test_branch_that_changes_nothing_holds():
    t = "  a:\n    - if: prompt_a > 100\n      then: [out = 1]\n      else: [out = 1]\n  b:\n    - r = out\n"
    assert not leaks(model(t))


def test_observer_reading_the_secret_leaks():
    assert leaks(model("  b:\n    - r = prompt_a + 1\n", shared="  out: 0\n"))


def test_observer_reading_another_input_holds():
    assert not leaks(model("  b:\n    - r = x + 1\n"))


@pytest.mark.parametrize("symbolic_any", [False, True])
def test_uniform_draw_hides_the_secret(symbolic_any):
    t = "  a:\n    - n = any 0..3\n    - out = (prompt_a + n) % 4\n  b:\n    - r = out\n"
    inputs = "  prompt_a: int in 0..3 secret\n"
    assert not leaks(model(t, inputs=inputs), symbolic_any=symbolic_any)
    t = "  a:\n    - n = any 0..3\n    - out = prompt_a + n\n  b:\n    - r = out\n"
    assert leaks(model(t, inputs=inputs), symbolic_any=symbolic_any)


def test_other_tenants_secret_is_fixed():
    """Only S varies: tenant b reading its own secret leaks nothing about prompt_a."""
    inputs = "  prompt_a: int in 0..3 secret\n  prompt_b: int in 0..3 secret\n"
    assert not leaks(model("  b:\n    - r = prompt_b\n", inputs=inputs))
    assert leaks(model("  b:\n    - r = prompt_b\n", inputs=inputs, check="no_leak: {secret: prompt_b, to: b}"))


def test_observed_variable_sees_each_write():
    t = "  a:\n    - out = 1\n    - out = prompt_a % 2\n    - out = 0\n"
    assert leaks(model(t, check="no_leak: {secret: prompt_a, to: out}"))
    t = "  a:\n    - out = 1\n    - out = prompt_a * 0\n    - out = 0\n"
    assert not leaks(model(t, check="no_leak: {secret: prompt_a, to: out}"))


def test_cas_on_an_observed_variable_writes_only_when_it_succeeds():
    """cas(out, prompt_a, 0) writes 0 only when prompt_a == 0: the count of writes leaks."""
    t = "  a:\n    - ok = cas(out, prompt_a, 0)\n"
    assert leaks(model(t, check="no_leak: {secret: prompt_a, to: out}"))


# ---- (b) the reused session buffer -------------------------------------------------------------

BUFFER = """\
model: session_buffer_reuse_leak
inputs:
  prompt_a: int in 1..3 secret
  prompt_b: int in 4..6 secret
shared:
  buf: 0
{lock_decl}threads:
  tenant_a:
{a}
  tenant_b:
{b}
check:
  - no_leak: {{secret: prompt_a, to: tenant_b}}
"""


def buffer(locked: bool) -> str:
    def body(p: str) -> str:
        steps = [f"buf = {p}", "mine = buf"] + (["buf = 0"] if locked else [])
        if locked:
            steps = ["lock m"] + steps + ["unlock m"]
        return "\n".join(f"    - {s}" for s in steps)
    return BUFFER.format(lock_decl="  m: mutex\n" if locked else "", a=body("prompt_a"), b=body("prompt_b"))


def test_reused_buffer_leaks():
    for strategy in ("dpor", "enumerate"):
        assert leaks(buffer(False), strategy)


def test_buffer_under_a_lock_and_cleared_holds():
    for strategy in ("dpor", "enumerate"):
        assert not leaks(buffer(True), strategy)


# ---- (c) the counterexample ----------------------------------------------------------------------

def test_counterexample_replays_and_marks_the_step():
    program = load_text(buffer(False), "buf.yaml")
    r = verify(program, Options())
    assert r.verdict.value == "violated"
    v = r.violation
    assert v.kind == "leak" and (v.line, v.col) == (15, 5)
    a1, a2 = v.detail["secret"]["prompt_a"]
    assert a1 != a2 and 1 <= a1 <= 3 and 1 <= a2 <= 3
    assert v.values["prompt_a"] == a1 and 4 <= v.values["prompt_b"] <= 6
    seen = v.detail["seen"][0]
    assert a1 in seen  # tenant_b read tenant_a's prompt back
    assert v.detail["instead"] and all(alt[0] != seen for alt in v.detail["instead"])
    assert r.trace is not None and r.trace.violation.kind == "leak"
    step = v.detail["step"]
    marked = r.trace.steps[step - 1]
    assert marked.thread == "tenant_b" and f"read buf = {a1}" in " ".join(marked.actions[0].effects)


# ---- (d) never holds without an answer ---------------------------------------------------------------

def test_stateful_search_says_unknown():
    x = search(buffer(True), "stateful", keep_going=True)
    assert not x.violations and any("no_leak" in u for u in x.undecided.values())


def test_violation_that_ends_executions_makes_it_unknown():
    t = "  a:\n    - assert prompt_a != 7\n    - out = 1\n  b:\n    - r = out\n"
    x = search(model(t), "dpor", keep_going=True)
    assert ("leak",) not in {v[:1] for v in x.violations}
    assert any("not decided" in u for u in x.undecided.values())


def test_solver_unknown_is_never_holds(monkeypatch):
    from checker.symbolic import solver as S

    def unknown(self, constraints):
        self.calls += 1
        return S.Sat.UNKNOWN, None
    monkeypatch.setattr(S.Solver, "decide", unknown)
    x = search(model("  a:\n    - out = prompt_a + 1\n  b:\n    - r = out\n"), "dpor", keep_going=True)
    assert not x.violations and any("unknown" in u for u in x.undecided.values())


# ---- (e) errors --------------------------------------------------------------------------------------

@pytest.mark.parametrize("check, inputs, message, hint", [
    ("no_leak: {secret: prompt_z, to: b}", None, "13:23: error: undefined input 'prompt_z' in 'no_leak'",
     "did you mean 'prompt_a'?"),
    ("no_leak: {secret: x, to: b}", None, "13:23: error: input 'x' is not marked secret",
     "declare it as 'x: int in 0..3 secret'"),
    ("no_leak: {secret: out, to: b}", None, "13:23: error: 'out' is a shared variable, not an input",
     "'secret' names inputs marked 'secret'"),
    ("no_leak: {secret: prompt_a, to: c}", None, "13:37: error: 'c' is neither a thread nor a shared variable",
     "threads: a, b"),
    ("no_leak: {secret: prompt_a, to: x}", None, "13:37: error: 'x' is an input; 'to' names a thread or a shared "
     "variable", "name the thread that observes it"),
    ("no_leak: {secret: prompt_a}", None, "13:14: error: 'no_leak' needs 'to'",
     "write 'no_leak: {secret: INPUT, to: THREAD_OR_VARIABLE}' (each may be a list)"),
    ("no_leak: {secret: prompt_a, to: b, from: a}", None, "13:40: error: unknown key 'from' in 'no_leak'",
     "write 'no_leak: {secret: INPUT, to: THREAD_OR_VARIABLE}' (each may be a list)"),
    (LEAK, "  prompt_a: int in 0..3 secrte\n", "3:25: error: unexpected text after the type of input 'prompt_a', "
     "found 'secrte'", "did you mean 'secret'?"),
])
def test_errors(check, inputs, message, hint):
    text = model("  a:\n    - out = 1\n  b:\n    - r = out\n", check=check,
                 **({"inputs": inputs} if inputs else {}))
    with pytest.raises(ModelError) as err:
        load_text(text, "m.yaml")
    e = err.value
    assert f"{e.pos.line}:{e.pos.col}: error: {e.message}" == message
    assert e.hint == hint


def test_array_observer_is_refused():
    text = model("  a:\n    - d[0] = prompt_a\n", shared="  d: int[2]\n",
                 check="no_leak: {secret: prompt_a, to: d}")
    with pytest.raises(ModelError, match="'d' is an array"):
        load_text(text, "m.yaml")


# ---- (f) random programs against an explicit check ---------------------------------------------------
#
# A program: threads of statements over shared ints x, y (start 0), locals, the secret input s in
# 0..2 and the public input p in 0..1. Statements: ("read", local, var) one step; ("write", var,
# expr) one step; ("local", local, expr) and ("if", cond, then, else) no step; ("lock",) and
# ("unlock",) one step on the mutex m; ("any", local, lo, hi) one step. Expressions: ("k", n), ("in", name), ("loc", name),
# (op, a, b) with op in + - * and ("%2", a). The observer thread sees each shared read and each
# input an expression evaluates (left to right); the observed variable each value written.

INPUTS = {"s": range(0, 3), "p": range(0, 2)}


def gen_expr(rng: random.Random, local: list, depth: int = 0):
    r = rng.random()
    if depth < 2 and r < 0.35:
        op = rng.choice(["+", "-", "*", "%2"])
        if op == "%2":
            return ("%2", gen_expr(rng, local, depth + 1))
        return (op, gen_expr(rng, local, depth + 1), gen_expr(rng, local, depth + 1))
    choices = [("k", rng.randint(0, 2)), ("in", rng.choice("sp"))]
    if local:
        choices.append(("loc", rng.choice(local)))
    return rng.choice(choices)


def gen_body(rng: random.Random, local: list, n: int, depth: int, locked: bool) -> list:
    body = []
    for _ in range(n):
        r = rng.random()
        if r < 0.3:
            name = f"l{len(local)}"
            body.append(("read", name, rng.choice("xy")))
            local.append(name)
        elif r < 0.6:
            body.append(("write", rng.choice("xy"), gen_expr(rng, local)))
        elif r < 0.7:
            name = f"l{len(local)}"
            body.append(("local", name, gen_expr(rng, local)))
            local.append(name)
        elif r < 0.75:
            name = f"l{len(local)}"
            body.append(("any", name, rng.randint(0, 1), rng.randint(1, 2)))
            local.append(name)
        elif r < 0.85 and depth == 0:
            cond = (rng.choice(["==", ">"]), gen_expr(rng, local), ("k", rng.randint(0, 2)))
            then = gen_body(rng, list(local), rng.randint(1, 2), depth + 1, False)
            orelse = gen_body(rng, list(local), rng.randint(0, 1), depth + 1, False)
            body.append(("if", cond, then, orelse))
        elif locked and depth == 0:
            inner = gen_body(rng, local, rng.randint(1, 2), depth + 1, False)
            body += [("lock",)] + inner + [("unlock",)]
        else:
            body.append(("write", rng.choice("xy"), gen_expr(rng, local)))
    return body


def gen_program(rng: random.Random):
    threads = [gen_body(rng, [], rng.randint(1, 3), 0, rng.random() < 0.3) for _ in range(rng.randint(2, 3))]
    observer = rng.choice([("thread", rng.randrange(len(threads))), ("var", "x"), ("var", "y")])
    return threads, observer


def expr_text(e) -> str:
    if e[0] == "k":
        return str(e[1])
    if e[0] in ("in", "loc"):
        return e[1]
    if e[0] == "%2":
        return f"(({expr_text(e[1])}) % 2)"
    if e[0] in ("==", ">"):
        return f"{expr_text(e[1])} {e[0]} {expr_text(e[2])}"
    return f"({expr_text(e[1])} {e[0]} {expr_text(e[2])})"


def stmt_lines(s, indent: str) -> list:
    if s[0] == "read":
        return [f"{indent}- {s[1]} = {s[2]}"]
    if s[0] == "any":
        return [f"{indent}- {s[1]} = any {s[2]}..{s[3]}"]
    if s[0] in ("write", "local"):
        return [f'{indent}- "{s[1]} = {expr_text(s[2])}"']
    if s[0] in ("lock", "unlock"):
        return [f"{indent}- {s[0]} m"]
    lines = [f'{indent}- if: "{expr_text(s[1])}"', f"{indent}  then:"]
    for b in s[2]:
        lines += stmt_lines(b, indent + "    ")
    if s[3]:
        lines.append(f"{indent}  else:")
        for b in s[3]:
            lines += stmt_lines(b, indent + "    ")
    return lines


def program_text(threads, observer) -> str:
    lines = ["model: random_leak", "inputs:", "  s: int in 0..2 secret", "  p: int in 0..1",
             "shared:", "  x: 0", "  y: 0", "  m: mutex", "threads:"]
    for k, body in enumerate(threads):
        lines.append(f"  t{k}:")
        for s in body:
            lines += stmt_lines(s, "    ")
    to = f"t{observer[1]}" if observer[0] == "thread" else observer[1]
    lines += ["check:", f"  - no_leak: {{secret: s, to: {to}}}"]
    return "\n".join(lines) + "\n"


def evaluate(e, env: dict, inputs: dict, seen: list | None):
    if e[0] == "k":
        return e[1]
    if e[0] == "in":
        if seen is not None:
            seen.append(inputs[e[1]])
        return inputs[e[1]]
    if e[0] == "loc":
        return env[e[1]]
    if e[0] == "%2":
        return evaluate(e[1], env, inputs, seen) % 2
    a = evaluate(e[1], env, inputs, seen)
    b = evaluate(e[2], env, inputs, seen)
    return {"+": a + b, "-": a - b, "*": a * b, "==": a == b, ">": a > b}[e[0]]


def observations(threads, observer, inputs: dict) -> set:
    """Every observation sequence over every schedule, by brute force: each thread is a list of
    pending statements; local ones run eagerly, visible ones (read, write, lock, unlock) are
    the scheduling points."""
    out: set = set()
    watch_t = observer[1] if observer[0] == "thread" else None
    watch_v = observer[1] if observer[0] == "var" else None

    def settle(t, todo, env, seen):
        """Run thread t's local statements up to its next visible one."""
        while todo:
            s = todo[0]
            mine = seen if t == watch_t else None
            if s[0] == "local":
                env = {**env, s[1]: evaluate(s[2], env, inputs, mine)}
                todo = todo[1:]
            elif s[0] == "if":
                branch = s[2] if evaluate(s[1], env, inputs, mine) else s[3]
                todo = list(branch) + todo[1:]
            else:
                break
        return todo, env

    def run(states, mem, holder, seen):
        live = [t for t, (todo, _) in enumerate(states) if todo]
        moved = False
        for t in live:
            todo, env = states[t]
            s = todo[0]
            if s[0] == "lock" and holder is not None:
                continue
            moved = True
            seen2, mem2, holder2 = list(seen), dict(mem), holder
            if s[0] == "read":
                env = {**env, s[1]: mem[s[2]]}
                if t == watch_t:
                    seen2.append(mem[s[2]])
            elif s[0] == "write":
                v = evaluate(s[2], env, inputs, seen2 if t == watch_t else None)
                mem2[s[1]] = v
                if s[1] == watch_v:
                    seen2.append(v)
            elif s[0] == "any":  # a draw is a step of its own; every value is a possible run
                for v in range(s[2], s[3] + 1):
                    rest, env2 = settle(t, todo[1:], {**env, s[1]: v}, seen2)
                    run(states[:t] + [(rest, env2)] + states[t + 1:], mem2, holder2, seen2)
                continue
            else:
                holder2 = t if s[0] == "lock" else None
            rest, env = settle(t, todo[1:], env, seen2)
            run(states[:t] + [(rest, env)] + states[t + 1:], mem2, holder2, seen2)
        if not moved:  # every thread finished (or blocked: a deadlock ends the execution too)
            out.add(tuple(seen))

    seen0: list = []
    states = []
    for t, body in enumerate(threads):
        states.append(settle(t, list(body), {}, seen0))
    run(states, {"x": 0, "y": 0}, None, seen0)
    return out


def explicit_leak(threads, observer) -> bool:
    for p in INPUTS["p"]:
        sets = {frozenset(observations(threads, observer, {"s": s, "p": p})) for s in INPUTS["s"]}
        if len(sets) > 1:
            return True
    return False


SEEDS = range(120) if os.environ.get("CI") else random.Random().sample(range(10**6), 120)


def test_random_programs_agree_with_the_explicit_check():
    leaky = 0
    for seed in SEEDS:
        threads, observer = gen_program(random.Random(seed))
        text = program_text(threads, observer)
        want = explicit_leak(threads, observer)
        got = leaks(text)
        assert got == want, f"seed {seed}: checker {got}, explicit {want}\n{text}"
        leaky += want
    assert 0 < leaky < len(SEEDS)  # both answers occur


def test_random_programs_reduced_and_unreduced_agree():
    for seed in list(SEEDS)[:30]:
        threads, observer = gen_program(random.Random(seed))
        text = program_text(threads, observer)
        want = leaks(text, "dpor")
        assert leaks(text, "enumerate") == want, f"seed {seed}\n{text}"
        assert leaks(text, symbolic_any=True) == want, f"seed {seed}\n{text}"


def test_a_counterexample_does_not_depend_on_what_ran_before_in_the_process():
    """Each run has its own z3 context: the leak's values and observations are those of the
    model alone, whatever was verified before it in the same process."""
    root = Path(__file__).resolve().parent.parent / "models"

    def leak(name):
        r = verify(load(str(root / f"{name}.yaml")))
        return [p.violation.message for p in r.properties if p.kind == "leak" and p.violation is not None]

    alone = leak("kv_block_reuse")
    for other in ("seed_sum_unlocked", "context_global", "batch_slots", "prefix_cache_evict"):
        verify(load(str(root / f"{other}.yaml")))
    assert alone and leak("kv_block_reuse") == alone
