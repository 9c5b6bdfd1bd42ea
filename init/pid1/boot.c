/* boot.c — list and run script directories (see boot.h).
 * Rules are my_init's run_startup_files plus docs/init.md: executable regular
 * files only, symlinks followed, names starting with '.' skipped (editor and
 * package-manager leftovers), byte-wise order independent of the locale. */
#include "boot.h"
#include "envexport.h"
#include "log.h"
#include "pid1.h"
#include "spawn.h"
#include "strv.h"
#include "deadline.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Scripts per directory: far beyond any real image, small enough to bound. */
#define BOOT_SCRIPTS_MAX 4096

static bool runnable_at(int dirfd, const char *name)
{
        struct stat st;

        if (fstatat(dirfd, name, &st, 0) < 0 || !S_ISREG(st.st_mode))
                return false;
        return (st.st_mode & 0111) && faccessat(dirfd, name, X_OK, AT_EACCESS) == 0;
}

bool boot_is_runnable(const char *path)
{
        return runnable_at(AT_FDCWD, path);
}

int boot_list(const char *dir, char ***ret)
{
        char **names = NULL;
        struct dirent *de;
        size_t count = 0;
        DIR *d;
        int r = 0;

        d = opendir(dir);
        if (!d) {
                if (errno == ENOENT) {
                        *ret = NULL;
                        return 0;
                }
                return -errno;
        }
        while ((errno = 0, de = readdir(d))) {
                char *path;

                if (de->d_name[0] == '.' || !runnable_at(dirfd(d), de->d_name))
                        continue;
                if (++count > BOOT_SCRIPTS_MAX) {
                        r = -E2BIG;
                        goto out;
                }
                if (asprintf(&path, "%s/%s", dir, de->d_name) < 0) {
                        r = -ENOMEM;
                        goto out;
                }
                r = strv_consume(&names, path);
                if (r < 0) {
                        free(path);
                        goto out;
                }
        }
        if (errno != 0)
                r = -errno;
out:
        (void)closedir(d);  /* read-only directory stream */
        if (r < 0) {
                strv_free(names);
                return r;
        }
        if (names)
                strv_sort(names);  /* qsort(NULL, 0) is undefined */
        *ret = names;
        return 0;
}

/* How often a stopping script's group is looked at (its members are not
 * necessarily our children, their exits need not wake us). */
#define BOOT_POLL_MS 20
/* After SIGKILL, how long to wait for the group to be reaped. */
#define BOOT_KILL_REAP_MS 250

/* Does process group PGID still have members (zombies count until reaped)? */
static bool group_alive(pid_t pgid)
{
        return kill(-pgid, 0) == 0 || errno == EPERM;
}

/* Take the terminal back from a script's group (SIGTTOU is blocked in us,
 * so tcsetpgrp works from the background, tcsetpgrp(3)). */
static void reclaim_terminal(void)
{
        if (isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) != getpgrp())
                (void)tcsetpgrp(STDIN_FILENO, getpgrp());  /* not our terminal: fine */
}

/* Wait for script PID (leader of its own group).  Without a terminating
 * signal (or with KILL_MS 0): until its main process exits; its background
 * children stay (daemons started at boot).  Once one has arrived: until the
 * whole group is gone, SIGKILL to the group KILL_MS after the signal. */
static void wait_script(struct pid1 *p, pid_t pid, const char *what, const char *q,
                        unsigned kill_ms, int *ret_wstatus)
{
        int64_t deadline = DEADLINE_NEVER;
        bool done = false, killed = false;

        for (;;) {
                bool stopping = kill_ms && pid1_terminate_signal(p);

                if (!done)
                        done = pid1_reaped(p, pid, ret_wstatus);
                if (done && (!stopping || !group_alive(pid)))
                        return;
                if (stopping && deadline == DEADLINE_NEVER) {
                        deadline = deadline_in(kill_ms);
                        (void)kill(-pid, SIGCONT);  /* a stopped group must see the signal */
                }
                if (stopping && deadline_passed(deadline)) {
                        if (killed)
                                break;  /* unkillable (uninterruptible sleep): give up */
                        log_warn("%s %s did not exit within %u.%03us of SIG%s, killing its "
                                 "process group", what, q, kill_ms / 1000, kill_ms % 1000,
                                 sigabbrev_np(pid1_terminate_signal(p)) ?: "?");
                        (void)kill(-pid, SIGKILL);  /* ESRCH: gone meanwhile */
                        killed = true;
                        deadline = deadline_in(BOOT_KILL_REAP_MS);
                }
                (void)pid1_wait(p, stopping ? deadline_min(deadline, deadline_in(BOOT_POLL_MS))
                                            : DEADLINE_NEVER);
        }
        if (!done) {
                pid1_untrack(p, pid);
                *ret_wstatus = SIGKILL;  /* as a wait status: killed by SIGKILL */
        }
}

