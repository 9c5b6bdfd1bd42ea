/* cli_init.c — `contrainer init` command line → struct init_opts.
 * Pure: no I/O, no globals; the environment comes in as a vector so tests
 * can pass their own.  Options stop at "--" or at the first word that is
 * not an option (so `contrainer init ls -l` runs `ls -l`, as my_init and
 * tini do); long options take their value as "--opt VALUE" or "--opt=VALUE". */
#include "cli_init.h"
#include "log.h"
#include "strv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Longer than any sane shutdown and far from overflowing unsigned ms. */
#define TIMEOUT_MAX_MS (86400u * 1000u)
/* --wait-for-services without a value (s6-overlay's
 * S6_CMD_WAIT_FOR_SERVICES_MAXTIME is 5 s too). */
#define WAIT_FOR_SERVICES_DEFAULT_MS 5000u

const char cli_init_help[] =
        "usage: contrainer init [OPTIONS] [--] [COMMAND [ARG...]]\n"
        "       my_init [OPTIONS] [--] [COMMAND [ARG...]]\n"
        "\n"
        "Run as a container's PID 1: export the environment to\n"
        "/etc/container_environment{/,.sh,.json}, run the boot scripts\n"
        "(--boot-dir, /etc/my_init.d/, /etc/rc.local), start runsvdir on the\n"
        "service directory, run COMMAND (or wait for SIGTERM/SIGINT/SIGQUIT),\n"
        "forward signals, reap zombies, then shut down in order.\n"
        "\n"
        "Options:\n"
        "  --skip-startup-files   do not run the boot scripts\n"
        "  --skip-runit           do not start runsvdir\n"
        "  --no-kill-all-on-exit  leave remaining processes alone at exit\n"
        "  --quiet                print errors only\n"
        "  --boot-dir DIR         boot script directory (default /etc/boot.d)\n"
        "  --service-dir DIR      runit service directory (default /etc/service)\n"
        "  --wait-for-services[=SECONDS]\n"
        "                         start COMMAND only once every enabled service is\n"
        "                         up and its ./check (if any) exits 0; past SECONDS\n"
        "                         (default 5) name the services not ready, shut\n"
        "                         down and exit 1\n"
        "  --help                 print this help and exit\n"
        "  --version              print the version and exit\n"
        "\n"
        "Environment:\n"
        "  KILL_PROCESS_TIMEOUT        seconds COMMAND, then the services, get\n"
        "                              between SIGTERM and SIGKILL (default 4)\n"
        "  KILL_ALL_PROCESSES_TIMEOUT  seconds the remaining processes get\n"
        "                              (default 1); both accept fractions (0.5)\n"
        "  CONTRAINER_WAIT_FOR_SERVICES  as --wait-for-services=SECONDS\n"
        "                              (default 0 = off)\n"
        "  CONTRAINER_RUNTIME_DIR      where the environment export goes when\n"
        "                              /etc cannot be written (default\n"
        "                              /run/contrainer); children learn the\n"
        "                              place from CONTRAINER_ENV_DIR\n"
        "Service directory files: critical (its end ends the container),\n"
        "timeout-kill (its stop grace in milliseconds).\n"
        "\n"
        "Exit status: COMMAND's (128+N if killed by signal N), 127 if it was not\n"
        "found, 126 if it could not be run, a failing boot script's status, an\n"
        "ended critical service's, 1 when the runtime directory is refused,\n"
        "128+N when signal N stopped the boot, 1 when the services were not\n"
        "ready in time, 0 after a requested shutdown without COMMAND, 2 on a\n"
        "usage error.\n";

/* "4", "0.5", "1.25", ".5" → milliseconds; digits past the third decimal
 * are ignored.  Returns 0 or -EINVAL (empty, sign, garbage, too large). */
static int parse_seconds(const char *s, unsigned *ret_ms)
{
        unsigned long long ms = 0;
        unsigned scale = 1000;
        int digits = 0;

        for (; *s >= '0' && *s <= '9'; s++, digits++) {
                ms = ms * 10 + (unsigned)(*s - '0') * 1000;
                if (ms > TIMEOUT_MAX_MS)
                        return -EINVAL;
        }
        if (*s == '.') {
                for (s++; *s >= '0' && *s <= '9'; s++, digits++) {
                        scale /= 10;
                        ms += (unsigned)(*s - '0') * scale;
                }
        }
        if (*s != '\0' || digits == 0 || ms > TIMEOUT_MAX_MS)
                return -EINVAL;
        *ret_ms = (unsigned)ms;
        return 0;
}

