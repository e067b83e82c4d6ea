// loop: runs forever without a syscall, so only a signal's default action (the host ends its
// workers) stops it: the terminal demo's program for Ctrl-C.
int main(void) {
  volatile unsigned long n = 0;
  for (;;) n++;
}