/* Run one script in its own process group and wait for it (wait_script);
 * returns its wait status via *ret_wstatus. */
static int run_one(struct pid1 *p, struct envexport *env, const char *path, const char *what,
                   const char *extra, unsigned kill_ms, int *ret_wstatus)
{
        char *argv[] = { (char *)path, NULL };
        struct spawn_opts o = { .argv = argv, .new_pgrp = true, .foreground = true };
        char **with = NULL;
        char q[512];
        pid_t pid;
        int r, e;

        r = envexport_refresh(env);
        if (r < 0)
                log_warn_errno(r, "cannot re-read the container environment: %m, using the previous one");
        o.envp = envexport_env(env);
        if (extra) {
                char *const *cur = envexport_env(env);
                const char *eq = strchr(extra, '=');
                char name[64];

                if (!eq || (size_t)(eq - extra) >= sizeof(name))
                        return -EINVAL;
                memcpy(name, extra, (size_t)(eq - extra));
                name[eq - extra] = '\0';
                for (size_t i = 0; r >= 0 && cur && cur[i]; i++)
                        r = strv_push(&with, cur[i]);
                if (r >= 0)
                        r = strv_env_set(&with, name, eq + 1);
                if (r < 0) {
                        strv_free(with);
                        return log_error_errno(r, "cannot start %s %s: %m", what,
                                               log_q(q, sizeof(q), path));
                }
                o.envp = with;
        }
        log_info("running %s %s", what, log_q(q, sizeof(q), path));
        r = spawn(&o, &pid, &e);
        strv_free(with);  /* the child has exec'd or exited: envp is no longer used */
        if (r < 0)
                return log_error_errno(r, "cannot start %s %s: %m", what, q);
        if (e != 0)
                log_errno(LOG_LEVEL_ERROR, -e, "cannot run %s %s: %m", what, q);
        r = pid1_track(p, pid);
        if (r < 0)
                return log_error_errno(r, "cannot track %s %s: %m", what, q);
        pid1_set_forward(p, -pid);
        wait_script(p, pid, what, q, kill_ms, ret_wstatus);
        pid1_set_forward(p, 0);
        reclaim_terminal();
        return 0;
}

static int run_all(struct pid1 *p, struct envexport *env, char *const *paths, const char *what,
                   const char *extra, bool stop_on_failure, unsigned kill_ms,
                   struct boot_failure *ret_fail)
{
        for (size_t i = 0; paths && paths[i]; i++) {
                char q[512];
                int status = 126, sig = 0, st = 0, r;

                if (stop_on_failure && pid1_terminate_signal(p))
                        return 2;
                /* Not even started: "cannot execute", 126. */
                r = run_one(p, env, paths[i], what, extra, stop_on_failure ? kill_ms : 0, &st);
                /* Interrupted: the signal, not the script, ends the boot. */
                if (stop_on_failure && pid1_terminate_signal(p))
                        return 2;
                if (r >= 0) {
                        status = pid1_exit_status(st);
                        sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
                }
                if (status == 0)
                        continue;
                if (stop_on_failure) {
                        char *dup = strdup(paths[i]);
                        if (!dup)
                                return -ENOMEM;
                        ret_fail->path = dup;
                        ret_fail->status = status;
                        ret_fail->signal = sig;
                        return 1;
                }
                if (sig)
                        log_warn("%s %s was killed by signal %d (SIG%s), continuing", what,
                                 log_q(q, sizeof(q), paths[i]), sig, sigabbrev_np(sig) ?: "?");
                else
                        log_warn("%s %s failed with exit status %d, continuing", what,
                                 log_q(q, sizeof(q), paths[i]), status);
        }
        if (stop_on_failure && pid1_terminate_signal(p))
                return 2;
        return 0;
}

int boot_run(struct pid1 *p, struct envexport *env, char *const *paths, const char *what,
             bool stop_on_failure, unsigned kill_ms, struct boot_failure *ret_fail)
{
        return run_all(p, env, paths, what, NULL, stop_on_failure, kill_ms, ret_fail);
}

int boot_run_with(struct pid1 *p, struct envexport *env, char *const *paths, const char *what,
                  const char *extra)
{
        return run_all(p, env, paths, what, extra, false, 0, NULL);
}
