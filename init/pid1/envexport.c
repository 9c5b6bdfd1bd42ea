/* envexport.c — container environment export and re-read (see envexport.h).
 * Semantics follow phusion's my_init (export_envvars/import_envvars), with
 * two deliberate differences: the variables my_init never exports (HOME...)
 * are kept from the start-up environment instead of vanishing from every
 * later step, and the .sh and .json are written atomically (.new + rename,
 * as runit's update_status) so a `docker exec` sourcing the .sh never sees
 * half a file.  The variable files are written in place, and only when
 * missing or changed: one temporary and rename per variable made start-up
 * cost grow fast with the count (Kubernetes injects dozens). */
#include "envexport.h"
#include "buf.h"
#include "strv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Sum of everything loaded from the directory: exec's ARG_MAX (a quarter of
 * the stack limit, 2 MiB by default) holds the environment and argv. */
#define ENVEXPORT_TOTAL_MAX (1024 * 1024)
/* Rendered .sh/.json: every value escaped at most 6x, plus names. */
#define ENVEXPORT_RENDER_MAX (6 * ENVEXPORT_TOTAL_MAX + 1024 * 1024)
/* Secrets live in environments: root and its group only (phusion uses a
 * docker_env group; chgrp in the image if services need to read them). */
#define ENVEXPORT_FILE_MODE 0640
#define ENVEXPORT_DIR_MODE 0750

struct envexport {
        const char *dir, *sh_path, *json_path;
        envexport_skip_fn *skip;
        char **kept;  /* excluded variables of the start-up environment */
        char **env;   /* current environment */
};

/* An exported entry: has a non-empty name that is not excluded. */
static bool exported(const char *entry, size_t *ret_nl, const char **ret_value)
{
        return envexport_split_entry(entry, ret_nl, ret_value) && *ret_nl > 0 &&
               !envexport_is_excluded_n(entry, *ret_nl);
}

/* ---- files ---------------------------------------------------------------- */

/* Write DATA to DIRFD/NAME through DIRFD/TMP + rename(2): readers see the old
 * or the new content, never a mix. */
static int write_atomic(int dirfd, const char *name, const char *tmp, const void *data,
                        size_t len)
{
        const char *p = data;
        int fd, r = 0;

        fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                    ENVEXPORT_FILE_MODE);
        if (fd < 0)
                return -errno;
        while (len > 0) {
                ssize_t n = write(fd, p, len);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        break;
                }
                p += n;
                len -= (size_t)n;
        }
        if (close(fd) < 0 && r == 0)
                r = -errno;
        if (r == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
                r = -errno;
        if (r < 0)
                (void)unlinkat(dirfd, tmp, 0);  /* best effort: the error is r */
        return r;
}

/* Does PATH hold exactly B already?  (One failed open when it is missing.) */
static bool same_content(const char *path, const struct buf *b)
{
        struct stat st;
        bool same = false;
        char *old;
        int fd;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0)
                return false;
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size == b->len &&
            (st.st_mode & 07777) == ENVEXPORT_FILE_MODE && (old = malloc(b->len + 1))) {
                same = read(fd, old, b->len + 1) == (ssize_t)b->len &&
                       memcmp(old, b->data ? b->data : "", b->len) == 0;
                free(old);
        }
        (void)close(fd);  /* read-only */
        return same;
}

/* Write a whole-path file atomically via PATH.new, unless it already holds
 * exactly that (a restarted container, an unchanged environment). */
static int write_path_atomic(const char *path, const struct buf *b)
{
        char tmp[4096];

        if (same_content(path, b))
                return 0;
        if (snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp))
                return -ENAMETOOLONG;
        return write_atomic(AT_FDCWD, path, tmp, b->data ? b->data : "", b->len);
}

/* Create DIRFD/NAME holding DATA (mode 0640, never through a symlink).  An
 * existing file is rewritten in place and its mode set back to 0640. */
