"""`--emit-smt2 DIR`: the recorded obligations of one model, written as files that can be re-checked.

An emission directory holds `q00001.smt2`, `q00002.smt2`, ... (one standalone SMT-LIB 2 script
per obligation, `smt2.script`, with a comment header) and `manifest.json` (FORMAT: what each
file is, its expected answer, where it was asked from). With several models, DIR holds one
emission directory per model (`prepare`).

Nothing the user wrote is overwritten: a directory is written into only when it is missing,
empty, or an earlier emission (a `manifest.json` of this FORMAT and nothing but the files it
lists; or, for several models, nothing but such directories); an earlier emission's files are
removed first. Anything else raises `EmitError`, before any model is verified.

The hash (`sha256`): for the files of one emission (manifest.json and every script), sorted by
name, the lines `HEX  NAME\\n` (HEX: the SHA-256 of the file's bytes, lower-case; two spaces, as
`sha256sum` prints them) are concatenated, and the hash is the SHA-256 of that text, so
`cd DIR && sha256sum manifest.json q*.smt2 | sha256sum` prints it.
"""
from __future__ import annotations

import hashlib
import json
import os

import z3

FORMAT = "checker.smt2/1"
MANIFEST = "manifest.json"
HASH = ("sha256 of the lines 'HEX  NAME' (sha256sum's format) of manifest.json and every .smt2 file, sorted by "
        "name: cd DIR && sha256sum manifest.json q*.smt2 | sha256sum")


class EmitError(Exception):
    """An --emit-smt2 directory that cannot be written (a user error: exit code 2)."""


def prepare(root: str, paths: list[str]) -> list[str]:
    """Make `root` ready for the emissions of the models at `paths`: one directory each, `root`
    itself for one model, else a subdirectory per model named after its file (a suffix -2, -3
    for files of the same name). Removes an earlier emission there; raises EmitError."""
    _claim(root)
    if len(paths) == 1:
        return [root]
    dirs, taken = [], set()
    for p in paths:
        stem = os.path.splitext(os.path.basename(p))[0] or "model"
        name, k = stem, 1
        while name in taken:
            k += 1
            name = f"{stem}-{k}"
        taken.add(name)
        dirs.append(os.path.join(root, name))
    return dirs


def write(directory: str, recorder, header: dict, always_on: dict) -> dict:
    """Write the obligations of `recorder` and their manifest into `directory` (made if
    missing); returns {"dir", "manifest", "files", "sha256"}. `header` is the model's part of
    the manifest (model, file, verdict, properties); `always_on` names the always-on checks by
    kind ('assert' -> 'assertions'), as the result's property table does."""
    _claim(directory)
    try:
        return _write(directory, recorder, header, always_on)
    except OSError as e:
        raise EmitError(f"--emit-smt2 {directory}: {e.strerror or e}") from None


def _write(directory: str, recorder, header: dict, always_on: dict) -> dict:
    names, obligations = [], []
    for ob in recorder.obligations:
        name = f"q{ob.number:05d}.smt2"
        refs = [_reference(o, counts, always_on) for o, counts in ob.refs.items()]
        text = _comment_header(name, header, refs, ob) + ob.text
        data = text.encode()
        with open(os.path.join(directory, name), "wb") as fh:
            fh.write(data)
        names.append(name)
        obligations.append({
            "file": name, "sha256": hashlib.sha256(data).hexdigest(), "logic": ob.logic,
            "expected": None if ob.answer == "unknown" else ob.answer, "answer": ob.answer, "decided_by": ob.how,
            "asked": ob.asked(), "references": refs,
            "more_references": ob.others if any(ob.others.values()) else None,
        })
    manifest = {
        "format": FORMAT, **header, "z3": z3.get_version_string(),
        "limit": recorder.limit, "capped": recorder.capped, "files": len(names),
        "asked": recorder.asked(), "unrecorded": recorder.unrecorded, "sha256": HASH,
        "obligations": obligations,
    }
    path = os.path.join(directory, MANIFEST)
    with open(path, "w") as fh:
        json.dump(manifest, fh, indent=2)
        fh.write("\n")
    return {"dir": directory, "manifest": path, "files": len(names), "sha256": digest(directory, [MANIFEST] + names)}


