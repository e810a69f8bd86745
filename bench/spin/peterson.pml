/* models/peterson.yaml in Promela: Peterson's algorithm, two threads looping forever.
   checker's property is `always: not (at(p0, crit) and at(p1, crit))`; here the usual SPIN
   idiom: a ghost counter ncrit of processes in the critical section, asserted to be 1
   inside it (remote references p0@crit would also do, but they are not needed).
   The spin-wait `while flag[other] == 1 and turn == other` is a guard that blocks.
   Expected: holds. */
bit flag[2];
byte turn = 0;
byte owner = 0;
byte ncrit = 0;

proctype P(byte me) {
  byte other = 1 - me;
  do
  :: flag[me] = 1;
     turn = other;
     (flag[other] == 0 || turn == me);
     ncrit++;
     assert(ncrit == 1);
     owner = me;                /* crit: owner = me */
     ncrit--;
     flag[me] = 0
  od
}

init { atomic { run P(0); run P(1) } }