static int write_var(int dirfd, const char *name, const char *data, size_t len)
{
        int fd, r = 0;

        fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                    ENVEXPORT_FILE_MODE);
        if (fd < 0 && errno == EEXIST) {
                fd = openat(dirfd, name, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
                if (fd >= 0 && fchmod(fd, ENVEXPORT_FILE_MODE) < 0)
                        r = -errno;
        }
        if (fd < 0)
                return -errno;
        while (r == 0 && len > 0) {
                ssize_t n = write(fd, data, len);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        r = -errno;
                else {
                        data += n;
                        len -= (size_t)n;
                }
        }
        if (close(fd) < 0 && r == 0)
                r = -errno;
        return r;
}

static ssize_t read_retry(int fd, char *p, size_t len)
{
        ssize_t n;

        do
                n = read(fd, p, len);
        while (n < 0 && errno == EINTR);
        return n;
}

/* Read DIRFD/NAME (a regular file of at most ENVEXPORT_VALUE_MAX bytes
 * without NUL, plus one trailing newline) as "NAME=VALUE" with one trailing
 * newline dropped.  No fstat when TYPE (d_type) says regular file (the
 * open is non-blocking: a FIFO would not hang us).  A short read of a
 * regular file is its end: a value under 4 kB costs openat, read, close;
 * longer ones go on into a growing buffer. */
static int read_var(int dirfd, const char *name, unsigned char type, char **ret)
{
        const size_t limit = ENVEXPORT_VALUE_MAX + 1;
        size_t nl = strlen(name), len, cap = 4096;
        char first[4096], *big = NULL, *v;
        const char *val = first;
        struct stat st;
        ssize_t n = 0;
        int fd, r = 0;

        fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        if (type != DT_REG && fstat(fd, &st) < 0)
                r = -errno;
        else if (type != DT_REG && !S_ISREG(st.st_mode))
                r = -EISDIR;
        else if ((n = read_retry(fd, first, cap)) < 0)
                r = -errno;
        if (r < 0)
                goto out;
        for (len = (size_t)n; len == cap && len <= limit && n > 0;) {
                char *nb;

                cap = cap * 2 < limit + 1 ? cap * 2 : limit + 1;
                if (!(nb = realloc(big, cap))) {
                        r = -ENOMEM;
                        goto out;
                }
                if (!big)
                        memcpy(nb, first, len);
                val = big = nb;
                if ((n = read_retry(fd, big + len, cap - len)) < 0) {
                        r = -errno;
                        goto out;
                }
                len += (size_t)n;
        }
        if (len > limit)
                r = -EFBIG;  /* too big, or grew while we read it */
        else if (memchr(val, '\0', len))
                r = -EINVAL;  /* a value cannot hold NUL */
        else if (!(v = malloc(nl + 1 + (len = envexport_strip_newline(val, len)) + 1)))
                r = -ENOMEM;
        if (r < 0)
                goto out;
        memcpy(v, name, nl);
        v[nl] = '=';
        memcpy(v + nl + 1, val, len);
        v[nl + 1 + len] = '\0';
        *ret = v;
out:
        free(big);
        (void)close(fd);  /* read-only fd: nothing to lose */
        return r;
}

/* The kernel's struct linux_dirent64 (getdents64(2)); read with the raw
 * system call, as glibc's and musl's headers differ on the wrapper. */
struct dent64 {
        uint64_t d_ino;
        int64_t d_off;
        unsigned short d_reclen;
        unsigned char d_type;
        char d_name[];
};

/* Load every variable file of the directory into *RET (sorted).  -ENOENT
 * if the directory does not exist.  getdents64 into a stack buffer rather
 * than opendir(): no fstat and fcntls, no 32 kB directory buffer. */
