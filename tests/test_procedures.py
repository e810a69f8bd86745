"""Procedures and jumps: `break`, `continue`, `return [EXPR]`, `f(ARGS)`, `v = f(ARGS)`.

(a) each error of a near miss, at its position, with its hint, through `checker verify` (exit 2);
(b) what the forms do: exact outcomes and execution counts on small models (reduced and not);
(c) loops with `break`/`continue` keep the counted-loop analysis honest;
(d) traces name the call of each step inside a procedure.
"""
from __future__ import annotations

import pytest

from checker.lang import parse_model
from checker.program.loops import counted, loops
from checker.verify import load_text
from helpers import search
from test_errors import expect_error, model_file
from test_render_trace import result_of, text as render_text

HEAD = """\
model: m
shared:
  x: 0
  m: mutex
procedures:
  inc(d):
    - t = x
    - x = t + d
  fetch():
    - return x
threads:
  a:
"""  # 12 lines: the first statement of thread a is on line 13, its text at column 7

# (id, extra text after HEAD, first line of the error after 'FILE:', hint)
ERRORS = [
    ("break_outside_loop", "    - break\n", "13:7: error: 'break' outside a loop",
     "'break' goes inside a 'while' ('do:' list); 'return' ends the thread"),
    ("continue_outside_loop", "    - {if: x == 0, then: [continue]}\n", "13:27: error: 'continue' outside a loop",
     "'continue' goes inside a 'while' ('do:' list); 'return' ends the thread"),
    ("return_value_in_thread", "    - return x\n", "13:7: error: 'return EXPR' in a thread: a thread gives no value",
     "write 'return' to end the thread, or store the value in a shared variable first"),
    ("break_in_atomic", "    - while: x < 3\n      do:\n        - atomic: [x = x + 1, break]\n",
     "15:31: error: 'break' inside 'atomic:'",
     "an atomic block runs as one step to its end; put the 'break' after the block "
     "(e.g. under an 'if' on a flag set inside it)"),
    ("return_in_atomic", "    - atomic: [return]\n", "13:16: error: 'return' inside 'atomic:'",
     "an atomic block runs as one step to its end; put the 'return' after the block "
     "(e.g. under an 'if' on a flag set inside it)"),
    ("undefined_procedure", "    - incc(1)\n", "13:7: error: undefined procedure 'incc'", "did you mean 'inc'?"),
    ("undefined_procedure_no_near", "    - reset()\n", "13:7: error: undefined procedure 'reset'",
     "define it under 'procedures:', e.g. 'reset(x): [...]'"),
    ("wrong_arity", "    - inc(1, 2)\n", "13:7: error: procedure 'inc' takes 1 argument (d), found 2",
     "write 'inc(d)' with one value per parameter"),
    ("wrong_arity_none", "    - v = fetch(1)\n", "13:7: error: procedure 'fetch' takes no arguments, found 1",
     "write 'fetch()' with one value per parameter"),
    ("never_returns_value", "    - v = inc(1)\n", "13:7: error: procedure 'inc' never returns a value",
     "call it as a statement, 'inc(1)', or end 'inc' with 'return EXPR'"),
    ("call_inside_expression", "    - v = fetch() + 1\n",
     "13:11: error: a call of procedure 'fetch' must be a statement or the whole right-hand side of '='",
     "write 'v = fetch(...)' as its own statement, then use v"),
    ("builtin_as_statement", "    - len(x)\n", "13:7: error: 'len(...)' gives a value; it is not a statement",
     "write 'v = len(x)'"),
]


