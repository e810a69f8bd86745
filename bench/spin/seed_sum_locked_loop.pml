/* bench/spin/seed_sum_locked_loop.yaml in Promela: seed_sum_locked with each worker's body
   inside a loop `while k < 1` (one iteration; in checker the loop sends the model to the
   stateful search, which enumerates `any`).
   Expected: holds. */
int d[10];
byte m = 0;

proctype worker(byte tid) {
  byte i, k = 0;
  int tmp;
  do
  :: k < 1 ->
       atomic { m == 0 -> m = 1 };
       select (i : 0 .. 9);
       tmp = d[i];
       d[i] = tmp + tid;
       m = 0;
       k++
  :: else -> break
  od
}

init {
  atomic { run worker(0); run worker(1); run worker(2); run worker(3) }
  (_nr_pr == 1) ->
    assert(d[0] + d[1] + d[2] + d[3] + d[4] + d[5] + d[6] + d[7] + d[8] + d[9] == 6)
}
