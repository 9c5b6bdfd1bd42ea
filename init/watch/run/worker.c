/* worker.c — forked workers answering on a record pipe.  See worker.h.
 * Why processes: no threads (docs/architecture.md "House rules"), and a
 * blocking libcurl call or a body that hangs must never stall the /events
 * reader (the Engine drops a subscriber that stops reading).  Records let
 * the parent learn an exec id while the exec is still running (to ignore
 * our own exec_* events). */
#include "worker.h"

#include "deadline.h"
#include "procguard.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- child side: the stop request --------------------------------------- */

/* Set once in the child, read by its handler: the only globals here. */
static volatile sig_atomic_t stop_state;       /* 0, then 1 once asked */
static volatile sig_atomic_t guard_fd = -1, guard_pid;
static int stop_pipe[2] = { -1, -1 };
static int close_fds[WORKER_CLOSE_MAX];
static size_t n_close;

/* SIGTERM or the bound's SIGALRM: note the request (the loops see the
 * pipe); the grace's SIGALRM: kill the registered body group, leave. */
static void on_stop(int sig)
{
        int e = errno;

        if (!stop_state) {
                stop_state = 1;
                (void)!write(stop_pipe[1], "s", 1);
                (void)alarm(WORKER_STOP_GRACE_S);
        } else if (sig == SIGALRM) {
                (void)procguard_kill_raw(guard_fd, (pid_t)guard_pid);
                _exit(3);
        }
        errno = e;
}

int worker_close_in_children(int fd)
{
        if (n_close >= WORKER_CLOSE_MAX)
                return -ENOSPC;
        close_fds[n_close++] = fd;
        return 0;
}

/* Read ends of the live workers' record pipes (parent side), which every
 * new worker closes first thing: a worker never holds another's pipe. */
/* A growable list of ints (fds, PIDs: pid_t is an int here); an add that
 * finds no memory is dropped, which each list below can afford. */
struct ints {
        int *v;
        size_t n, cap;
};
_Static_assert(sizeof(pid_t) == sizeof(int), "pid_t is an int");

static void ints_add(struct ints *s, int x)
{
        if (s->n == s->cap) {
                size_t nc = s->cap ? s->cap * 2 : 64;
                int *n = realloc(s->v, nc * sizeof(*n));
                if (!n)
                        return;
                s->v = n;
                s->cap = nc;
        }
        s->v[s->n++] = x;
}

/* Remove one X (order is not kept); false if it was not there. */
static bool ints_drop(struct ints *s, int x)
{
        for (size_t i = 0; i < s->n; i++)
                if (s->v[i] == x) {
                        s->v[i] = s->v[--s->n];
                        return true;
                }
        return false;
}

static struct ints pipe_fds;

static void pipe_fd_add(int fd)
{
        ints_add(&pipe_fds, fd);  /* without memory: the direct set-up closes it anyway */
}

static void pipe_fd_drop(int fd)
{
        (void)ints_drop(&pipe_fds, fd);
}

