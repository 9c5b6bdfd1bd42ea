/* direct_enter.c — fork a process into a container's exec context.  See
 * direct_enter.h.  The order is runc's (nsexec.c then setns_init_linux.go
 * and finalizeNamespace), because each step needs the privileges the next
 * one drops:
 *   cgroup.procs writes (from the host's mount namespace, as runc writes
 *   the exec's pid from outside) → setns (pid via the parent, the others
 *   here, mount last) → setsid → session keyring "_ses.<id>" →
 *   oom_score_adj, rlimits (runc sets them on the child from outside) →
 *   no_new_privs → umask → seccomp when no_new_privs is off (installing it
 *   needs CAP_SYS_ADMIN) → bounding set → keep-caps, setgroups, setgid,
 *   setuid → capability sets → ambient set → chdir (after setuid, so it
 *   fails like runc's when the user cannot enter it) → PATH lookup →
 *   seccomp when no_new_privs is on (as late as possible) → execve.
 * The child is a set-up process like runc's init: its parent is single
 * threaded, so malloc and libcap are safe after fork here (glibc resets its
 * allocator locks in the child); nothing else runs between fork and exec. */
#include "direct_enter.h"

#include "direct_ctx.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
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

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

struct report {
        int code;
        char msg[512];
};

static __attribute__((noreturn, format(printf, 3, 4)))
void child_fail(int fd, int code, const char *fmt, ...)
{
        struct report rep = { .code = code };
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

static __attribute__((noreturn))
void child(const struct direct_ctx *c, char *const *argv, int exec_fd, const sigset_t *mask,
           int rep)
{
        /* The kernel's struct sigaction (handler, flags, restorer, mask). */
        struct { void (*handler)(int); unsigned long flags; void (*restorer)(void);
                 unsigned char mask[NSIG / 8]; } dfl = { .handler = SIG_DFL };
        const struct direct_user *u = &c->user;
        char exe[4096], ses[96];
        int r;

        /* docker exec's process starts with every disposition at default:
         * nothing our caller ignored (the controller ignores SIGPIPE) or
         * handles may reach it.  The raw syscall, as spawn.c does: glibc's
         * sigaction refuses its internal signals (32, 33). */
        for (int sig = 1; sig < NSIG; sig++)
                (void)syscall(SYS_rt_sigaction, sig, &dfl, NULL, (size_t)(NSIG / 8));  /* EINVAL for KILL/STOP */
        if (sigprocmask(SIG_SETMASK, mask, NULL) < 0)
                child_fail(rep, DIRECT_EXIT_SETUP, "sigprocmask: %m");
        /* Only stdio reach the command, as runc's CloseExecFrom(3): fds our
         * own caller leaked to us must not enter the container.  Marked
         * here, before any seccomp filter could refuse close_range. */
        if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                child_fail(rep, DIRECT_EXIT_SETUP, "close_range: %m");
        for (size_t i = 0; c->cgroup_procs && c->cgroup_procs[i]; i++)
                if ((r = write_str(c->cgroup_procs[i], "0")) < 0)
                        child_fail(rep, DIRECT_EXIT_SETUP, "cannot join cgroup %s: %s",
                                   c->cgroup_procs[i], strerror(-r));
        /* Host /proc still: oom_score_adj and rlimits before the mount ns. */
        snprintf(ses, sizeof(ses), "%d", c->oom_score_adj);
        if ((r = write_str("/proc/self/oom_score_adj", ses)) < 0)
                child_fail(rep, DIRECT_EXIT_SETUP, "oom_score_adj: %s", strerror(-r));
        for (int i = 0; i < DIRECT_RLIMITS; i++)
                if (setrlimit((__rlimit_resource_t)i, &c->rlimit[i]) < 0)
                        child_fail(rep, DIRECT_EXIT_SETUP, "setrlimit(%d): %m", i);
        for (int i = 0; i < DNS_N; i++)
                if (i != DNS_PID && c->nsfd[i] >= 0 && setns(c->nsfd[i], 0) < 0)
                        child_fail(rep, DIRECT_EXIT_SETUP, "setns(%d): %m", i);
        if (setsid() < 0)
                child_fail(rep, DIRECT_EXIT_SETUP, "setsid: %m");
        /* runc: "Do not inherit the parent's session keyring" (ENOSYS is
         * tolerated there too). */
        snprintf(ses, sizeof(ses), "_ses.%s", c->spec.id);
        if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, ses) < 0 && errno != ENOSYS)
                child_fail(rep, DIRECT_EXIT_SETUP, "cannot join the session keyring: %m");
        if (c->spec.no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                child_fail(rep, DIRECT_EXIT_SETUP, "no_new_privs: %m");
        umask(c->umask);
        if (c->bpf && !c->spec.no_new_privs && (r = install_filter(c)) < 0)
                child_fail(rep, DIRECT_EXIT_SETUP, "seccomp: %s", strerror(-r));
        for (cap_value_t v = 0; v < cap_max_bits(); v++)
                if (!((c->caps[DCAP_BOUNDING] >> v) & 1) && cap_drop_bound(v) < 0)
                        child_fail(rep, DIRECT_EXIT_SETUP, "cannot drop %d from the bounding set: %m",
                                   (int)v);
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 ||
            setgroups(u->ngroups, u->groups) < 0 ||
            setresgid(u->gid, u->gid, u->gid) < 0 || setresuid(u->uid, u->uid, u->uid) < 0 ||
            prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
                child_fail(rep, DIRECT_EXIT_SETUP, "cannot become %u:%u: %m", (unsigned)u->uid,
                           (unsigned)u->gid);
        if ((r = apply_caps(c)) < 0)
                child_fail(rep, DIRECT_EXIT_SETUP, "capabilities: %s", strerror(-r));
        if (chdir(c->cwd) < 0)
                child_fail(rep, DIRECT_EXIT_SETUP, "chdir to cwd (\"%s\") set in config.json "
                           "failed: %m", c->cwd);
        if (exec_fd < 0 && look_path(argv[0], c->env, exe, sizeof(exe)) < 0)
                child_fail(rep, DIRECT_EXIT_NOTFOUND, "%s: executable file not found in $PATH",
                           argv[0]);
        /* A "#!" script run through an fd is read back by its interpreter
         * as /dev/fd/N: the fd must survive the exec (execveat(2) NOTES). */
        if (exec_fd >= 0 && fcntl(exec_fd, F_SETFD, 0) < 0)
                child_fail(rep, DIRECT_EXIT_SETUP, "fcntl: %m");
        if (c->bpf && c->spec.no_new_privs && (r = install_filter(c)) < 0)
                child_fail(rep, DIRECT_EXIT_SETUP, "seccomp: %s", strerror(-r));
        if (exec_fd >= 0) {
                snprintf(exe, sizeof(exe), "%s", argv[0]);
                syscall(SYS_execveat, exec_fd, "", argv, c->env, AT_EMPTY_PATH);
        } else {
                execve(exe, argv, c->env);
        }
        child_fail(rep, errno == ENOENT ? DIRECT_EXIT_NOTFOUND : DIRECT_EXIT_NOEXEC, "%s: %m", exe);
}

