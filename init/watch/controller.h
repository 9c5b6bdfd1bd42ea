/* controller.h — `contrainer watch`'s main process (docs/watch.md): creates the
 * stages (stream, seen, snapshot, collector, pipeline with fire, dispatch,
 * status), wires them one way and runs the one poll loop.
 * Owns: the wiring, the loop, signals' effects (stop, SIGHUP), saving the
 * cursor.  Does not own: any stage's state (each keeps its own, behind its
 * header).
 * Context: the main process of `contrainer watch`, after dl_load. */
#ifndef CONTRAINER_CONTROLLER_H
#define CONTRAINER_CONTROLLER_H

struct watch_opts;

/* Run until SIGTERM/SIGINT (or, with --once, until the work is done).
 * Returns the exit status (0; 1 if start-up failed; 2 for a bad --allow
 * rule or an impossible --dispatch direct). */
int controller_run(const struct watch_opts *o);

#endif
