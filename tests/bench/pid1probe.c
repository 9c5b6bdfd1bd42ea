/* pid1probe.c — drives one init as PID 1 of a fresh PID namespace and
 * measures it from the outside (the bench's host side).
 *
 *   pid1probe mem  [-l LOG] -w COMM [-s SETTLE_MS] -- CMD...
 *   pid1probe sig  [-l LOG] -f FIFO -n N -- CMD...
 *   pid1probe term [-l LOG] -r READY_DIR -c COUNT -- CMD...
 *
 * CMD is always `unshare --pid --fork --mount-proc INIT ...` (run.sh builds
 * it; this program never runs an init itself): CMD's process is unshare, and
 * its only child is PID 1 of the new namespace, seen here by its host PID.
 *
 * mem:  waits until PID 1 has a child named COMM (the long command), lets it
 *       settle, prints "<VmHWM_kB> <VmRSS_kB> <private_kB>" (private =
 *       Private_Clean + Private_Dirty of /proc/PID/smaps_rollup).
 * sig:  waits for sigecho's 'R' on FIFO, then N times: timestamp, kill(PID 1,
 *       SIGUSR1), read sigecho's 'x', timestamp.  Prints
 *       "<median_us> <p90_us> <lost>" (lost = no echo within 1 s).
 * term: waits until READY_DIR holds COUNT files named ready.*, sends SIGTERM
 *       to PID 1 and prints "<ms>" until PID 1 has exited (a pidfd).
 *
 * Every mode ends the namespace: SIGTERM to PID 1, then SIGKILL after 20 s
 * (SIGKILL on a namespace's PID 1 kills every process in it), and reaps
 * unshare.  Any failure prints "error: <reason>" on stdout and exits 1. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t u_pid = -1, pid1 = -1;

static double now_us(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void end_namespace(void)
{
        double t0 = now_us();
        int st;

        if (u_pid <= 0)
                return;
        if (pid1 > 0)
                kill(pid1, SIGTERM);
        else
                kill(u_pid, SIGTERM);
        while (waitpid(u_pid, &st, WNOHANG) == 0) {
                if (now_us() - t0 > 20e6) {
                        if (pid1 > 0)
                                kill(pid1, SIGKILL);
                        kill(u_pid, SIGKILL);
                        waitpid(u_pid, &st, 0);
                        break;
                }
                usleep(2000);
        }
        u_pid = -1;
}

__attribute__((format(printf, 1, 2), noreturn))
static void fail(const char *fmt, ...)
{
        va_list ap;

        printf("error: ");
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
        fflush(stdout);
        end_namespace();
        exit(1);
}

static pid_t spawn(char **argv, const char *log)
{
        pid_t pid = fork();

        if (pid < 0)
                fail("fork: %s", strerror(errno));
        if (pid == 0) {
                int in = open("/dev/null", O_RDONLY);
                int out = open(log ? log : "/dev/null",
                               O_WRONLY | O_CREAT | O_APPEND, 0644);

                if (in < 0 || out < 0)
                        _exit(127);
                dup2(in, 0);
                dup2(out, 1);
                dup2(out, 2);
                execvp(argv[0], argv);
                _exit(127);
        }
        return pid;
}

static int read_file(const char *path, char *buf, size_t sz)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return -errno;
        n = read(fd, buf, sz - 1);
        close(fd);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        return (int)n;
}

/* First child of PARENT (named COMM if given), polling until DEADLINE_US. */
static pid_t find_child(pid_t parent, const char *comm, double deadline_us)
{
        char path[96], buf[4096], cbuf[64];

        snprintf(path, sizeof(path), "/proc/%d/task/%d/children", parent, parent);
        while (now_us() < deadline_us) {
                char *p = buf, *end;

                if (read_file(path, buf, sizeof(buf)) < 0)
                        return -1;
                for (;;) {
                        long c = strtol(p, &end, 10);
                        char cp[64];

                        if (end == p)
                                break;
                        p = end;
                        if (!comm)
                                return (pid_t)c;
                        snprintf(cp, sizeof(cp), "/proc/%ld/comm", c);
                        if (read_file(cp, cbuf, sizeof(cbuf)) > 0) {
                                cbuf[strcspn(cbuf, "\n")] = '\0';
                                if (strcmp(cbuf, comm) == 0)
                                        return (pid_t)c;
                        }
                }
                usleep(1000);
        }
        return -1;
}

static void start(char **cmd, const char *log)
{
        u_pid = spawn(cmd, log);
        pid1 = find_child(u_pid, NULL, now_us() + 10e6);
        if (pid1 <= 0)
                fail("no PID 1 appeared under unshare");
}

static long field_kb(const char *text, const char *name)
{
        const char *p = strstr(text, name);

        return p ? strtol(p + strlen(name), NULL, 10) : -1;
}

