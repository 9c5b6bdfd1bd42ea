/* test_envexport.c — shell quoting, JSON escaping, name rules and the
 * directory round trip of envexport.c. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "envexport.h"
#include "strv.h"

static char *sq(const char *s)
{
        struct buf b;

        buf_init(&b, 1 << 20);
        cr_assert_eq(envexport_shell_quote(&b, s), 0);
        return buf_steal(&b);
}

static char *js(const char *s, size_t n)
{
        struct buf b;

        buf_init(&b, 1 << 20);
        cr_assert_eq(envexport_json_string(&b, s, n), 0);
        return buf_steal(&b);
}

#define JS(lit) js(lit, sizeof(lit) - 1)

Test(envexport, shell_quote_wraps_in_single_quotes)
{
        char *q = sq("a b\n$HOME `x` \"y\" \\z");

        cr_assert_str_eq(q, "'a b\n$HOME `x` \"y\" \\z'");
        free(q);
}

Test(envexport, shell_quote_escapes_single_quotes)
{
        char *q = sq("it's ''");

        cr_assert_str_eq(q, "'it'\\''s '\\'''\\'''");
        free(q);
        q = sq("");
        cr_assert_str_eq(q, "''");
        free(q);
}

Test(envexport, json_escapes_quotes_backslashes_and_controls)
{
        char *j = JS("a\"b\\c\nd\te\x01\x1f\x7f");

        cr_assert_str_eq(j, "\"a\\\"b\\\\c\\nd\\te\\u0001\\u001f\\u007f\"");
        free(j);
}

Test(envexport, json_keeps_valid_utf8_and_replaces_invalid_bytes)
{
        char *j = JS("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");

        cr_assert_str_eq(j, "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
        free(j);
        /* stray continuation, overlong '/', surrogate, truncated sequence, > U+10FFFF */
        j = JS("\x80|\xc0\xaf|\xed\xa0\x80|\xe2\x82|\xf4\x90\x80\x80");
        cr_assert_str_eq(j, "\"\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd|"
                            "\\ufffd\\ufffd\\ufffd\\ufffd\"");
        free(j);
}

Test(envexport, name_rules)
{
        cr_assert(envexport_name_is_shell("PATH"));
        cr_assert(envexport_name_is_shell("_a1"));
        cr_assert_not(envexport_name_is_shell("1A"));
        cr_assert_not(envexport_name_is_shell("A-B"));
        cr_assert_not(envexport_name_is_shell("A.B"));
        cr_assert_not(envexport_name_is_shell(""));
        cr_assert(envexport_name_is_file("A-B.c"));
        cr_assert_not(envexport_name_is_file("a/b"));
        cr_assert_not(envexport_name_is_file("."));
        cr_assert_not(envexport_name_is_file(".."));
        cr_assert_not(envexport_name_is_file("A=new"));
        cr_assert_not(envexport_name_is_file(""));
        for (const char *const *n = (const char *const[]){ "HOME", "USER", "GROUP", "UID", "GID",
                                                           "SHELL", NULL }; *n; n++)
                cr_assert(envexport_is_excluded(*n), "%s", *n);
        cr_assert_not(envexport_is_excluded("HOMER"));
        cr_assert_not(envexport_is_excluded("PATH"));
}

Test(envexport, strip_drops_one_trailing_newline)
{
        cr_assert_eq(envexport_strip_newline("ab\n\n", 4), 3);
        cr_assert_eq(envexport_strip_newline("ab\n", 3), 2);
        cr_assert_eq(envexport_strip_newline("ab", 2), 2);
        cr_assert_eq(envexport_strip_newline("", 0), 0);
}

