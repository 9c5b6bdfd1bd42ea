/* procguard.c — pidfd-checked process-group kills.  See procguard.h.
 * Why pidfds: a PID read from the Engine or /proc may have been recycled by
 * the time we signal it.  A pidfd names one process for good; a signal sent
 * through it never reaches a newcomer, and a process group's id cannot be
 * reused while its leader (held by the pidfd, alive) exists. */
#include "procguard.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

static bool is_hex(char c)
{
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool line_match(const char *p, size_t n, const char *id, size_t idlen)
{
        const char *path = NULL;
        int colons = 0;

        /* "hierarchy-ID:controllers:path" — the path is after the 2nd ':' */
        for (size_t i = 0; i < n; i++)
                if (p[i] == ':' && ++colons == 2) {
                        path = p + i + 1;
                        n -= i + 1;
                        break;
                }
        if (!path || idlen == 0)
                return false;
        for (size_t i = 0; i + idlen <= n; i++) {
                if (memcmp(path + i, id, idlen) != 0)
                        continue;
                if (i > 0 && (is_hex(path[i - 1]) || path[i - 1] == '.'))
                        continue;
                if (i + idlen < n && is_hex(path[i + idlen]))
                        continue;
                if (i == 0 || path[i - 1] == '/' || path[i - 1] == '-')
                        return true;
        }
        return false;
}

bool procguard_cgroup_match(const char *text, size_t len, const char *id)
{
        size_t idlen = strlen(id);

        if (idlen < 12 || strspn(id, "0123456789abcdef") != idlen)
                return false;
        while (len > 0) {
                const char *nl = memchr(text, '\n', len);
                size_t n = nl ? (size_t)(nl - text) : len;

                if (line_match(text, n, id, idlen))
                        return true;
                text += n + (nl ? 1 : 0);
                len -= n + (nl ? 1 : 0);
        }
        return false;
}

bool procguard_stat_leader(const char *text, size_t len, pid_t pid)
{
        const char *p = NULL;
        char tmp[256];
        long self = 0, ppid, pgrp, sid;
        char state;

        /* "PID (COMM) S PPID PGRP SESSION ..." — COMM may hold anything,
         * so parse from the last ')'. */
        for (size_t i = len; i > 0; i--)
                if (text[i - 1] == ')') {
                        p = text + i;
                        break;
                }
        if (!p)
                return false;
        {
                size_t hl = (size_t)(p - text) < 24 ? (size_t)(p - text) : 24;
                memcpy(tmp, text, hl);  /* TEXT need not be NUL-terminated */
                tmp[hl] = '\0';
                if (sscanf(tmp, "%ld", &self) != 1 || self != (long)pid)
                        return false;
        }
        len -= (size_t)(p - text);
        if (len >= sizeof(tmp))
                len = sizeof(tmp) - 1;
        memcpy(tmp, p, len);
        tmp[len] = '\0';
        if (sscanf(tmp, " %c %ld %ld %ld", &state, &ppid, &pgrp, &sid) != 4)
                return false;
        return pgrp == (long)pid && sid == (long)pid;
}

static ssize_t read_small(const char *path, char *buf, size_t size)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n, total = 0;

        if (fd < 0)
                return -errno;
        while ((size_t)total < size - 1 &&
               (n = read(fd, buf + total, size - 1 - (size_t)total)) > 0)
                total += n;
        (void)close(fd);
        buf[total] = '\0';
        return total;
}

static int pidfd_open_raw(pid_t pid)
{
        long fd = syscall(SYS_pidfd_open, pid, 0);

        if (fd < 0)
                return -errno;
        /* pidfds are always close-on-exec */
        return (int)fd;
}

int procguard_open_child(pid_t pid, struct procguard *ret)
{
        int fd = pidfd_open_raw(pid);

        if (fd < 0)
                return fd;
        ret->pidfd = fd;
        ret->pid = pid;
        return 0;
}

int procguard_open_exec(pid_t pid, const char *id, struct procguard *ret)
{
        struct procguard g = { .pidfd = -1, .pid = pid };
        char path[64], buf[8192];
        ssize_t n;
        int r;

        if (pid <= 1)
                return -EXDEV;
        g.pidfd = pidfd_open_raw(pid);
        if (g.pidfd < 0)
                return g.pidfd == -ESRCH ? -EXDEV : g.pidfd;  /* not in our PID namespace */
        snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
        n = read_small(path, buf, sizeof(buf));
        if (n < 0 || !procguard_cgroup_match(buf, (size_t)n, id)) {
                r = -EXDEV;
                goto fail;
        }
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        n = read_small(path, buf, sizeof(buf));
        if (n < 0 || !procguard_stat_leader(buf, (size_t)n, pid)) {
                r = -EXDEV;
                goto fail;
        }
        /* Both files were read while the pidfd's process was alive, so
         * they described that process and not a successor. */
        if (!procguard_alive(&g)) {
                r = -ESRCH;
                goto fail;
        }
        *ret = g;
        return 0;
fail:
        procguard_close(&g);
        return r;
}

bool procguard_alive(const struct procguard *g)
{
        return g->pidfd >= 0 && syscall(SYS_pidfd_send_signal, g->pidfd, 0, NULL, 0) == 0;
}

int procguard_kill_raw(int pidfd, pid_t pid)
{
        if (pidfd < 0 || pid <= 1)
                return -EBADF;
        if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0)
                return -ESRCH;
        /* The leader is alive, so its group id cannot be anyone else's. */
        (void)kill(-pid, SIGKILL);
        (void)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
        return 0;
}

int procguard_kill_group(const struct procguard *g)
{
        int e = errno, r = procguard_kill_raw(g->pidfd, g->pid);

        errno = e;
        return r;
}

void procguard_close(struct procguard *g)
{
        if (g->pidfd >= 0)
                (void)close(g->pidfd);
        g->pidfd = -1;
}
