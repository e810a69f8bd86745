"""A hostile model cannot send control sequences to a terminal (issue 8, item 7): every text
renderer passes model text through `printable`; JSON escapes it by encoding."""
from __future__ import annotations

import io
import json

import pytest

from checker.commands import run_check, run_replay, run_verify
from checker.render.safe import printable
from checker.verify import Options

# a colour, clear-screen, window title, bell, carriage return, a C1 CSI, a bidi override
HOSTILE = """model: "evil\\e[31mRED\\a\\r"
about: "clear \\e[2J\\e]0;title\\a \\u202eabc\\u202c end \\x9b!"
shared: {x: 0}
threads:
  a: ["x = 1"]
  b: ["assert x == 0"]
"""


def unsafe_chars(text: str) -> set[str]:
    return {c for c in text if c != "\n" and (ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f or 0x202a <= ord(c) <= 0x202e)}


@pytest.mark.parametrize("raw, shown", [
    ("plain: é ü 字 🙂", "plain: é ü 字 🙂"),
    ("\x1b[2J", "\\x1b[2J"),
    ("bell\x07", "bell\\x07"),
    ("over\rwrite", "over\\rwrite"),
    ("tab\tnew\nline", "tab\\tnew\\nline"),
    ("\x00\x7f\x9b", "\\x00\\x7f\\x9b"),
    ("\u202eevil\u202c \u2066x\u2069 \u200f", "\\u202eevil\\u202c \\u2066x\\u2069 \\u200f"),
    ("a\u2028b", "a\\u2028b"),
])
def test_printable_escapes_control_and_bidi_characters(raw, shown):
    assert printable(raw) == shown


def test_printable_keeps_newlines_when_asked():
    assert printable("one\ntwo\x1b", newlines=True) == "one\ntwo\\x1b"


def test_a_hostile_model_name_and_about_are_escaped_in_text(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a short path: the headline must not wrap
    (tmp_path / "m.yaml").write_text(HOSTILE)
    out, err = io.StringIO(), io.StringIO()
    assert run_verify(["m.yaml"], Options(), False, out, err) == 1
    text = out.getvalue()
    assert unsafe_chars(text) == set()
    assert text.split("\n")[:2] == [
        "m.yaml: evil\\x1b[31mRED\\x07\\r: VIOLATED (assert)",
        "  about: clear \\x1b[2J\\x1b]0;title\\x07 \\u202eabc\\u202c end \\x9b!",
    ]


def test_the_escapes_hold_with_colours_on(tmp_path):
    p = tmp_path / "m.yaml"
    p.write_text(HOSTILE)
    out, err = io.StringIO(), io.StringIO()
    run_verify([str(p)], Options(), False, out, err, color=True)
    # the only escape sequences left are the colours checker itself writes: ESC [ ... m
    text = out.getvalue()
    assert "\x1b[2J" not in text and "\x1b]0" not in text and "\x07" not in text and "\r" not in text
    assert "\\x1b[2J" in text


def test_json_carries_the_exact_text_with_every_control_character_encoded(tmp_path):
    p = tmp_path / "m.yaml"
    p.write_text(HOSTILE)
    out, err = io.StringIO(), io.StringIO()
    assert run_verify([str(p)], Options(), True, out, err) == 1
    raw = out.getvalue()
    assert raw.isascii() and unsafe_chars(raw) == set()
    doc = json.loads(raw)
    assert doc["model"] == "evil\x1b[31mRED\x07\r"
    assert doc["about"] == "clear \x1b[2J\x1b]0;title\x07 \u202eabc\u202c end \x9b!"


def test_check_and_errors_escape_the_model_name_and_the_file_path(tmp_path):
    p = tmp_path / "m.yaml"
    p.write_text(HOSTILE)
    out, err = io.StringIO(), io.StringIO()
    assert run_check([str(p)], False, out, err) == 0
    assert out.getvalue() == (f"{p}: ok: model 'evil\\x1b[31mRED\\x07\\r', 2 threads, 0 properties, "
                              "3 instructions\n")
    bad = tmp_path / "bad\x1b]0;pwned\x07.yaml"
    bad.write_text('model: m\nshared: {"x\\e[2J": 0}\nthreads:\n  a: ["x = 1"]\n')
    out, err = io.StringIO(), io.StringIO()
    assert run_verify([str(bad)], Options(), False, out, err) == 2
    assert unsafe_chars(err.getvalue()) == set()
    assert err.getvalue() == (f"{tmp_path}/bad\\x1b]0;pwned\\x07.yaml:2:10: error: 'x\\x1b[2J' is not a valid "
                              "shared name\n  hint: names are letters, digits and '_', not starting with a digit\n")


def test_replay_escapes_the_paths_it_prints(tmp_path):
    p = tmp_path / "m\x1b[2J.yaml"
    p.write_text(HOSTILE)
    out, err = io.StringIO(), io.StringIO()
    run_verify([str(p)], Options(), True, out, err)
    saved = tmp_path / "r\x07.json"
    saved.write_text(out.getvalue())
    out, err = io.StringIO(), io.StringIO()
    assert run_replay(str(p), str(saved), out, err) == 1
    assert out.getvalue() == (f"{tmp_path}/m\\x1b[2J.yaml: replayed 2 steps: assert: assertion 'assert x == 0' "
                              "fails (line 6)\n")
    saved.write_text("[]")
    out, err = io.StringIO(), io.StringIO()
    assert run_replay(str(p), str(saved), out, err) == 2
    assert err.getvalue().startswith(f"{tmp_path}/r\\x07.json: error: not a result")