static void child_setup(void)
{
        struct sigaction sa;
        sigset_t s;

        for (size_t i = 0; i < n_close; i++)
                (void)close(close_fds[i]);
        for (size_t i = 0; i < pipe_fds.n; i++)
                (void)close(pipe_fds.v[i]);
        pipe_fds.n = 0;

        /* Group signals (a terminal's ^C, an init forwarding to the group)
         * are for the controller, which decides when bodies stop. */
        (void)setpgid(0, 0);
        if (pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
                stop_pipe[0] = stop_pipe[1] = -1;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_stop;
        sa.sa_flags = SA_RESTART;
        /* One at a time: a bound's SIGALRM landing inside the SIGTERM
         * handler must not be taken for the end of the grace. */
        sigemptyset(&sa.sa_mask);
        sigaddset(&sa.sa_mask, SIGTERM);
        sigaddset(&sa.sa_mask, SIGALRM);
        (void)sigaction(SIGTERM, &sa, NULL);
        (void)sigaction(SIGALRM, &sa, NULL);
        sigemptyset(&s);
        sigaddset(&s, SIGTERM);
        sigaddset(&s, SIGALRM);
        (void)sigprocmask(SIG_UNBLOCK, &s, NULL);
}

int worker_stop_fd(void)
{
        return stop_pipe[0];
}

bool worker_stop_requested(void)
{
        return stop_state != 0;
}

void worker_guard(int pidfd, pid_t pid)
{
        if (pidfd < 0) {
                guard_fd = -1;
                guard_pid = 0;
        } else {
                guard_pid = pid;
                guard_fd = pidfd;
        }
}

void worker_bound(unsigned seconds)
{
        if (!stop_state)
                (void)alarm(seconds);
}

/* ---- parent side ---------------------------------------------------------- */

/* PIDs of workers not known to be reaped, for worker_end_all. */
static struct ints live;

static void live_add(pid_t pid)
{
        ints_add(&live, pid);  /* without memory: only worker_end_all's list; the worker still dies with us */
}

/* Workers asked to stop (worker_kill), with the time their grace ends:
 * worker_escalate SIGKILLs those still not reaped then. */
static struct killed { pid_t pid; int64_t at; } *killed;
static size_t n_killed, cap_killed;

static void killed_drop(pid_t pid)
{
        for (size_t i = 0; i < n_killed; i++)
                if (killed[i].pid == pid) {
                        killed[i] = killed[--n_killed];
                        return;
                }
}

void worker_forget(pid_t pid)
{
        killed_drop(pid);
        (void)ints_drop(&live, pid);
}

int worker_spawn(struct worker *w, size_t record_max, int (*fn)(void *ud, int fd), void *ud)
{
        pid_t parent = getpid(), pid;
        int p[2];

        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0) {
                int r = -errno;
                (void)close(p[0]);
                (void)close(p[1]);
                return r;
        }
        if (pid == 0) {
                int rc;

                (void)close(p[0]);
                child_setup();
                /* An orphaned worker would keep exec streams, namespace
                 * handles and its body alive after the controller is gone:
                 * it stops as on worker_kill. */
                (void)prctl(PR_SET_PDEATHSIG, SIGTERM);
                if (getppid() != parent)
                        _exit(1);  /* the parent died before prctl */
                rc = fn(ud, p[1]);
                _exit(rc < 0 ? 1 : rc > 255 ? 255 : rc);
        }
        (void)close(p[1]);
        live_add(pid);
        if (fcntl(p[0], F_SETFL, O_NONBLOCK) < 0) {
                /* Without O_NONBLOCK a read could stall the loop. */
                int r = -errno;
                (void)close(p[0]);
                (void)kill(pid, SIGKILL);
                return r;
        }
        w->pid = pid;
        w->fd = p[0];
        pipe_fd_add(p[0]);
        w->reaped = false;
        w->wstatus = 0;
        w->handed = 0;
        buf_init(&w->in, record_max + 8);
        return 0;
}

static void drop_handed(struct worker *w)
{
        if (w->handed) {
                buf_consume(&w->in, w->handed);
                w->handed = 0;
        }
}

