/* spawn.h — fork/exec of one program with an explicit argv and envp.
 * Owns: the child's side between fork and exec (process group, terminal
 * foreground, working directory, empty signal mask, default dispositions,
 * fds >= 3 closed unless asked to keep them, LISTEN_PID) and carrying an exec failure back to the parent.
 * Does not own: waiting for the child (pid1.c) or saying anything about it.
 * Context: the init main loop. */
#ifndef CONTRAINER_SPAWN_H
#define CONTRAINER_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

struct spawn_opts {
        char *const *argv;   /* argv[0] is looked up on envp's PATH */
        char *const *envp;
        bool new_pgrp;       /* own process group (pgid = pid) */
        bool foreground;     /* with new_pgrp: make it the terminal's foreground
                              * group when stdin is a terminal */
        const char *cwd;     /* NULL: ours; else chdir() there first (a failure
                              * is reported like an exec failure) */
        bool keep_fds;       /* fds >= 3 stay open (COMMAND: inherited sockets,
                              * docs/hardening.md); ours are all O_CLOEXEC */
        char *listen_pid;    /* non-NULL: a "LISTEN_PID=" entry of envp with
                              * room for 11 digits; the child writes its own
                              * pid there (sd_listen_fds(3) checks it) */
        const char *exec_fail_msg; /* non-NULL: do not wait for the exec (no
                              * round trip; *ret_exec_errno is 0); if it fails,
                              * the child writes this line to stderr itself */
};

/* Start the program.  Returns 0 with *ret_pid and *ret_exec_errno (0 if the
 * exec succeeded, else its errno: the child has then already _exit()ed with
 * spawn_exec_status() of it and still has to be reaped), or -errno if no
 * child could be made. */
int spawn(const struct spawn_opts *o, pid_t *ret_pid, int *ret_exec_errno);

/* The exit status a failed exec reports: 127 when the program does not
 * exist (ENOENT, as shells say "not found"), 126 otherwise.  Pure. */
int spawn_exec_status(int exec_errno);

#endif
