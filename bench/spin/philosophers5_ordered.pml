/* models/philosophers5_ordered.yaml in Promela: as philosophers5.pml, but every philosopher
   takes the lower-numbered fork first (philosopher 4 takes fork 0, then fork 4).
   Expected: holds (no deadlock, meals == 5 at the end). */
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
  atomic { run phil(0, 1); run phil(1, 2); run phil(2, 3); run phil(3, 4); run phil(0, 4) }
  (_nr_pr == 1) -> assert(meals == 5)
}
