/* status_client.h — `contrainer status` (docs/status.md): asks a running
 * controller's status socket (libcurl, CURLOPT_UNIX_SOCKET_PATH) and prints
 * a table for a person, the JSON as is (--json), or turns /healthz into an
 * exit status (--health, for the controller image's HEALTHCHECK).
 * Owns: its options and the HTTP request (the table: status_table.h).  Does not own: the JSON (made
 * by status_render.c in the controller).
 * Context: its own process; loads libcurl and cJSON (dl.h), never MHD. */
#ifndef CONTRAINER_STATUS_CLIENT_H
#define CONTRAINER_STATUS_CLIENT_H

#include <stddef.h>

/* ARGV[0] is "status".  Returns the exit status: 0; 1 when the controller
 * cannot be asked (or, with --health, is not healthy); 2 on usage errors. */
int status_main(int argc, char **argv);

#endif