Test(envexport, render_skips_excluded_and_non_shell_names)
{
        char *env[] = { "A=1", "HOME=/root", "my-var=x", "B=it's", "NOEQ", NULL };
        struct buf b;

        buf_init(&b, 1 << 20);
        cr_assert_eq(envexport_render_sh(&b, env), 0);
        cr_assert_str_eq(b.data, "export A='1'\nexport B='it'\\''s'\n");
        buf_reset(&b);
        cr_assert_eq(envexport_render_json(&b, env), 0);
        cr_assert_str_eq(b.data, "{\"A\":\"1\",\"my-var\":\"x\",\"B\":\"it's\"}\n");
        buf_reset(&b);
        cr_assert_eq(envexport_render_json(&b, (char *[]){ NULL }), 0);
        cr_assert_str_eq(b.data, "{}\n");
        buf_free(&b);
}

/* ---- directory round trip ---- */

static char root[64];
static char dir[128], shp[128], jsp[128];

static void mk(void)
{
        strcpy(root, "/tmp/test-envexport.XXXXXX");
        cr_assert_not_null(mkdtemp(root));
        snprintf(dir, sizeof(dir), "%s/container_environment", root);
        snprintf(shp, sizeof(shp), "%s/container_environment.sh", root);
        snprintf(jsp, sizeof(jsp), "%s/container_environment.json", root);
}

static void rm(void)
{
        char *argv[] = { "rm", "-rf", root, NULL };
        pid_t pid = fork();

        if (pid == 0) {
                execvp(argv[0], argv);
                _exit(127);
        }
        waitpid(pid, NULL, 0);
}

static char *slurp(const char *path)
{
        FILE *f = fopen(path, "re");
        char *data = NULL;
        size_t n = 0;

        cr_assert_not_null(f, "%s", path);
        cr_assert_geq(getdelim(&data, &n, '\0', f), 0);
        fclose(f);
        return data;
}

static void put(const char *name, const char *content)
{
        char p[256];
        FILE *f;

        snprintf(p, sizeof(p), "%s/%s", dir, name);
        f = fopen(p, "we");
        cr_assert_not_null(f);
        fputs(content, f);
        fclose(f);
}

Test(envexport, start_writes_dir_sh_and_json, .init = mk, .fini = rm)
{
        char *env[] = { "A=x y", "HOME=/root", "N=l1\nl2", NULL };
        struct envexport *e = envexport_new(dir, shp, jsp, NULL);
        char *s;

        cr_assert_eq(envexport_start(e, env), 0);
        s = slurp(shp);
        cr_assert_str_eq(s, "export A='x y'\nexport N='l1\nl2'\n");
        free(s);
        s = slurp(jsp);
        cr_assert_str_eq(s, "{\"A\":\"x y\",\"N\":\"l1\\nl2\"}\n");
        free(s);
        {
                char p[256];
                snprintf(p, sizeof(p), "%s/A", dir);
                s = slurp(p);
                cr_assert_str_eq(s, "x y");
                free(s);
                snprintf(p, sizeof(p), "%s/HOME", dir);
                cr_assert_eq(access(p, F_OK), -1);
        }
        cr_assert_str_eq(strv_env_get(envexport_env(e), "HOME"), "/root");
        envexport_free(e);
}

Test(envexport, start_keeps_baked_files_without_overriding, .init = mk, .fini = rm)
{
        char *env[] = { "A=from-env", NULL };
        struct envexport *e = envexport_new(dir, shp, jsp, NULL);

        cr_assert_eq(mkdir(dir, 0700), 0);
        put("A", "baked");
        put("B", "baked-b\n");
        cr_assert_eq(envexport_start(e, env), 0);
        cr_assert_str_eq(strv_env_get(envexport_env(e), "A"), "from-env");
        cr_assert_str_eq(strv_env_get(envexport_env(e), "B"), "baked-b");
        envexport_free(e);
}

static void stat_of(const char *name, struct stat *st)
{
        char p[256];

        snprintf(p, sizeof(p), "%s%s%s", name[0] == '/' ? "" : dir, name[0] == '/' ? "" : "/", name);
        cr_assert_eq(stat(p, st), 0, "%s", p);
}

