/* lastzero(5) (bench/programs.py; Abdulla et al., POPL 2014): a scanner looks for the last
   zero of a[0..5] (`for (i = 5; a[i] != 0; i--);`) while 5 writers do a[j] = a[j-1] + 1.
   a[0] is never written, so the scan stops at 0 at the latest.
   Expected: holds. */
byte a[6];

proctype scanner() {
  byte i = 5;
  do
  :: a[i] != 0 -> i--
  :: else -> break
  od
}

proctype writer(byte j) {
  byte t;
  t = a[j - 1];
  a[j] = t + 1
}

init {
  atomic { run scanner(); run writer(1); run writer(2); run writer(3); run writer(4); run writer(5) }
}
