"""Bad input gets a clear error, never a traceback.

Every case writes a small model to a file, runs it through `checker verify` (or `checker
check`) and asserts exit code 2, no traceback, the exact first line `file:line:col: error: ...`
and the hint. Positions are 1-based, at the offending token. The last test fuzzes mutated
sample models through the loader: a mutation either compiles or raises `ModelError`.
"""
from __future__ import annotations

import io
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checker.cli import run_check, run_verify
from checker.errors import ModelError
from checker.verify import Options, load_text

MODELS = Path(__file__).resolve().parent.parent / "models"

# 11 lines; the first statement of thread t is on line 12 and its text starts at column 7.
BASE = """\
model: m
inputs:
  g: int in 0..3
shared:
  x: 0
  flag: false
  d: [1, 2]
  m: mutex
  cv: condition
threads:
  t:
"""


def run(path: Path, command: str = "verify") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    if command == "verify":
        code = run_verify([str(path)], Options(), False, out, err)
    else:
        code = run_check([str(path)], False, out, err)
    return code, out.getvalue(), err.getvalue()


def expect_error(path: Path, first: str, hint: str | None = None, command: str = "verify") -> None:
    """`first` is the message after the file name, e.g. '7:12: error: undefined name ...'."""
    code, out, err = run(path, command)
    assert code == 2, (out, err)
    assert "Traceback" not in err
    lines = err.splitlines()
    assert lines[0] == f"{path}:{first}"
    if hint is None:
        assert len(lines) == 1, lines
    else:
        assert lines[1:] == [f"  hint: {hint}"]