static int read_dir(struct envexport *e, char ***ret)
{
        char **vars = NULL;
        size_t total = 0, count = 0;
        union { struct dent64 align; char b[8192]; } buf;
        long n;
        int fd, r = 0;

        fd = open(e->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        while ((n = syscall(SYS_getdents64, fd, buf.b, sizeof(buf.b))) > 0) {
                for (long off = 0; off < n;) {
                        const struct dent64 *de = (const struct dent64 *)(buf.b + off);
                        char *var = NULL;
                        int q;

                        off += de->d_reclen;
                        /* Our own temporaries contain '=' and can never be names. */
                        if (!envexport_name_is_file(de->d_name))
                                continue;
                        if (count >= ENVEXPORT_VARS_MAX) {
                                q = -E2BIG;
                        } else {
                                q = read_var(fd, de->d_name, de->d_type, &var);
                                if (q >= 0 && total + strlen(var) > ENVEXPORT_TOTAL_MAX) {
                                        free(var);
                                        q = -E2BIG;
                                }
                        }
                        if (q < 0) {
                                if (e->skip)
                                        e->skip(de->d_name, q);
                                continue;
                        }
                        total += strlen(var);
                        count++;
                        r = strv_consume(&vars, var);
                        if (r < 0) {
                                free(var);
                                goto out;
                        }
                }
        }
        if (n < 0)
                r = -errno;
out:
        (void)close(fd);  /* read-only */
        if (r < 0) {
                strv_free(vars);
                return r;
        }
        if (vars)
                strv_sort(vars);  /* qsort(NULL, 0) is undefined */
        *ret = vars;
        return 0;
}

static int write_dumps(struct envexport *e)
{
        struct buf b;
        int r, r2;

        buf_init(&b, ENVEXPORT_RENDER_MAX);
        r = envexport_render_sh(&b, e->env);
        if (r >= 0)
                r = write_path_atomic(e->sh_path, &b);
        buf_reset(&b);
        r2 = envexport_render_json(&b, e->env);
        if (r2 >= 0)
                r2 = write_path_atomic(e->json_path, &b);
        buf_free(&b);
        return r < 0 ? r : r2;
}

/* ---- object --------------------------------------------------------------- */

struct envexport *envexport_new(const char *dir, const char *sh_path, const char *json_path,
                                envexport_skip_fn *skip)
{
        struct envexport *e = calloc(1, sizeof(*e));

        if (!e)
                return NULL;
        e->dir = dir;
        e->sh_path = sh_path;
        e->json_path = json_path;
        e->skip = skip;
        return e;
}

struct envexport *envexport_free(struct envexport *e)
{
        if (!e)
                return NULL;
        strv_free(e->kept);
        strv_free(e->env);
        free(e);
        return NULL;
}

char *const *envexport_env(const struct envexport *e)
{
        return e->env;
}

/* Add "NAME=VALUE" ENTRY to *ENV, replacing a variable of the same name
 * when OVERRIDE, else keeping the existing one. */
static int env_merge(char ***env, const char *entry, bool override)
{
        size_t nl;
        const char *value;
        char name[256];

        if (!envexport_split_entry(entry, &nl, &value) || nl == 0 || nl >= sizeof(name))
                return 0;
        memcpy(name, entry, nl);
        name[nl] = '\0';
        if (!override && strv_env_get(*env, name))
                return 0;
        return strv_env_set(env, name, value);
}

/* Write the exported variables of E->env as files.  FILES is what the
 * directory held ("NAME=VALUE", sorted; EXISTED: it was there).  Only the
 * files that are missing or differ are written, in place (no temporary
 * and rename per variable: a restarted container rewrites nothing).  A
 * missing directory is filled as DIR.new and renamed into place once, so
 * it appears complete.  Files are never deleted here (my_init neither). */
static int write_dir(struct envexport *e, char *const *files, bool existed)
{
        char tmp[4096];
        const char *target = e->dir;
        int fd = -1, r = 0, q;

        if (!existed) {
                if (snprintf(tmp, sizeof(tmp), "%s.new", e->dir) >= (int)sizeof(tmp))
                        return -ENAMETOOLONG;
                target = tmp;
                if (mkdir(tmp, ENVEXPORT_DIR_MODE) < 0) {
                        /* A leftover DIR.new (a crash mid-way) or a race: in place. */
                        target = e->dir;
                        if (mkdir(e->dir, ENVEXPORT_DIR_MODE) < 0 && errno != EEXIST)
                                return -errno;
                }
        }
        for (size_t i = 0; e->env[i]; i++) {
                size_t nl;
                const char *v, *old;
                char name[256];

                if (!exported(e->env[i], &nl, &v) || nl >= sizeof(name))
                        continue;
                memcpy(name, e->env[i], nl);
                name[nl] = '\0';
                if (!envexport_name_is_file(name))
                        continue;
                old = strv_env_get(files, name);
                if (old && strcmp(old, v) == 0)
                        continue;  /* already there (mode as the image made it) */
                /* Opened on the first write: an unchanged environment
                 * (a restarted container) costs no system call here. */
                if (fd < 0)
                        fd = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        return -errno;
                q = write_var(fd, name, v, strlen(v));
                if (q < 0 && r == 0)
                        r = q;
        }
        if (fd >= 0)
                (void)close(fd);  /* directory fd: nothing was written through it */
        if (target == tmp && rename(tmp, e->dir) < 0) {
                q = -errno;
                /* Someone made DIR meanwhile: leave ours for the next start. */
                return r < 0 ? r : q;
        }
        return r;
}

int envexport_start(struct envexport *e, char *const *environ_)
{
        char **env = NULL, **kept = NULL, **files = NULL;
        bool existed;
        int r = 0, q;

        for (size_t i = 0; r >= 0 && environ_ && environ_[i]; i++) {
                size_t nl;
                const char *v;

                if (!envexport_split_entry(environ_[i], &nl, &v))
                        continue;
                r = env_merge(&env, environ_[i], true);
                if (r >= 0 && envexport_is_excluded_n(environ_[i], nl))
                        r = strv_push(&kept, environ_[i]);
        }
        if (r < 0)
                goto fail;
        q = e->dir ? read_dir(e, &files) : -ENOENT;
        existed = q != -ENOENT;
        if (q < 0 && q != -ENOENT)
                r = q;  /* reported, but the start-up environment still goes out */
        for (size_t i = 0; files && files[i]; i++) {
                q = env_merge(&env, files[i], false);
                if (q < 0) {
                        r = q;
                        goto fail;
                }
        }
        if (!env) {
                /* Nothing at all: still an (empty) vector for exec. */
                env = calloc(1, sizeof(*env));
                if (!env) {
                        r = -ENOMEM;
                        goto fail;
                }
        }
        if (env)
                strv_sort(env);  /* qsort(NULL, 0) is undefined */
        strv_free(e->env);
        strv_free(e->kept);
        e->env = env;
        e->kept = kept;
        env = kept = NULL;
        if (!e->dir)
                return 0;  /* nowhere to write: the environment is all */

        q = write_dir(e, files, existed);
        if (q < 0 && r == 0)
                r = q;
        strv_free(files);
        q = write_dumps(e);
        return r < 0 ? r : q;
fail:
        strv_free(env);
        strv_free(kept);
        strv_free(files);
        return r;
}

int envexport_refresh(struct envexport *e)
{
        char **files = NULL, **env = NULL;
        bool same;
        int r;

        if (!e->dir)
                return 0;
        r = read_dir(e, &files);
        if (r == -ENOENT)
                return write_dumps(e);
        if (r < 0)
                return r;
        for (size_t i = 0; r >= 0 && e->kept && e->kept[i]; i++)
                r = strv_push(&env, e->kept[i]);
        for (size_t i = 0; r >= 0 && files && files[i]; i++)
                r = env_merge(&env, files[i], true);
        strv_free(files);
        if (r < 0) {
                strv_free(env);
                return r;
        }
        if (!env) {
                /* An empty directory: an empty (but non-NULL) environment. */
                env = calloc(1, sizeof(*env));
                if (!env)
                        return -ENOMEM;
        }
        strv_sort(env);
        /* Both vectors are sorted: unchanged content means the .sh and .json
         * written last time are still exact, so do not write them again (a
         * refresh runs before every boot script, runsvdir and COMMAND). */
        same = strv_equal(e->env, env);
        strv_free(e->env);
        e->env = env;
        return same ? 0 : write_dumps(e);
}
