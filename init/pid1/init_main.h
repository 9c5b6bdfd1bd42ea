/* init_main.h — entry point of `contrainer init` / `my_init`.
 * Owns: the order of the start-up steps (docs/init.md) and handing over to the
 * main loop and the shutdown sequence.  argv[0] is the mode word ("init" or
 * the program name), options start at argv[1].  Returns the exit status. */
#ifndef CONTRAINER_INIT_MAIN_H
#define CONTRAINER_INIT_MAIN_H

int init_main(int argc, char **argv);

#endif
