/* direct_cache.c — contexts shared between the controller's workers.  See
 * direct_cache.h.
 *
 * Why shared memory: every collection and every body runs in its own forked
 * worker, so a cache inside one worker dies with it; the main loop must
 * not gather contexts itself (an inspect and a ptrace stop would block
 * it).  A MAP_SHARED mapping made before the first fork is the one piece
 * of memory all of them see, with no process to talk to.  The mapping's
 * address is the one process-wide variable here: it is set once in the
 * main loop before any worker exists, and only read afterwards.
 *
 * Slots: DIRECT_CACHE_SLOTS of DIRECT_CACHE_SLOT_BYTES, two probes from a
 * hash of the id.  A writer claims a slot (its pid in `writer`, taken back
 * from a writer that died), makes `seq` odd, writes, makes it even.  A
 * reader copies the bytes out and misses when `seq` was odd or moved. */
#include "direct_cache.h"

#include "direct_ctx.h"
#include "direct_pack.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SLOT_HEAD 128u

struct slot {
        uint32_t seq;     /* odd while a writer is at work */
        int32_t writer;   /* pid of the writer holding the slot, 0 none */
        uint32_t len;     /* bytes in data, 0 = empty */
        char id[80];      /* the container id of data */
        unsigned char pad[SLOT_HEAD - 92];
        unsigned char data[DIRECT_CACHE_SLOT_BYTES - SLOT_HEAD];
};

_Static_assert(sizeof(struct slot) == DIRECT_CACHE_SLOT_BYTES, "slot layout");

static struct slot *slots;  /* set once before the workers fork, see above */

int direct_cache_init(void)
{
        void *p;

        if (slots)
                return 0;
        p = mmap(NULL, (size_t)DIRECT_CACHE_SLOTS * sizeof(struct slot), PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED)
                return -errno;
        slots = p;
        return 0;
}

void direct_cache_free(void)
{
        if (slots)
                (void)munmap(slots, (size_t)DIRECT_CACHE_SLOTS * sizeof(struct slot));
        slots = NULL;
}

void direct_cache_dontfork(void)
{
        if (slots)
                (void)madvise(slots, (size_t)DIRECT_CACHE_SLOTS * sizeof(struct slot), MADV_DONTFORK);
}

int direct_cache_starttime(pid_t pid, uint64_t *ret)
{
        char p[64], text[1024];
        ssize_t n;
        int fd, r;

        snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
        fd = open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        do
                n = read(fd, text, sizeof(text));
        while (n < 0 && errno == EINTR);
        r = n < 0 ? -errno : direct_stat_starttime(text, (size_t)n, ret);
        close(fd);
        return r;
}

static size_t slot_of(const char *id, int probe)
{
        uint32_t h = 2166136261u;  /* FNV-1a */

        for (const char *p = id; *p; p++)
                h = (h ^ (unsigned char)*p) * 16777619u;
        return (h + (uint32_t)probe) % DIRECT_CACHE_SLOTS;
}

/* Copy slot S's bytes for ID into BUF: their length, or -ENOENT. */
static ssize_t read_slot(struct slot *s, const char *id, unsigned char *buf)
{
        uint32_t s1 = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE), len;
        char sid[sizeof(s->id)];

        if (s1 & 1)
                return -ENOENT;
        memcpy(sid, s->id, sizeof(sid));
        len = __atomic_load_n(&s->len, __ATOMIC_RELAXED);
        if (len == 0 || len > sizeof(s->data))
                return -ENOENT;
        memcpy(buf, s->data, len);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&s->seq, __ATOMIC_RELAXED) != s1)
                return -ENOENT;
        sid[sizeof(sid) - 1] = '\0';
        return strcmp(sid, id) == 0 ? (ssize_t)len : -ENOENT;
}

int direct_cache_get(const char *id, struct direct_ctx *ret)
{
        struct direct_ctx c;
        uint64_t want, now;
        unsigned char *buf;
        ssize_t n = -ENOENT;
        int r;

        if (!slots || !id || strlen(id) >= sizeof(slots->id))
                return -ENOENT;
        buf = malloc(sizeof(slots->data));
        if (!buf)
                return -ENOMEM;
        for (int probe = 0; probe < 2 && n < 0; probe++)
                n = read_slot(&slots[slot_of(id, probe)], id, buf);
        r = n < 0 ? (int)n : direct_unpack(buf, (size_t)n, &c, &want);
        free(buf);
        if (r < 0)
                return r;
        /* The key's second half: the same main process, not one that
         * reuses its pid. */
        if (direct_cache_starttime(c.spec.pid, &now) < 0 || now != want) {
                direct_unpack_free(&c);
                return -ESTALE;
        }
        *ret = c;
        return 0;
}

/* Take slot S for writing: 1 taken, 0 busy. */
static int claim(struct slot *s)
{
        int32_t me = (int32_t)getpid(), cur = 0;

        if (__atomic_compare_exchange_n(&s->writer, &cur, me, false, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED))
                return 1;
        /* A worker killed in the middle of a write leaves its pid here. */
        if (cur > 0 && kill(cur, 0) < 0 && errno == ESRCH &&
            __atomic_compare_exchange_n(&s->writer, &cur, me, false, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED))
                return 1;
        return 0;
}

void direct_cache_put(const struct direct_ctx *c, uint64_t starttime)
{
        const char *id = c->spec.id;
        struct slot *s = NULL;
        unsigned char *buf;
        uint32_t odd;
        size_t len;

        if (!slots || strlen(id) >= sizeof(slots->id))
                return;
        buf = malloc(sizeof(slots->data));
        if (!buf)
                return;
        if (direct_pack(c, starttime, buf, sizeof(slots->data), &len) < 0)
                goto out;
        /* The slot that holds this id already, else an empty one, else the
         * first probe (the older entry goes). */
        for (int probe = 0; probe < 2 && !s; probe++) {
                struct slot *t = &slots[slot_of(id, probe)];
                if (strncmp(t->id, id, sizeof(t->id)) == 0)
                        s = t;
        }
        for (int probe = 0; probe < 2 && !s; probe++) {
                struct slot *t = &slots[slot_of(id, probe)];
                if (__atomic_load_n(&t->len, __ATOMIC_RELAXED) == 0)
                        s = t;
        }
        if (!s)
                s = &slots[slot_of(id, 0)];
        if (!claim(s))
                goto out;
        odd = __atomic_load_n(&s->seq, __ATOMIC_RELAXED) | 1;
        __atomic_store_n(&s->seq, odd, __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_RELEASE);
        memset(s->id, 0, sizeof(s->id));
        memcpy(s->id, id, strlen(id));
        memcpy(s->data, buf, len);
        __atomic_store_n(&s->len, (uint32_t)len, __ATOMIC_RELAXED);
        __atomic_store_n(&s->seq, odd + 1, __ATOMIC_RELEASE);
        __atomic_store_n(&s->writer, 0, __ATOMIC_RELEASE);
out:
        free(buf);
}
