/* direct_seccomp.c — copy a process's oldest seccomp filter.  See
 * direct_seccomp.h.  The oldest filter is runc's, installed before the
 * container's own code ran; any later one is the container's choice. */
#include "direct_seccomp.h"

#include "deadline.h"
#include "procfile.h"

#include "why.h"

#include <errno.h>
#include <linux/filter.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>


/* The number after "KEY:" in /proc/PID/status, or -1. */
static long status_of(pid_t pid, const char *key)
{
        char p[64], *st = NULL;
        size_t k = strlen(key);
        long v = -1;

        snprintf(p, sizeof(p), "/proc/%d/status", (int)pid);
        if (procfile_read(p, PROCFILE_MAX, &st) < 0)
                return -1;
        for (const char *l = st; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                if (strncmp(l, key, k) == 0 && l[k] == ':') {
                        v = strtol(l + k + 1, NULL, 10);
                        break;
                }
        free(st);
        return v;
}

/* PTRACE_SEIZE, waiting while another tracer holds the process: another
 * `contrainer exec` of the same container copying its filter detaches
 * within microseconds (EPERM with a non-zero TracerPid).  That tracer may
 * detach between our EPERM and our look at TracerPid, so a few EPERMs with
 * no tracer in sight are retried too before they count as a refusal.  A
 * debugger that stays attached makes us give up after SEIZE_WAIT_MS. */
#define SEIZE_WAIT_MS 2000
#define SEIZE_UNTRACED_TRIES 5
static int seize(pid_t pid)
{
        int64_t dl = deadline_in(SEIZE_WAIT_MS);
        int untraced = 0;

        for (;;) {
                struct timespec ms = { 0, 1000000 };
                int e;

                if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) == 0)
                        return 0;
                e = errno;
                if (e != EPERM || deadline_passed(dl))
                        return -e;
                if (status_of(pid, "TracerPid") <= 0 && ++untraced >= SEIZE_UNTRACED_TRIES)
                        return -EPERM;
                nanosleep(&ms, NULL);
        }
}

/* Copy the oldest filter of the stopped tracee PID into BUF (BPF_MAXINSNS
 * entries: never shorter than what the kernel writes).  The kernel counts
 * PTRACE_SECCOMP_GET_FILTER's index from the oldest filter
 * (kernel/seccomp.c get_nth_filter walks back count - index - 1 steps from
 * the newest), whatever ptrace(2) says: index 0 is the first filter the
 * process ever got, the runtime's.  A chain only grows at its newest end
 * (a thread of the tracee may still add filters to it, even stopped,
 * through SECCOMP_FILTER_FLAG_TSYNC): index 0 never moves, so no count read
 * before the stop is needed, and no filter the container stacked on top —
 * before or during the copy — can be taken for it. */
static long copy_oldest(pid_t pid, struct sock_filter *buf)
{
        long len = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)0, buf);

        if (len < 0)
                return -errno;
        return len == 0 || len > BPF_MAXINSNS ? -EPROTO : len;
}

/* The signal to re-deliver on detach: a signal-delivery-stop (not an event
 * stop: PTRACE_INTERRUPT's or a group stop) took a signal off the tracee's
 * queue, and PTRACE_DETACH with 0 would discard it — a `docker stop`
 * SIGTERM lost. */
static int pending_signal(int ws)
{
        return WIFSTOPPED(ws) && (ws >> 16) == 0 ? WSTOPSIG(ws) : 0;
}

int direct_seccomp_copy(pid_t pid, struct sock_filter **ret, unsigned short *ret_len, char *why,
                        size_t whysz)
{
        struct sock_filter *bpf = NULL;
        long len;
        int r, ws = 0;

        if (status_of(pid, "Seccomp") != 2 || status_of(pid, "Seccomp_filters") < 1)
                return why_fail(why, whysz, -EOPNOTSUPP, "the bundle has a seccomp profile but the "
                            "main process has no filter");
        bpf = calloc(BPF_MAXINSNS, sizeof(*bpf));
        if (!bpf)
                return -ENOMEM;
        r = seize(pid);
        if (r < 0) {
                free(bpf);
                return why_fail(why, whysz, -EOPNOTSUPP, "cannot attach to the main process to copy "
                            "its seccomp filter: %s", strerror(-r));
        }
        r = 0;
        if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) < 0 || waitpid(pid, &ws, __WALL) < 0) {
                r = why_fail(why, whysz, -EOPNOTSUPP, "cannot stop the main process: %m");
                goto out;
        }
        len = copy_oldest(pid, bpf);
        if (len < 0) {
                r = why_fail(why, whysz, -EOPNOTSUPP, "cannot copy the seccomp filter: %s",
                         strerror((int)-len));
                goto out;
        }
        *ret = realloc(bpf, (size_t)len * sizeof(*bpf)) ?: bpf;
        *ret_len = (unsigned short)len;
        bpf = NULL;
out:
        free(bpf);
        /* Detaching resumes it (with the signal it was stopped for);
         * nothing to do if this fails (it is gone). */
        (void)ptrace(PTRACE_DETACH, pid, NULL, (void *)(long)pending_signal(ws));
        return r;
}
