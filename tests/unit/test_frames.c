/* test_frames.c — the exec stream decoder (Tty=false multiplexing), against
 * a stream recorded from a real dockerd (tests/fixtures/exec-stream-busybox.bin:
 * `sh -c 'echo out; echo err >&2; printf "%s" "$(seq 1 2000)"; echo; echo done'`
 * in a busybox container; .stdout/.stderr hold what the command printed),
 * fed whole, byte by byte and in every chunk size, plus bad headers, caps
 * and truncation. */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"

static char *slurp(const char *name, size_t *ret_len)
{
        const char *dir = getenv("CONTRAINER_FIXTURES");
        char path[512];
        FILE *f;
        char *data;
        long n;

        snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/fixtures", name);
        f = fopen(path, "rbe");
        cr_assert_not_null(f, "fixture %s (run from the repository root)", path);
        cr_assert_eq(fseek(f, 0, SEEK_END), 0);
        n = ftell(f);
        rewind(f);
        data = malloc((size_t)n + 1);
        cr_assert_eq(fread(data, 1, (size_t)n, f), (size_t)n);
        data[n] = '\0';
        fclose(f);
        *ret_len = (size_t)n;
        return data;
}

struct recorded {
        char *bin, *out, *err;
        size_t bin_len, out_len, err_len;
};

static struct recorded load(void)
{
        struct recorded r;

        r.bin = slurp("exec-stream-busybox.bin", &r.bin_len);
        r.out = slurp("exec-stream-busybox.stdout", &r.out_len);
        r.err = slurp("exec-stream-busybox.stderr", &r.err_len);
        return r;
}

static void unload(struct recorded *r)
{
        free(r->bin);
        free(r->out);
        free(r->err);
}

static void feed_chunks(struct frame_decoder *d, const char *s, size_t len, size_t chunk)
{
        for (size_t off = 0; off < len; off += chunk) {
                size_t n = len - off < chunk ? len - off : chunk;

                cr_assert_eq(frame_decoder_feed(d, s + off, n), 0, "chunk %zu at %zu", chunk, off);
        }
}

Test(frames, decodes_a_recorded_exec_stream)
{
        struct recorded r = load();
        struct frame_decoder d;

        frame_decoder_init(&d, 1 << 20);
        cr_assert_eq(frame_decoder_feed(&d, r.bin, r.bin_len), 0);
        cr_assert(frame_decoder_complete(&d));
        cr_assert_eq(d.out.len, r.out_len);
        cr_assert_eq(memcmp(d.out.data, r.out, r.out_len), 0);
        cr_assert_eq(d.err.len, r.err_len);
        cr_assert_str_eq(d.err.data, "err\n");
        cr_assert_not(d.overflow);
        cr_assert_not(d.bad);
        frame_decoder_free(&d);
        unload(&r);
}

Test(frames, decodes_the_same_for_every_chunk_size, .timeout = 60)
{
        struct recorded r = load();

        for (size_t chunk = 1; chunk <= 80; chunk++) {
                struct frame_decoder d;

                frame_decoder_init(&d, 1 << 20);
                feed_chunks(&d, r.bin, r.bin_len, chunk);
                cr_assert(frame_decoder_complete(&d), "chunk %zu", chunk);
                cr_assert_eq(d.out.len, r.out_len, "chunk %zu", chunk);
                cr_assert_eq(memcmp(d.out.data, r.out, r.out_len), 0, "chunk %zu", chunk);
                cr_assert_str_eq(d.err.data, "err\n");
                frame_decoder_free(&d);
        }
        unload(&r);
}

Test(frames, truncated_stream_is_not_complete)
{
        struct recorded r = load();

        /* inside a header (3 bytes in) and inside a payload (10 bytes in) */
        for (size_t cut = 1; cut < 40; cut++) {
                struct frame_decoder d;

                frame_decoder_init(&d, 1 << 20);
                cr_assert_eq(frame_decoder_feed(&d, r.bin, cut), 0);
                /* frame 1 ends at 12, frame 2 at 24 */
                cr_assert_eq(frame_decoder_complete(&d), cut == 12 || cut == 24, "cut %zu", cut);
                frame_decoder_free(&d);
        }
        unload(&r);
}

Test(frames, empty_stream_and_empty_frames_are_complete)
{
        static const unsigned char empty[] = { 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0 };
        struct frame_decoder d;

        frame_decoder_init(&d, 16);
        cr_assert(frame_decoder_complete(&d));
        cr_assert_eq(frame_decoder_feed(&d, empty, sizeof(empty)), 0);
        cr_assert(frame_decoder_complete(&d));
        cr_assert_eq(d.out.len, 0);
        cr_assert_eq(d.err.len, 0);
        frame_decoder_free(&d);
}