static int env_timeout(char *const *env, const char *name, unsigned def_ms,
                       unsigned *ret_ms, char *err, size_t errsz)
{
        const char *v = strv_env_get(env, name);

        /* Unset or empty (`docker run -e NAME=`) means the default. */
        if (!v || !*v) {
                *ret_ms = def_ms;
                return 0;
        }
        if (parse_seconds(v, ret_ms) < 0) {
                char q[64];

                snprintf(err, errsz, "%s must be a number of seconds such as 4 or 0.5, not %s",
                         name, log_q(q, sizeof(q), v));
                return -EINVAL;
        }
        return 0;
}

/* Matches "--NAME VALUE" and "--NAME=VALUE"; advances *i past the value.
 * Returns 1 matched, 0 not this option, -EINVAL value missing. */
static int take_value(int argc, char **argv, int *i, const char *name,
                      const char **ret, char *err, size_t errsz)
{
        const char *a = argv[*i];
        size_t nl = strlen(name);

        if (strncmp(a, name, nl) != 0)
                return 0;
        if (a[nl] == '=') {
                *ret = a + nl + 1;
        } else if (a[nl] == '\0') {
                if (*i + 1 >= argc) {
                        snprintf(err, errsz, "option '%s' needs an argument", name);
                        return -EINVAL;
                }
                *ret = argv[++*i];
        } else {
                return 0;
        }
        if (!**ret) {
                snprintf(err, errsz, "option '%s' needs a non-empty argument", name);
                return -EINVAL;
        }
        return 1;
}

int cli_parse_init(int argc, char **argv, char *const *env, struct init_opts *ret,
                   char *err, size_t errsz)
{
        struct init_opts o = {
                .boot_dir = "/etc/boot.d",
                .service_dir = "/etc/service",
        };
        const char *wait = NULL;
        int i, r;

        if (errsz)
                err[0] = '\0';
        for (i = 1; i < argc; i++) {
                const char *a = argv[i];

                if (strcmp(a, "--") == 0) {
                        i++;
                        break;
                }
                if (a[0] != '-' || a[1] == '\0')
                        break;
                if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
                        return CLI_HELP;
                if (strcmp(a, "--version") == 0)
                        return CLI_VERSION;
                if (strcmp(a, "--skip-startup-files") == 0) {
                        o.skip_startup_files = true;
                        continue;
                }
                if (strcmp(a, "--skip-runit") == 0) {
                        o.skip_runit = true;
                        continue;
                }
                if (strcmp(a, "--no-kill-all-on-exit") == 0) {
                        o.no_kill_all_on_exit = true;
                        continue;
                }
                if (strcmp(a, "--quiet") == 0) {
                        o.quiet = true;
                        continue;
                }
                if (strcmp(a, "--wait-for-services") == 0) {
                        wait = "";
                        continue;
                }
                if (strncmp(a, "--wait-for-services=", 20) == 0) {
                        wait = a + 20;
                        if (parse_seconds(wait, &o.wait_for_services_ms) < 0) {
                                char q[64];

                                snprintf(err, errsz, "--wait-for-services takes a number of "
                                         "seconds such as 10 or 0.5, not %s",
                                         log_q(q, sizeof(q), wait));
                                return -EINVAL;
                        }
                        continue;
                }
                r = take_value(argc, argv, &i, "--boot-dir", &o.boot_dir, err, errsz);
                if (r == 0)
                        r = take_value(argc, argv, &i, "--service-dir", &o.service_dir, err, errsz);
                if (r < 0)
                        return r;
                if (r == 0) {
                        char q[80];

                        snprintf(err, errsz, "unknown option %s (see --help)",
                                 log_q(q, sizeof(q), a));
                        return -EINVAL;
                }
        }
        o.command = i < argc ? argv + i : NULL;
        r = env_timeout(env, "KILL_PROCESS_TIMEOUT", 4000, &o.kill_process_timeout_ms,
                        err, errsz);
        if (r < 0)
                return r;
        r = env_timeout(env, "KILL_ALL_PROCESSES_TIMEOUT", 1000,
                        &o.kill_all_processes_timeout_ms, err, errsz);
        if (r < 0)
                return r;
        /* The option wins over the environment; a bare flag is the default. */
        if (!wait) {
                r = env_timeout(env, "CONTRAINER_WAIT_FOR_SERVICES", 0, &o.wait_for_services_ms,
                                err, errsz);
                if (r < 0)
                        return r;
        } else if (!*wait) {
                o.wait_for_services_ms = WAIT_FOR_SERVICES_DEFAULT_MS;
        }
        *ret = o;
        return CLI_RUN;
}
