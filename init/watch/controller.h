/* controller.h — the controller's state and its one poll loop (SPEC §2).
 * Owns: the event queue, the container snapshot, the registry, collections
 * in flight, the cursor, the stream's connection and back-off, signals.
 * Context: the main process of `contrainer watch`, after dl_load. */
#ifndef CONTRAINER_CONTROLLER_H
#define CONTRAINER_CONTROLLER_H

struct watch_opts;

/* Run until SIGTERM/SIGINT (or, with --once, until the work is done).
 * Returns the exit status (0; 1 if start-up failed). */
int controller_run(const struct watch_opts *o);

#endif
