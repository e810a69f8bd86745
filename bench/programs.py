"""The field's DPOR benchmark programs, generated as checker YAML model text.

Every generator returns the text of one model (load it with `checker.verify.load_text`); every
`*_expected` function returns the number of Mazurkiewicz traces published for it (the number
of complete executions an optimal DPOR explores: one per trace, none sleep-set blocked). The
programs are the classic ones used to compare stateless model checkers:

* C. Flanagan, P. Godefroid, "Dynamic partial-order reduction for model checking software",
  POPL 2005: `indexer`, `filesystem`.
* P. Abdulla, S. Aronis, B. Jonsson, K. Sagonas, "Optimal dynamic partial order reduction",
  POPL 2014, and "Source sets: a foundation for optimal dynamic partial order reduction",
  JACM 64(4), 2017 (the tables with `readers`, `lastzero`, `indexer`, `filesystem`,
  `fib_bench` and their trace counts; the same counts are reproduced by Nidhugg, GenMC and
  the TruSt paper, Kokologiannakis et al., POPL 2022).
* `fib_bench` is SV-COMP's `pthread/fib_bench` (t1: i += j, t2: j += i, NUM times each; main
  reads i then j), a standard entry of the stateless-model-checking evaluation tables
  (Nidhugg, GenMC).
* The litmus tests (SB, MP, CoRR, IRIW, CoA) are the standard shapes of the memory-model
  literature (e.g. Alglave, Maranget, Tautschnig, "Herding cats", TOPLAS 2014); their counts
  here are the numbers of sequentially consistent Mazurkiewicz traces.
* `big0` is a synthetic read/write program of the same evaluation tables (69,112 traces).

The counts were given with the benchmark ladder; bench/trace_count.py (a brute-force
enumerator written independently of checker) confirms them for this encoding of every
program small enough to enumerate: readers(2, 4, 8), lastzero(5, 10), fib_bench(1..3), the
five litmus tests and big0. The indexer and filesystem counts follow from the argument in
their docstrings (each colliding pair of insertions can go two ways, independently).

Under checker's step semantics (docs/language.md) every shared read and every shared write is
one step, and local work costs none, so these models have exactly the visible events of the
published C programs (a mutex-protected `cas` helper in the C sources is one atomic `cas`
step here; the counts do not change, because the conflicting pairs are the same).

Loops: the published `lastzero`, `indexer` and `filesystem` have `while` loops, and the main
generators keep them as `while` loops. The `*_unrolled` variants express the same events
without a loop (nested `if`s), so that DPOR's execution count can be measured even where
the explorer sends a model with a loop to its stateful search (whose `executions` counts
terminal states, not traces; checker/verify.py decides). Every unrolled variant keeps the
loop's exact sequence of events in every execution (the unrolled depth is never reached:
see each docstring).

Usable without installing anything: `sys.path.insert(0, ROOT / "bench"); import programs`
(or `from bench import programs` with ROOT on sys.path).
"""
from __future__ import annotations


def _indent(lines: list[str], n: int) -> str:
    pad = " " * n
    return "\n".join(pad + ln for ln in lines)


# -- readers(N) --------------------------------------------------------------------------------
def readers(n: int) -> str:
    """readers(N): one writer `x = 1` and N readers `r = x`.

    Source: Abdulla et al., POPL 2014 / JACM 2017 ("readers"). Published count: 2^N (which
    readers read before the write).
    """
    return f"""model: readers{n}
about: One writer x = 1 and {n} readers r = x; 2^{n} Mazurkiewicz traces.
shared:
  x: 0
threads:
  w: [x = 1]
  reader:
    count: {n}
    do: [r = x]
"""


def readers_expected(n: int) -> int:
    return 2 ** n


