/* bpfdump PID — print every seccomp filter of PID (newest first) as
 * "INDEX LEN STUB BODY": STUB hashes runc's ENOSYS stub (the instructions
 * up to its first `ret ERRNO(ENOSYS)`, libcontainer/seccomp/patchbpf) as a
 * sorted set of (code, k) pairs without jump offsets, BODY hashes the rest (libseccomp's
 * program) byte for byte.  The stub's per-architecture branches come out
 * in Go map order, so two `docker exec`s of one container already differ
 * there; everything else must be identical.  Read with
 * PTRACE_SECCOMP_GET_FILTER; stops the process for the copy, detaches. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/filter.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#define RET_ERRNO_ENOSYS 0x00050026u  /* SECCOMP_RET_ERRNO | ENOSYS */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
        for (size_t i = 0; i < n; i++)
                h = (h ^ ((const unsigned char *)p)[i]) * 1099511628211ULL;
        return h;
}

static int cmp_u64(const void *a, const void *b)
{
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

        return x < y ? -1 : x > y;
}

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
                long n = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)i, NULL), stub = 0;
                uint64_t hs = 14695981039346656037ULL, hb = hs, *pairs;
                struct sock_filter *f;

                if (n < 0) {
                        if (errno != ENOENT && errno != EINVAL) {
                                perror("bpfdump: get filter");
                                rc = 1;
                        }
                        break;
                }
                f = calloc((size_t)n, sizeof(*f));
                pairs = calloc((size_t)n, sizeof(*pairs));
                if (!f || !pairs || ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)i, f) != n) {
                        rc = 1;
                        break;
                }
                for (long k = 0; k < n && !stub; k++)
                        if (BPF_CLASS(f[k].code) == BPF_RET && f[k].k == RET_ERRNO_ENOSYS)
                                stub = k + 1;
                /* jump offsets (jt, jf, and k of `ja`) follow the order */
                for (long k = 0; k < stub; k++)
                        pairs[k] = (uint64_t)f[k].code << 32 |
                                   (f[k].code == (BPF_JMP | BPF_JA) ? 0 : f[k].k);
                qsort(pairs, (size_t)stub, sizeof(*pairs), cmp_u64);
                hs = fnv(hs, pairs, (size_t)stub * sizeof(*pairs));
                hb = fnv(hb, f + stub, (size_t)(n - stub) * sizeof(*f));
                printf("%ld %ld stub:%ld:%016llx body:%016llx\n", i, n, stub, (unsigned long long)hs,
                       (unsigned long long)hb);
                free(f);
                free(pairs);
        }
        ptrace(PTRACE_DETACH, pid, NULL, NULL);
        return rc;
}
