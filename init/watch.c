/* watch.c — placeholder until the controller lands. */
#include "watch.h"

#include <stdio.h>

int watch_main(int argc, char **argv)
{
        (void)argc;
        (void)argv;
        fputs("contrainer watch: not implemented yet\n", stderr);
        return 1;
}
