/* cli_result.h — what a mode's command-line parser answers: run, print the
 * help, print the version, or (< 0) an error line to print before exit 2.
 * Shared by the init (pid1/cli_init.h) and watch (watch/cli_watch.h)
 * parsers, so that their callers handle them alike.
 * Owns: the values only.  Any context. */
#ifndef CONTRAINER_CLI_RESULT_H
#define CONTRAINER_CLI_RESULT_H

enum cli_result {
        CLI_RUN = 0,      /* options parsed, go on */
        CLI_HELP = 1,     /* --help given: print the mode's help text, exit 0 */
        CLI_VERSION = 2,  /* --version given: print the version, exit 0 */
        /* < 0: -EINVAL, message in ERR: print it, exit 2 */
};

#endif
