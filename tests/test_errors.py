"""Bad input gets a clear error, never a traceback.

Every case writes a small model to a file, runs it through `checker verify` (or `checker
check`) and asserts exit code 2, no traceback, the exact first line `file:line:col: error: ...`
and the hint: every model error says what to write instead. Positions are 1-based, at the offending token. The last test fuzzes mutated
sample models through the loader: a mutation either compiles or raises `ModelError`.
"""
from __future__ import annotations

import ast
import io
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checker.commands import run_check, run_verify
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


NOT_A_NUMBER = "true and false are not numbers: use an int (0 or 1) instead of the bool, or branch on it with 'if:'"
NOT_A_BOOL = "a bool is true or false; from an int, compare it, e.g. 'x != 0' or 'x > 0'"
NO_WAITING = "an atomic block never waits: put it before or after the block"
EMPTY_THREAD = "give it at least one statement (write 'skip' for one that does nothing), or leave the thread out"
SPLIT = "YAML splits a flow list [...] at each ','"


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
    ("yaml_brackets_in_a_flow_list", "model: m\nshared:\n  l: mutex[2]\nthreads:\n  t: [lock l[0], unlock l[0]]\n",
     "5:13: error: YAML syntax: expected ',' or ']' in the '[' at line 5, found '['",
     "quote a statement or condition that contains ': ', ',' or brackets (\"lock locks[i]\"), or write one '- ' "
     "line per statement"),
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
     "14:7: error: a property kind must be a single value, found a list",
     "write '- final: EXPR', '- always: EXPR' or '- no_race'"),
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
     "3:3: error: the model has 100 threads; at most 64 are supported", "model fewer threads, or lower their 'count'"),
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
    ("triple_equals", BASE + "    - assert x === 1\n",
     "12:18: error: expected an expression, found '='", "equality is '==' (as in 'x == 1'); '=' only assigns"),
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
     "12:17: error: expected an argument of 'len' after ',', found ')'",
     "remove the trailing ',', or add the missing argument"),
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
     "12:15: error: '+' needs an int, found a bool", NOT_A_NUMBER),
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
     "14:13: error: '-' needs an int, found a bool", NOT_A_NUMBER),
    # -- positions inside scalars that are not one verbatim line ---------------------------------
    ("error_on_second_line_of_a_plain_scalar", BASE + "    - y = x +\n      tmpp\n",
     "13:7: error: undefined name 'tmpp'", "shared names go under 'shared:', inputs under 'inputs:'"),
    ("error_after_an_escape_in_double_quotes", BASE + "    - \"y = \\t tmpp\"\n",
     "12:15: error: undefined name 'tmpp'", "shared names go under 'shared:', inputs under 'inputs:'"),
    ("error_in_a_folded_block", BASE + "    - >\n      y = tmpp\n",
     "13:11: error: undefined name 'tmpp'", "shared names go under 'shared:', inputs under 'inputs:'"),
    # -- mappings, lists and single values (each has a hint) ---------------------------------------
    ("inputs_is_a_list", "model: m\ninputs: [g]\nthreads:\n  t: [skip]\n",
     "2:9: error: 'inputs' must be a mapping, found a list",
     "write one input per line below it, e.g. '  g: int in 0..9'"),
    ("shared_is_a_number", "model: m\nshared: 5\nthreads:\n  t: [skip]\n",
     "2:9: error: 'shared' must be a mapping, found '5'",
     "write one resource per line below it, e.g. '  x: 0' or '  m: mutex'"),
    ("threads_is_a_list", "model: m\nthreads: [skip]\n",
     "2:10: error: 'threads' must be a mapping, found a list",
     "write one thread per line below it, 'NAME:' and its statements, e.g. '  t: [x = 1]'"),
    ("key_is_a_list", "model: m\nshared:\n  ? [a]\n  : 0\nthreads:\n  t: [skip]\n",
     "3:5: error: keys in 'shared' must be plain names",
     "write a plain name before the ':', not a list or a mapping"),
    ("nested_array_cell", "model: m\nshared:\n  d: [[1], 2]\nthreads:\n  t: [skip]\n",
     "3:7: error: a cell of 'd' must be a single value, found a list",
     "a cell is a number or true/false; arrays have one dimension"),
    ("count_is_a_list", "model: m\nthreads:\n  w:\n    count: [2]\n    do: [skip]\n",
     "4:12: error: 'count' must be a single value, found a list", "write 'count: N', N from 1 to 64"),
    ("condition_is_a_list", BASE + "    - {if: [x], then: [skip]}\n",
     "12:12: error: a condition must be a single value, found a list",
     "write one condition, e.g. 'x > 0'; quote it if it contains ': ' or ','"),
    ("final_is_a_list", BASE + "    - skip\ncheck:\n  - final: [x]\n",
     "14:12: error: 'final' must be a single value, found a list",
     "write 'final: EXPR', e.g. 'final: x == 2'; quote it if it contains ': '"),
    ("expect_mapping_wrong_key", BASE + "    - skip\nexpect: {holds: final}\n",
     "13:9: error: 'expect' as a mapping must be {violated: KIND} or {violated: [KIND, ...]}",
     "write 'expect: holds', 'expect: violated' or 'expect: {violated: KIND}'"),
    ("expect_kind_twice", BASE + "    - skip\nexpect: {violated: [final, final]}\n",
     "13:28: error: violation kind 'final' is listed twice", "list each kind once"),
    # -- names: ASCII, as the expression grammar reads them -----------------------------------------
    ("non_ascii_shared_name", "model: m\nshared: {z\u00e4hler: 0}\nthreads:\n  t: [skip]\n",
     "2:10: error: 'z\u00e4hler' is not a valid shared name",
     "names are ASCII ([A-Za-z_][A-Za-z0-9_]*), as in expressions; '\u00e4' is not: write e.g. 'zahler'"),
    ("non_ascii_thread_name", "model: m\nthreads:\n  \u00fcber: [skip]\n",
     "3:3: error: '\u00fcber' is not a valid thread name",
     "names are ASCII ([A-Za-z_][A-Za-z0-9_]*), as in expressions; '\u00fc' is not: write e.g. 'uber'"),
    ("non_ascii_label", BASE + "    - kritisch_\u00e9: x = 1\n",
     "12:7: error: 'kritisch_\u00e9' is not a valid label name",
     "names are ASCII ([A-Za-z_][A-Za-z0-9_]*), as in expressions; '\u00e9' is not: write e.g. 'kritisch_e'"),
    ("non_ascii_name_in_expression", BASE + "    - y = z\u00e4hler\n",
     "12:12: error: unexpected character '\u00e4'", "names are ASCII letters, digits and '_' ([A-Za-z_][A-Za-z0-9_]*)"),
    ("reserved_word_as_shared_name", "model: m\nshared: {and: 0}\nthreads:\n  t: [skip]\n",
     "2:10: error: 'and' is not a valid shared name",
     "'and' is a reserved word (and, any, false, in, not, or, true, tid); pick another name"),
    ("tid_as_a_local", BASE + "    - skip\n  u:\n    locals: {tid: 0}\n    do: [skip]\n",
     "14:14: error: 'tid' is not a valid local name",
     "'tid' is a reserved word (and, any, false, in, not, or, true, tid); pick another name"),
    # -- integer constants and array sizes ------------------------------------------------------------
    ("array_size_zero", "model: m\nshared:\n  d: int[0]\nthreads:\n  t: [skip]\n",
     "3:6: error: array 'd' must have 1 to 4096 cells, not 0", "write 'd: int[N]' with N from 1 to 4096"),
    ("array_size_negative", "model: m\nshared:\n  d: int[-2]\nthreads:\n  t: [skip]\n",
     "3:6: error: array 'd' must have 1 to 4096 cells, not -2", "write 'd: int[N]' with N from 1 to 4096"),
    ("array_size_too_big", "model: m\nshared:\n  locks: mutex[5000]\nthreads:\n  t: [skip]\n",
     "3:10: error: array 'locks' must have 1 to 4096 cells, not 5000",
     "write 'locks: mutex[N]' with N from 1 to 4096"),
    ("semaphore_array_size_zero", "model: m\nshared:\n  s: semaphore[0] 2\nthreads:\n  t: [skip]\n",
     "3:6: error: array 's' must have 1 to 4096 cells, not 0", "write 's: semaphore[N] 2' with N from 1 to 4096"),
    ("array_size_not_an_int", "model: m\nshared:\n  d: bool[n]\nthreads:\n  t: [skip]\n",
     "3:11: error: expected an integer constant", "write the size as a number, e.g. 'd: bool[4]'"),
    ("semaphore_permits_not_an_int", "model: m\nshared:\n  s: semaphore true\nthreads:\n  t: [skip]\n",
     "3:16: error: expected an integer constant", "write 'semaphore 2'"),
    ("input_bound_not_an_int", "model: m\ninputs:\n  g: int in 0..n\nthreads:\n  t: [skip]\n",
     "3:16: error: expected an integer constant", "write the bounds as numbers, e.g. 'int in 0..9'"),
    ("input_range_without_dots", "model: m\ninputs:\n  g: int in 0 9\nthreads:\n  t: [skip]\n",
     "3:15: error: expected '..' between the bounds (write 'int in LO..HI'), found '9'",
     "a range is written LO..HI, e.g. 0..9"),
    # -- statements --------------------------------------------------------------------------------------
    ("nothing_after_equals", BASE + "    - y =\n",
     "12:10: error: expected an expression after '='", "write the value to assign, e.g. 'y = 0'"),
    ("number_as_an_operand", BASE + "    - lock 5\n",
     "12:12: error: expected the operand of 'lock', found '5'",
     "a name is letters, digits and '_', not starting with a digit"),
    ("extra_operand_after_an_expression", BASE + "    - x = 1 2\n",
     "12:13: error: unexpected '2' after the end of the expression",
     "remove '2', or join it to what comes before with an operator"),
    ("two_statements_in_one_item", BASE + "    - x = 1, y = 2\n",
     "12:12: error: unexpected ',' after the end of the expression",
     "one statement per item: write the next one as its own '- ' line"),
    ("spawn_unclosed_arguments", BASE + "    - spawn w(1\n  w:\n    start: spawned\n    params: [a]\n    do: [skip]\n",
     "12:16: error: expected ')' to close the arguments, found the end of the text", "parentheses must balance"),
    # -- threads and procedures ------------------------------------------------------------------------
    ("thread_parameter_twice",
     "model: m\nthreads:\n  w:\n    start: spawned\n    params: [a, a]\n    do: [skip]\n  t: ['spawn w(1, 2)']\n",
     "5:17: error: parameter 'a' is given twice", "give each parameter its own name"),
    ("procedure_parameter_reserved", "model: m\nprocedures:\n  f(lock): [skip]\nthreads:\n  t: [f(1)]\n",
     "3:5: error: a parameter cannot be named 'lock'",
     "pick another name; reserved are the statement words, sum, len, at, any, fetch_add, cas, swap and tid"),
    ("procedure_parameter_twice", "model: m\nprocedures:\n  f(a, a): [skip]\nthreads:\n  t: ['f(1, 2)']\n",
     "3:8: error: parameter 'a' is given twice in procedure 'f'", "give each parameter its own name"),
    ("procedure_defined_twice", "model: m\nprocedures:\n  f(): [skip]\n  f(a): [skip]\nthreads:\n  t: [f()]\n",
     "4:3: error: procedure 'f' is defined twice", "it is first defined at line 3: rename one of them"),
    ("procedure_returns_two_types", "model: m\nshared: {x: 0}\nprocedures:\n  f():\n"
     "    - {if: x == 0, then: [return 1]}\n    - return true\nthreads:\n  t: [v = f()]\n",
     "6:14: error: procedure 'f' returns a bool here and an int at line 5",
     "every 'return EXPR' of a procedure gives a value of the same type"),
    ("local_named_like_a_shared_variable", BASE + "    - skip\n  u:\n    locals: {x: 1}\n    do: [skip]\n",
     "14:14: error: local 'x' has the name of a shared resource, input or thread", "give the local a name of its own"),
    ("label_used_twice", BASE + "    - a: skip\n    - a: x = 1\n",
     "13:7: error: label 'a' is used twice in thread 't'",
     "give each label of a thread its own name: at(THREAD, LABEL) names one place"),
    ("join_itself", BASE + "    - join t\n",
     "12:12: error: a thread cannot join itself", "it would wait forever for its own end: name another thread"),
    ("join_itself_by_a_computed_index", "model: m\nthreads:\n  t: [h = 0, 'join t[h]']\n",
     "3:20: error: a thread cannot join itself", "it would wait forever for its own end: name another thread"),
    ("join_instance_out_of_range", BASE + "    - join w[5]\n  w:\n    count: 2\n    do: [skip]\n",
     "12:12: error: thread 'w' has 2 instances; [5] is out of range", "its instances are w[0] to w[1]"),
    ("initial_value_not_a_constant", "model: m\nshared:\n  x: not true\nthreads:\n  t: [skip]\n",
     "3:6: error: an initial value must be a constant or an input",
     "write a number, true/false, an input, or '-', '+', '*' of those; compute the rest in a thread"),
    # -- types ----------------------------------------------------------------------------------------------
    ("if_on_an_int", BASE + "    - {if: x, then: [skip]}\n", "12:12: error: 'if' needs a bool, found an int", NOT_A_BOOL),
    ("assign_an_int_to_a_bool", BASE + "    - flag = 1\n", "12:7: error: 'flag' needs a bool, found an int", NOT_A_BOOL),
    ("index_with_a_bool", BASE + "    - y = d[flag]\n",
     "12:13: error: an array index needs an int, found a bool", NOT_A_NUMBER),
    ("compare_an_int_with_a_bool", BASE + "    - assert x == flag\n",
     "12:16: error: '==' compares an int with a bool",
     "compare two ints or two bools; test a bool b as 'b' or 'not b'"),
    ("local_changes_type", BASE + "    - y = 1\n    - y = true\n",
     "13:7: error: local 'y' is an int; it cannot also hold a bool",
     "a local keeps the type of its first assignment; use another name for a bool"),
    # -- resources are not values; what can be assigned --------------------------------------------------
    ("read_a_mutex", BASE + "    - y = m\n", "12:11: error: 'm' is a mutex, not a value",
     "a mutex is used by its statements (lock, unlock, trylock, wait), not read as a value"),
    ("assign_to_tid", BASE + "    - tid = 1\n", "12:7: error: 'tid' is read-only",
     "tid is the instance's index; copy it into a local first, e.g. 'me = tid'"),
    ("assign_to_a_mutex", BASE + "    - m = 1\n", "12:7: error: cannot assign to 'm': it is a mutex",
     "assign to a shared variable, an array cell or a local; a local needs a name of its own"),
    ("index_a_scalar_target", BASE + "    - x[0] = 1\n", "12:7: error: 'x' is not an array",
     "name it without an index, or declare an array, e.g. 'x: int[4]'"),
    ("any_with_a_variable_bound", BASE + "    - y = any 0..x\n",
     "12:18: error: the bounds of 'any LO..HI' must be integer constants",
     "write numbers, e.g. 'v = any 0..9'; for a bound that varies, draw the widest range and then 'assume v <= n'"),
    ("fetch_add_on_a_mutex", BASE + "    - old = fetch_add(m, 1)\n",
     "12:23: error: 'fetch_add' needs a shared int variable or array cell; 'm' is a mutex",
     "atomic operations work on shared memory: declare a variable under 'shared:', e.g. 'x: 0'"),
    ("fetch_add_on_an_expression", BASE + "    - old = fetch_add(x + 1, 1)\n",
     "12:25: error: the first argument of 'fetch_add' must be a shared variable or array cell",
     "write 'fetch_add(x, 1)' with x declared under 'shared:'"),
    ("fetch_add_on_a_bool", BASE + "    - old = fetch_add(flag, 1)\n",
     "12:23: error: 'fetch_add' needs an int variable; 'flag' is a bool",
     "for a bool, write 'old = swap(flag, true)' or 'ok = cas(flag, false, true)'"),
    # -- synchronisation -------------------------------------------------------------------------------------
    ("lock_a_condition_variable", BASE + "    - lock cv\n",
     "12:12: error: 'lock' needs a mutex; 'cv' is a condition variable", "write 'lock m'"),
    ("index_a_single_mutex", BASE + "    - lock m[0]\n", "12:12: error: 'm' is not an array",
     "write 'lock m', or declare an array, e.g. 'm: mutex[4]'"),
    ("wait_in_atomic", BASE + "    - {atomic: [wait cv m]}\n",
     "12:17: error: 'wait' cannot be inside an atomic block", NO_WAITING),
    ("timed_wait_in_atomic", BASE + "    - {atomic: [ok = wait cv m timeout]}\n",
     "12:22: error: 'wait' cannot be inside an atomic block", NO_WAITING),
    ("spin_wait_in_atomic", "model: m\nshared: {ready: 0}\nthreads:\n  a: [{atomic: [{while: 'ready == 0', do: []}]}]\n"
     "  b: [ready = 1]\n",
     "4:17: error: a spin-wait cannot be inside an atomic block",
     "no other thread runs until the block ends, so the wait could never end: wait before the block"),
    ("put_in_atomic", "model: m\nshared: {q: queue 2}\nthreads:\n  t: [{atomic: [put q 1]}]\n",
     "4:17: error: 'put' cannot be inside an atomic block", NO_WAITING),
    ("cancel_in_atomic", "model: m\nthreads:\n  a:\n    loop: main\n    do: [await]\n  b:\n    loop: main\n"
     "    do: [{atomic: [cancel a]}]\n",
     "8:20: error: 'cancel' cannot be inside an atomic block", "cancel before or after the block"),
    # -- properties ------------------------------------------------------------------------------------------
    ("property_reads_an_array", BASE + "    - skip\ncheck:\n  - always: d > 0\n",
     "14:13: error: 'd' is an array; index it or use sum(d)", "write d[0] or sum(d)"),
    ("property_reads_a_mutex", BASE + "    - skip\ncheck:\n  - always: m\n",
     "14:13: error: 'm' is a mutex, not a value",
     "a mutex is used by its statements (lock, unlock, trylock, wait), not read as a value"),
    ("property_indexes_a_scalar", BASE + "    - skip\ncheck:\n  - always: x[0] == 1\n",
     "14:13: error: 'x' is not a shared array",
     "properties index shared arrays and maps; drop the index, or declare an array, e.g. 'x: int[4]'"),
    ("property_indexes_with_a_bool", BASE + "    - skip\ncheck:\n  - always: d[flag] == 1\n",
     "14:15: error: an array index needs an int", NOT_A_NUMBER),
    ("property_sums_bools", "model: m\nshared:\n  b: bool[2]\nthreads:\n  t: [skip]\ncheck:\n  - always: sum(b) == 0\n",
     "7:13: error: 'sum' needs an int array", "'b' holds bools: test its cells, e.g. 'b[0] and b[1]'"),
    ("property_unknown_function", BASE + "    - skip\ncheck:\n  - always: maxx(d) == 0\n",
     "14:13: error: unknown function 'maxx'", "functions in properties: sum, len, at"),
    ("property_indexes_a_single_queue", "model: m\nshared: {q: queue 2}\nthreads:\n  t: [skip]\n"
     "check:\n  - always: len(q[0]) == 0\n",
     "6:17: error: 'q' is not an array", "write len(q)"),
    ("property_queue_index_out_of_range", "model: m\nshared: {qs: 'queue[2] 2'}\nthreads:\n  t: [skip]\n"
     "check:\n  - always: len(qs[5]) == 0\n",
     "6:20: error: index 5 out of range for 'qs' (size 2)", "the queues are qs[0] to qs[1]"),
    ("property_at_a_computed_instance", BASE + "    - skip\n  w:\n    count: 2\n    do: [c: skip]\n"
     "check:\n  - always: not at(w[g], c)\n",
     "17:22: error: a thread instance is named with a constant index, e.g. worker[0]",
     "name each instance on its own: w[0], w[1], ..."),
    # -- a thread has statements (the spec: "thread name -> a list of statements") -----------------------
    ("empty_thread_flow_list", "model: m\nthreads:\n  t: []\n", "3:6: error: thread 't' has no statements", EMPTY_THREAD),
    ("empty_thread_nothing", "model: m\nthreads:\n  t:\n  u: [skip]\n",
     "3:3: error: thread 't' has no statements", EMPTY_THREAD),
    ("empty_thread_do", "model: m\nthreads:\n  t:\n    count: 2\n    do: []\n",
     "5:9: error: thread 't' has no statements", EMPTY_THREAD),
    # -- a flow list [...] splits an unquoted statement at its commas -------------------------------------
    ("flow_list_splits_cas", "model: m\nshared: {x: 0}\nthreads:\n  t: [ok = cas(x, 1, 2)]\n",
     "4:17: error: expected ')' to close the call of 'cas', found the end of the text",
     SPLIT + ": quote the statement, \"ok = cas(x, 1, 2)\", or write it on a '- ' line of a block list"),
    ("flow_list_splits_try_get", "model: m\nshared: {q: queue 2}\nthreads:\n  t: [put q 1, ok, v = try_get q]\n",
     "4:16: error: unknown statement 'ok'",
     SPLIT + ": quote the statement, \"ok, v = try_get q\", or write it on a '- ' line of a block list"),
    ("flow_list_splits_a_branch", "model: m\nshared: {x: 0}\nthreads:\n  t:\n"
     "    - {if: x == 0, then: [old = fetch_add(x, 1)]}\n",
     "5:44: error: expected ')' to close the call of 'fetch_add', found the end of the text",
     SPLIT + ": quote the statement, \"old = fetch_add(x, 1)\", or write it on a '- ' line of a block list"),
    ("flow_list_split_beyond_repair", "model: m\nshared: {x: 0}\nthreads:\n  t: [ok = cas(x, 1, 2, skip]\n",
     "4:17: error: expected ')' to close the call of 'cas', found the end of the text",
     SPLIT + ": quote a statement that contains ',' or write one '- ' line per statement"),
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


