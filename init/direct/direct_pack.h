/* direct_pack.h — a struct direct_ctx as flat bytes and back, so that the
 * context one worker gathered can be reused by the next worker of the same
 * container (direct_cache.c keeps the bytes).
 * Owns: the byte format (versioned, every length checked on the way back).
 * Packed: what stays true for the life of the container's main process —
 * the inspect's Config (user spec, hostname, workdir, env, GroupAdd), the
 * bundle's flags, the shim, the cgroup files, capability masks, rlimits,
 * oom_score_adj, umask, the seccomp BPF — plus the main process's start
 * time (the key's second half).  Not packed: namespace fds, the resolved
 * user, the environment built from it, the cwd (direct_ctx.c redoes those
 * at each use, as the Engine does at each exec).
 * Does not own: where the bytes live, deciding a hit (direct_cache.c).
 * Pure: no I/O, no globals, no logging.  Context: any. */
#ifndef CONTRAINER_DIRECT_PACK_H
#define CONTRAINER_DIRECT_PACK_H

#include <stddef.h>
#include <stdint.h>

struct direct_ctx;

/* Pack C (with STARTTIME, the main process's start time in clock ticks,
 * /proc/PID/stat field 22) into BUF of BUFSZ bytes.  0 with *RET_LEN;
 * -E2BIG when it does not fit. */
int direct_pack(const struct direct_ctx *c, uint64_t starttime, void *buf, size_t bufsz,
                size_t *ret_len);

/* Unpack LEN bytes into *RET (a zeroed context: nsfd -1, no user, no env,
 * cwd empty) and *RET_STARTTIME.  0; -EINVAL (not a packed context, or
 * another version); -ENOMEM.  On success release with direct_ctx_done. */
int direct_unpack(const void *buf, size_t len, struct direct_ctx *ret, uint64_t *ret_starttime);

/* Release what direct_unpack gave (a context straight from it, before any
 * namespace was opened or environment resolved: direct_ctx_done does the
 * same for a context in use).  The cache drops a stale entry with it. */
void direct_unpack_free(struct direct_ctx *c);

/* Start time (field 22, clock ticks since boot) from the text of
 * /proc/PID/stat (LEN bytes; the command name may hold spaces and
 * parentheses).  0 or -EINVAL. */
int direct_stat_starttime(const char *stat, size_t len, uint64_t *ret);

#endif
