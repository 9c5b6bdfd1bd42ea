/* sigecho.c — the command under test for signal forwarding.
 *
 *   sigecho FIFO
 *
 * Opens FIFO for writing, installs a SIGUSR1 handler that writes one byte
 * ('x') to it, writes 'R' once ready, then waits for signals forever.
 * SIGTERM ends it (a handler, so that it also ends when it is itself PID 1
 * of a namespace, where a default disposition would ignore the signal).
 * The driver (pid1probe sig) timestamps kill() on PID 1 and the read of 'x'. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int fd = -1;

static void on_usr1(int sig)
{
        (void)sig;
        /* async-signal-safe; a short write to a FIFO with room cannot fail
         * in a way we could report from here */
        (void)!write(fd, "x", 1);
}

static void on_term(int sig)
{
        (void)sig;
        _exit(0);
}

int main(int argc, char **argv)
{
        struct sigaction sa;
        sigset_t none;

        if (argc != 2) {
                fprintf(stderr, "usage: sigecho FIFO\n");
                return 2;
        }
        fd = open(argv[1], O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
                perror("sigecho: open");
                return 1;
        }
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_usr1;
        sa.sa_flags = SA_RESTART;
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGUSR1, &sa, NULL) < 0)
                return 1;
        sa.sa_handler = on_term;
        if (sigaction(SIGTERM, &sa, NULL) < 0)
                return 1;
        /* an init that leaves signals blocked would make every probe time out:
         * unblock explicitly so that the bench measures forwarding only */
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (write(fd, "R", 1) != 1)
                return 1;
        for (;;)
                pause();
}