# -- lastzero(N) -------------------------------------------------------------------------------
def lastzero(n: int) -> str:
    """lastzero(N): a scanner looks for the last zero of a[0..N] while N writers each do
    `a[j] = a[j-1] + 1`.

    Source: Abdulla et al., POPL 2014 / JACM 2017 ("lastzero"). Published count:
    (N+3) * 2^(N-2): 64, 3,328, 147,456 for N = 5, 10, 15.

    The scanner is the C loop `for (i = N; a[i] != 0; i--);`: a `while` whose condition reads
    a[i] (one step per test) and whose body is local work. a[0] is never written, so the
    scan stops at i = 0 at the latest.
    """
    return f"""model: lastzero{n}
about: The last-zero scan of a[0..{n}] against {n} writers a[j] = a[j-1] + 1; (N+3)*2^(N-2) traces.
shared:
  a: int[{n + 1}]
threads:
  scanner:
    - i = {n}
    - while: "a[i] != 0"
      do: [i = i - 1]
  writer:
    count: {n}
    do:
      - t = a[tid]
      - a[tid + 1] = t + 1
"""


def lastzero_unrolled(n: int) -> str:
    """lastzero(N) with the scanner's loop unrolled into nested `if`s (loop-free, so DPOR).

    Same source and count as `lastzero`: (N+3) * 2^(N-2). The scan tests a[N], a[N-1], ...
    and stops at the first zero; the innermost test reads a[0], as the loop does when it
    gets there (a[0] is never written, so the unrolling is exact).
    """
    body: list[str] = []
    for k in range(n, -1, -1):
        pad = "    " * (n - k)
        body.append(f"{pad}- if: \"a[{k}] != 0\"")
        body.append(f"{pad}  then:" + (" []" if k == 0 else ""))
    return f"""model: lastzero{n}_unrolled
about: lastzero({n}) with the scan written as {n + 1} nested ifs; (N+3)*2^(N-2) traces.
shared:
  a: int[{n + 1}]
threads:
  scanner:
{_indent(body, 4)}
  writer:
    count: {n}
    do:
      - t = a[tid]
      - a[tid + 1] = t + 1
"""


def lastzero_expected(n: int) -> int:
    return (n + 3) * 2 ** (n - 2)


# -- indexer(N) --------------------------------------------------------------------------------
INDEXER_SIZE = 128
INDEXER_MAX = 4


def indexer(n: int) -> str:
    """indexer(N): N threads each insert 4 messages into a 128-cell hash table with `cas` and
    linear probing.

    Source: Flanagan & Godefroid, POPL 2005 (section 5, "indexer"); counts from Abdulla et
    al. JACM 2017: 8^(N-11), i.e. 8, 64, 512, 4,096 for N = 12..15 (1 for N <= 11: no
    collisions; thread tid + 11 inserts three of thread tid's keys, and each of those three
    insertions can be won by either thread: 8 traces per such pair).

    The C thread: `while (1) { if (m < MAX) w = (++m) * 11 + tid; else exit;
    h = (w * 7) % SIZE; while (cas(table, h, 0, w) == 0) h = (h + 1) % SIZE; }`, so the
    keys are m*11 + tid for m = 1..4 (the pre-increment; keys for m = 0..3 would give the
    same count but insert key 0, indistinguishable from an empty cell). The outer loop over
    m is unrolled (4 blocks); the probe loop is a `while` on a local flag `done`.
    """
    blocks: list[str] = []
    for m in range(1, INDEXER_MAX + 1):
        blocks += [
            f"- w = {m} * 11 + tid",
            f"- h = (w * 7) % {INDEXER_SIZE}",
            "- done = false",
            "- while: not done",
            "  do:",
            "    - ok = cas(table[h], 0, w)",
            "    - if: ok",
            "      then: [done = true]",
            f"      else: [h = (h + 1) % {INDEXER_SIZE}]",
        ]
    return f"""model: indexer{n}
about: {n} threads insert 4 keys each into a {INDEXER_SIZE}-cell table with cas and linear probing; 8^(N-11) traces.
shared:
  table: int[{INDEXER_SIZE}]
threads:
  t:
    count: {n}
    do:
{_indent(blocks, 6)}
"""


INDEXER_UNROLL = 3  # probes per insertion in the unrolled variant; at most 2 are ever needed


