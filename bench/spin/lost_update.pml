/* models/lost_update.yaml in Promela: two training workers add their gradients g1, g2 to
   the shared weight w with a plain read, then a write, and no lock.
   Inputs: checker declares g1, g2 as `int in -100..100` and treats them symbolically. SPIN
   enumerates explicit values, so here each input is a nondeterministic choice over the
   small range -2..2 (select), made before the workers start; that is enough to exhibit the
   lost update (the full range would be 201 * 201 choices).
   Expected: violated (assertion w == g1 + g2 after both workers finished). */
int w = 0;
int g1, g2;

proctype worker(int g) {
  int tmp;
  tmp = w;
  w = tmp + g
}

init {
  select (g1 : -2 .. 2);
  select (g2 : -2 .. 2);
  atomic { run worker(g1); run worker(g2) }
  (_nr_pr == 1) -> assert(w == g1 + g2)    /* the `final:` property */
}
