/* modetab.h — main()'s choice of a mode from argv, shared by the regular
 * build (init/main.c: init, watch, status, exec) and the static init-only
 * build (init/static/main.c: init): each passes its own table and texts.
 * Owns: the rules of the choice — the program name ALIAS (my_init) means
 * the first mode with argv as it is; else argv[1] names the mode, which
 * gets argv from that word on; --help/-h, --version; anything else is one
 * error line, exit 2.
 * Does not own: the modes (their *_main) nor the texts.
 * Context: main() only (prints to stdout/stderr). */
#ifndef CONTRAINER_MODETAB_H
#define CONTRAINER_MODETAB_H

#include <stddef.h>

struct mode {
        const char *name;                    /* the word in argv[1], e.g. "init" */
        int (*main)(int argc, char **argv);  /* argv[0] = that word; returns the exit status */
};

struct mode_table {
        const struct mode *modes;
        size_t n;
        const char *alias;        /* program name that runs modes[0] ("my_init"), or NULL */
        const char *usage;        /* printed by --help (stdout) and without a mode (stderr) */
        const char *version;      /* the --version line, without its newline */
        /* An unknown WORD: "contrainer: " UNKNOWN_PRE "'WORD'" UNKNOWN_POST,
         * then the usage when USAGE_ON_UNKNOWN. */
        const char *unknown_pre;
        const char *unknown_post;
        int usage_on_unknown;
};

/* Run the mode ARGV asks for in T and return its exit status; 0 after
 * --help or --version, 2 (after its line) for no mode or an unknown one. */
int mode_main(const struct mode_table *t, int argc, char **argv);

#endif
