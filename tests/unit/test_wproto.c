/* test_wproto.c — the worker protocol's binary outcome: round trip over a
 * worker pipe, strict decoding, the status text the log and /status show. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "worker.h"
#include "wproto.h"

Test(wproto, an_outcome_crosses_a_pipe_unchanged)
{
        struct wproto_outcome o = { .kind = WPROTO_TIMEOUT, .not_visible = 1 }, back;
        struct worker w = { .fd = -1 };
        int p[2];
        uint32_t type, len;
        const char *d;

        cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
        cr_assert_eq(wproto_put_outcome(p[1], &o), 0);
        close(p[1]);
        w.fd = p[0];
        buf_init(&w.in, 4096);
        (void)fcntl(p[0], F_SETFL, O_NONBLOCK);
        cr_assert_eq(worker_read(&w), 1, "all of it, then EOF");
        cr_assert_eq(worker_next(&w, &type, &d, &len), 1);
        cr_assert_eq(type, WPROTO_OUTCOME);
        cr_assert_eq(wproto_get_outcome(d, len, &back), 0);
        cr_assert_eq(memcmp(&o, &back, sizeof(o)), 0);
        worker_release(&w);
}

Test(wproto, rejects_a_record_that_is_not_an_outcome)
{
        struct wproto_outcome o = { .kind = 0 }, back = { .kind = WPROTO_EXIT, .exit_code = 7 };

        cr_assert_eq(wproto_get_outcome("exit 0", 6, &back), -EINVAL);
        cr_assert_eq(wproto_get_outcome(&o, sizeof(o), &back), -EINVAL, "kind 0");
        o.kind = WPROTO_FAILED + 1;
        cr_assert_eq(wproto_get_outcome(&o, sizeof(o), &back), -EINVAL);
        cr_assert_eq(back.exit_code, 7, "ret untouched on failure");
}

Test(wproto, the_status_text_is_what_the_log_and_status_always_said)
{
        static const struct {
                struct wproto_outcome o;
                const char *text;
        } cases[] = {
                { { .kind = WPROTO_EXIT, .exit_code = 0 }, "exit 0" },
                { { .kind = WPROTO_EXIT, .exit_code = 137 }, "exit 137" },
                { { .kind = WPROTO_TIMEOUT, .killed = 1 }, "timeout killed" },
                { { .kind = WPROTO_TIMEOUT, .not_visible = 1 }, "timeout notvisible" },
                { { .kind = WPROTO_TIMEOUT }, "timeout" },
                { { .kind = WPROTO_STOPPED, .killed = 1 }, "stopped killed" },
                { { .kind = WPROTO_OVERFLOW }, "overflow" },
                { { .kind = WPROTO_NOTRUN }, "gone" },
                { { .kind = WPROTO_FAILED }, "error" },
        };
        char buf[64];

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                cr_assert_str_eq(wproto_outcome_text(&cases[i].o, buf, sizeof(buf)), cases[i].text);
        cr_assert_str_eq(wproto_outcome_text(NULL, buf, sizeof(buf)), "", "no outcome: the worker died");
}
