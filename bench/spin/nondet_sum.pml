/* bench/spin/nondet_sum.yaml in Promela: three workers each draw v in 0..9 (select; checker
   keeps `any` symbolic), record it in got[tid], then add it to s under the mutex m.
   Expected: holds (s == got[0] + got[1] + got[2] at the end). */
int s = 0;
int got[3];
byte m = 0;

proctype worker(byte tid) {
  byte v;
  int t;
  select (v : 0 .. 9);
  got[tid] = v;
  atomic { m == 0 -> m = 1 };
  t = s;
  s = t + v;
  m = 0
}

init {
  atomic { run worker(0); run worker(1); run worker(2) }
  (_nr_pr == 1) -> assert(s == got[0] + got[1] + got[2])
}
