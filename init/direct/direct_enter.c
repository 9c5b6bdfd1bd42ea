/* direct_enter.c — start a process in a container's exec context.  See
 * direct_enter.h.  Two set-up stages, as runc's nsexec (nsexec.c stage 1
 * and 2, then setns_init_linux.go and finalizeNamespace), because no
 * process of ours may be visible in the container's PID namespace while it
 * still holds anything of ours:
 *   stage 1, forked in the caller's PID namespace (the container cannot
 *   see it): non-dumpable first, every descriptor but stdio, the script fd,
 *   the report pipe and the namespace fds closed, argv and environment
 *   zeroed, the context cache never mapped (MADV_DONTFORK) → cgroup.procs
 *   writes (from the host's mount namespace, as runc writes the exec's pid
 *   from outside) → oom_score_adj, rlimits (runc sets them from outside) →
 *   setns of every namespace but the PID one, the mount namespace last (this
 *   also leaves our root and cwd) → setns(pid) for children → clone stage
 *   2 as the caller's child (CLONE_PARENT) and report its pid;
 *   stage 2, the first process the container can see: non-dumpable, in
 *   every namespace, holding stdio, the script fd and the report pipe only
 *   → default dispositions, mask → setsid → session keyring "_ses.<id>" →
 *   no_new_privs → umask → seccomp when no_new_privs is off (installing it
 *   needs CAP_SYS_ADMIN) → bounding set → keep-caps, setgroups, setgid,
 *   setuid → capability sets → ambient set → chdir (after setuid, so it
 *   fails like runc's when the user cannot enter it) → PATH lookup →
 *   seccomp when no_new_privs is on (as late as possible) → execve.
 * The caller waits for the report pipe to close (exec) or a failure, up to
 * its deadline or a stop request; then stage 1 and 2 are SIGKILLed.
 * The stages are set-up processes like runc's init: their parent is single
 * threaded, so malloc and libcap are safe after fork here (glibc resets its
 * allocator locks in the child); nothing else runs between fork and exec. */
#include "direct_enter.h"

#include "deadline.h"
#include "direct_cache.h"
#include "direct_ctx.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdbool.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

/* What the set-up processes tell the caller on the report pipe (one
 * write, below PIPE_BUF: atomic): stage 1 the pid of stage 2 (code 0);
 * either stage a failure (code DIRECT_EXIT_*, a message). */
struct report {
        int stage;
        int code;
        int pid;
        char msg[512];
};

static __attribute__((noreturn, format(printf, 4, 5)))
void child_fail(int fd, int stage, int code, const char *fmt, ...)
{
        struct report rep = { .stage = stage, .code = code };
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(rep.msg, sizeof(rep.msg), fmt, ap);
        va_end(ap);
        /* Nothing to do if the parent is gone: it reports nothing then. */
        (void)!write(fd, &rep, sizeof(rep));
        _exit(code);
}

static int write_str(const char *path, const char *s)
{
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return -errno;
        n = write(fd, s, strlen(s));
        n = n < 0 ? -errno : 0;
        close(fd);
        return (int)n;
}

static int install_filter(const struct direct_ctx *c)
{
        struct sock_fprog prog = { .len = c->bpf_len, .filter = c->bpf };

        return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, c->spec.seccomp_flags, &prog) < 0
                       ? -errno : 0;
}

static int apply_caps(const struct direct_ctx *c)
{
        static const cap_flag_t flags[] = { CAP_EFFECTIVE, CAP_PERMITTED, CAP_INHERITABLE };
        static const int sets[] = { DCAP_EFFECTIVE, DCAP_PERMITTED, DCAP_INHERITABLE };
        cap_t caps = cap_init();
        int r = 0;

        if (!caps)
                return -ENOMEM;
        for (size_t f = 0; f < 3; f++)
                for (cap_value_t v = 0; v < 64; v++)
                        if ((c->caps[sets[f]] >> v) & 1)
                                if (cap_set_flag(caps, flags[f], 1, &v, CAP_SET) < 0)
                                        r = -errno;
        if (r == 0 && cap_set_proc(caps) < 0)
                r = -errno;
        cap_free(caps);
        if (r < 0)
                return r;
        /* Ambient: runc raises each configured one (capabilities.ApplyCaps). */
        if (cap_reset_ambient() < 0 && errno != EINVAL)
                return -errno;
        for (cap_value_t v = 0; v < 64; v++)
                if (((c->caps[DCAP_AMBIENT] >> v) & 1) && cap_set_ambient(v, CAP_SET) < 0)
                        return -errno;
        return 0;
}

