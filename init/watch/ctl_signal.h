/* ctl_signal.h — the controller's signals (docs/watch.md "Signals"): TERM, INT, HUP and
 * CHLD blocked into a signalfd (no handlers), SIGPIPE ignored, and reaping
 * children into the stage that forked them (dispatch, collector).
 * Owns: the signal mask and reading the signalfd.  Does not own: what a
 * stop or a SIGHUP does (controller.c decides).
 * Context: main loop only. */
#ifndef CONTRAINER_CTL_SIGNAL_H
#define CONTRAINER_CTL_SIGNAL_H

#include <stdbool.h>

struct collector;
struct dispatch;

/* Block the signals into a new signalfd; ignore SIGPIPE.  The fd or -errno. */
int ctl_signals_setup(void);

/* Read every pending signal on SFD: *RET_STOP gets the last TERM/INT (left
 * alone when none), *RET_HUP is set on a SIGHUP.  Then reap every exited
 * child and tell DS or COL (either may be NULL) which was theirs. */
void ctl_signals_read(int sfd, int *ret_stop, bool *ret_hup, struct dispatch *ds,
                      struct collector *col);

#endif
