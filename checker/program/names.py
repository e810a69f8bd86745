"""Names: the model-wide namespace, a thread's locals, and the words that describe a type.

Inputs, shared resources and threads share one namespace (`Names`). A thread's locals (`Locals`)
come into being at their first assignment or under `locals:`; temps (`%3`) hold the values of
shared reads. Types are words: 'int', 'bool', 'int_array', 'thread', a primitive's kind
('mutex'), an array of one ('mutex_array'); `describe_type` says them in messages.
"""
from __future__ import annotations

from checker.errors import ModelError, Pos, did_you_mean
from checker.lang import syntax as S
from checker.primitives import KINDS, STATEMENTS
from checker.program.ir import Fault

TYPE_WORDS = {"int": "an int", "bool": "a bool", "int_array": "an int array", "bool_array": "a bool array",
              "thread": "a thread", "var": "a shared variable", "local": "a thread-local variable",
              "map": "a map",
              **{kind: d.noun for kind, d in KINDS.items()},
              **{f"{kind}_array": f"a {kind} array" for kind, d in KINDS.items() if d.array_of}}


def describe_type(t: str) -> str:
    return TYPE_WORDS.get(t, t)


def type_hint(want: str, got: str) -> str:
    """What to write where a value of type `got` stands and `want` is needed."""
    if want == "bool" and got == "int":
        return "a bool is true or false; from an int, compare it, e.g. 'x != 0' or 'x > 0'"
    if want == "int" and got == "bool":
        return "true and false are not numbers: use an int (0 or 1) instead of the bool, or branch on it with 'if:'"
    return f"write {describe_type(want)} here"


def use_hint(name: str, kind: str) -> str:
    """How a resource that is not a value is used: `'m' is a mutex, not a value`."""
    if kind == "map":
        return f"read an entry, e.g. {name}[k], or write 'k in {name}' or 'len({name})'"
    if kind == "thread":
        return f"name a thread in 'join {name}', or in a property in at({name}, LABEL)"
    base = kind.removesuffix("_array")
    words = [w for w, st in STATEMENTS.items() if any(base in o.kinds for o in st.operands)]
    cell = "[i]" if base != kind else ""
    length = f"; len({name}{cell}) is its length" if base == "queue" else ""
    noun = KINDS[base].noun if base in KINDS else f"a {base}"
    return f"{noun} is used by its statements ({', '.join(words)}), not read as a value{length}"


def type_words(t: str) -> str:
    """'an int' -> 'int', for 'mixes int and bool cells'."""
    return describe_type(t).split(" ", 1)[-1]


class Names:
    """The model-wide names: inputs, shared resources, threads."""

    def __init__(self, model: S.Model):
        self.kinds: dict[str, str] = {}
        self.decls: dict[str, object] = {}
        for d in model.inputs:
            self.add(d.name, d.type, d, d.pos)
        for d in model.shared:
            self.add(d.name, d.kind, d, d.pos)
        for d in model.threads:
            self.add(d.name, "thread", d, d.pos)

    def add(self, name: str, kind: str, decl, pos: Pos) -> None:
        if name in self.kinds:
            raise ModelError(f"'{name}' is declared twice", pos, "inputs, shared resources and threads share one namespace")
        self.kinds[name] = kind
        self.decls[name] = decl


class Locals:
    """One thread instance's locals: slot numbers, types, and the temps of its shared reads."""

    def __init__(self, names: Names, assigned: set):
        self.names = names
        self.slot: dict[str, int] = {}
        self.types: dict[str, str] = {}
        self.order: list[str] = []  # slot -> name; temps are named '%1', '%2', ...
        self.assigned = assigned  # every name the thread assigns somewhere (to tell "read too early")

    def child(self, assigned: set) -> "Locals":
        """The scope of one inlined procedure call: its own names, new slots in the same thread."""
        scope = Locals(self.names, assigned)
        scope.order = self.order
        return scope

    def __contains__(self, name: str) -> bool:
        return name in self.slot

    def new(self, name: str, typ: str, pos: Pos) -> int:
        if name in self.slot:
            if self.types[name] != typ:
                raise ModelError(f"local '{name}' is {describe_type(self.types[name])}; "
                                 f"it cannot also hold {describe_type(typ)}", pos,
                                 f"a local keeps the type of its first assignment; use another name for "
                                 f"{describe_type(typ)}")
            return self.slot[name]
        k = len(self.order)
        self.slot[name] = k
        self.types[name] = typ
        self.order.append(name)
        return k

    def temp(self, typ: str) -> int:
        return self.new(f"%{len(self.order)}", typ, Pos(1, 1))

    def read(self, k: int, pos: Pos):
        """A closure reading local k, tagged with the local it reads (for liveness)."""
        name = self.order[k]

        def read_local(X):
            v = X.L[k]
            if v is None:
                raise Fault(f"local '{name}' is read before it has a value", pos)
            return v
        read_local.uses = frozenset((k,))
        return read_local

    def undefined(self, e: S.Name) -> ModelError:
        known = list(self.names.kinds) + [k for k in self.slot if not k.startswith("%")] + ["tid"]
        return ModelError(f"undefined name '{e.id}'", e.pos,
                          did_you_mean(e.id, known) or "shared names go under 'shared:', inputs under 'inputs:'")