int direct_enter_spawn(const struct direct_ctx *c, char *const *argv, int exec_fd,
                       const sigset_t *mask, pid_t *ret_pid, int *ret_code, char *why,
                       size_t whysz)
{
        struct report rep = { 0 };
        int p[2], own_pid = -1, r = 0, ws;
        ssize_t n;
        pid_t pid;

        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        /* The pid namespace applies to children only (setns(2)): enter it
         * for the fork, then return to ours. */
        if (c->nsfd[DNS_PID] >= 0) {
                own_pid = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
                if (own_pid < 0 || setns(c->nsfd[DNS_PID], CLONE_NEWPID) < 0) {
                        r = -errno;
                        snprintf(why, whysz, "cannot enter the pid namespace: %m");
                        goto out;
                }
        }
        pid = fork();
        if (pid == 0) {
                close(p[0]);
                child(c, argv, exec_fd, mask, p[1]);
        }
        if (pid < 0)
                r = -errno;
        if (own_pid >= 0 && setns(own_pid, CLONE_NEWPID) < 0 && r == 0)
                r = -errno;  /* only our own later children would notice */
        if (pid < 0) {
                snprintf(why, whysz, "fork: %s", strerror(-r));
                goto out;
        }
        close(p[1]);
        p[1] = -1;
        do
                n = read(p[0], &rep, sizeof(rep));
        while (n < 0 && errno == EINTR);
        if (n <= 0) {
                *ret_pid = pid;  /* exec'd: the pipe closed on exec */
                r = 0;
                goto out;
        }
        while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
                ;
        rep.msg[sizeof(rep.msg) - 1] = '\0';
        snprintf(why, whysz, "%s", rep.msg);
        *ret_code = rep.code;
        r = -ECANCELED;
out:
        if (own_pid >= 0)
                close(own_pid);
        close(p[0]);
        if (p[1] >= 0)
                close(p[1]);
        return r;
}
