/* models/philosophers5.yaml in Promela: 5 philosophers, each takes fork tid, then fork
   (tid + 1) % 5, eats once (meals++ is one atomic step, as checker's atomic block),
   releases both. A fork is a mutex: lock = atomic { f == 0 -> f = 1 }, unlock = f = 0.
   Expected: violated (deadlock; SPIN reports an invalid end state). */
byte forks[5];
byte meals = 0;

proctype phil(byte first; byte second) {
  atomic { forks[first] == 0 -> forks[first] = 1 };
  atomic { forks[second] == 0 -> forks[second] = 1 };
  meals++;
  forks[second] = 0;
  forks[first] = 0
}

init {
  atomic { run phil(0, 1); run phil(1, 2); run phil(2, 3); run phil(3, 4); run phil(4, 0) }
}
