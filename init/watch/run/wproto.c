/* wproto.c — the worker protocol's outcome record.  See wproto.h. */
#include "wproto.h"

#include "worker.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int wproto_put_outcome(int fd, const struct wproto_outcome *o)
{
        return worker_put(fd, WPROTO_OUTCOME, o, sizeof(*o));
}

int wproto_get_outcome(const void *data, size_t len, struct wproto_outcome *ret)
{
        struct wproto_outcome o;

        if (len != sizeof(o))
                return -EINVAL;
        memcpy(&o, data, sizeof(o));
        if (o.kind < WPROTO_EXIT || o.kind > WPROTO_FAILED)
                return -EINVAL;
        *ret = o;
        return 0;
}

const char *wproto_outcome_text(const struct wproto_outcome *o, char *dst, size_t dstsz)
{
        const char *how;

        if (!o) {
                snprintf(dst, dstsz, "%s", "");
                return dst;
        }
        switch (o->kind) {
        case WPROTO_EXIT:
                snprintf(dst, dstsz, "exit %d", (int)o->exit_code);
                break;
        case WPROTO_TIMEOUT:
        case WPROTO_STOPPED:
                how = o->killed ? " killed" : o->not_visible ? " notvisible" : "";
                snprintf(dst, dstsz, "%s%s", o->kind == WPROTO_TIMEOUT ? "timeout" : "stopped", how);
                break;
        case WPROTO_OVERFLOW:
                snprintf(dst, dstsz, "overflow");
                break;
        case WPROTO_NOTRUN:
                snprintf(dst, dstsz, "gone");
                break;
        default:
                snprintf(dst, dstsz, "error");
                break;
        }
        return dst;
}
