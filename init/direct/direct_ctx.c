/* direct_ctx.c — gather what a `docker exec` of one container would get.
 * See direct_ctx.h.  Which source for what, and why:
 * - user, groups, HOME, environment, working directory: recomputed from the
 *   inspect's Config and the container's own passwd/group files, because the
 *   Engine recomputes them at every exec (daemon/exec.go, getUser) — not the
 *   bundle's process.user, frozen at create time.
 * - capabilities, no_new_privs, rlimits, oomScoreAdj, umask, LSM labels,
 *   namespaces to join, seccomp presence and flags: the bundle's
 *   config.json, because the Engine builds an exec's process from the
 *   container's spec (exec.go: `p = spec.Process`) and runc applies those
 *   fields — /proc/PID/status of the main process shows what it has *now*
 *   (it may have dropped capabilities itself).
 * - what runc does not set (namespaces the bundle does not list, rlimits it
 *   does not list, umask, oom_score_adj when unset) the exec inherits from
 *   runc, i.e. from the container's shim: taken from /proc/SHIM.
 * - the seccomp BPF: copied from the main process's oldest filter
 *   (PTRACE_SECCOMP_GET_FILTER).  runc builds it from the same config.json
 *   with libseccomp plus its own ENOSYS stub (libcontainer/seccomp/patchbpf),
 *   so the main process's filter is what runc builds for an exec: the same
 *   974 instructions, libseccomp's part byte for byte; only the stub's
 *   per-architecture branches come out in Go map order, which already
 *   differs between two `docker exec`s of one container (measured).
 *   Rebuilding it with libseccomp alone would give a different program. */
#include "direct_ctx.h"

#include "buf.h"
#include "deadline.h"
#include "direct_cache.h"
#include "direct_cgroup.h"
#include "direct_seccomp.h"
#include "docker.h"
#include "procfile.h"
#include "rootfs.h"
#include "strv.h"

#include "why.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>



