/* ctl_direct.c — direct dispatch's main-loop state.  See ctl_direct.h. */
#include "ctl_direct.h"

#include "direct_cache.h"
#include "dl.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

const char *ctl_direct_mode_name(enum dispatch_mode m)
{
        return m == DISPATCH_API ? "api" : m == DISPATCH_DIRECT ? "direct" : "auto";
}

/* Is the Engine's daemon (the peer of its socket) a process we see in our
 * /proc?  From another PID namespace the kernel reports its pid as 0.
 * 0 yes; -errno with WHY. */
static int engine_visible(const char *socket_path, char *why, size_t whysz)
{
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        struct ucred cr = { 0 };
        socklen_t crl = sizeof(cr);
        char p[64];
        struct stat st;
        int fd, r = 0;

        if (strlen(socket_path) >= sizeof(a.sun_path)) {
                snprintf(why, whysz, "the Engine socket path is too long");
                return -ENAMETOOLONG;
        }
        memcpy(a.sun_path, socket_path, strlen(socket_path) + 1);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
            getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crl) < 0) {
                r = -errno;
                snprintf(why, whysz, "cannot connect to the Engine on '%s': %s", socket_path,
                         strerror(-r));
        } else if (cr.pid <= 0) {
                r = -ESRCH;
                snprintf(why, whysz, "the Engine's processes are not visible here "
                         "(another PID namespace: no --pid=host)");
        } else {
                snprintf(p, sizeof(p), "/proc/%d", (int)cr.pid);
                if (stat(p, &st) < 0) {
                        r = -errno;
                        snprintf(why, whysz, "the Engine's process %d is not in our /proc "
                                 "(no --pid=host)", (int)cr.pid);
                }
        }
        if (fd >= 0)
                close(fd);
        return r;
}

int ctl_direct_init(struct ctl_direct *d, enum dispatch_mode mode, const char *socket,
                    char *why, size_t whysz)
{
        char w[300];

        *d = (struct ctl_direct){ .configured = mode, .effective = mode };
        if (mode == DISPATCH_API)
                return 0;
        d->fallback = calloc(CTL_DIRECT_MAX_FALLBACK, sizeof(*d->fallback));
        if (!d->fallback) {
                snprintf(why, whysz, "out of memory");
                return -ENOMEM;
        }
        /* libcap: the capability sets of a direct run (direct_enter.c). */
        if (dl_load_exec(w, sizeof(w)) == 0 && engine_visible(socket, w, sizeof(w)) == 0) {
                /* Before any worker forks: they all share it.  Without it
                 * every run gathers its context afresh (slower, same). */
                int r = direct_cache_init();

                if (r < 0)
                        log_warn("direct dispatch: no context cache (%s), every run gathers its own",
                                 strerror(-r));
                return 0;
        }
        if (mode == DISPATCH_DIRECT) {
                snprintf(why, whysz, "--dispatch direct is not possible here: %s", w);
                ctl_direct_free(d);
                return -EPERM;
        }
        log_info("direct dispatch is off, every container goes through the exec API: %s", w);
        snprintf(d->reason, sizeof(d->reason), "%s", w);
        d->effective = DISPATCH_API;
        return 0;
}

void ctl_direct_free(struct ctl_direct *d)
{
        free(d->fallback);
        d->fallback = NULL;
        direct_cache_free();
        d->n_fallback = 0;
}

static bool fell_back(const struct ctl_direct *d, const char *id)
{
        for (size_t i = 0; i < d->n_fallback; i++)
                if (strcmp(d->fallback[i], id) == 0)
                        return true;
        return false;
}

enum direct_want ctl_direct_want(struct ctl_direct *d, const char *id)
{
        if (!d || d->effective == DISPATCH_API)
                return DIRECT_OFF;
        return d->effective == DISPATCH_DIRECT ? DIRECT_MUST
               : id && fell_back(d, id)        ? DIRECT_OFF : DIRECT_TRY;
}

void ctl_direct_fallback(struct ctl_direct *d, const char *id, const char *name,
                         const char *reason, size_t len)
{
        char qn[300], qr[700];

        if (!d || !d->fallback || !id || fell_back(d, id))
                return;
        if (d->n_fallback == CTL_DIRECT_MAX_FALLBACK)
                d->n_fallback = 0;  /* bounded: old containers may log once more */
        snprintf(d->fallback[d->n_fallback++], sizeof(d->fallback[0]), "%s", id);
        log_q(qn, sizeof(qn), name && name[0] ? name : id);
        log_quote(qr, sizeof(qr), reason, len);
        d->fallbacks++;
        /* cut short past 400 bytes: the log has it whole */
        if (snprintf(d->reason, sizeof(d->reason), "container %s: %s", qn, qr) < 0)
                d->reason[0] = '\0';
        if (d->effective == DISPATCH_DIRECT)
                log_error("container %s cannot be run directly (--dispatch direct), its scripts and bodies fail: %s",
                          qn, qr);
        else
                log_info("container %s cannot be run directly, it goes through the exec API: %s",
                         qn, qr);
}