Test(frames, ignores_stdin_payload)
{
        static const unsigned char s[] = { 0, 0, 0, 0, 0, 0, 0, 3, 'i', 'n', '\n',
                                           1, 0, 0, 0, 0, 0, 0, 2, 'o', '\n' };
        struct frame_decoder d;

        frame_decoder_init(&d, 16);
        cr_assert_eq(frame_decoder_feed(&d, s, sizeof(s)), 0);
        cr_assert(frame_decoder_complete(&d));
        cr_assert_str_eq(d.out.data, "o\n");
        cr_assert_eq(d.err.len, 0);
        frame_decoder_free(&d);
}

Test(frames, rejects_an_unknown_stream_for_good)
{
        static const unsigned char s[] = { 3, 0, 0, 0, 0, 0, 0, 1, 'x' };
        static const unsigned char ok[] = { 1, 0, 0, 0, 0, 0, 0, 1, 'x' };
        struct frame_decoder d;

        frame_decoder_init(&d, 16);
        cr_assert_eq(frame_decoder_feed(&d, s, sizeof(s)), -EPROTO);
        cr_assert(d.bad);
        cr_assert_not(frame_decoder_complete(&d));
        cr_assert_eq(frame_decoder_feed(&d, ok, sizeof(ok)), -EPROTO, "sticky");
        cr_assert_eq(d.out.len, 0);
        frame_decoder_free(&d);
}

Test(frames, rejects_non_zero_padding)
{
        for (int i = 1; i <= 3; i++) {
                unsigned char s[] = { 1, 0, 0, 0, 0, 0, 0, 1, 'x' };
                struct frame_decoder d;

                s[i] = 1;
                frame_decoder_init(&d, 16);
                cr_assert_eq(frame_decoder_feed(&d, s, sizeof(s)), -EPROTO, "byte %d", i);
                cr_assert(d.bad);
                frame_decoder_free(&d);
        }
}

Test(frames, rejects_a_tty_stream)
{
        struct frame_decoder d;

        frame_decoder_init(&d, 16);
        cr_assert_eq(frame_decoder_feed(&d, "hello world\n", 12), -EPROTO);
        frame_decoder_free(&d);
}

Test(frames, caps_each_stream_and_keeps_the_prefix)
{
        static const unsigned char s[] = { 1, 0, 0, 0, 0, 0, 0, 11, 'h', 'e', 'l', 'l', 'o', ' ',
                                           'w', 'o', 'r', 'l', 'd', 2, 0, 0, 0, 0, 0, 0, 3, 'e',
                                           'r', 'r' };
        struct frame_decoder d;

        frame_decoder_init(&d, 5);
        cr_assert_eq(frame_decoder_feed(&d, s, sizeof(s)), -ENOBUFS);
        cr_assert(d.overflow);
        cr_assert_str_eq(d.out.data, "hello");
        cr_assert_str_eq(d.err.data, "err", "stderr has its own cap");
        cr_assert(frame_decoder_complete(&d), "still in sync");
        frame_decoder_free(&d);
}

Test(frames, cap_is_reported_on_the_feed_that_passes_it)
{
        static const unsigned char s[] = { 1, 0, 0, 0, 0, 0, 0, 6, 'a', 'b', 'c', 'd', 'e', 'f' };
        struct frame_decoder d;

        frame_decoder_init(&d, 4);
        cr_assert_eq(frame_decoder_feed(&d, s, 12), 0, "exactly at the cap");
        cr_assert_eq(frame_decoder_feed(&d, s + 12, 2), -ENOBUFS);
        cr_assert_str_eq(d.out.data, "abcd");
        frame_decoder_free(&d);
}

Test(frames, huge_declared_size_allocates_nothing_up_front)
{
        static const unsigned char s[] = { 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 'x' };
        struct frame_decoder d;

        frame_decoder_init(&d, 1 << 20);
        cr_assert_eq(frame_decoder_feed(&d, s, sizeof(s)), 0);
        cr_assert_eq(d.left, 0xffffffffu - 1);
        cr_assert_lt(d.out.cap, 4096);
        cr_assert_not(frame_decoder_complete(&d));
        frame_decoder_free(&d);
}

Test(frames, free_is_idempotent)
{
        struct frame_decoder d;

        frame_decoder_init(&d, 16);
        frame_decoder_free(&d);
        frame_decoder_free(&d);
        cr_assert_null(d.out.data);
}
