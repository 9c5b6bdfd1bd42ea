/* spawn_timer.c — wall time of whole commands, many runs, interleaved.
 *
 *   spawn_timer RUNS WARMUP -- CMD0 [ARG...] ::: CMD1 [ARG...] ::: ...
 *
 * Runs every command RUNS times (after WARMUP untimed rounds), one round at
 * a time with the order rotated each round, so that slow drift of a noisy
 * machine (other jobs, frequency changes) hits every command alike.  Each
 * run is fork + execvp + waitpid, timed with CLOCK_MONOTONIC, stdout and
 * stderr to /dev/null.  Prints one line per command:
 *
 *   <index> <median_us> <p10_us> <p90_us> <paired_diff_median_us> <failures>
 *
 * paired_diff is the median over rounds of (this command - CMD0) in the same
 * round: the start-up overhead of an init when CMD0 is the same command
 * without it.  A failure is a run that did not exit 0; failed runs still
 * count in the timings (the caller decides what to print). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 16

static double now_us(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;

        return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted copy. */
static double pct(const double *v, int n, double p)
{
        double *s = malloc(sizeof(*s) * n);
        double r;
        int i;

        if (!s)
                exit(1);
        memcpy(s, v, sizeof(*s) * n);
        qsort(s, n, sizeof(*s), cmp_double);
        i = (int)(p * (n - 1) + 0.5);
        r = s[i];
        free(s);
        return r;
}

/* One timed run; returns microseconds, *ok = exited 0. */
static double run_once(char **argv, int devnull, int *ok)
{
        double t0 = now_us(), t1;
        int st;
        pid_t pid = fork();

        if (pid < 0) {
                perror("spawn_timer: fork");
                exit(1);
        }
        if (pid == 0) {
                dup2(devnull, 1);
                dup2(devnull, 2);
                execvp(argv[0], argv);
                _exit(127);
        }
        while (waitpid(pid, &st, 0) < 0)
                if (errno != EINTR) {
                        perror("spawn_timer: waitpid");
                        exit(1);
                }
        t1 = now_us();
        *ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
        return t1 - t0;
}

int main(int argc, char **argv)
{
        char **cmds[MAX_CMDS];
        double *t[MAX_CMDS];
        int fails[MAX_CMDS] = { 0 };
        int ncmd = 0, runs, warm, i, r, devnull;

        if (argc < 5 || strcmp(argv[3], "--") != 0) {
                fprintf(stderr, "usage: spawn_timer RUNS WARMUP -- CMD... [::: CMD...]...\n");
                return 2;
        }
        runs = atoi(argv[1]);
        warm = atoi(argv[2]);
        if (runs < 1 || warm < 0)
                return 2;
        cmds[ncmd++] = &argv[4];
        for (i = 4; i < argc; i++)
                if (strcmp(argv[i], ":::") == 0) {
                        argv[i] = NULL;
                        if (ncmd == MAX_CMDS || i + 1 >= argc)
                                return 2;
                        cmds[ncmd++] = &argv[i + 1];
                }
        devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (devnull < 0)
                return 1;
        for (i = 0; i < ncmd; i++) {
                t[i] = calloc(runs, sizeof(double));
                if (!t[i])
                        return 1;
        }
        for (r = -warm; r < runs; r++)
                for (i = 0; i < ncmd; i++) {
                        /* rotate the order each round */
                        int c = (i + (r < 0 ? 0 : r)) % ncmd, ok;
                        double us = run_once(cmds[c], devnull, &ok);

                        if (r < 0)
                                continue;
                        t[c][r] = us;
                        if (!ok)
                                fails[c]++;
                }
        for (i = 0; i < ncmd; i++) {
                double *d = calloc(runs, sizeof(double));

                if (!d)
                        return 1;
                for (r = 0; r < runs; r++)
                        d[r] = t[i][r] - t[0][r];
                printf("%d %.1f %.1f %.1f %.1f %d\n", i, pct(t[i], runs, 0.5),
                       pct(t[i], runs, 0.1), pct(t[i], runs, 0.9),
                       pct(d, runs, 0.5), fails[i]);
                free(d);
        }
        return 0;
}