def indexer_unrolled(n: int) -> str:
    """indexer(N) with both loops unrolled (loop-free, so DPOR): each insertion is up to
    INDEXER_UNROLL probes written as nested `if`s.

    Same source and count as `indexer`. Why 3 probes suffice for N <= 16: keys are
    w = 11*m + tid (11..60), hashed to 7*w % 128. Two keys share a home cell only when
    they are equal (7 is invertible mod 128), which happens for tid and tid + 11 (11*(m+1)
    + tid = 11*m + (tid + 11)); the second insertion of such a key probes the next cell,
    h + 1, which is the home of w' = w + 55 (mod 128; 55 = 7^-1 mod 128), never a key here,
    nor probed by anyone else. So no insertion takes more than 2 probes; the third level
    ends in `assert false`, which would report a too shallow unrolling.
    """
    blocks: list[str] = []
    for m in range(1, INDEXER_MAX + 1):
        blocks += [f"- w = {m} * 11 + tid", f"- h = (w * 7) % {INDEXER_SIZE}"]
        nest: list[str] = ["- assert false"]  # innermost: out of probes
        for _ in range(INDEXER_UNROLL):
            nest = (["- ok = cas(table[h], 0, w)",
                     "- if: not ok",
                     "  then:",
                     f"    - h = (h + 1) % {INDEXER_SIZE}"]
                    + ["    " + ln for ln in nest])
        blocks += nest
    return f"""model: indexer{n}_unrolled
about: indexer({n}) with the probe loop unrolled {INDEXER_UNROLL} deep; 8^(N-11) traces.
shared:
  table: int[{INDEXER_SIZE}]
threads:
  t:
    count: {n}
    do:
{_indent(blocks, 6)}
"""


def indexer_expected(n: int) -> int:
    return 8 ** max(n - 11, 0)


# -- filesystem(N) -----------------------------------------------------------------------------
FS_NUMINODE = 32
FS_NUMBLOCKS = 26


def filesystem(n: int) -> str:
    """filesystem(N): N threads each allocate a disk block to an inode, under per-inode and
    per-block mutexes.

    Source: Flanagan & Godefroid, POPL 2005 (section 5, "file system"); counts from Abdulla
    et al. JACM 2017: 2^(N-13), i.e. 2, 4, ..., 64 for N = 14..19 (threads i and i + 13
    want the same first block; either can take it: 2 traces per such pair).

    The C thread: `i = tid % NUMINODE; lock(locki[i]); if (inode[i] == 0) { b = (i*2) %
    NUMBLOCKS; while (1) { lock(lockb[b]); if (!busy[b]) { busy[b] = 1; inode[i] = b+1;
    unlock(lockb[b]); break; } unlock(lockb[b]); b = (b+1) % NUMBLOCKS; } } unlock(locki[i]);`
    The block loop is a `while` bounded to NUMBLOCKS tries (local counter `k`, local flag
    `done`), which never cuts an execution: there are more blocks than threads here.
    """
    return f"""model: filesystem{n}
about: {n} threads allocate a block to an inode under inode and block mutexes; 2^(N-13) traces.
shared:
  locki: mutex[{FS_NUMINODE}]
  inode: int[{FS_NUMINODE}]
  lockb: mutex[{FS_NUMBLOCKS}]
  busy: int[{FS_NUMBLOCKS}]
threads:
  t:
    count: {n}
    do:
      - i = tid % {FS_NUMINODE}
      - lock locki[i]
      - if: inode[i] == 0
        then:
          - b = (i * 2) % {FS_NUMBLOCKS}
          - done = false
          - k = 0
          - while: not done and k < {FS_NUMBLOCKS}
            do:
              - lock lockb[b]
              - if: busy[b] == 0
                then:
                  - busy[b] = 1
                  - inode[i] = b + 1
                  - done = true
              - unlock lockb[b]
              - b = (b + 1) % {FS_NUMBLOCKS}
              - k = k + 1
      - unlock locki[i]
"""


FS_UNROLL = 3  # block tries in the unrolled variant; at most 2 are ever needed


