/* zombies.c — the command under test for reaping.
 *
 *   zombies N RESULT_FILE
 *
 * Makes N orphans for PID 1 to reap, all at once: forks N children, each of
 * which forks a grandchild and exits at once (we reap the child), so every
 * grandchild is re-parented to PID 1 while it blocks on a pipe.  Then it
 * closes the pipe's write end: all N grandchildren exit together and PID 1
 * has N zombies to reap.  It times from that release until /proc (the
 * namespace's own, from --mount-proc) holds no process that was not there
 * before the first fork, and writes one line to RESULT_FILE:
 *
 *   <release_to_clean_ms> <spawn_ms> <left_after_deadline> <zombies_left>
 *
 * left/zombies_left are counted after a 60 s deadline (0 when all went). */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_BEFORE 256

static int before[MAX_BEFORE];
static int n_before;

static double now_ms(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int was_there(int pid)
{
        for (int i = 0; i < n_before; i++)
                if (before[i] == pid)
                        return 1;
        return 0;
}

static int is_zombie(int pid)
{
        char path[64], buf[256], *p;
        FILE *f;
        size_t n;

        snprintf(path, sizeof(path), "/proc/%d/stat", pid);
        f = fopen(path, "re");
        if (!f)
                return 0;
        n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = '\0';
        p = strrchr(buf, ')');
        return p && p[1] == ' ' && p[2] == 'Z';
}

/* Counts processes not present at start; RECORD fills before[] instead. */
static int scan(int record, int *ret_zombies)
{
        DIR *d = opendir("/proc");
        struct dirent *e;
        int n = 0, z = 0;

        if (!d) {
                perror("zombies: /proc");
                exit(1);
        }
        while ((e = readdir(d))) {
                int pid;

                if (!isdigit((unsigned char)e->d_name[0]))
                        continue;
                pid = atoi(e->d_name);
                if (record) {
                        if (n_before < MAX_BEFORE)
                                before[n_before++] = pid;
                        continue;
                }
                if (was_there(pid))
                        continue;
                n++;
                if (ret_zombies && is_zombie(pid))
                        z++;
        }
        closedir(d);
        if (ret_zombies)
                *ret_zombies = z;
        return n;
}

/* Waits for N of our own children; every grandchild must have been forked. */
static int reap_children(int n)
{
        while (n > 0) {
                int st;

                if (waitpid(-1, &st, 0) < 0) {
                        if (errno == EINTR)
                                continue;
                        return -1;
                }
                if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                        fprintf(stderr, "zombies: a child failed to fork\n");
                        return -1;
                }
                n--;
        }
        return 0;
}

int main(int argc, char **argv)
{
        int p[2], n, i, left = 0, zleft = 0;
        double t_spawn, t_rel, t_clean = -1;
        FILE *out;

        if (argc != 3 || (n = atoi(argv[1])) < 1) {
                fprintf(stderr, "usage: zombies N RESULT_FILE\n");
                return 2;
        }
        scan(1, NULL);
        if (pipe2(p, O_CLOEXEC) < 0)
                return 1;
        t_spawn = now_ms();
        /* children are reaped in batches (fork is the cost, not waiting) */
        for (i = 0; i < n; i++) {
                pid_t c = fork(), g;

                if (c < 0) {
                        perror("zombies: fork");
                        return 1;
                }
                if (c == 0) {
                        g = fork();
                        if (g == 0) {
                                char b;

                                close(p[1]);
                                /* EOF when the parent closes its end */
                                while (read(p[0], &b, 1) < 0 && errno == EINTR)
                                        ;
                                _exit(0);
                        }
                        _exit(g < 0);
                }
                if (i % 64 == 63 || i == n - 1)
                        if (reap_children(i % 64 + 1) < 0)
                                return 1;
        }
        t_rel = now_ms();
        close(p[1]);
        while (now_ms() - t_rel < 60000) {
                if (scan(0, NULL) == 0) {
                        t_clean = now_ms();
                        break;
                }
                usleep(1000);
        }
        if (t_clean < 0)
                left = scan(0, &zleft);
        out = fopen(argv[2], "we");
        if (!out)
                return 1;
        fprintf(out, "%.1f %.1f %d %d\n", t_clean < 0 ? -1.0 : t_clean - t_rel,
                t_rel - t_spawn, left, zleft);
        return fclose(out) == 0 ? 0 : 1;
}
