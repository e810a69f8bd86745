"""An independent oracle for the explorer: a brute-force concrete interpreter that counts
Mazurkiewicz traces (`interp`), and hypothesis strategies for random models (`gen`).

It shares no code with `checker.program`, `checker.explore`, `checker.symbolic` or
`checker.verify`: only the parser (`checker.lang`) and `checker.errors`.
"""