def filesystem_unrolled(n: int) -> str:
    """filesystem(N) with the block loop unrolled FS_UNROLL deep (loop-free, so DPOR).

    Same source and count as `filesystem`. Why 3 tries suffice for N <= 26: thread tid
    (inode i = tid) starts at block 2i % 26, so only threads i and i + 13 share a first block
    (an even one); the loser moves to the odd block after it, which no thread starts at and
    no other thread reaches. The third level ends in `assert false` (a too shallow
    unrolling would be reported).
    """
    nest: list[str] = ["- assert false"]
    for _ in range(FS_UNROLL):
        nest = (["- lock lockb[b]",
                 "- if: busy[b] == 0",
                 "  then:",
                 "    - busy[b] = 1",
                 "    - inode[i] = b + 1",
                 "    - unlock lockb[b]",
                 "  else:",
                 "    - unlock lockb[b]",
                 f"    - b = (b + 1) % {FS_NUMBLOCKS}"]
                + ["    " + ln for ln in nest])
    return f"""model: filesystem{n}_unrolled
about: filesystem({n}) with the block loop unrolled {FS_UNROLL} deep; 2^(N-13) traces.
shared:
  locki: mutex[{FS_NUMINODE}]
  inode: int[{FS_NUMINODE}]
  lockb: mutex[{FS_NUMBLOCKS}]
  busy: int[{FS_NUMBLOCKS}]
threads:
  t:
    count: {n}
    do:
      - i = tid % {FS_NUMINODE}
      - lock locki[i]
      - if: inode[i] == 0
        then:
          - b = (i * 2) % {FS_NUMBLOCKS}
{_indent(nest, 10)}
      - unlock locki[i]
"""


def filesystem_expected(n: int) -> int:
    return 2 ** max(n - 13, 0)


# -- fib_bench(NUM) ----------------------------------------------------------------------------
FIB_EXPECTED = {1: 11, 2: 140, 3: 1_698, 4: 19_605}


def fib_bench(num: int) -> str:
    """fib_bench(NUM), unrolled: x = y = 1; t1 does `a = x; b = y; x = a + b` NUM times, t2
    `a = x; b = y; y = a + b` NUM times, t3 reads x, then y.

    Source: SV-COMP pthread/fib_bench.c (i += j / j += i, main reads i and j; its assertion
    `i < 144 && j < 144` fails from NUM = 5 on, so for NUM <= 4 the model holds); published
    counts 11, 140, 1,698, 19,605 for NUM = 1..4. The assertion costs no step (its operands
    are locals already read).
    """
    t1 = ", ".join(["a = x, b = y, x = a + b"] * num)
    t2 = ", ".join(["a = x, b = y, y = a + b"] * num)
    return f"""model: fib_bench{num}
about: fib_bench with NUM = {num}, unrolled; t3 reads x then y.
shared:
  x: 1
  y: 1
threads:
  t1: [{t1}]
  t2: [{t2}]
  t3: [a = x, b = y, assert a < 144 and b < 144]
"""


def fib_bench_loop(num: int) -> str:
    """fib_bench(NUM) with t1 and t2 written as `while k < NUM` loops on a local counter.

    Same source and count as `fib_bench`. The loop head reads nothing shared, and the body has
    steps, so the events are exactly those of the unrolled form.
    """
    return f"""model: fib_bench{num}_loop
about: fib_bench with NUM = {num}, t1 and t2 as while loops.
shared:
  x: 1
  y: 1
threads:
  t1:
    - k = 0
    - while: k < {num}
      do: [a = x, b = y, x = a + b, k = k + 1]
  t2:
    - k = 0
    - while: k < {num}
      do: [a = x, b = y, y = a + b, k = k + 1]
  t3: [a = x, b = y, assert a < 144 and b < 144]
"""


def fib_bench_expected(num: int) -> int:
    return FIB_EXPECTED[num]


# -- litmus tests ------------------------------------------------------------------------------
LITMUS = {
    # name: (threads, published SC trace count)
    "SB": ({"p": ["x = 1", "r = y"], "q": ["y = 1", "r = x"]}, 3),
    "MP": ({"p": ["x = 1", "y = 1"], "q": ["r = y", "s = x"]}, 3),
    "CoRR": ({"p": ["x = 1", "x = 2"], "q": ["r = x", "s = x"]}, 6),
    "IRIW": ({"w1": ["x = 1"], "r1": ["r = x", "s = y"], "r2": ["r = y", "s = x"], "w2": ["y = 1"]}, 15),
    "CoA3": ({"t1": ["x = 1", "r = y", "s = x"], "t2": ["x = 2", "r = z", "s = x"],
              "w1": ["y = 1", "z = 1"], "w2": ["y = 2", "z = 2"]}, 130),
}