def model_file(tmp_path: Path, text: str | bytes, name: str = "m.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# (id, model text, first line after 'FILE:', hint or None)
CASES = [
    # -- the file and its YAML ------------------------------------------------------------
    ("empty_file", "", "1:1: error: the file is empty",
     "a model needs at least 'model:' and 'threads:'"),
    ("comment_only_file", "# nothing here\n\n", "1:1: error: the file is empty",
     "a model needs at least 'model:' and 'threads:'"),
    ("file_is_a_list", "- model: m\n- threads: {}\n",
     "1:1: error: a model file must be a mapping of keys, found a list",
     "start with 'model: NAME' and 'threads:'"),
    ("file_is_a_scalar", "just some words\n",
     "1:1: error: a model file must be a mapping of keys, found 'just some words'",
     "start with 'model: NAME' and 'threads:'"),
    ("non_utf8", b"model: m\nthreads:\n  t:\n    - x = \xff\n",
     "4:11: error: the file is not UTF-8 text: byte 0xff here is not valid UTF-8 (invalid start byte)",
     "save the file as UTF-8"),
    ("nul_character", "model: m\x00\nthreads:\n  t: [skip]\n",
     "1:9: error: the file contains the control character U+0000, which YAML does not allow",
     "remove it; a model is plain text"),
    ("yaml_bad_indentation", "model: m\nthreads:\n  t:\n    - skip\n   - skip\n",
     "5:4: error: YAML syntax: bad indentation: this line does not line up with the lines above it "
     "(the block that starts at line 3)",
     "entries of one list or mapping start in the same column"),
    ("yaml_unclosed_quote", "model: m\nthreads:\n  t:\n    - \"x = 1\n    - skip\n",
     "4:7: error: YAML syntax: unclosed quote", "close the quote on the same line"),
    ("yaml_unclosed_flow_list", "model: m\nthreads:\n  t: [skip, skip\n",
     "3:6: error: YAML syntax: unclosed '['",
     "close it with ']', or quote a statement that starts with '['"),
    ("yaml_tab_indentation", "model: m\nthreads:\n\tt: [skip]\n",
     "3:1: error: YAML syntax: a tab character where YAML does not allow one",
     "indent with spaces, and use spaces instead of tabs"),
    ("yaml_line_without_colon", "model: m\nthreads:\n  t:\n    - skip\n    x = 2\n  u: [skip]\n",
     "5:5: error: YAML syntax: this line is not 'KEY: VALUE' and not a list item '- ...'",
     "add the missing ':' or '- ', or join it with the line above"),
    ("yaml_two_documents", "model: m\n---\nthreads: {}\n",
     "2:1: error: YAML syntax: the file holds more than one YAML document",
     "one model per file: remove the '---' line"),
    ("yaml_colon_inside_statement", BASE + "    - assert x: 1\n",
     "12:7: error: 'assert x' is not a valid label name",
     "YAML reads 'A: B' as a label A on statement B; quote a statement that contains ': '"),
    ("yaml_alias", "model: m\nthreads:\n  a: &body\n    - skip\n  b: *body\n",
     "3:6: error: YAML anchors and aliases are not supported", "write the repeated part out"),
    ("yaml_alias_without_anchor_use", "model: m\nthreads:\n  a: [skip]\n  b: *body\n",
     "4:6: error: YAML anchors and aliases are not supported", "write the repeated part out"),
    ("yaml_nested_too_deep", "model: m\nthreads: " + "[" * 5000 + "]" * 5000 + "\n",
     "2:109: error: the YAML is nested deeper than 100 levels", "flatten the model"),
    ("statements_nested_too_deep", BASE + "    - " + "{atomic: [" * 300 + "skip" + "]}" * 300 + "\n",
     "12:488: error: the YAML is nested deeper than 100 levels", "flatten the model"),
    ("duplicate_shared_key", BASE.replace("  flag: false\n", "  x: 1\n") + "    - skip\n",
     "6:3: error: duplicate key 'x' in 'shared'", "it is first given at line 5"),
    ("duplicate_top_level_key", "model: m\nmodel: n\nthreads:\n  t: [skip]\n",
     "2:1: error: duplicate key 'model' in the model", "it is first given at line 1"),
    # -- top-level keys ---------------------------------------------------------------------
    ("missing_model", "threads:\n  t:\n    - skip\n",
     "1:1: error: missing required key 'model'", "a model needs 'model: NAME' and 'threads:'"),
    ("missing_threads", "model: m\nshared:\n  x: 0\n",
     "1:1: error: missing required key 'threads'", "a model needs 'model: NAME' and 'threads:'"),
    ("empty_model_name", "model:\nthreads:\n  t: [skip]\n",
     "1:7: error: 'model' needs a name", "write 'model: NAME'"),
    ("unknown_top_level_key", "model: m\nthread:\n  t:\n    - skip\n",
     "2:1: error: unknown top-level key 'thread'", "did you mean 'threads'?"),
    ("unknown_property_kind", BASE + "    - skip\ncheck:\n  - finall: x == 0\n",
     "14:5: error: unknown property kind 'finall'", "did you mean 'final'?"),
    ("property_key_is_a_list", BASE + "    - skip\ncheck:\n  - ? [final]\n    : x == 0\n",
     "14:7: error: a property kind must be a single value, found a list", None),
    ("bad_expect_value", BASE + "    - skip\nexpect: hold\n",
     "13:9: error: 'expect' must be holds or violated, not 'hold'", "did you mean 'holds'?"),
    ("bad_expect_kind", BASE + "    - skip\nexpect:\n  violated: deadlocks\n",
     "14:13: error: unknown violation kind 'deadlocks'", "did you mean 'deadlock'?"),
    ("count_over_limit", "model: m\nthreads:\n  w:\n    count: 100\n    do:\n      - skip\n",
     "4:12: error: 'count' must be a whole number from 1 to 64, not '100'",
     "a model has at most 64 threads in all"),
    ("count_superscript_digit", "model: m\nthreads:\n  w:\n    count: \u00b2\n    do: [skip]\n",
     "4:12: error: 'count' must be a whole number from 1 to 64, not '\u00b2'",
     "a model has at most 64 threads in all"),
    ("count_5000_digits", "model: m\nthreads:\n  w:\n    count: " + "1" * 5000 + "\n    do: [skip]\n",
     "4:12: error: 'count' must be a whole number from 1 to 64, not '" + "1" * 37 + "...'",
     "a model has at most 64 threads in all"),
    ("hundred_threads", "model: m\nthreads:\n" + "".join(f"  t{i}:\n    - skip\n" for i in range(100)),
     "3:3: error: the model has 100 threads; at most 64 are supported", None),
    ("semaphore_without_permits", "model: m\nshared:\n  s: semaphore\nthreads:\n  t: [skip]\n",
     "3:6: error: semaphore 's' needs a number of permits", "write 'semaphore 2'"),
    ("mixed_array", "model: m\nshared:\n  a: [1, true]\nthreads:\n  t: [skip]\n",
     "3:10: error: array 'a' mixes int and bool cells", "an array holds cells of one type"),
    # -- statements and expressions -----------------------------------------------------------
    ("unknown_statement", BASE + "    - lok m\n",
     "12:7: error: unknown statement 'lok'", "did you mean 'lock'?"),
    ("double_equals_as_assignment", BASE + "    - x == 1\n",
     "12:9: error: '==' compares; a statement assigns with '='",
     "write 'x = 1', or 'assert x == 1' to check"),
    ("compound_assignment", BASE + "    - x += 1\n",
     "12:9: error: '+=' is not supported", "write 'x = x + ...'"),
    ("unbalanced_open_paren", BASE + "    - x = (x + 1\n",
     "12:17: error: expected ')' to close the '(' at column 11, found the end of the text",
     "parentheses must balance"),
    ("operand_missing_at_the_end", BASE + "    - x = (1 +\n",
     "12:15: error: expected an expression, found the end of the text",
     "the text stops where an operand should follow: complete it, e.g. 'x + 1'"),
    ("operator_where_an_operand_goes", BASE + "    - x = 1 + * 2\n",
     "12:15: error: expected an expression, found '*'",
     "an operand is a number, true or false, a name, a cell 'a[i]', a call 'f(x)', or an expression in parentheses"),
    ("unbalanced_close_paren", BASE + "    - x = x + 1)\n",
     "12:16: error: unexpected ')' after the end of the expression",
     "parentheses must balance: this ')' has no '('"),
    ("unbalanced_open_bracket", BASE + "    - x = d[0 + 1\n",
     "12:18: error: expected ']' to close the index, found the end of the text",
     "brackets must balance"),
    ("unbalanced_close_bracket", BASE + "    - x = d[0]]\n",
     "12:15: error: unexpected ']' after the end of the expression",
     "brackets must balance: this ']' has no '['"),
    ("empty_input_range", BASE.replace("0..3", "5..1") + "    - skip\n",
     "3:6: error: the range 5..1 of input 'g' is empty", "write 1..5"),
    ("empty_any_range", BASE + "    - y = any 3..1\n",
     "12:11: error: the range 3..1 is empty", "write any 1..3"),
    ("nested_200_parens", BASE + "    - y = " + "(" * 200 + "1" + ")" * 200 + "\n",
     "12:75: error: expression nested deeper than 64 levels",
     "split it into several statements with locals"),
    ("nested_200_nots", BASE + "    - assert " + "not " * 200 + "true\n",
     "12:270: error: expression nested deeper than 64 levels",
     "split it into several statements with locals"),
    ("flat_chain_of_5000_terms", BASE + "    - y = " + " + ".join(["1"] * 5000) + "\n",
     "12:11: error: expression has more than 256 nested operations",
     "split it into several statements with locals"),
    ("huge_integer_literal", BASE + "    - x = " + "9" * 100 + "\n",
     "12:11: error: integer literal longer than 60 digits", "integers are limited to 60 digits"),
    ("trailing_comma_in_call", BASE + "    - y = len(d,)\n",
     "12:17: error: expected an argument of 'len' after ',', found ')'", None),
    ("line_folded_into_value", "model: m\nshared:\n  x: 0\n    - lock m\nthreads:\n  t: [skip]\n",
     "4:12: error: unexpected 'm' after the end of the expression",
     "YAML joined this line to the value on a line above it; check the indentation and the '- ' "
     "of each statement"),
    # -- names, types and lowering ----------------------------------------------------------
    ("lock_an_int", BASE + "    - lock x\n",
     "12:12: error: 'lock' needs a mutex; 'x' is a shared variable",
     "declare one under 'shared:', e.g. 'm: mutex'"),
    ("trylock_a_local", BASE + "    - y = 1\n    - ok = trylock y\n",
     "13:20: error: 'trylock' needs a mutex; 'y' is a thread-local variable",
     "declare one under 'shared:', e.g. 'm: mutex'"),
    ("wait_on_a_mutex", BASE + "    - lock m\n    - wait m m\n",
     "13:12: error: 'wait' needs a condition variable; 'm' is a mutex", "write 'wait CONDITION MUTEX'"),
    ("add_a_bool", BASE + "    - y = x + flag\n",
     "12:15: error: '+' needs an int, found a bool", None),
    ("undefined_name_near_miss", BASE + "    - tmp = x\n    - x = tmpp + 1\n",
     "13:11: error: undefined name 'tmpp'", "did you mean 'tmp'?"),
    ("read_local_before_assignment", BASE + "    - x = y\n    - y = 1\n",
     "12:11: error: local 'y' is read before any assignment to it",
     "assign it first, or declare it under 'locals:'"),
    ("assign_to_input", BASE + "    - g = 1\n",
     "12:7: error: input 'g' is read-only", "copy it into a local or shared variable"),
    ("join_unknown_thread", BASE + "    - join wroker\n  worker:\n    - skip\n",
     "12:12: error: 'wroker' is not a thread", "did you mean 'worker'?"),
    ("at_unknown_label", BASE + "    - crit: x = 1\ncheck:\n  - always: not at(t, crt)\n",
     "14:23: error: thread 't' has no label 'crt'", "did you mean 'crit'?"),
    ("at_with_a_number", BASE + "    - crit: x = 1\ncheck:\n  - always: at(1, crit)\n",
     "14:16: error: expected a thread name", "write a thread's name, or NAME[K] for an instance"),
    ("index_a_non_array", BASE + "    - y = x[0]\n",
     "12:11: error: 'x' is a shared variable, not an array",
     "only shared int arrays are indexed in expressions"),
    ("len_without_argument", BASE + "    - y = len()\n",
     "12:11: error: 'len' takes one shared array or queue", "write len(d) or len(q)"),
    ("negate_a_bool_in_a_property", BASE + "    - skip\ncheck:\n  - always: -flag == 0\n",
     "14:13: error: '-' needs an int, found a bool", None),
    # -- positions inside scalars that are not one verbatim line ---------------------------------
    ("error_on_second_line_of_a_plain_scalar", BASE + "    - y = x +\n      tmpp\n",
     "13:7: error: undefined name 'tmpp'", "shared names go under 'shared:', inputs under 'inputs:'"),
    ("error_after_an_escape_in_double_quotes", BASE + "    - \"y = \\t tmpp\"\n",
     "12:15: error: undefined name 'tmpp'", "shared names go under 'shared:', inputs under 'inputs:'"),
    ("error_in_a_folded_block", BASE + "    - >\n      y = tmpp\n",
     "13:11: error: undefined name 'tmpp'", "shared names go under 'shared:', inputs under 'inputs:'"),
]


@pytest.mark.parametrize("text,first,hint", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_error(tmp_path, text, first, hint):
    expect_error(model_file(tmp_path, text), first, hint)


def test_cases_are_distinct():
    assert len(CASES) >= 25
    assert len({c[0] for c in CASES}) == len(CASES)


def test_missing_file(tmp_path):
    path = tmp_path / "nope.yaml"
    expect_error(path, f"1:1: error: no such file '{path}'", "check the path")


def test_directory(tmp_path):
    expect_error(tmp_path, f"1:1: error: '{tmp_path}' is a directory, not a model file", "pass a .yaml file")


def test_check_command_reports_the_same_error(tmp_path):
    path = model_file(tmp_path, BASE + "    - lok m\n")
    expect_error(path, "12:7: error: unknown statement 'lok'", "did you mean 'lock'?", command="check")


def test_check_command_line(tmp_path):
    """The real command: exit code 2 and the message on stderr, no traceback."""
    path = model_file(tmp_path, BASE + "    - tmp = x\n    - x = tmpp + 1\n")
    proc = subprocess.run([sys.executable, "-m", "checker.cli", "check", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [f"{path}:13:11: error: undefined name 'tmpp'",
                                        "  hint: did you mean 'tmp'?"]


def test_one_bad_model_among_good_ones(tmp_path):
    good = model_file(tmp_path, BASE + "    - x = 1\n", "good.yaml")
    bad = model_file(tmp_path, BASE + "    - lok m\n", "bad.yaml")
    out, err = io.StringIO(), io.StringIO()
    assert run_check([str(good), str(bad)], False, out, err) == 2
    assert err.getvalue().splitlines()[0] == f"{bad}:12:7: error: unknown statement 'lok'"
    assert "good.yaml: ok" in out.getvalue()


def test_sample_models_still_load():
    for path in sorted(MODELS.glob("*.yaml")):
        load_text(path.read_text(encoding="utf-8"), path.name)


# ---- fuzzing ---------------------------------------------------------------------------------

TOKENS = ["[", "]", "{", "}", "(", ")", ":", "- ", ": ", "'", '"', ",", "#", "&a ", "*a", "!!str ",
          "%", "@", "|", ">", "?", "\\", "\t", "\n", "  ", "..", "==", "=", "not ", "lock ", "any 5..1",
          "9" * 70, "\u00e9", "\x00", "- x = 1\n", "count: 100"]
FIRST_LINE = re.compile(r"m\.yaml:[1-9][0-9]*:[1-9][0-9]*: error: \S.*")


def mutate(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 3)):
        lines = text.split("\n")
        op = rng.randrange(4)
        if op == 0 and text:  # delete a character
            i = rng.randrange(len(text))
            text = text[:i] + text[i + 1:]
        elif op == 1:  # duplicate a line
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i])
            text = "\n".join(lines)
        elif op == 2 and len(lines) > 1:  # swap two lines
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        else:  # insert a token
            i = rng.randrange(len(text) + 1)
            text = text[:i] + rng.choice(TOKENS) + text[i:]
    return text


def test_fuzz_mutated_models_raise_only_model_errors():
    samples = [p.read_text(encoding="utf-8") for p in sorted(MODELS.glob("*.yaml"))]
    assert samples
    rng = random.Random(20240611)
    started = time.monotonic()
    errors = 0
    for k in range(300):
        text = mutate(rng, rng.choice(samples))
        try:
            load_text(text, "m.yaml")  # compiled fine: not verified (that could be slow)
        except ModelError as e:
            errors += 1
            rendered = e.render().split("\n")
            assert FIRST_LINE.fullmatch(rendered[0]), (k, rendered, text)
            assert len(rendered) == 1 or (len(rendered) == 2 and rendered[1].startswith("  hint: ")), rendered
        except Exception as e:  # pragma: no cover - this is the failure being looked for
            pytest.fail(f"mutation {k} raised {type(e).__name__}: {e}\n--- model ---\n{text}")
    assert errors > 100  # the mutations do break most models
    assert time.monotonic() - started < 20
