"""Stage 4: the only package that imports z3. Values are Python ints/bools when concrete and
z3 terms when they depend on an input or an `any`; `values` combines them, `solver` decides.
With `--emit-smt2`, `smt2` records what the solver was asked (`origin`: from where) and `emit`
writes it as SMT-LIB 2 files that z3 can re-check on its own."""
