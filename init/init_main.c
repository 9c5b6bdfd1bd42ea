/* init_main.c — placeholder until the init mode lands. */
#include "init_main.h"

#include <stdio.h>

int init_main(int argc, char **argv)
{
        (void)argc;
        (void)argv;
        fputs("contrainer init: not implemented yet\n", stderr);
        return 1;
}
