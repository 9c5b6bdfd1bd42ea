/* rfc3339.h — the Engine's timestamps (RFC 3339: "2026-01-02T03:04:05.123456789Z"
 * or with a ±hh:mm offset, as in State.StartedAt) → nanoseconds since the epoch.
 * Owns: that grammar and the calendar arithmetic (no timegm(), no TZ state).
 * Does not own: where the times come from (docker.c's inspect call).
 * Pure: no I/O, no globals, no logging; unit-tested and fuzzed.  Any context. */
#ifndef CONTRAINER_RFC3339_H
#define CONTRAINER_RFC3339_H

#include <stddef.h>
#include <stdint.h>

/* S (NUL-terminated): "YYYY-MM-DDTHH:MM:SS", an optional '.' and one or
 * more digits (the first nine count, the rest are cut), then 'Z' or
 * "+hh:mm"/"-hh:mm", and nothing after.  Times before 1970 or past what
 * 64 bits of nanoseconds hold (the year 2554) are refused.
 * Returns 0 with *RET set, or -EINVAL (*RET untouched). */
int rfc3339_parse(const char *s, uint64_t *ret);

/* NS as "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" (UTC, nine decimals) into DST
 * (at least 31 bytes; shorter: "" or cut). */
void rfc3339_format(uint64_t ns, char *dst, size_t dstsz);

#endif
