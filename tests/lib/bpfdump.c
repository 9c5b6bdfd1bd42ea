/* bpfdump PID — print every seccomp filter of PID (newest first) as
 * "INDEX LEN FNV1A64" lines, read with PTRACE_SECCOMP_GET_FILTER (the test
 * suite compares a direct exec's filters with a docker exec's).  Stops the
 * process for the copy and detaches. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
        pid_t pid;
        int ws, rc = 0;

        if (argc != 2)
                return 2;
        pid = (pid_t)atoi(argv[1]);
        if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0 || ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) < 0 ||
            waitpid(pid, &ws, __WALL) < 0) {
                perror("bpfdump: attach");
                return 1;
        }
        for (long i = 0;; i++) {
                long n = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)i, NULL);
                struct sock_filter *f;
                uint64_t h = 14695981039346656037ULL;

                if (n < 0) {
                        if (errno != ENOENT && errno != EINVAL) {
                                perror("bpfdump: get filter");
                                rc = 1;
                        }
                        break;
                }
                f = calloc((size_t)n, sizeof(*f));
                if (!f || ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)i, f) != n) {
                        rc = 1;
                        break;
                }
                for (size_t k = 0; k < (size_t)n * sizeof(*f); k++)
                        h = (h ^ ((unsigned char *)f)[k]) * 1099511628211ULL;
                printf("%ld %ld %016llx\n", i, n, (unsigned long long)h);
                free(f);
        }
        ptrace(PTRACE_DETACH, pid, NULL, NULL);
        return rc;
}
