/* watch.h — entry point of `contrainer watch`, the controller.
 * Owns: loading libcurl/cJSON (dl.h), parsing the options (cli_watch.c) and
 * handing them to the controller (controller.h, which owns the poll loop).
 * argv[0] is "watch", options start at argv[1].  Returns the exit status. */
#ifndef CONTRAINER_WATCH_H
#define CONTRAINER_WATCH_H

int watch_main(int argc, char **argv);

#endif
