/* fuzz_frames.c — the exec stream decoder: the first byte picks the output
 * cap, the second the chunk size; the rest is the stream. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "frames.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct frame_decoder d;
        size_t max, chunk;

        if (size < 2)
                return 0;
        max = (size_t)data[0] * 16;
        chunk = data[1] % 32 + 1;
        frame_decoder_init(&d, max);
        for (size_t off = 2; off < size; off += chunk)
                if (frame_decoder_feed(&d, data + off, size - off < chunk ? size - off : chunk) == -EPROTO)
                        break;
        if (d.out.len > max || d.err.len > max)
                __builtin_trap();
        (void)frame_decoder_complete(&d);
        frame_decoder_free(&d);
        return 0;
}
