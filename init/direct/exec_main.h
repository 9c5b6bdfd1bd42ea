/* exec_main.h — `contrainer exec`: run a command in a container's exact
 * `docker exec` context without the Engine's exec (direct path,
 * docs/exec.md).  Owns: the mode's start-up (libraries, Engine client), signal
 * forwarding to the command and its exit status.  Does not own: gathering
 * or applying the context (direct_ctx.c, direct_enter.c).
 * Context: main(), once. */
#ifndef CONTRAINER_EXEC_MAIN_H
#define CONTRAINER_EXEC_MAIN_H

/* ARGV[0] is "exec".  Returns the process exit status. */
int exec_main(int argc, char **argv);

#endif
