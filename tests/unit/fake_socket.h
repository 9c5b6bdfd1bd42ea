/* fake_socket.h — an HTTP server on a unix socket for the Engine client's
 * unit tests: a forked child that answers each connection with what a
 * test's function writes, so that an "Engine" can lie, refuse, omit
 * fields or not be an Engine at all.  One request per connection (the
 * client opens a fresh one per request). */
#ifndef CONTRAINER_FAKE_SOCKET_H
#define CONTRAINER_FAKE_SOCKET_H

#include <stddef.h>
#include <sys/types.h>

/* Answer connection C whose request head is REQ (NUL-terminated); runs in
 * the child.  Close nothing: the caller closes C. */
typedef void (*fake_socket_fn)(int c, const char *req, void *ud);

/* Listen on PATH (replacing a stale one) and serve FN in a child that
 * exits by itself after 30 s.  Returns the child's PID (asserts on error). */
pid_t fake_socket_start(const char *path, fake_socket_fn fn, void *ud);

/* End the child (by PID), reap it, unlink PATH. */
void fake_socket_stop(pid_t p, const char *path);

/* Write an HTTP/1.1 answer: STATUS, extra header lines HDRS ("" or lines
 * each ending in \r\n), BODY (Content-Length set, connection closed). */
void fake_socket_reply(int c, int status, const char *hdrs, const char *body);

/* The request's target ("/v1.44/version"), into RET (RETSZ). */
void fake_socket_target(const char *req, char *ret, size_t retsz);

#endif
