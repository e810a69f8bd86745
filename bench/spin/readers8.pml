/* readers(8) (bench/programs.py; Abdulla et al., POPL 2014): one writer x = 1 and 8 readers
   r = x. No property beyond the built-in ones (valid end states).
   Expected: holds. */
byte x = 0;

proctype writer() { x = 1 }
proctype reader() { byte r; r = x }

init {
  atomic {
    run writer();
    run reader(); run reader(); run reader(); run reader();
    run reader(); run reader(); run reader(); run reader()
  }
}