static int mode_mem(char **cmd, const char *log, const char *comm, int settle_ms)
{
        char path[64], status[8192], rollup[8192];

        start(cmd, log);
        if (find_child(pid1, comm, now_us() + 10e6) <= 0)
                fail("PID 1 never ran '%s'", comm);
        /* let PID 1 finish its start-up work and sit in its main loop */
        usleep(settle_ms * 1000);
        snprintf(path, sizeof(path), "/proc/%d/status", pid1);
        if (read_file(path, status, sizeof(status)) < 0)
                fail("cannot read %s", path);
        snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid1);
        if (read_file(path, rollup, sizeof(rollup)) < 0)
                fail("cannot read %s", path);
        printf("%ld %ld %ld\n", field_kb(status, "VmHWM:"), field_kb(status, "VmRSS:"),
               field_kb(rollup, "Private_Clean:") + field_kb(rollup, "Private_Dirty:"));
        end_namespace();
        return 0;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return (x > y) - (x < y);
}

static int wait_byte(int fd, char want, int timeout_ms)
{
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        char b;

        for (;;) {
                int r = poll(&pfd, 1, timeout_ms);

                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        return -ETIMEDOUT;
                if (read(fd, &b, 1) != 1)
                        return -EIO;
                if (b == want)
                        return 0;
        }
}

static int mode_sig(char **cmd, const char *log, const char *fifo, int n)
{
        double *t = calloc(n, sizeof(double));
        int fd, i, lost = 0, warm = 50, got = 0;

        if (!t)
                return 1;
        unlink(fifo);
        if (mkfifo(fifo, 0600) < 0)
                fail("mkfifo %s: %s", fifo, strerror(errno));
        /* O_RDWR: never blocks, and keeps the FIFO open across the writer */
        fd = open(fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                fail("open %s: %s", fifo, strerror(errno));
        start(cmd, log);
        if (wait_byte(fd, 'R', 10000) < 0)
                fail("the command never became ready");
        for (i = -warm; i < n; i++) {
                double t0 = now_us();

                if (kill(pid1, SIGUSR1) < 0)
                        fail("kill: %s", strerror(errno));
                if (wait_byte(fd, 'x', 1000) < 0) {
                        if (++lost >= 3)
                                break;
                        continue;
                }
                if (i >= 0)
                        t[got++] = now_us() - t0;
        }
        end_namespace();
        close(fd);
        unlink(fifo);
        if (got == 0) {
                printf("error: no signal reached the command (%d lost)\n", lost);
                return 1;
        }
        qsort(t, got, sizeof(double), cmp_double);
        printf("%.1f %.1f %d\n", t[(got - 1) / 2], t[(int)(0.9 * (got - 1))], lost);
        free(t);
        return 0;
}

static int count_ready(const char *dir)
{
        DIR *d = opendir(dir);
        struct dirent *e;
        int n = 0;

        if (!d)
                return 0;
        while ((e = readdir(d)))
                if (strncmp(e->d_name, "ready.", 6) == 0)
                        n++;
        closedir(d);
        return n;
}

static int mode_term(char **cmd, const char *log, const char *dir, int count)
{
        double deadline, t0, t1;
        struct pollfd pfd;
        int pidfd, st;

        start(cmd, log);
        deadline = now_us() + 30e6;
        while (count_ready(dir) < count) {
                if (now_us() > deadline)
                        fail("only %d of %d services became ready", count_ready(dir), count);
                usleep(2000);
        }
        pidfd = (int)syscall(SYS_pidfd_open, pid1, 0);
        if (pidfd < 0)
                fail("pidfd_open: %s", strerror(errno));
        t0 = now_us();
        if (kill(pid1, SIGTERM) < 0)
                fail("kill: %s", strerror(errno));
        pfd.fd = pidfd;
        pfd.events = POLLIN;
        while (poll(&pfd, 1, 60000) < 0 && errno == EINTR)
                ;
        t1 = now_us();
        if (!(pfd.revents & POLLIN))
                fail("PID 1 still running 60 s after SIGTERM");
        waitpid(u_pid, &st, 0);
        u_pid = -1;
        printf("%.1f\n", (t1 - t0) / 1e3);
        return 0;
}

int main(int argc, char **argv)
{
        const char *mode, *log = NULL, *comm = NULL, *fifo = NULL, *dir = NULL;
        int opt, settle = 200, n = 1000, count = 0;

        if (argc < 2)
                goto usage;
        mode = argv[1];
        optind = 2;
        while ((opt = getopt(argc, argv, "+l:w:s:f:n:r:c:")) != -1) {
                switch (opt) {
                case 'l': log = optarg; break;
                case 'w': comm = optarg; break;
                case 's': settle = atoi(optarg); break;
                case 'f': fifo = optarg; break;
                case 'n': n = atoi(optarg); break;
                case 'r': dir = optarg; break;
                case 'c': count = atoi(optarg); break;
                default: goto usage;
                }
        }
        if (optind >= argc)
                goto usage;
        signal(SIGPIPE, SIG_IGN);
        if (strcmp(mode, "mem") == 0 && comm)
                return mode_mem(argv + optind, log, comm, settle);
        if (strcmp(mode, "sig") == 0 && fifo && n > 0)
                return mode_sig(argv + optind, log, fifo, n);
        if (strcmp(mode, "term") == 0 && dir && count > 0)
                return mode_term(argv + optind, log, dir, count);
usage:
        fprintf(stderr, "usage: pid1probe mem|sig|term [options] -- CMD...\n");
        return 2;
}
