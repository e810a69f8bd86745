/* models/lost_update_locked.yaml in Promela: the lost update with a mutex m around each
   worker's read-modify-write. Inputs g1, g2 (checker: int in -100..100, symbolic) are a
   nondeterministic choice over -2..2 here, as in lost_update.pml.
   A mutex is a byte: lock = atomic { m == 0 -> m = 1 } (blocks while held), unlock = m = 0.
   Expected: holds. */
int w = 0;
int g1, g2;
byte m = 0;

proctype worker(int g) {
  int tmp;
  atomic { m == 0 -> m = 1 };
  tmp = w;
  w = tmp + g;
  m = 0
}

init {
  select (g1 : -2 .. 2);
  select (g2 : -2 .. 2);
  atomic { run worker(g1); run worker(g2) }
  (_nr_pr == 1) -> assert(w == g1 + g2)
}
