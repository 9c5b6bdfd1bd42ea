/* hostile_watch.c — PID 1 of a hostile test container (tests/bats/38):
 * it watches its own /proc for processes that enter from outside (PPid 0
 * in its PID namespace), stops each one the moment it appears (SIGSTOP, as
 * the security review's attacker does) and writes down, one line each,
 * what it could learn or reach of it, then lets it go on (SIGCONT):
 *   seen PID comm=COMM      every process caught (proves the window is hit)
 *   fd PID N TARGET         a descriptor above 2 whose target it can read,
 *                           except the container's own script files (SKIP)
 *   forge PID N             a pipe of it that it could open for writing
 *   environ PID TEXT        its environment, if readable
 *   cmdline PID TEXT        its command line, if any non-NUL byte
 *   root PID                HOSTMARK (a host path) exists under its root
 *   cache PID               it maps a shared anonymous region (the
 *                           controller's context cache) it could write to
 * With a fourth argument "stop" it only stops each one and leaves it
 * stopped (the review's M2: a set-up that never ends).
 * With "filter" it stacks an allow-all seccomp filter of its own on the
 * runtime's (no_new_privs), writes "filtered" and only waits (the review's
 * M1: direct runs must not take that filter for the runtime's).
 * usage: hostile_watch LOG [HOSTMARK [SKIP [stop|filter]]]   (static; exits on SIGTERM) */
#define _GNU_SOURCE
#include <dirent.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXPID (1 << 22)

static unsigned char seen[MAXPID / 8];
static FILE *out;

static void on_term(int sig)
{
        (void)sig;
        _exit(0);
}

static ssize_t slurp(const char *path, char *buf, size_t sz)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n, len = 0;

        if (fd < 0)
                return -1;
        while (len < (ssize_t)sz - 1 && (n = read(fd, buf + len, sz - 1 - (size_t)len)) > 0)
                len += n;
        close(fd);
        buf[len] = '\0';
        return len;
}

/* NULs and newlines as blanks: one line per finding. */
static void flatten(char *s, ssize_t n)
{
        for (ssize_t i = 0; i < n; i++)
                if (s[i] == '\0' || s[i] == '\n')
                        s[i] = ' ';
}

/* What was already written of one process (each finding once). */
enum { F_FD = 1, F_ENV = 2, F_CMD = 4, F_ROOT = 8, F_CACHE = 16 };

