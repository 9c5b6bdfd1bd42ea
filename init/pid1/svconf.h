/* svconf.h — the files of a service directory that the init itself reads
 * (docs/hardening.md): `critical` (the service's end ends the container)
 * and `timeout-kill` (its stop grace in milliseconds, s6's name).
 * Does not own: runit's own files (run, finish, down: runsv reads them) or
 * what the settings do (runit.c, critical.c).  Context: the init main loop. */
#ifndef CONTRAINER_SVCONF_H
#define CONTRAINER_SVCONF_H

#include <stdbool.h>

/* Largest timeout-kill accepted: a day, as KILL_PROCESS_TIMEOUT. */
#define SVCONF_TIMEOUT_KILL_MAX 86400000U

/* Does SVC hold a file (or anything) named `critical`? */
bool svconf_is_critical(const char *svc);

/* SVC's stop grace: its `timeout-kill` (a decimal number of milliseconds,
 * blanks around it allowed, at most SVCONF_TIMEOUT_KILL_MAX) or DEF_MS when
 * there is none.  Returns 0 and *ret_ms, or -EINVAL (*ret_ms = DEF_MS and
 * BAD holds the file's first line, quoted by the caller) for anything else. */
int svconf_timeout_kill(const char *svc, unsigned def_ms, unsigned *ret_ms, char *bad,
                        unsigned badsz);

/* Pure: parse S (a file's content) as timeout-kill.  0 or -EINVAL. */
int svconf_parse_ms(const char *s, unsigned *ret_ms);

#endif
