/* cli_watch.c — `contrainer watch` options (docs/watch.md) → struct watch_opts.
 * Pure: no I/O; the environment comes in as ENV (DOCKER_HOST, SYSIMAGE). */
#include "cli_watch.h"
#include "scope.h"

#include "strv.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLI_WATCH_MAX_ALLOW 1024

const char cli_watch_help[] =
        "usage: contrainer watch [OPTIONS]\n"
        "\n"
        "Run every container's --script-dir scripts and dispatch their bodies\n"
        "on Docker events (contrainer-watch(8), docs/watch.md).\n"
        "\n"
        "  --docker-socket PATH   Engine socket (default: DOCKER_HOST if unix://...,\n"
        "                         else the first that answers of /var/run/docker.sock,\n"
        "                         $XDG_RUNTIME_DIR/docker.sock, /run/podman/podman.sock,\n"
        "                         $XDG_RUNTIME_DIR/podman/podman.sock)\n"
        "  --script-dir DIR       folder looked up inside each container (/contrainer)\n"
        "  --state-dir DIR        where the event cursor is kept (/var/lib/contrainer;\n"
        "                         not root: $XDG_STATE_HOME/contrainer, else\n"
        "                         ~/.local/state/contrainer)\n"
        "  --sysimage DIR         the host's root as seen by the controller\n"
        "                         (default: $SYSIMAGE, else /)\n"
        "  --allow GLOB=CLASSES   let registrars named GLOB target CLASSES, a comma\n"
        "                         list of me, containers, contrainer, host (repeatable).\n"
        "                         Names choose privileges: whoever names a container\n"
        "                         gets its rule.  contrainer is the host (its bodies\n"
        "                         hold the Docker socket): it must come with host.\n"
        "                         Privileged containers, host PID/IPC/user namespace,\n"
        "                         CAP_SYS_ADMIN/ALL, a bind of the Docker socket or of\n"
        "                         / are the host too: they need containers,host\n"
        "  --allow-all            same as --allow '*=me,containers,contrainer,host'\n"
        "  --exec-timeout SECONDS bound on every script and body (60)\n"
        "  --max-output BYTES     cap on each of stdout and stderr (1048576)\n"
        "  --jobs N               bodies running in parallel (8)\n"
        "  --log-format text|json log line format on stderr (text)\n"
        "  --status-socket PATH   serve GET /status, /metrics, /healthz there, mode\n"
        "                         0600 (default: STATE-DIR/status.sock)\n"
        "  --metrics-listen ADDR:PORT  serve /metrics and /healthz on TCP too\n"
        "  --dispatch auto|api|direct  run scripts and bodies on containers\n"
        "                         directly in their exact exec context (direct),\n"
        "                         through the Engine's exec API (api), or directly\n"
        "                         where possible, else through the API (auto)\n"
        "  --stop-timeout SECONDS on SIGTERM/SIGINT, how long running bodies may\n"
        "                         finish before they are killed (5)\n"
        "  --scope FILTER         only containers that pass Docker's filter FILTER\n"
        "                         (label=KEY, label=KEY=VALUE, name=REGEX) exist for\n"
        "                         this controller (repeatable: every label filter\n"
        "                         and one of the name filters must hold)\n"
        "  --once                 process running containers and queued events,\n"
        "                         wait for the bodies, then exit\n"
        "  --help                 print this help and exit\n"
        "  --version              print the version and exit\n";

/* Decimal unsigned in [lo, hi], nothing else (no sign, no suffix). */
static int parse_ull(const char *s, unsigned long long lo, unsigned long long hi,
                     unsigned long long *ret)
{
        unsigned long long v;
        char *end;

        if (!s || *s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno || *end || v < lo || v > hi)
                return -EINVAL;
        *ret = v;
        return 0;
}

void cli_watch_opts_free(struct watch_opts *o)
{
        if (!o)
                return;
        free((void *)o->allow);
        o->allow = NULL;
        o->n_allow = 0;
        free((void *)o->scope);
        o->scope = NULL;
        o->n_scope = 0;
}

