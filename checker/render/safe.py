"""Model text made safe to print: the one escaping function every renderer uses.

A model file is input from anyone: its `model:` name, `about:` text, thread names, statement
texts, string values and even its path can hold terminal control sequences (ESC starts colour,
clear-screen and window-title codes; BEL rings; CR overwrites the line) or Unicode bidi
overrides that make a line read differently from what it says. `printable` turns each such
character into a visible escape (`\\x1b`, `\\u202e`), so text from a model reaches a terminal, a
report or a CI log exactly as written and never acts on it. JSON needs no help (json.dump with
`ensure_ascii` escapes them); every text, Markdown and HTML renderer must pass model-provided
strings through `printable` (Markdown and HTML then apply their own escaping on top):
`markdown` does so for one line of Markdown, `xml_text` for XML text and attributes.
"""
from __future__ import annotations

# Unicode bidirectional controls: embeddings, overrides, isolates, and the invisible marks
BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# line and paragraph separators end a line in some terminals and editors
SEPARATORS = frozenset("\u2028\u2029")


def unsafe(ch: str, newlines: bool = False) -> bool:
    """Is `ch` a character that must not reach a terminal as is?"""
    o = ord(ch)
    if ch == "\n":
        return not newlines
    return o < 0x20 or 0x7f <= o <= 0x9f or ch in BIDI or ch in SEPARATORS


def printable(text: object, newlines: bool = False) -> str:
    """`str(text)` with every control character (C0 but for newline when `newlines` is true,
    DEL, C1), bidi control and line separator replaced by its Python escape (`\\x1b`, `\\r`,
    `\\u202e`). Plain text, including non-ASCII letters and emoji, is unchanged."""
    s = str(text)
    if not any(unsafe(c, newlines) for c in s):
        return s
    out = []
    for c in s:
        if not unsafe(c, newlines):
            out.append(c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif c == "\r":
            out.append("\\r")
        elif ord(c) <= 0xff:
            out.append(f"\\x{ord(c):02x}")
        else:
            out.append(f"\\u{ord(c):04x}")
    return "".join(out)


def xml_text(text: object) -> str:
    """Text for an XML 1.0 document (JUnit): `printable` (newlines kept), then every character
    XML 1.0 forbids even as a reference (U+FFFE, U+FFFF, lone surrogates) dropped. The XML
    writer escapes `& < > "` itself."""
    return "".join(c for c in printable(text, newlines=True)
                   if not (0xD800 <= ord(c) <= 0xDFFF or c in "\ufffe\uffff"))


MARKDOWN_SPECIAL = frozenset("\\`*_[]<>|&~$#")  # inline syntax in GitHub Markdown: emphasis, code,
# links and images, raw HTML and entities, table cells, strikethrough, maths, heading closers


def markdown(text: object) -> str:
    """Model text for one line of Markdown (a table cell, a heading, a list item): `printable`
    (newlines escaped too, so a cell stays one line), then a backslash before every character
    that starts inline syntax, so `<b>`, `[x](y)`, `|`, `*`, `` ` `` and `&amp;` show as written."""
    return "".join("\\" + c if c in MARKDOWN_SPECIAL else c for c in printable(text))
