"""Stage 4: the only package that imports z3. Values are Python ints/bools when concrete and
z3 terms when they depend on an input or an `any`; `values` combines them, `solver` decides."""