int cli_parse_watch(int argc, char **argv, char *const *env, struct watch_opts *ret,
                    char *err, size_t errsz)
{
        struct watch_opts o = {
                .docker_socket = "/var/run/docker.sock",
                .socket_default = true,
                .script_dir = "/contrainer",
                .state_dir = "/var/lib/contrainer",
                .state_default = true,
                .sysimage = "/",
                .exec_timeout_s = 60,
                .stop_timeout_s = 5,
                .max_output = 1048576,
                .jobs = 8,
                .log_format = LOG_FORMAT_TEXT,
        };
        const char *dh = strv_env_get(env, "DOCKER_HOST"), *si = strv_env_get(env, "SYSIMAGE");
        int result = CLI_RUN, r;

        if (dh && strncmp(dh, "unix://", 7) == 0 && dh[7]) {
                o.docker_socket = dh + 7;
                o.socket_default = false;
        }
        if (si && *si)
                o.sysimage = si;

        for (int i = 1; i < argc; i++) {
                const char *a = argv[i], *val = NULL, *eq;
                char name[64];
                unsigned long long n;
                size_t nl;

                if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
                        result = CLI_HELP;
                        continue;
                }
                if (strcmp(a, "--version") == 0) {
                        if (result != CLI_HELP)
                                result = CLI_VERSION;
                        continue;
                }
                if (strcmp(a, "--once") == 0) {
                        o.once = true;
                        continue;
                }
                if (strcmp(a, "--allow-all") == 0) {
                        o.allow_all = true;
                        continue;
                }
                if (strncmp(a, "--", 2) != 0 || !a[2]) {
                        snprintf(err, errsz, "unexpected argument '%s' (see --help)", a);
                        goto fail;
                }
                eq = strchr(a, '=');
                nl = eq ? (size_t)(eq - a) : strlen(a);
                if (nl >= sizeof(name)) {
                        snprintf(err, errsz, "unknown option '%.*s' (see --help)", 60, a);
                        goto fail;
                }
                memcpy(name, a, nl);
                name[nl] = '\0';
                if (strcmp(name, "--docker-socket") && strcmp(name, "--script-dir") &&
                    strcmp(name, "--state-dir") && strcmp(name, "--sysimage") &&
                    strcmp(name, "--allow") && strcmp(name, "--exec-timeout") && strcmp(name, "--stop-timeout") &&
                    strcmp(name, "--max-output") && strcmp(name, "--jobs") &&
                    strcmp(name, "--log-format") && strcmp(name, "--status-socket") &&
                    strcmp(name, "--metrics-listen") && strcmp(name, "--dispatch") &&
                    strcmp(name, "--scope")) {
                        snprintf(err, errsz, "unknown option '%s' (see --help)", name);
                        goto fail;
                }
                if (eq) {
                        val = eq + 1;
                } else if (i + 1 < argc) {
                        val = argv[++i];
                } else {
                        snprintf(err, errsz, "option '%s' needs a value", name);
                        goto fail;
                }

                if (strcmp(name, "--docker-socket") == 0 || strcmp(name, "--script-dir") == 0 ||
                    strcmp(name, "--state-dir") == 0 || strcmp(name, "--sysimage") == 0 ||
                    strcmp(name, "--status-socket") == 0 || strcmp(name, "--metrics-listen") == 0) {
                        if (!*val) {
                                snprintf(err, errsz, "option '%s' needs a non-empty value", name);
                                goto fail;
                        }
                        if (strcmp(name, "--docker-socket") == 0) {
                                o.docker_socket = strncmp(val, "unix://", 7) == 0 && val[7] ? val + 7 : val;
                                o.socket_default = false;
                        } else if (strcmp(name, "--script-dir") == 0) {
                                o.script_dir = val;
                        } else if (strcmp(name, "--state-dir") == 0) {
                                o.state_dir = val;
                                o.state_default = false;
                        } else if (strcmp(name, "--status-socket") == 0) {
                                o.status_socket = val;
                        } else if (strcmp(name, "--metrics-listen") == 0) {
                                o.metrics_listen = val;
                        } else {
                                o.sysimage = val;
                        }
                } else if (strcmp(name, "--allow") == 0) {
                        const char **na;

                        if (!*val || !strchr(val, '=')) {
                                snprintf(err, errsz, "--allow needs GLOB=CLASSES, got '%.200s'", val);
                                goto fail;
                        }
                        if (o.n_allow >= CLI_WATCH_MAX_ALLOW) {
                                snprintf(err, errsz, "too many --allow rules (at most %d)",
                                         CLI_WATCH_MAX_ALLOW);
                                goto fail;
                        }
                        na = realloc((void *)o.allow, (o.n_allow + 2) * sizeof(*na));
                        if (!na) {
                                snprintf(err, errsz, "out of memory");
                                r = -ENOMEM;
                                goto out_err;
                        }
                        na[o.n_allow++] = val;
                        na[o.n_allow] = NULL;
                        o.allow = na;
                } else if (strcmp(name, "--scope") == 0) {
                        struct scope *sc = scope_new();
                        const char **na;

                        /* Checked here: a filter that does not parse stops
                         * the start-up with one line (docs/events.md "Scope"). */
                        r = 0;
                        for (size_t k = 0; sc && k < o.n_scope && r == 0; k++)
                                r = scope_add(sc, o.scope[k], NULL, 0);
                        if (r == 0)
                                r = sc ? scope_add(sc, val, err, errsz) : -ENOMEM;
                        scope_free(sc);
                        if (r == -EINVAL)
                                goto fail;
                        na = r == 0 ? realloc((void *)o.scope, (o.n_scope + 2) * sizeof(*na)) : NULL;
                        if (!na) {
                                snprintf(err, errsz, "out of memory");
                                r = -ENOMEM;
                                goto out_err;
                        }
                        na[o.n_scope++] = val;
                        na[o.n_scope] = NULL;
                        o.scope = na;
                } else if (strcmp(name, "--exec-timeout") == 0) {
                        if (parse_ull(val, 1, 86400 * 7, &n) < 0) {
                                snprintf(err, errsz, "--exec-timeout needs whole seconds 1..604800, got '%.200s'", val);
                                goto fail;
                        }
                        o.exec_timeout_s = (unsigned)n;
                } else if (strcmp(name, "--stop-timeout") == 0) {
                        if (parse_ull(val, 0, 3600, &n) < 0) {
                                snprintf(err, errsz, "--stop-timeout needs whole seconds 0..3600, got '%.200s'", val);
                                goto fail;
                        }
                        o.stop_timeout_s = (unsigned)n;
                } else if (strcmp(name, "--max-output") == 0) {
                        if (parse_ull(val, 1, (unsigned long long)1 << 30, &n) < 0) {
                                snprintf(err, errsz, "--max-output needs bytes 1..1073741824, got '%.200s'", val);
                                goto fail;
                        }
                        o.max_output = (size_t)n;
                } else if (strcmp(name, "--jobs") == 0) {
                        if (parse_ull(val, 1, 1024, &n) < 0) {
                                snprintf(err, errsz, "--jobs needs a number 1..1024, got '%.200s'", val);
                                goto fail;
                        }
                        o.jobs = (unsigned)n;
                } else if (strcmp(name, "--dispatch") == 0) {
                        if (strcmp(val, "auto") == 0)
                                o.dispatch = DISPATCH_AUTO;
                        else if (strcmp(val, "api") == 0)
                                o.dispatch = DISPATCH_API;
                        else if (strcmp(val, "direct") == 0)
                                o.dispatch = DISPATCH_DIRECT;
                        else {
                                snprintf(err, errsz, "--dispatch needs auto, api or direct, got '%.200s'", val);
                                goto fail;
                        }
                } else { /* --log-format */
                        if (strcmp(val, "text") == 0)
                                o.log_format = LOG_FORMAT_TEXT;
                        else if (strcmp(val, "json") == 0)
                                o.log_format = LOG_FORMAT_JSON;
                        else {
                                snprintf(err, errsz, "--log-format needs text or json, got '%.200s'", val);
                                goto fail;
                        }
                }
        }
        *ret = o;
        return result;
fail:
        r = -EINVAL;
out_err:
        free((void *)o.allow);
        free((void *)o.scope);
        return r;
}
