/* cli_exec.h — argv of `contrainer exec` → struct exec_opts.
 * Owns: the option grammar and the help text.  Does not own: running it
 * (exec_main.c).  Pure: no I/O; the environment comes in as ENV. */
#ifndef CONTRAINER_CLI_EXEC_H
#define CONTRAINER_CLI_EXEC_H

#include <stddef.h>

struct exec_opts {
        const char *docker_socket;      /* borrowed from argv/env or static */
        const char *list_dir;           /* --list DIR, or NULL */
        const char *script;             /* --script PATH, or NULL */
        const char *container;
        char *const *cmd;               /* borrowed tail of argv, or a static {"sh"} */
        char *const *args;              /* --script: the ARGs after CONTAINER */
};

extern const char cli_exec_help[];

#define CLI_EXEC_RUN 0
#define CLI_EXEC_HELP 1
#define CLI_EXEC_VERSION 2

/* Parse ARGV (argv[0] = "exec").  Returns CLI_EXEC_RUN/HELP/VERSION, or
 * -EINVAL with ERR (ERRSZ bytes) set to a one-line message. */
int cli_exec_parse(int argc, char *const *argv, char *const *env, struct exec_opts *ret,
                   char *err, size_t errsz);

#endif