/* The number after "KEY:" in /proc/PID/status text S (base BASE), or -1. */
static long status_field(const char *s, const char *key, int base)
{
        size_t k = strlen(key);

        for (const char *l = s; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                if (strncmp(l, key, k) == 0 && l[k] == ':')
                        return strtol(l + k + 1, NULL, base);
        return -1;
}

static int proc_status(pid_t pid, char **ret)
{
        char p[64];

        snprintf(p, sizeof(p), "/proc/%d/status", (int)pid);
        return procfile_read(p, PROCFILE_MAX, ret);
}

static int same_file(const char *a, const char *b, bool *ret);

int direct_ctx_check_shim(pid_t pid, pid_t shim, char *why, size_t whysz)
{
        char p[64], exe[512], *st = NULL, *base;
        bool same = false;
        ssize_t n;
        int r;

        r = proc_status(pid, &st);
        if (r < 0)
                return why_fail(why, whysz, -EOPNOTSUPP, "cannot read /proc/%d/status: %s", (int)pid,
                            strerror(-r));
        r = status_field(st, "PPid", 10) == (long)shim && shim > 1 ? 0 : -EOPNOTSUPP;
        free(st);
        if (r < 0)
                return why_fail(why, whysz, r, "the main process's parent is not its runtime shim");
        /* Ours, hence outside the container's: no process of the container
         * can stand in for it. */
        snprintf(p, sizeof(p), "/proc/%d/ns/pid", (int)shim);
        if (same_file(p, "/proc/self/ns/pid", &same) < 0 || !same)
                return why_fail(why, whysz, -EOPNOTSUPP, "the main process's parent is not in our "
                            "PID namespace (not a runtime shim)");
        snprintf(p, sizeof(p), "/proc/%d/exe", (int)shim);
        n = readlink(p, exe, sizeof(exe) - 1);
        exe[n > 0 ? n : 0] = '\0';
        base = strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe;
        if (strncmp(base, "containerd-shim", 15) != 0)
                return why_fail(why, whysz, -EOPNOTSUPP, "the main process's parent is not a "
                            "containerd shim (%.100s)", n > 0 ? exe : "unreadable");
        return 0;
}

/* The shim is the main process's parent; check that it is the shim of THIS
 * container (its argv carries "-id ID") and a real shim
 * (direct_ctx_check_shim), so a recycled pid never points us at another
 * container's bundle. */
static int find_shim(struct direct_ctx *c, char *why, size_t whysz)
{
        char p[64], *st = NULL, *cmd = NULL;
        size_t n;
        int r;

        r = proc_status(c->spec.pid, &st);
        if (r < 0)
                return why_fail(why, whysz, r, "cannot read /proc/%d/status: %s", (int)c->spec.pid,
                            strerror(-r));
        c->shim = (pid_t)status_field(st, "PPid", 10);
        free(st);
        snprintf(p, sizeof(p), "/proc/%d/cmdline", (int)c->shim);
        r = procfile_read(p, 65536, &cmd);
        if (r < 0)
                return why_fail(why, whysz, -EOPNOTSUPP, "cannot read the runtime shim's command line (%s)",
                            strerror(-r));
        n = 0;
        r = -EOPNOTSUPP;
        /* cmdline is NUL-separated: look for "-id" followed by the id. */
        for (char *a = cmd; *a; a += strlen(a) + 1, n++)
                if (strcmp(a, "-id") == 0 && strcmp(a + 4, c->spec.id) == 0)
                        r = 0;
        free(cmd);
        if (r < 0)
                return why_fail(why, whysz, r, "the main process's parent is not a containerd shim of "
                            "this container (another runtime?)");
        return direct_ctx_check_shim(c->spec.pid, c->shim, why, whysz);
}

static int load_bundle(struct direct_ctx *c, char *why, size_t whysz)
{
        char p[64], *json = NULL;
        int r;

        snprintf(p, sizeof(p), "/proc/%d/cwd/config.json", (int)c->shim);
        r = procfile_read(p, DIRECT_DOC_MAX, &json);
        if (r < 0)
                return why_fail(why, whysz, -EOPNOTSUPP, "cannot read the OCI bundle %s: %s", p,
                            strerror(-r));
        r = direct_spec_bundle(&c->spec, json, strlen(json));
        free(json);
        if (r < 0)
                return why_fail(why, whysz, -EOPNOTSUPP, "the OCI bundle's config.json is not understood");
        return 0;
}

static int same_file(const char *a, const char *b, bool *ret)
{
        struct stat sa, sb;

        if (stat(a, &sa) < 0 || stat(b, &sb) < 0)
                return -errno;
        *ret = sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
        return 0;
}

/* A user namespace (a rootless engine, userns-remap) is not reproduced:
 * checked before anything is read of the shim, which there belongs to
 * another user (its rlimits cannot even be read). */
static int check_userns(const struct direct_ctx *c, char *why, size_t whysz)
{
        char a[64];
        bool same;
        int r;

        snprintf(a, sizeof(a), "/proc/%d/ns/user", (int)c->spec.pid);
        r = same_file(a, "/proc/self/ns/user", &same);
        if (r < 0)
                return why_fail(why, whysz, r, "cannot stat %s: %s", a, strerror(-r));
        if (!same)
                return why_fail(why, whysz, -EOPNOTSUPP, "the container's main process is in another "
                            "user namespace (not reproduced)");
        return 0;
}

static int open_namespaces(struct direct_ctx *c, char *why, size_t whysz)
{
        static const char *const names[DNS_N] = { "ipc", "uts", "net", "pid", "cgroup", "mnt" };
        char a[64], b[64];
        bool same;
        int r;

        for (int i = 0; i < DNS_N; i++) {
                /* runc joins what the bundle lists; the rest an exec
                 * inherits from runc, i.e. from the shim. */
                pid_t from = c->spec.ns_listed[i] ? c->spec.pid : c->shim;

                snprintf(a, sizeof(a), "/proc/%d/ns/%s", (int)from, names[i]);
                snprintf(b, sizeof(b), "/proc/self/ns/%s", names[i]);
                r = same_file(a, b, &same);
                if (r < 0)
                        return why_fail(why, whysz, r, "cannot stat %s: %s", a, strerror(-r));
                if (same)
                        continue;
                c->nsfd[i] = open(a, O_RDONLY | O_CLOEXEC);
                if (c->nsfd[i] < 0)
                        return why_fail(why, whysz, -errno, "cannot open %s: %m", a);
        }
        return 0;
}

static int find_cgroups(struct direct_ctx *c, const char *mi, char *why, size_t whysz)
{
        char p[64], *cg = NULL;
        int r;

        snprintf(p, sizeof(p), "/proc/%d/cgroup", (int)c->spec.pid);
        r = procfile_read(p, PROCFILE_MAX, &cg);
        if (r < 0)
                return why_fail(why, whysz, r, "cannot read the cgroups: %s", strerror(-r));
        r = direct_cgroup_files(cg, mi, &c->cgroup_procs, &c->freezer, why, whysz);
        free(cg);
        return r;
}

static int cap_masks(struct direct_ctx *c, char *why, size_t whysz)
{
        for (int s = 0; s < DCAP_N; s++)
                for (size_t i = 0; c->spec.caps[s] && c->spec.caps[s][i]; i++) {
                        cap_value_t v;
                        if (cap_from_name(c->spec.caps[s][i], &v) < 0 || v < 0 || v > 63)
                                return why_fail(why, whysz, -EOPNOTSUPP, "capability '%.60s' is "
                                            "unknown to this libcap", c->spec.caps[s][i]);
                        c->caps[s] |= UINT64_C(1) << v;
                }
        return 0;
}

static int inherited(struct direct_ctx *c, char *why, size_t whysz)
{
        char *st = NULL, p[64], *oom = NULL;
        int r;

        for (int i = 0; i < DIRECT_RLIMITS; i++) {
                if (prlimit(c->shim, (__rlimit_resource_t)i, NULL, &c->rlimit[i]) < 0)
                        return why_fail(why, whysz, -errno, "cannot read the shim's rlimits: %m");
                if (c->spec.rlimit[i].set) {
                        c->rlimit[i].rlim_cur = c->spec.rlimit[i].soft;
                        c->rlimit[i].rlim_max = c->spec.rlimit[i].hard;
                }
        }
        r = proc_status(c->shim, &st);
        if (r < 0)
                return why_fail(why, whysz, r, "cannot read the shim's status: %s", strerror(-r));
        long um = status_field(st, "Umask", 8);
        free(st);
        if (!c->spec.has_umask && um < 0)
                return why_fail(why, whysz, -EOPNOTSUPP, "the kernel does not show the shim's umask");
        c->umask = c->spec.has_umask ? c->spec.umask : (mode_t)um;
        if (c->spec.has_oom) {
                c->oom_score_adj = c->spec.oom_score_adj;
                return 0;
        }
        snprintf(p, sizeof(p), "/proc/%d/oom_score_adj", (int)c->shim);
        r = procfile_read(p, 64, &oom);
        if (r < 0)
                return why_fail(why, whysz, r, "cannot read %s: %s", p, strerror(-r));
        c->oom_score_adj = atoi(oom);
        free(oom);
        return 0;
}

/* The main process's filter (direct_seccomp.c: the oldest, runc's). */
static int copy_filter(struct direct_ctx *c, char *why, size_t whysz)
{
        return direct_seccomp_copy(c->spec.pid, &c->bpf, &c->bpf_len, why, whysz);
}

/* The bundle sets no LSM label (direct_spec refuses one), so runc's exec
 * keeps the label runc inherited from the shim: ours must be the same.  No
 * LSM at all (attr/current gives EINVAL for both) is the same too. */
static int check_lsm(struct direct_ctx *c, char *why, size_t whysz)
{
        char p[64], *mine = NULL, *shim = NULL;
        int r1, r2, r = 0;

        snprintf(p, sizeof(p), "/proc/%d/attr/current", (int)c->shim);
        r1 = procfile_read("/proc/self/attr/current", 4096, &mine);
        r2 = procfile_read(p, 4096, &shim);
        if (r1 < 0 || r2 < 0) {
                if (!(r1 == -EINVAL && r2 == -EINVAL))
                        r = why_fail(why, whysz, -EOPNOTSUPP, "cannot compare our LSM label with the "
                                 "runtime's");
        } else if (strcmp(mine, shim) != 0) {
                r = why_fail(why, whysz, -EOPNOTSUPP, "our LSM label differs from the runtime's "
                         "(not reproduced)");
        }
        free(mine);
        free(shim);
        return r;
}

static int resolve_user(struct direct_ctx *c, char *why, size_t whysz)
{
        char *passwd = NULL, *group = NULL;
        const char *w = NULL;
        int root, r;

        root = rootfs_open("/proc", c->spec.pid);
        if (root < 0)
                return why_fail(why, whysz, root, "cannot open the container's root: %s", strerror(-root));
        r = rootfs_read(root, "/etc/passwd", PROCFILE_MAX, &passwd);
        if (r == -ENOENT)
                r = 0;
        if (r >= 0)
                r = rootfs_read(root, "/etc/group", PROCFILE_MAX, &group);
        if (r == -ENOENT)
                r = 0;
        close(root);
        if (r < 0) {
                r = why_fail(why, whysz, -EOPNOTSUPP, "cannot read the container's /etc/passwd or "
                         "/etc/group: %s", strerror(-r));
                goto out;
        }
        r = direct_user_resolve(c->spec.user, passwd, group, c->spec.group_add, &c->user, &w);
        if (r < 0) {
                r = why_fail(why, whysz, -EINVAL, "user '%.100s': %s", c->spec.user, w);
                goto out;
        }
        c->env = direct_env_build(c->spec.hostname, c->spec.env, c->user.home);
        r = c->env ? 0 : -ENOMEM;
        snprintf(c->cwd, sizeof(c->cwd), "%s", c->spec.workdir[0] ? c->spec.workdir : "/");
out:
        free(passwd);
        free(group);
        return r;
}

static bool ref_ok(const char *ref)
{
        if (!*ref || strlen(ref) > 200)
                return false;
        for (const char *p = ref; *p; p++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", *p))
                        return false;
        return true;
}

/* The inspect part of *RET from the Engine's answer DOC (LEN bytes). */
static int spec_from_doc(const char *ref, const char *doc, size_t len, struct direct_spec *ret,
                         char *why, size_t whysz)
{
        int r = direct_spec_inspect(ret, doc, len);

        if (r < 0) {
                direct_spec_done(ret);
                return why_fail(why, whysz, r, "the Engine's inspect of '%s' is not understood", ref);
        }
        return 0;
}

int direct_ctx_inspect(struct docker *d, const char *ref, struct direct_spec *ret, char *why,
                       size_t whysz)
{
        char path[300];
        struct buf b;
        long status = 0;
        int r;

        if (!ref_ok(ref))
                return why_fail(why, whysz, -ENOENT, "no such container: '%.100s'", ref);
        snprintf(path, sizeof(path), "/containers/%s/json", ref);
        buf_init(&b, DIRECT_DOC_MAX);
        r = docker_request(d, "GET", path, NULL, DOCKER_REQUEST_TIMEOUT_S, &status, &b);
        if (r < 0) {
                buf_free(&b);
                return why_fail(why, whysz, r, "cannot inspect '%s' through the Engine: %s", ref,
                            strerror(-r));
        }
        if (status != 200) {
                buf_free(&b);
                return why_fail(why, whysz, status == 404 ? -ENOENT : -EPROTO,
                            status == 404 ? "no such container: '%.100s'" : "inspect of '%.100s' failed",
                            ref);
        }
        r = spec_from_doc(ref, b.data ? b.data : "", b.len, ret, why, whysz);
        buf_free(&b);
        return r;
}

/* What the Engine redoes at every exec, and what a cached context cannot
 * keep: namespace fds, user, groups, environment, working directory. */
static int per_use(struct direct_ctx *c, char *why, size_t whysz)
{
        int r = open_namespaces(c, why, whysz);

        return r < 0 ? r : resolve_user(c, why, whysz);
}

static int from_cache(const char *ref, struct direct_ctx *ret)
{
        struct direct_ctx c;
        char why[256];

        if (direct_cache_get(ref, &c) < 0)
                return -ENOENT;
        /* The cached shim pid is still the main process's parent (a shim
         * that died leaves its child reparented for good: no reuse). */
        if (direct_ctx_check_shim(c.spec.pid, c.shim, why, sizeof(why)) < 0 ||
            direct_cgroup_frozen(c.freezer) || check_userns(&c, why, sizeof(why)) < 0 ||
            per_use(&c, why, sizeof(why)) < 0) {
                /* Paused, or gone meanwhile: the Engine says which. */
                direct_ctx_done(&c);
                return -ENOENT;
        }
        *ret = c;
        return 0;
}

int direct_ctx_load(struct docker *d, const char *ref, struct direct_ctx *ret, char *why,
                    size_t whysz)
{
        return direct_ctx_load_doc(d, ref, NULL, 0, ret, why, whysz);
}

int direct_ctx_load_doc(struct docker *d, const char *ref, const char *doc, size_t doclen,
                        struct direct_ctx *ret, char *why, size_t whysz)
{
        struct direct_ctx c = { 0 };
        uint64_t starttime = 0;
        char *mi = NULL;
        int r, pidfd = -1;

        if (from_cache(ref, ret) == 0)
                return 0;
        for (int i = 0; i < DNS_N; i++)
                c.nsfd[i] = -1;
        r = procfile_read("/proc/self/mountinfo", PROCFILE_MAX, &mi);
        if (r < 0)
                return why_fail(why, whysz, r, "cannot read our mountinfo: %s", strerror(-r));
        if (doc) {
                r = spec_from_doc(ref, doc, doclen, &c.spec, why, whysz);
                /* the caller's inspect checked that it answered for REF */
                if (r == 0 && strcmp(c.spec.id, ref) != 0)
                        r = why_fail(why, whysz, -ENOENT, "no such container: '%.100s'", ref);
        } else {
                r = direct_ctx_inspect(d, ref, &c.spec, why, whysz);
        }
        if (r < 0)
                goto out;
        if (c.spec.why[0]) {
                r = why_fail(why, whysz, -EOPNOTSUPP, "%s", c.spec.why);
                goto out;
        }
        /* A handle on this main process before anything is read from it:
         * checked again at the end, so that a pid reused meanwhile (the
         * process ended, another took its number) is never what we read. */
        pidfd = (int)syscall(SYS_pidfd_open, c.spec.pid, 0);
        if (pidfd < 0 && errno != ENOSYS) {
                r = why_fail(why, whysz, -ENOENT, "the main process %d is gone", (int)c.spec.pid);
                goto out;
        }
        /* The key of the cache: this main process, before anything is read
         * from it (find_shim then checks it is this container's). */
        r = direct_cache_starttime(c.spec.pid, &starttime);
        if (r < 0) {
                r = why_fail(why, whysz, r, "cannot read /proc/%d/stat: %s", (int)c.spec.pid,
                         strerror(-r));
                goto out;
        }
        if ((r = check_userns(&c, why, whysz)) < 0 || (r = find_shim(&c, why, whysz)) < 0 ||
            (r = load_bundle(&c, why, whysz)) < 0)
                goto out;
        if (c.spec.why[0]) {
                r = why_fail(why, whysz, -EOPNOTSUPP, "%s", c.spec.why);
                goto out;
        }
        if ((r = find_cgroups(&c, mi, why, whysz)) < 0 ||
            (r = check_lsm(&c, why, whysz)) < 0 || (r = cap_masks(&c, why, whysz)) < 0 ||
            (r = inherited(&c, why, whysz)) < 0 ||
            (c.spec.seccomp && (r = copy_filter(&c, why, whysz)) < 0) ||
            (r = per_use(&c, why, whysz)) < 0)
                goto out;
        /* Still the same main process, and its parent still the shim we
         * read the bundle of. */
        if (pidfd >= 0 && syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0) {
                r = why_fail(why, whysz, -ENOENT, "the main process ended while its context was read");
                goto out;
        }
        if ((r = direct_ctx_check_shim(c.spec.pid, c.shim, why, whysz)) < 0)
                goto out;
        if (pidfd >= 0)
                close(pidfd);
        direct_cache_put(&c, starttime);
        free(mi);
        *ret = c;
        return 0;
out:
        if (pidfd >= 0)
                close(pidfd);
        free(mi);
        direct_ctx_done(&c);
        return r;
}

void direct_ctx_done(struct direct_ctx *c)
{
        direct_spec_done(&c->spec);
        for (int i = 0; i < DNS_N; i++)
                if (c->nsfd[i] >= 0)
                        close(c->nsfd[i]);
        strv_free(c->cgroup_procs);
        strv_free(c->freezer);
        free(c->bpf);
        strv_free(c->env);
        memset(c, 0, sizeof(*c));
        for (int i = 0; i < DNS_N; i++)
                c->nsfd[i] = -1;
}
