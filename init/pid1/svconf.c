/* svconf.c — read `critical` and `timeout-kill` of a service directory
 * (see svconf.h).  timeout-kill is s6's file and unit (s6-supervise(8)):
 * a stop grace per service, replacing KILL_PROCESS_TIMEOUT for it. */
#include "svconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool svconf_is_critical(const char *svc)
{
        char path[4096];

        if (snprintf(path, sizeof(path), "%s/critical", svc) >= (int)sizeof(path))
                return false;
        return access(path, F_OK) == 0;
}

int svconf_parse_ms(const char *s, unsigned *ret_ms)
{
        unsigned long long v = 0;
        bool digit = false;

        while (*s == ' ' || *s == '\t')
                s++;
        for (; *s >= '0' && *s <= '9'; s++) {
                v = v * 10 + (unsigned)(*s - '0');
                digit = true;
                if (v > SVCONF_TIMEOUT_KILL_MAX)
                        return -EINVAL;
        }
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
                s++;
        if (!digit || *s)
                return -EINVAL;
        *ret_ms = (unsigned)v;
        return 0;
}

int svconf_timeout_kill(const char *svc, unsigned def_ms, unsigned *ret_ms, char *bad,
                        unsigned badsz)
{
        char path[4096], buf[64];
        ssize_t n;
        int fd, r;

        *ret_ms = def_ms;
        if (badsz)
                bad[0] = '\0';
        if (snprintf(path, sizeof(path), "%s/timeout-kill", svc) >= (int)sizeof(path))
                return -ENAMETOOLONG;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        n = read(fd, buf, sizeof(buf) - 1);
        (void)close(fd);  /* read-only */
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        r = strlen(buf) != (size_t)n ? -EINVAL : svconf_parse_ms(buf, ret_ms);
        if (r < 0) {
                *ret_ms = def_ms;
                if (badsz)
                        snprintf(bad, badsz, "%.*s", (int)strcspn(buf, "\n"), buf);
        }
        return r;
}
