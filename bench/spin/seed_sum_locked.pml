/* models/seed_sum_locked.yaml in Promela: four workers (tid 0..3) each add their tid into a
   randomly chosen cell of a 10-cell array d, holding the mutex m. `i = any 0..9` is a
   nondeterministic choice (select; checker keeps it symbolic). The read and the write of
   d[i] are separate steps, as in checker.
   Expected: holds (sum(d) == 6 at the end). */
int d[10];
byte m = 0;

proctype worker(byte tid) {
  byte i;
  int tmp;
  atomic { m == 0 -> m = 1 };
  select (i : 0 .. 9);
  tmp = d[i];
  d[i] = tmp + tid;
  m = 0
}

init {
  atomic { run worker(0); run worker(1); run worker(2); run worker(3) }
  (_nr_pr == 1) ->
    assert(d[0] + d[1] + d[2] + d[3] + d[4] + d[5] + d[6] + d[7] + d[8] + d[9] == 6)
}