def litmus(name: str) -> str:
    """The litmus test `name` (SB, MP, CoRR, IRIW, CoA3) under sequential consistency.

    Source: the standard litmus shapes (Alglave et al., "Herding cats", TOPLAS 2014);
    sequentially consistent trace counts: SB 3, MP 3, CoRR 6, IRIW 15, CoA(3) 130 (the
    only SC-forbidden combination of reads-from is cut: e.g. SB has 4 combinations, 3 under
    SC). Every variable starts at 0.
    """
    threads, _ = LITMUS[name]
    names = sorted({tok for stmts in threads.values() for st in stmts for tok in st.replace("=", " ").split()
                    if tok in ("x", "y", "z", "w")})
    shared = "\n".join(f"  {v}: 0" for v in names)
    body = "\n".join(f"  {t}: [{', '.join(stmts)}]" for t, stmts in threads.items())
    return f"""model: litmus_{name}
about: The {name} litmus test under sequential consistency.
shared:
{shared}
threads:
{body}
"""


def litmus_expected(name: str) -> int:
    return LITMUS[name][1]


# -- big0 --------------------------------------------------------------------------------------
def big0() -> str:
    """big0: four threads of plain reads and writes over x, y, z, w.

    Source: the synthetic `big0` of the stateless-model-checking evaluation tables.
    Published count: 69,112.
    """
    return """model: big0
about: Four threads of reads and writes over x, y, z, w; 69,112 traces.
shared:
  x: 0
  y: 0
  z: 0
  w: 0
threads:
  t1: [r1 = x, r2 = y, r3 = z, r4 = w, r5 = x, r6 = y, r7 = z]
  t2: [r1 = x, r2 = y, r3 = z]
  t3: [x = 1, y = 1, x = 2, y = 2, x = 3, y = 3]
  t4: [z = 1, w = 1, z = 2, w = 2, z = 3, w = 3]
"""


BIG0_EXPECTED = 69_112


# -- the ladder --------------------------------------------------------------------------------
def ladder() -> list[tuple[str, str, str, int, bool]]:
    """Every ladder entry: (name, family, YAML text, expected trace count, in --quick)."""
    out: list[tuple[str, str, str, int, bool]] = []
    for n in (2, 4, 8, 10, 12):
        out.append((f"readers({n})", "readers", readers(n), readers_expected(n), n <= 8))
    for n in (5, 10, 15):
        out.append((f"lastzero({n})", "lastzero", lastzero(n), lastzero_expected(n), n <= 5))
    for n in (5, 10, 15):
        out.append((f"lastzero_unrolled({n})", "lastzero_unrolled", lastzero_unrolled(n), lastzero_expected(n),
                    n <= 5))
    for n in (12, 13, 14, 15):
        out.append((f"indexer({n})", "indexer", indexer(n), indexer_expected(n), n <= 13))
    for n in (12, 13, 14, 15):
        out.append((f"indexer_unrolled({n})", "indexer_unrolled", indexer_unrolled(n), indexer_expected(n),
                    n <= 13))
    for n in range(14, 20):
        out.append((f"filesystem({n})", "filesystem", filesystem(n), filesystem_expected(n), n <= 15))
    for n in range(14, 20):
        out.append((f"filesystem_unrolled({n})", "filesystem_unrolled", filesystem_unrolled(n),
                    filesystem_expected(n), n <= 15))
    for num in (1, 2, 3, 4):
        out.append((f"fib_bench({num})", "fib_bench", fib_bench(num), fib_bench_expected(num), num <= 2))
    for num in (1, 2, 3, 4):
        out.append((f"fib_bench_loop({num})", "fib_bench_loop", fib_bench_loop(num), fib_bench_expected(num),
                    num <= 2))
    for name in LITMUS:
        out.append((f"litmus_{name}", "litmus", litmus(name), litmus_expected(name), True))
    out.append(("big0", "big0", big0(), BIG0_EXPECTED, False))
    return out