Test(envexport, start_rewrites_nothing_unchanged_and_only_what_changed, .init = mk, .fini = rm)
{
        char *env[] = { "A=1", "B=2", NULL }, *env2[] = { "A=1", "B=3", NULL };
        struct envexport *e = envexport_new(dir, shp, jsp, NULL);
        struct stat a1, b1, sh1, d1, a2, b2, sh2, js1, js2, d2;
        char tmp[256];
        char *s;

        cr_assert_eq(envexport_start(e, env), 0);
        stat_of(dir, &d1);
        cr_assert_eq(d1.st_mode & 07777, 0750);
        snprintf(tmp, sizeof(tmp), "%s.new", dir);
        cr_assert_eq(access(tmp, F_OK), -1);  /* renamed into place */
        stat_of("A", &a1), stat_of("B", &b1), stat_of(shp, &sh1), stat_of(jsp, &js1);
        cr_assert_eq(a1.st_mode & 07777, 0640);
        /* A restarted container: same environment, nothing is written. */
        envexport_free(e);
        e = envexport_new(dir, shp, jsp, NULL);
        usleep(20 * 1000);
        cr_assert_eq(envexport_start(e, env), 0);
        stat_of("A", &a2), stat_of("B", &b2), stat_of(shp, &sh2), stat_of(jsp, &js2);
        cr_assert(a1.st_ino == a2.st_ino && a1.st_mtim.tv_nsec == a2.st_mtim.tv_nsec);
        cr_assert(b1.st_mtim.tv_nsec == b2.st_mtim.tv_nsec);
        cr_assert(sh1.st_ino == sh2.st_ino && js1.st_ino == js2.st_ino);
        /* One changed variable: only its file (in place) and the dumps. */
        envexport_free(e);
        e = envexport_new(dir, shp, jsp, NULL);
        cr_assert_eq(envexport_start(e, env2), 0);
        stat_of("A", &a2), stat_of("B", &b2), stat_of(shp, &sh2), stat_of(dir, &d2);
        cr_assert(a1.st_mtim.tv_nsec == a2.st_mtim.tv_nsec);
        cr_assert(b1.st_ino == b2.st_ino && b1.st_mtim.tv_nsec != b2.st_mtim.tv_nsec);
        cr_assert_eq(b2.st_mode & 07777, 0640);
        cr_assert_eq(d1.st_ino, d2.st_ino);
        cr_assert_neq(sh1.st_ino, sh2.st_ino);
        s = slurp(shp);
        cr_assert_str_eq(s, "export A='1'\nexport B='3'\n");
        free(s);
        envexport_free(e);
}

Test(envexport, refresh_adds_changes_and_deletes, .init = mk, .fini = rm)
{
        char *env[] = { "A=1", "B=2", "HOME=/root", NULL };
        struct envexport *e = envexport_new(dir, shp, jsp, NULL);
        char p[256], *s;

        cr_assert_eq(envexport_start(e, env), 0);
        put("C", "new\n\n");
        put("A", "changed");
        snprintf(p, sizeof(p), "%s/B", dir);
        cr_assert_eq(unlink(p), 0);
        cr_assert_eq(envexport_refresh(e), 0);
        cr_assert_str_eq(strv_env_get(envexport_env(e), "A"), "changed");
        cr_assert_null(strv_env_get(envexport_env(e), "B"));
        cr_assert_str_eq(strv_env_get(envexport_env(e), "C"), "new\n");
        cr_assert_str_eq(strv_env_get(envexport_env(e), "HOME"), "/root");
        s = slurp(shp);
        cr_assert_str_eq(s, "export A='changed'\nexport C='new\n'\n");
        free(s);
        envexport_free(e);
}

static int skipped_err;
static void on_skip(const char *name, int err)
{
        (void)name;
        skipped_err = err;
}