/* exec.LookPath as runc uses it: a name with '/' as is, else the first
 * PATH entry holding a non-directory with an execute bit. */
static int look_path(const char *name, char *const *env, char *ret, size_t retsz)
{
        const char *path = NULL;
        struct stat st;

        if (strchr(name, '/')) {
                snprintf(ret, retsz, "%s", name);
                return 0;
        }
        for (size_t i = 0; env && env[i]; i++)
                if (strncmp(env[i], "PATH=", 5) == 0)
                        path = env[i] + 5;
        for (const char *p = path; p;) {
                const char *colon = strchr(p, ':');
                size_t n = colon ? (size_t)(colon - p) : strlen(p);

                snprintf(ret, retsz, "%.*s/%s", (int)(n ? n : 1), n ? p : ".", name);
                if (stat(ret, &st) == 0 && !S_ISDIR(st.st_mode) && (st.st_mode & 0111))
                        return 0;
                p = colon ? colon + 1 : NULL;
        }
        return -ENOENT;
}

/* Stage 1 (still outside the container's PID namespace): hide what the
 * caller's argv and environment said.  /proc/PID/cmdline and environ are
 * read from the arg and env areas of the stack (fields 48-51 of
 * /proc/self/stat); zeroing them leaves nothing but NULs there, whoever
 * reads them later, and every later stage inherits the zeros.  0 or -errno. */
static int hide_args(void)
{
        char buf[4096], *p;
        unsigned long v[4];
        ssize_t n;
        int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return -EIO;
        buf[n] = '\0';
        p = strrchr(buf, ')');  /* comm may hold blanks and parentheses */
        if (!p || p[1] != ' ')
                return -EIO;
        p += 2;                 /* field 3 */
        for (int f = 3; f < 48; f++) {
                p = strchr(p, ' ');
                if (!p)
                        return -EIO;
                p++;
        }
        if (sscanf(p, "%lu %lu %lu %lu", &v[0], &v[1], &v[2], &v[3]) != 4 || v[1] < v[0] ||
            v[3] < v[2])
                return -EIO;
        memset((void *)v[0], 0, v[1] - v[0]);
        memset((void *)v[2], 0, v[3] - v[2]);
        environ = NULL;
        return 0;
}

/* Close every descriptor above 2 but the KEEP ones (N, any order, -1
 * ignored): really closed, not close-on-exec, so that nothing of ours is
 * open in a process the container can see.  0 or -errno. */
static int close_others(const int *keep, size_t n)
{
        int k[2 + DNS_N], nk = 0;
        unsigned lo = 3;

        for (size_t i = 0; i < n; i++)
                if (keep[i] >= 3)
                        k[nk++] = keep[i];
        for (int i = 1; i < nk; i++)  /* insertion sort: a handful */
                for (int j = i; j > 0 && k[j - 1] > k[j]; j--) {
                        int t = k[j];
                        k[j] = k[j - 1];
                        k[j - 1] = t;
                }
        for (int i = 0; i < nk; i++) {
                if ((unsigned)k[i] > lo && syscall(SYS_close_range, lo, (unsigned)k[i] - 1, 0U) < 0)
                        return -errno;
                if ((unsigned)k[i] + 1 > lo)
                        lo = (unsigned)k[i] + 1;
        }
        return syscall(SYS_close_range, lo, ~0U, 0U) < 0 ? -errno : 0;
}

/* Stage 2: the process the container sees.  It was born non-dumpable, in
 * every namespace and cgroup of the container, with its root and cwd
 * there, holding stdio, EXEC_FD and REP only.  Now runc's setns init: the
 * session, keyring, security context, user, caps, cwd, then exec. */