@pytest.mark.parametrize("text,first,hint", [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_error(tmp_path, text, first, hint):
    expect_error(model_file(tmp_path, HEAD + text), first, hint)


def proc_model(procs: str, threads: str = "  a: [skip]\n") -> str:
    return f"model: m\nshared:\n  x: 0\nprocedures:\n{procs}threads:\n{threads}"


PROC_ERRORS = [
    ("recursion_direct", "  f():\n    - f()\n", "6:7: error: recursion: f -> f",
     "procedures are inlined at each call, so they cannot call themselves; write the repetition as a 'while' loop"),
    ("recursion_mutual", "  f():\n    - g()\n  g():\n    - skip\n    - f()\n", "6:7: error: recursion: f -> g -> f",
     "procedures are inlined at each call, so they cannot call themselves; write the repetition as a 'while' loop"),
    ("named_like_keyword", "  assert(v):\n    - skip\n",
     "5:3: error: a procedure cannot be named 'assert': it is a word of the language",
     "pick another name; reserved are the statement words, sum, len, at, any, fetch_add, cas, swap and tid"),
    ("named_like_builtin", "  fetch_add(v):\n    - skip\n",
     "5:3: error: a procedure cannot be named 'fetch_add': it is a word of the language",
     "pick another name; reserved are the statement words, sum, len, at, any, fetch_add, cas, swap and tid"),
    ("named_like_thread", "  a():\n    - skip\n", "5:3: error: procedure 'a' has the name of a thread",
     "procedures, threads, shared resources and inputs need different names"),
    ("no_parameter_list", "  f:\n    - skip\n", "5:4: error: procedure 'f' needs its parameter list",
     "write 'f()' for a procedure without parameters"),
    ("break_in_procedure", "  f():\n    - break\n", "6:7: error: 'break' outside a loop in procedure 'f'",
     "'break' goes inside a 'while' ('do:' list); 'return' leaves the procedure"),
    ("label_in_procedure", "  f():\n    - here: x = 1\n", "6:7: error: a label inside procedure 'f'",
     "label the call instead: a procedure's statements are inlined at each call"),
]


@pytest.mark.parametrize("procs,first,hint", [c[1:] for c in PROC_ERRORS], ids=[c[0] for c in PROC_ERRORS])
def test_procedure_error(tmp_path, procs, first, hint):
    expect_error(model_file(tmp_path, proc_model(procs)), first, hint)


def test_unknown_procedure_key_near_miss(tmp_path):
    expect_error(model_file(tmp_path, "model: m\nprocedure:\n  f(): [skip]\nthreads:\n  a: [skip]\n"),
                 "2:1: error: unknown top-level key 'procedure'", "did you mean 'procedures'?")


# ---- (b) what the forms do ----------------------------------------------------------------------

LOST_UPDATE = proc_model("  add(g):\n    - t = x\n    - x = t + g\n",
                         "  a: [add(1)]\n  b: [add(2)]\ncheck:\n  - final: x == 3\n")
LOCKED = LOST_UPDATE.replace("shared:\n  x: 0\n", "shared:\n  x: 0\n  m: mutex\n").replace(
    "    - t = x\n    - x = t + g\n", "    - lock m\n    - t = x\n    - x = t + g\n    - unlock m\n")


@pytest.mark.parametrize("strategy", ["dpor", "enumerate", "stateful", "stateful-full"])
def test_procedure_steps_are_the_callers(strategy):
    # each call is two steps (read, write): the lost update happens, and 6 interleavings
    x = search(LOST_UPDATE, strategy, keep_going=True)
    assert {v[0] for v in x.violations} == {"final"}
    if strategy == "enumerate":
        assert x.stats.executions == 6
    y = search(LOCKED, strategy, keep_going=True)
    assert not y.violations


def test_return_value_and_early_return():
    text = proc_model("  clamp(v):\n    - if: v > 2\n      then: [return 2]\n    - return v\n",
                      "  a:\n    - r = clamp(5)\n    - s = clamp(1)\n    - x = r * 10 + s\n"
                      "check:\n  - final: x == 21\n")
    assert not search(text, "dpor", keep_going=True).violations


def test_missing_return_is_a_runtime_violation_at_the_call():
    text = proc_model("  f(v):\n    - if: v > 2\n      then: [return 2]\n",
                      "  a:\n    - r = f(1)\n")
    x = search(text, "dpor", keep_going=True)
    assert [v[:2] for v in x.violations] == [("runtime", 10)]
    bare = proc_model("  f(v):\n    - if: v > 2\n      then: [return]\n    - return 1\n", "  a:\n    - r = f(3)\n")
    assert [v[0] for v in search(bare, "dpor", keep_going=True).violations] == ["runtime"]


def test_arguments_are_read_in_the_caller_and_locals_are_fresh():
    # the callee cannot see the caller's locals; each call starts with its locals unset
    text = proc_model("  f(v):\n    - if: v == 0\n      then: [seen = 1]\n    - return seen\n",
                      "  a:\n    - k = 0\n    - while: k < 2\n      do:\n        - r = f(k)\n        - k = k + 1\n")
    x = search(text, "dpor", keep_going=True)
    assert [v[0] for v in x.violations] == ["runtime"]  # the second call reads 'seen' unset


def test_thread_return_ends_the_thread():
    text = proc_model("", "  a:\n    - x = 1\n    - return\n    - x = 2\ncheck:\n  - final: x == 1\n")
    text = text.replace("procedures:\n", "")
    assert not search(text, "dpor", keep_going=True).violations


def test_break_and_continue():
    text = ("model: m\nshared:\n  x: 0\nthreads:\n  a:\n    - k = 0\n    - while: k < 10\n      do:\n"
            "        - k = k + 1\n        - if: k % 2 == 0\n          then: [continue]\n"
            "        - if: k > 5\n          then: [break]\n        - x = x + k\n"
            "check:\n  - final: x == 9\n")  # 1 + 3 + 5, then 7 breaks
    for strategy in ("dpor", "stateful"):
        assert not search(text, strategy, keep_going=True).violations


def test_nested_calls_and_tid():
    text = proc_model("  inner(v):\n    - return v + tid\n  outer(v):\n    - r = inner(v * 2)\n    - return r + 1\n",
                      "  w:\n    count: 2\n    do:\n      - r = outer(3)\n      - fetch_add(x, r)\n"
                      "check:\n  - final: x == 15\n")  # (6 + 0 + 1) + (6 + 1 + 1)
    assert not search(text, "dpor", keep_going=True).violations


# ---- (c) loop classification ----------------------------------------------------------------------

TEXT_NESTED = ("model: m\nshared: {x: 0}\nthreads:\n  a:\n    - k = 0\n    - while: k < 3\n      do:\n"
               "        - k = k + 1\n        - j = 0\n        - while: j < 2\n          do: [j = j + 1, continue]\n")


def test_continue_makes_a_loop_uncounted_break_does_not():
    def loop_of(body: str):
        m = load_text("model: m\nshared: {x: 0}\nthreads:\n  a:\n    - k = 0\n" + body, "m.yaml")
        return m.counted_loops
    assert loop_of("    - while: k < 3\n      do: [k = k + 1, x = 1]\n")
    assert loop_of("    - while: k < 3\n      do: [k = k + 1, {if: x == 1, then: [break]}]\n")
    assert not loop_of("    - while: k < 3\n      do: [{if: x == 1, then: [continue]}, k = k + 1]\n")
    # a continue of an inner loop does not restart the outer one (the inner loop is not counted)
    m = load_text(TEXT_NESTED, "m.yaml")
    outer, inner = loops(parse_model(TEXT_NESTED).threads[0].body)
    assert counted(outer, {"x"}) and not counted(inner, {"x"}) and not m.counted_loops


def test_a_loop_in_a_procedure_is_classified():
    text = proc_model("  spin():\n    - while: x == 0\n      do: [t = 1]\n", "  a: [spin()]\n  b: [x = 1]\n")
    assert not load_text(text, "m.yaml").counted_loops


# ---- (d) traces ------------------------------------------------------------------------------------

def test_trace_names_the_call():
    r = result_of(LOST_UPDATE, [0, 1, 1, 0])
    out = render_text(r)
    assert "add(1) at line 9: t = x  (line 6)" in out
    assert "add(2) at line 10: x = t + g  (line 7)" in out


# ---- (e) the oracle: random models with procedures, loops with break/continue, early returns ----

ORACLE_SEED, ORACLE_PROGRAMS = 20_251_130, 100


@pytest.mark.parametrize("cfg_name", ["PROCS", "PROCS_COUNT_SAFE"])
def test_random_models_with_procedures_agree_with_the_oracle(cfg_name):
    """A fixed sample (the same programs every run): every search reaches what the brute-force
    oracle (its own call handling, no inlining) reaches; on count-safe models DPOR explores one
    execution per Mazurkiewicz trace."""
    import random

    from oracle import gen
    from oracle.interp import TooBig, differences, run

    cfg = getattr(gen, cfg_name)
    rng, failures, ran = random.Random(ORACLE_SEED), [], 0
    for _ in range(ORACLE_PROGRAMS // 2 if cfg_name == "PROCS_COUNT_SAFE" else ORACLE_PROGRAMS):
        text = gen.random_model(rng, cfg)
        try:
            o = run(text, 20_000)
        except TooBig:
            continue
        ran += 1
        strategies = ["dpor"] if cfg_name == "PROCS_COUNT_SAFE" else ["dpor", "stateful"]
        for strategy in strategies:
            x = search(text, strategy, keep_going=True)
            problems = differences(x, o)
            if cfg_name == "PROCS_COUNT_SAFE" and o.count_safe and x.stats.executions != o.traces:
                problems.append(f"{x.stats.executions} executions for {o.traces} traces")
            if problems:
                failures.append(f"{strategy}: {problems}\n{text}")
    assert ran >= 0.8 * (ORACLE_PROGRAMS // 2 if cfg_name == "PROCS_COUNT_SAFE" else ORACLE_PROGRAMS)
    assert not failures, "\n".join(failures[:3])