def digest(directory: str, names: list[str]) -> str:
    """The hash of the files `names` of `directory` (the module docstring defines it)."""
    lines = []
    for name in sorted(names):
        with open(os.path.join(directory, name), "rb") as fh:
            lines.append(f"{hashlib.sha256(fh.read()).hexdigest()}  {name}\n")
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def _reference(origin: tuple, counts: dict, always_on: dict) -> dict:
    meaning, kind, text, line, col = origin
    prop = None if kind is None else {"kind": kind, "text": text if text is not None else always_on.get(kind, kind)}
    return {"property": prop, "line": line, "column": col, "meaning": meaning, "asked": counts}


def _comment_header(name: str, header: dict, refs: list, ob) -> str:
    first = refs[0] if refs else {"property": None, "line": None, "column": None, "meaning": "?"}
    prop = first["property"]
    where = "" if first["line"] is None else f"line {first['line']}" + (
        f", column {first['column']}" if first["column"] is not None else "")
    lines = [f"checker proof obligation {name} of model '{header['model']}' ({header['file']})",
             "property: " + ("path feasibility (every property rests on it)" if prop is None
                             else f"{prop['kind']}: {prop['text']}") + (f"; {where}" if where else ""),
             f"asks whether: {first['meaning']}",
             f"expected: {ob.answer}" + (" (unknown: nothing was concluded from it)" if ob.answer == "unknown" else "")
             + f"; the checker's answer came from {ob.how}"]
    if len(refs) > 1 or any(ob.others.values()):
        lines.append(f"asked from {len(refs)} places or more: see {MANIFEST}")
    return "".join("; " + _comment(line) + "\n" for line in lines)


def _comment(text: str) -> str:
    """One comment line: model text cannot end it early (control characters are escaped)."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


def _claim(directory: str) -> None:
    """Make `directory` exist and hold nothing; raise EmitError unless it is missing, empty, or
    an earlier emission (or a directory of them), whose files are removed."""
    try:
        _make_room(directory)
    except OSError as e:
        raise EmitError(f"--emit-smt2 {directory}: {e.strerror or e}") from None


def _make_room(directory: str) -> None:
    if os.path.lexists(directory) and not os.path.isdir(directory):
        raise EmitError(f"--emit-smt2 {directory}: exists and is not a directory")
    if not os.path.exists(directory):
        os.makedirs(directory)
        return
    if _emission(directory):
        _clear(directory)
    elif _emissions(directory):
        for entry in os.listdir(directory):
            _clear(os.path.join(directory, entry))
            os.rmdir(os.path.join(directory, entry))
    elif os.listdir(directory):
        raise EmitError(f"--emit-smt2 {directory}: the directory is not empty and is not an earlier --emit-smt2 "
                        "output of checker; nothing was written (give a new or empty directory)")


def _listed(directory: str) -> set | None:
    """The files an emission's manifest lists (itself included), or None if it is not one."""
    try:
        with open(os.path.join(directory, MANIFEST)) as fh:
            m = json.load(fh)
        files = {MANIFEST} | {o["file"] for o in m["obligations"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(m, dict) or m.get("format") != FORMAT:
        return None
    return files


def _emission(directory: str) -> bool:
    listed = _listed(directory)
    entries = os.listdir(directory)
    return listed is not None and all(e in listed and os.path.isfile(os.path.join(directory, e))
                                      and not os.path.islink(os.path.join(directory, e)) for e in entries)


def _emissions(directory: str) -> bool:
    entries = [os.path.join(directory, e) for e in os.listdir(directory)]
    return bool(entries) and all(os.path.isdir(e) and not os.path.islink(e) and _emission(e) for e in entries)


def _clear(directory: str) -> None:
    for entry in os.listdir(directory):  # `_emission` checked: only the files its manifest lists
        os.remove(os.path.join(directory, entry))