Test(envexport, refresh_skips_nul_bytes_and_directories, .init = mk, .fini = rm)
{
        char *env[] = { NULL };
        struct envexport *e = envexport_new(dir, shp, jsp, on_skip);
        char p[256];
        int fd;

        cr_assert_eq(envexport_start(e, env), 0);
        snprintf(p, sizeof(p), "%s/BIN", dir);
        fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        cr_assert_eq(write(fd, "a\0b", 3), 3);
        close(fd);
        cr_assert_eq(envexport_refresh(e), 0);
        cr_assert_eq(skipped_err, -EINVAL);
        cr_assert_null(strv_env_get(envexport_env(e), "BIN"));
        cr_assert_eq(unlink(p), 0);
        snprintf(p, sizeof(p), "%s/SUB", dir);
        cr_assert_eq(mkdir(p, 0700), 0);
        cr_assert_eq(envexport_refresh(e), 0);
        cr_assert_eq(skipped_err, -EISDIR);
        envexport_free(e);
}

Test(envexport, refresh_without_directory_keeps_environment, .init = mk, .fini = rm)
{
        char *env[] = { "A=1", NULL };
        struct envexport *e = envexport_new(dir, shp, jsp, NULL);

        cr_assert_eq(envexport_start(e, env), 0);
        rm();
        cr_assert_eq(mkdir(root, 0700), 0);
        cr_assert_eq(envexport_refresh(e), 0);
        cr_assert_str_eq(strv_env_get(envexport_env(e), "A"), "1");
        envexport_free(e);
}

/* Values around the first read's 4 kB buffer, a long one, a symlink to a
 * file (d_type is not DT_REG: the fstat path) and one past the cap. */
Test(envexport, refresh_reads_long_values_and_symlinks, .init = mk, .fini = rm)
{
        static const size_t sizes[] = { 4095, 4096, 4097, 8192, 100000 };
        char *env[] = { NULL };
        struct envexport *e = envexport_new(dir, shp, jsp, on_skip);
        char p[256], q[256], name[16];
        char *big = malloc(ENVEXPORT_VALUE_MAX + 3);
        const char *v;
        FILE *f;

        cr_assert_not_null(big);
        memset(big, 'x', ENVEXPORT_VALUE_MAX + 2);
        big[ENVEXPORT_VALUE_MAX + 2] = '\0';
        cr_assert_eq(envexport_start(e, env), 0);
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
                snprintf(name, sizeof(name), "V%zu", sizes[i]);
                big[sizes[i]] = '\0';
                put(name, big);
                big[sizes[i]] = 'x';
        }
        snprintf(p, sizeof(p), "%s/V4095", dir);
        snprintf(q, sizeof(q), "%s/LINK", dir);
        cr_assert_eq(symlink(p, q), 0);
        cr_assert_eq(envexport_refresh(e), 0);
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
                snprintf(name, sizeof(name), "V%zu", sizes[i]);
                v = strv_env_get(envexport_env(e), name);
                cr_assert_not_null(v, "%s", name);
                cr_assert_eq(strlen(v), sizes[i], "%s", name);
                cr_assert_eq(strspn(v, "x"), sizes[i], "%s", name);
        }
        v = strv_env_get(envexport_env(e), "LINK");
        cr_assert_not_null(v);
        cr_assert_eq(strlen(v), 4095);
        /* The cap: a value plus its newline; one byte more is skipped. */
        snprintf(p, sizeof(p), "%s/HUGE", dir);
        f = fopen(p, "we");
        cr_assert_not_null(f);
        cr_assert_eq(fwrite(big, 1, ENVEXPORT_VALUE_MAX + 2, f), ENVEXPORT_VALUE_MAX + 2);
        fclose(f);
        skipped_err = 0;
        cr_assert_eq(envexport_refresh(e), 0);
        cr_assert_eq(skipped_err, -EFBIG);
        cr_assert_null(strv_env_get(envexport_env(e), "HUGE"));
        cr_assert_eq(truncate(p, ENVEXPORT_VALUE_MAX), 0);
        cr_assert_eq(envexport_refresh(e), 0);
        v = strv_env_get(envexport_env(e), "HUGE");
        cr_assert_not_null(v);
        cr_assert_eq(strlen(v), ENVEXPORT_VALUE_MAX);
        free(big);
        envexport_free(e);
}