static void inspect(int pid, const char *hostmark, const char *skip, int *done)
{
        static char buf[1 << 16];
        char p[512], link[512];
        ssize_t n;
        DIR *d;

        snprintf(p, sizeof(p), "/proc/%d/fd", pid);
        if (!(*done & F_FD) && (d = opendir(p))) {
                struct dirent *e;

                while ((e = readdir(d))) {
                        int fd = atoi(e->d_name);

                        if (e->d_name[0] < '0' || e->d_name[0] > '9' || fd <= 2)
                                continue;
                        snprintf(p, sizeof(p), "/proc/%d/fd/%d", pid, fd);
                        n = readlink(p, link, sizeof(link) - 1);
                        if (n <= 0)
                                continue;  /* its number alone says nothing */
                        link[n] = '\0';
                        if (skip && *skip && strncmp(link, skip, strlen(skip)) == 0)
                                continue;
                        fprintf(out, "fd %d %d %s\n", pid, fd, link);
                        *done |= F_FD;
                        if (strncmp(link, "pipe:", 5) == 0) {
                                int w = open(p, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
                                if (w >= 0) {
                                        fprintf(out, "forge %d %d\n", pid, fd);
                                        close(w);
                                }
                        }
                }
                closedir(d);
        }
        snprintf(p, sizeof(p), "/proc/%d/environ", pid);
        if (!(*done & F_ENV) && (n = slurp(p, buf, sizeof(buf))) > 0) {
                *done |= F_ENV;
                /* one entry at a time, without the image's own long PATH */
                fprintf(out, "environ %d", pid);
                for (char *v = buf; v < buf + n; v += strlen(v) + 1)
                        if (strncmp(v, "PATH=/l/", 8) != 0)
                                fprintf(out, " %s", v);
                fprintf(out, "\n");
        }
        snprintf(p, sizeof(p), "/proc/%d/cmdline", pid);
        if (!(*done & F_CMD) && (n = slurp(p, buf, sizeof(buf))) > 0) {
                int any = 0;
                for (ssize_t i = 0; i < n; i++)
                        any |= buf[i] != '\0';
                flatten(buf, n);
                if (any) {
                        fprintf(out, "cmdline %d %s\n", pid, buf);
                        *done |= F_CMD;
                }
        }
        snprintf(p, sizeof(p), "/proc/%d/maps", pid);
        if (!(*done & F_CACHE) && (n = slurp(p, buf, sizeof(buf))) > 0) {
                for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                        if (strncmp(strchr(l, ' ') ? strchr(l, ' ') + 1 : l, "rw-s", 4) == 0 &&
                            strstr(l, "/dev/zero (deleted)") &&
                            (!strchr(l, '\n') || strstr(l, "/dev/zero (deleted)") < strchr(l, '\n'))) {
                                fprintf(out, "cache %d\n", pid);
                                *done |= F_CACHE;
                                break;
                        }
        }
        if (!(*done & F_ROOT) && hostmark && *hostmark) {
                snprintf(p, sizeof(p), "/proc/%d/root%s", pid, hostmark);
                if (access(p, F_OK) == 0) {
                        fprintf(out, "root %d\n", pid);
                        *done |= F_ROOT;
                }
        }
}

/* Processes from outside still as they entered (their first comm): looked
 * at again on every pass, stopped each time, until they exec. */
#define TRACK 512
static struct { int pid, done; char comm[32]; } track[TRACK];

static void read_comm(int pid, char *buf, size_t sz)
{
        char p[64];
        ssize_t n;

        snprintf(p, sizeof(p), "/proc/%d/comm", pid);
        n = slurp(p, buf, sz);
        if (n > 0 && buf[n - 1] == '\n')
                buf[n - 1] = '\0';
        if (n <= 0)
                buf[0] = '\0';
}

int main(int argc, char **argv)
{
        const char *hostmark = argc > 2 ? argv[2] : NULL, *skip = argc > 3 ? argv[3] : NULL;
        int self = getpid(), keep_stopped = argc > 4 && strcmp(argv[4], "stop") == 0;

        if (argc < 2)
                return 2;
        signal(SIGTERM, on_term);
        out = fopen(argv[1], "a");
        if (!out)
                return 1;
        setvbuf(out, NULL, _IOLBF, 0);
        if (argc > 4 && strcmp(argv[4], "filter") == 0) {
                struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
                struct sock_fprog prog = { .len = 1, .filter = &allow };

                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
                    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
                        return 1;
                fprintf(out, "filtered\n");
                for (;;)
                        pause();
        }
        fprintf(out, "ready\n");
        for (;;) {
                DIR *d = opendir("/proc");
                struct dirent *e;

                if (!d)
                        return 1;
                while ((e = readdir(d))) {
                        char p[64], st[4096], *pp, comm[32];
                        int pid = atoi(e->d_name), t = -1;

                        if (pid <= 1 || pid == self || pid >= MAXPID)
                                continue;
                        if ((seen[pid / 8] >> (pid % 8)) & 1) {
                                for (int i = 0; i < TRACK; i++)
                                        if (track[i].pid == pid)
                                                t = i;
                                if (t < 0)
                                        continue;
                        } else {
                                snprintf(p, sizeof(p), "/proc/%d/status", pid);
                                if (slurp(p, st, sizeof(st)) <= 0 || !(pp = strstr(st, "\nPPid:")))
                                        continue;
                                seen[pid / 8] |= (unsigned char)(1u << (pid % 8));
                                if (atoi(pp + 6) != 0)
                                        continue;
                                kill(pid, SIGSTOP);
                                for (int i = 0; i < TRACK && t < 0; i++)
                                        if (track[i].pid == 0)
                                                t = i;
                                if (t < 0)
                                        t = 0;
                                track[t].pid = pid;
                                track[t].done = 0;
                                read_comm(pid, track[t].comm, sizeof(track[t].comm));
                                fprintf(out, "seen %d comm=%s\n", pid, track[t].comm);
                                if (keep_stopped) {
                                        track[t].pid = 0;
                                        continue;
                                }
                                inspect(pid, hostmark, skip, &track[t].done);
                                kill(pid, SIGCONT);
                                continue;
                        }
                        read_comm(pid, comm, sizeof(comm));
                        if (strcmp(comm, track[t].comm) != 0) {
                                track[t].pid = 0;  /* exec'd (or gone): the command's now */
                                continue;
                        }
                        kill(pid, SIGSTOP);
                        inspect(pid, hostmark, skip, &track[t].done);
                        kill(pid, SIGCONT);
                }
                closedir(d);
                sched_yield();
        }
}
