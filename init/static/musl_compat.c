/* musl_compat.c — sigabbrev_np and close_range for the static (musl) build.
 * See musl_compat.h.  Not compiled into the regular build. */
#include "musl_compat.h"

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

/* glibc's names (string/siglist.h): SIGIO is "POLL" there. */
static const char *const abbrev[] = {
        [SIGHUP] = "HUP",       [SIGINT] = "INT",       [SIGQUIT] = "QUIT",
        [SIGILL] = "ILL",       [SIGTRAP] = "TRAP",     [SIGABRT] = "ABRT",
        [SIGBUS] = "BUS",       [SIGFPE] = "FPE",       [SIGKILL] = "KILL",
        [SIGUSR1] = "USR1",     [SIGSEGV] = "SEGV",     [SIGUSR2] = "USR2",
        [SIGPIPE] = "PIPE",     [SIGALRM] = "ALRM",     [SIGTERM] = "TERM",
#ifdef SIGSTKFLT
        [SIGSTKFLT] = "STKFLT",
#endif
        [SIGCHLD] = "CHLD",     [SIGCONT] = "CONT",
        [SIGSTOP] = "STOP",     [SIGTSTP] = "TSTP",     [SIGTTIN] = "TTIN",
        [SIGTTOU] = "TTOU",     [SIGURG] = "URG",       [SIGXCPU] = "XCPU",
        [SIGXFSZ] = "XFSZ",     [SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF",
        [SIGWINCH] = "WINCH",   [SIGIO] = "POLL",       [SIGSYS] = "SYS",
#ifdef SIGPWR
        [SIGPWR] = "PWR",
#endif
};

const char *sigabbrev_np(int sig)
{
        if (sig <= 0 || (unsigned)sig >= sizeof(abbrev) / sizeof(abbrev[0]))
                return NULL;
        return abbrev[sig];
}

int close_range(unsigned int first, unsigned int last, int flags)
{
        return (int)syscall(SYS_close_range, first, last, flags);
}
