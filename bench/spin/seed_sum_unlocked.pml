/* models/seed_sum_unlocked.yaml in Promela: as seed_sum_locked.pml without the mutex, so two
   workers that pick the same cell can lose an add.
   Expected: violated (sum(d) != 6 at the end). */
int d[10];

proctype worker(byte tid) {
  byte i;
  int tmp;
  select (i : 0 .. 9);
  tmp = d[i];
  d[i] = tmp + tid
}

init {
  atomic { run worker(0); run worker(1); run worker(2); run worker(3) }
  (_nr_pr == 1) ->
    assert(d[0] + d[1] + d[2] + d[3] + d[4] + d[5] + d[6] + d[7] + d[8] + d[9] == 6)
}
