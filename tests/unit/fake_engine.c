/* fake_engine.c — the collection worker's answers from a table.  See
 * fake_engine.h. */
#include "fake_engine.h"

#include "collect_worker.h"
#include "target.h"
#include "worker.h"
#include "wproto.h"

#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct fake_container table[FAKE_ENGINE_MAX];
static size_t n_table;

void fake_engine_reset(void)
{
        memset(table, 0, sizeof(table));
        n_table = 0;
}

struct fake_container *fake_engine_add(const struct fake_container *c)
{
        struct fake_container *t = NULL;

        for (size_t i = 0; i < n_table && !t; i++)
                if (strcmp(table[i].id, c->id) == 0)
                        t = &table[i];
        if (!t) {
                if (n_table == FAKE_ENGINE_MAX)
                        abort();
                t = &table[n_table++];
        }
        *t = *c;
        t->traits |= TRAIT_KNOWN;
        return t;
}

static void put_rec(int fd, uint32_t type, const char *path, const char *out)
{
        size_t pl = strlen(path) + 1, ol = strlen(out);
        char *b = malloc(pl + ol);

        if (!b)
                return;
        memcpy(b, path, pl);
        memcpy(b + pl, out, ol);
        (void)worker_put(fd, type, b, pl + ol);
        free(b);
}

static void put_script(int fd, const char *path, const char *out)
{
        put_rec(fd, WPROTO_SCRIPT_OK, path, out);
}

int fake_engine_collect(const struct collect_spec *cs, int fd)
{
        const struct fake_container *c = NULL;
        char line[512];

        for (size_t i = 0; i < n_table && !c; i++)
                if (strcmp(table[i].id, cs->container_id) == 0)
                        c = &table[i];
        if (!c) {
                (void)worker_puts(fd, WPROTO_GONE, "no such container");
                return 0;
        }
        snprintf(line, sizeof(line), "%" PRIu64 " %s", c->started_ns, c->name);
        (void)worker_puts(fd, WPROTO_INSPECT, line);
        snprintf(line, sizeof(line), "%u -", c->traits);
        (void)worker_puts(fd, WPROTO_TRAITS, line);
        for (size_t i = 0; i < FAKE_SCRIPTS_MAX && c->facts[i]; i++)
                (void)worker_puts(fd, WPROTO_FACT, c->facts[i]);
        if (c->ended) {
                snprintf(line, sizeof(line), "%d 2023-11-14T22:13:20.5Z", c->exit_code);
                (void)worker_puts(fd, WPROTO_ENDED, line);
        }
        if (c->gone) {
                (void)worker_puts(fd, WPROTO_GONE, "container is not running");
                return 0;
        }
        for (size_t i = 0; i < FAKE_SCRIPTS_MAX && c->hook[i]; i++)
                put_rec(fd, c->hook_out[i] ? WPROTO_LABEL_OK : WPROTO_LABEL_FAIL, c->hook[i],
                        c->hook_out[i] ? c->hook_out[i] : "bad hook");
        if (c->hang) {
                /* until the collector stops us (a superseded late collection) */
                struct pollfd p = { .fd = worker_stop_fd(), .events = POLLIN };
                (void)poll(&p, 1, 20000);
                return 0;
        }
        if (!c->script[0]) {
                (void)worker_put(fd, WPROTO_NODIR, NULL, 0);
                return 0;
        }
        for (size_t i = 0; i < FAKE_SCRIPTS_MAX && c->script[i]; i++)
                put_script(fd, c->script[i], c->output[i] ? c->output[i] : "");
        return 0;
}