static __attribute__((noreturn))
void stage2(const struct direct_ctx *c, char *const *argv, int exec_fd, const sigset_t *mask,
            int rep)
{
        /* The kernel's struct sigaction (handler, flags, restorer, mask). */
        struct { void (*handler)(int); unsigned long flags; void (*restorer)(void);
                 unsigned char mask[NSIG / 8]; } dfl = { .handler = SIG_DFL };
        const struct direct_user *u = &c->user;
        char exe[4096], ses[96];
        int r;

        (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);  /* inherited; stays so until execve */
        /* docker exec's process starts with every disposition at default:
         * nothing our caller ignored (the controller ignores SIGPIPE) or
         * handles may reach it.  The raw syscall, as spawn.c does: glibc's
         * sigaction refuses its internal signals (32, 33).  Every signal
         * is blocked until then (since the fork of stage 1). */
        for (int sig = 1; sig < NSIG; sig++)
                (void)syscall(SYS_rt_sigaction, sig, &dfl, NULL, (size_t)(NSIG / 8));  /* EINVAL for KILL/STOP */
        if (sigprocmask(SIG_SETMASK, mask, NULL) < 0)
                child_fail(rep, 2, DIRECT_EXIT_SETUP, "sigprocmask: %m");
        if (setsid() < 0)
                child_fail(rep, 2, DIRECT_EXIT_SETUP, "setsid: %m");
        /* runc: "Do not inherit the parent's session keyring" (ENOSYS is
         * tolerated there too). */
        snprintf(ses, sizeof(ses), "_ses.%s", c->spec.id);
        if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, ses) < 0 && errno != ENOSYS)
                child_fail(rep, 2, DIRECT_EXIT_SETUP, "cannot join the session keyring: %m");
        if (c->spec.no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                child_fail(rep, 2, DIRECT_EXIT_SETUP, "no_new_privs: %m");
        umask(c->umask);
        if (c->bpf && !c->spec.no_new_privs && (r = install_filter(c)) < 0)
                child_fail(rep, 2, DIRECT_EXIT_SETUP, "seccomp: %s", strerror(-r));
        for (cap_value_t v = 0; v < cap_max_bits(); v++)
                if (!((c->caps[DCAP_BOUNDING] >> v) & 1) && cap_drop_bound(v) < 0)
                        child_fail(rep, 2, DIRECT_EXIT_SETUP,
                                   "cannot drop %d from the bounding set: %m", (int)v);
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 ||
            setgroups(u->ngroups, u->groups) < 0 ||
            setresgid(u->gid, u->gid, u->gid) < 0 || setresuid(u->uid, u->uid, u->uid) < 0 ||
            prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
                child_fail(rep, 2, DIRECT_EXIT_SETUP, "cannot become %u:%u: %m", (unsigned)u->uid,
                           (unsigned)u->gid);
        if ((r = apply_caps(c)) < 0)
                child_fail(rep, 2, DIRECT_EXIT_SETUP, "capabilities: %s", strerror(-r));
        if (chdir(c->cwd) < 0)
                child_fail(rep, 2, DIRECT_EXIT_SETUP, "chdir to cwd (\"%s\") set in config.json "
                           "failed: %m", c->cwd);
        if (exec_fd < 0 && look_path(argv[0], c->env, exe, sizeof(exe)) < 0)
                child_fail(rep, 2, DIRECT_EXIT_NOTFOUND, "%s: executable file not found in $PATH",
                           argv[0]);
        /* A "#!" script run through an fd is read back by its interpreter
         * as /dev/fd/N: the fd must survive the exec (execveat(2) NOTES). */
        if (exec_fd >= 0 && fcntl(exec_fd, F_SETFD, 0) < 0)
                child_fail(rep, 2, DIRECT_EXIT_SETUP, "fcntl: %m");
        if (c->bpf && c->spec.no_new_privs && (r = install_filter(c)) < 0)
                child_fail(rep, 2, DIRECT_EXIT_SETUP, "seccomp: %s", strerror(-r));
        if (exec_fd >= 0) {
                snprintf(exe, sizeof(exe), "%s", argv[0]);
                syscall(SYS_execveat, exec_fd, "", argv, c->env, AT_EMPTY_PATH);
        } else {
                execve(exe, argv, c->env);
        }
        child_fail(rep, 2, errno == ENOENT ? DIRECT_EXIT_NOTFOUND : DIRECT_EXIT_NOEXEC, "%s: %m",
                   exe);
}

