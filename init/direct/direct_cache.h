/* direct_cache.h — the controller's cache of direct contexts: gathering one
 * (an Engine inspect, the bundle, /proc, a ptrace stop of the main process)
 * is done once per container and main process, and the next workers of the
 * same container reuse it.
 * Owns: one shared anonymous mapping of slots, made in the main loop before
 * any worker is forked, so that every worker reads and fills the same
 * memory; the key of a slot is the container id plus its main process's pid
 * and start time (/proc/PID/stat), so an entry is never used for another
 * process: a container that died or restarted has a new main process and
 * misses.  Slots are seqlocked: a reader that raced a writer misses.
 * Does not own: the context (direct_ctx.c), its byte format (direct_pack.c).
 * Context: direct_cache_init/free in the main loop; get/put in any process
 * (without init they are no-ops: the exec CLI never caches). */
#ifndef CONTRAINER_DIRECT_CACHE_H
#define CONTRAINER_DIRECT_CACHE_H

#include <stdint.h>
#include <sys/types.h>

struct direct_ctx;

#define DIRECT_CACHE_SLOTS 64
#define DIRECT_CACHE_SLOT_BYTES (48u << 10)

/* Map the slots (pages are touched only by the workers that fill them).
 * 0 or -errno.  Idempotent. */
int direct_cache_init(void);
void direct_cache_free(void);

/* From now on no child this process forks maps the slots (MADV_DONTFORK):
 * a direct run's set-up calls it before its fork, so nothing that enters
 * a container could read or write the cache.  No-op without init. */
void direct_cache_dontfork(void);

/* The start time of process PID (clock ticks since boot).  0 or -errno. */
int direct_cache_starttime(pid_t pid, uint64_t *ret);

/* The cached context of container ID (full id): 0 with *RET (nsfd -1; user,
 * env and cwd still to be resolved; release with direct_ctx_done) when its
 * main process is still the one it was gathered from; -ENOENT (no entry,
 * a raced read, or no cache), -ESTALE (the main process changed: the entry
 * is dropped), -ENOMEM. */
int direct_cache_get(const char *id, struct direct_ctx *ret);

/* Remember C (gathered from main process C->spec.pid started at
 * STARTTIME).  Best effort: a context too big for a slot, or a slot another
 * worker is writing, is simply not cached. */
void direct_cache_put(const struct direct_ctx *c, uint64_t starttime);

#endif
