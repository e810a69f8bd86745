"""Stage 2: the syntax tree -> a checked `Program` of per-thread instructions.

Invariant: every visible instruction performs at most one shared access (an atomic block is
one visible instruction that spans its body); expressions are closures over the thread's
locals and never touch shared memory, so a step's effect on shared state is exactly its
instruction's access.
"""
from checker.program.compile import compile_model
from checker.program.model import Program

__all__ = ["compile_model", "Program"]