/* Stage 1: forked by the caller, in the caller's PID namespace, where the
 * container cannot see it.  runc's nsexec stage 1: it leaves nothing of
 * the caller's behind (dumpable off first, every descriptor but the run's
 * closed, argv and environment zeroed, the context cache not even mapped:
 * MADV_DONTFORK), joins the cgroups and every namespace but the PID one —
 * the mount namespace last, which also leaves the caller's root and cwd —
 * and only then clones stage 2 into the container's PID namespace, as a
 * child of the caller (CLONE_PARENT), and tells the caller its pid. */
static __attribute__((noreturn))
void stage1(const struct direct_ctx *c, char *const *argv_in, int exec_fd, const sigset_t *mask,
            int rep, pid_t parent)
{
        int keep[2 + DNS_N] = { rep, exec_fd }, r;
        struct report ok = { .stage = 1 };
        char **argv = NULL;
        char oom[32];
        size_t n = 0;
        long pid;

        (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        if (getppid() != parent)
                _exit(DIRECT_EXIT_SETUP);
        for (int i = 0; i < DNS_N; i++)
                keep[2 + i] = c->nsfd[i];
        if ((r = close_others(keep, 2 + DNS_N)) < 0)
                child_fail(rep, 1, DIRECT_EXIT_SETUP, "close_range: %s", strerror(-r));
        /* The command's argv may live in the area hide_args zeroes (the
         * exec CLI's own argv): copied first. */
        while (argv_in[n])
                n++;
        argv = calloc(n + 1, sizeof(*argv));
        for (size_t i = 0; argv && i < n; i++)
                if (!(argv[i] = strdup(argv_in[i])))
                        argv = NULL;
        if (!argv)
                child_fail(rep, 1, DIRECT_EXIT_SETUP, "out of memory");
        if ((r = hide_args()) < 0)
                child_fail(rep, 1, DIRECT_EXIT_SETUP, "cannot clear the argv and environment: %s",
                           strerror(-r));
        for (size_t i = 0; c->cgroup_procs && c->cgroup_procs[i]; i++)
                if ((r = write_str(c->cgroup_procs[i], "0")) < 0)
                        child_fail(rep, 1, DIRECT_EXIT_SETUP, "cannot join cgroup %s: %s",
                                   c->cgroup_procs[i], strerror(-r));
        /* Host /proc still: oom_score_adj and rlimits before the mount ns. */
        snprintf(oom, sizeof(oom), "%d", c->oom_score_adj);
        if ((r = write_str("/proc/self/oom_score_adj", oom)) < 0)
                child_fail(rep, 1, DIRECT_EXIT_SETUP, "oom_score_adj: %s", strerror(-r));
        for (int i = 0; i < DIRECT_RLIMITS; i++)
                if (setrlimit((__rlimit_resource_t)i, &c->rlimit[i]) < 0)
                        child_fail(rep, 1, DIRECT_EXIT_SETUP, "setrlimit(%d): %m", i);
        /* DNS_MNT is the last of enum direct_ns: the mount namespace last. */
        for (int i = 0; i < DNS_N; i++)
                if (i != DNS_PID && c->nsfd[i] >= 0 && setns(c->nsfd[i], 0) < 0)
                        child_fail(rep, 1, DIRECT_EXIT_SETUP, "setns(%d): %m", i);
        if (c->nsfd[DNS_PID] >= 0 && setns(c->nsfd[DNS_PID], CLONE_NEWPID) < 0)
                child_fail(rep, 1, DIRECT_EXIT_SETUP, "cannot enter the pid namespace: %m");
        for (int i = 0; i < DNS_N; i++)
                if (c->nsfd[i] >= 0)
                        (void)close(c->nsfd[i]);
        pid = syscall(SYS_clone, (unsigned long)(CLONE_PARENT | SIGCHLD), NULL, NULL, NULL, NULL);
        if (pid == 0)
                stage2(c, argv, exec_fd, mask, rep);
        if (pid < 0)
                child_fail(rep, 1, DIRECT_EXIT_SETUP, "clone: %m");
        ok.pid = (int)pid;
        (void)!write(rep, &ok, sizeof(ok));
        _exit(0);
}

/* Is PID a child of ours, not reaped? */
static bool our_child(pid_t pid)
{
        siginfo_t si = { 0 };

        return pid > 0 && waitid(P_PID, (id_t)pid, &si,
                                 WEXITED | WSTOPPED | WCONTINUED | WNOHANG | WNOWAIT) == 0;
}

int direct_enter_spawn(const struct direct_ctx *c, char *const *argv, int exec_fd,
                       const sigset_t *mask, int64_t deadline, int stop_fd, pid_t *ret_pid,
                       int *ret_code, char *why, size_t whysz)
{
        struct report rep;
        sigset_t all, old;
        pid_t parent = getpid(), s1, s2 = 0;
        int p[2], r = 0, ws, e;
        bool failed = false;
        ssize_t n;

        if (pipe2(p, O_CLOEXEC) < 0) {
                snprintf(why, whysz, "pipe: %m");
                return -errno;
        }
        direct_cache_dontfork();
        /* Every signal held from the fork until stage 2 has reset every
         * disposition: no handler of ours ever runs in a set-up process. */
        sigfillset(&all);
        (void)sigprocmask(SIG_SETMASK, &all, &old);
        s1 = fork();
        e = errno;
        if (s1 == 0) {
                (void)close(p[0]);
                stage1(c, argv, exec_fd, mask, p[1], parent);
        }
        (void)sigprocmask(SIG_SETMASK, &old, NULL);
        (void)close(p[1]);
        if (s1 < 0) {
                (void)close(p[0]);
                snprintf(why, whysz, "fork: %s", strerror(e));
                return -e;
        }
        /* Bounded (M2): the deadline, or a stop request on STOP_FD; a
         * container that stops or starves stage 2 only costs its own run. */
        for (;;) {
                struct pollfd pf[2] = { { p[0], POLLIN, 0 }, { stop_fd, POLLIN, 0 } };
                int k = poll(pf, 2, deadline > 0 ? deadline_poll_timeout(deadline) : -1);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        r = -errno;
                        snprintf(why, whysz, "poll: %m");
                        break;
                }
                if (stop_fd >= 0 && (pf[1].revents & (POLLIN | POLLHUP))) {
                        r = -EINTR;
                        snprintf(why, whysz, "stopped during the set-up");
                        break;
                }
                if (k == 0) {
                        r = failed ? -ECANCELED : -ETIMEDOUT;
                        if (!failed)
                                snprintf(why, whysz, "the set-up did not finish before the deadline");
                        break;
                }
                n = read(p[0], &rep, sizeof(rep));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n == (ssize_t)sizeof(rep) && rep.stage == 1 && rep.code == 0) {
                        /* Stage 2's pid: only a child of ours is taken
                         * (whoever else could write here cannot make us
                         * signal another process). */
                        if (s2 == 0 && our_child(rep.pid))
                                s2 = rep.pid;
                        continue;
                }
                if (n == (ssize_t)sizeof(rep)) {
                        /* A failure: wait for the end of both stages (the
                         * report of stage 1 may still come, with the pid). */
                        if (!failed) {
                                rep.msg[sizeof(rep.msg) - 1] = '\0';
                                snprintf(why, whysz, "%s", rep.msg);
                                *ret_code = rep.code >= DIRECT_EXIT_SETUP &&
                                                    rep.code <= DIRECT_EXIT_NOTFOUND
                                                    ? rep.code : DIRECT_EXIT_SETUP;
                        }
                        failed = true;
                        continue;
                }
                if (n == 0 && !failed && s2 > 0) {
                        *ret_pid = s2;  /* exec'd: the pipe closed on exec */
                        break;
                }
                if (!failed) {
                        *ret_code = DIRECT_EXIT_SETUP;
                        snprintf(why, whysz, "the set-up process ended without a report");
                }
                r = -ECANCELED;
                break;
        }
        (void)close(p[0]);
        if (r < 0) {
                (void)kill(s1, SIGKILL);  /* our unreaped children: no pid reuse */
                if (s2 > 0)
                        (void)kill(s2, SIGKILL);
        }
        while (waitpid(s1, &ws, 0) < 0 && errno == EINTR)
                ;
        if (r < 0 && s2 > 0)
                while (waitpid(s2, &ws, 0) < 0 && errno == EINTR)
                        ;
        return r;
}