def test_file_too_large(tmp_path):
    path = model_file(tmp_path, "model: m\nthreads:\n  t: [skip]\n" + "#" * (1 << 20) + "\n")
    expect_error(path, "1:1: error: the file is larger than 1048576 bytes, the limit for a model",
                 "split it into several smaller models")


def test_too_many_instructions(tmp_path):
    path = model_file(tmp_path, "model: m\nshared: {x: 0}\nthreads:\n  w:\n    count: 64\n    do:\n"
                      + "      - x = 1\n" * 320)
    expect_error(path, "1:1: error: the model lowers to 20480 instructions; at most 20000 are supported",
                 "use fewer thread instances or procedure calls, or shorter statement lists")


def model_errors_without_a_hint() -> list[str]:
    """Every `ModelError(...)` built in checker/lang and checker/program passes a hint (a third
    argument or `hint=`), and every `cur.error(...)` / `self.error(...)` passes one too; a hint
    that is only `did_you_mean(...)` (None when nothing is close) does not count."""
    missing = []
    root = Path(__file__).resolve().parent.parent / "checker"
    for path in sorted([*(root / "lang").glob("*.py"), *(root / "program").glob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            fn = node.func
            name = fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else ""
            at = 2 if name == "ModelError" else 1 if name == "error" and isinstance(fn, ast.Attribute) else None
            if at is None:
                continue
            hint = node.args[at] if len(node.args) > at else next((k.value for k in node.keywords if k.arg == "hint"),
                                                                   None)
            if hint is None or (isinstance(hint, ast.Call) and getattr(hint.func, "id", "") == "did_you_mean"):
                missing.append(f"{path.name}:{node.lineno}")
    return missing


def test_every_model_error_has_a_hint():
    assert model_errors_without_a_hint() == []


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