int worker_read(struct worker *w)
{
        char tmp[65536];

        drop_handed(w);
        while (w->fd >= 0) {
                ssize_t n = read(w->fd, tmp, sizeof(tmp));
                if (n > 0) {
                        int r = buf_append(&w->in, tmp, (size_t)n);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (n == 0) {
                        pipe_fd_drop(w->fd);
                        (void)close(w->fd);
                        w->fd = -1;
                        return 1;
                }
                if (errno == EINTR)
                        continue;
                if (errno == EAGAIN)
                        return 0;
                return -errno;
        }
        return 1;
}

static uint32_t get_u32(const char *p)
{
        const unsigned char *u = (const unsigned char *)p;

        return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

/* Records are consumed lazily: the previous record is dropped on the next
 * call, so DATA stays valid until then. */
int worker_next(struct worker *w, uint32_t *type, const char **data, uint32_t *len)
{
        uint32_t l;

        drop_handed(w);
        if (w->in.len < 8)
                return 0;
        l = get_u32(w->in.data + 4);
        if (w->in.len - 8 < l)
                return 0;
        *type = get_u32(w->in.data);
        *len = l;
        *data = w->in.data + 8;
        w->handed = 8 + (size_t)l;
        return 1;
}

void worker_kill(struct worker *w)
{
        if (w->pid <= 0 || w->reaped)
                return;
        (void)kill(w->pid, SIGTERM);
        for (size_t i = 0; i < n_killed; i++)
                if (killed[i].pid == w->pid)
                        return;  /* asked already: its grace runs */
        if (n_killed == cap_killed) {
                size_t nc = cap_killed ? cap_killed * 2 : 16;
                struct killed *n = realloc(killed, nc * sizeof(*n));
                if (!n) {
                        (void)kill(w->pid, SIGKILL);  /* no room to wait: at once */
                        return;
                }
                killed = n;
                cap_killed = nc;
        }
        killed[n_killed++] = (struct killed){ w->pid, deadline_now() + WORKER_KILL_GRACE_MS };
}

/* Is PID still our child, not reaped?  Never reaps (the loop does). */
static bool unreaped_child(pid_t pid)
{
        siginfo_t si = { 0 };

        return waitid(P_PID, (id_t)pid, &si,
                      WEXITED | WSTOPPED | WCONTINUED | WNOHANG | WNOWAIT) == 0;
}

void worker_escalate(void)
{
        int64_t now = deadline_now();

        for (size_t i = 0; i < n_killed;) {
                if (now < killed[i].at) {
                        i++;
                        continue;
                }
                if (unreaped_child(killed[i].pid))
                        (void)kill(killed[i].pid, SIGKILL);
                killed[i] = killed[--n_killed];
        }
}

long worker_escalate_ms(void)
{
        int64_t now = deadline_now(), best = -1;

        for (size_t i = 0; i < n_killed; i++) {
                int64_t d = killed[i].at - now;
                if (best < 0 || d < best)
                        best = d < 0 ? 0 : d;
        }
        return (long)best;
}

/* Is PID still our child, not reaped?  Reaps it when it has exited. */
static bool still_ours(pid_t pid)
{
        int st;

        return waitpid(pid, &st, WNOHANG) == 0;
}

void worker_end_all(long grace_ms)
{
        struct timespec tick = { 0, 20 * 1000 * 1000 };
        long waited = 0;

        for (size_t i = 0; i < live.n;)
                if (still_ours(live.v[i]))
                        (void)kill(live.v[i++], SIGTERM);
                else
                        live.v[i] = live.v[--live.n];
        while (live.n > 0 && waited < grace_ms) {
                (void)nanosleep(&tick, NULL);
                waited += 20;
                for (size_t i = 0; i < live.n;)
                        if (still_ours(live.v[i]))
                                i++;
                        else
                                live.v[i] = live.v[--live.n];
        }
        for (size_t i = 0; i < live.n; i++) {
                int st;
                if (still_ours(live.v[i])) {
                        (void)kill(live.v[i], SIGKILL);
                        (void)waitpid(live.v[i], &st, 0);
                }
        }
        free(live.v);
        live = (struct ints){ 0 };
        free(killed);
        killed = NULL;
        n_killed = cap_killed = 0;
}

void worker_release(struct worker *w)
{
        if (w->fd >= 0) {
                pipe_fd_drop(w->fd);
                (void)close(w->fd);
        }
        w->fd = -1;
        buf_free(&w->in);
}

static int write_all(int fd, const void *p, size_t n)
{
        const char *c = p;

        while (n > 0) {
                ssize_t k = write(fd, c, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                c += k;
                n -= (size_t)k;
        }
        return 0;
}

int worker_put(int fd, uint32_t type, const void *data, size_t len)
{
        unsigned char h[8] = {
                (unsigned char)(type >> 24), (unsigned char)(type >> 16),
                (unsigned char)(type >> 8), (unsigned char)type,
                (unsigned char)(len >> 24), (unsigned char)(len >> 16),
                (unsigned char)(len >> 8), (unsigned char)len,
        };
        int r;

        if (len > UINT32_MAX)
                return -E2BIG;
        r = write_all(fd, h, sizeof(h));
        if (r == 0 && len)
                r = write_all(fd, data, len);
        return r;
}

int worker_puts(int fd, uint32_t type, const char *s)
{
        return worker_put(fd, type, s, strlen(s));
}
