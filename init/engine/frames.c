/* frames.c — decoder of the Engine's multiplexed exec stream (Tty=false).
 * See frames.h.  Two states: collecting the 8 header bytes (hdr_len < 8)
 * and copying payload (left > 0); libcurl hands us arbitrary slices, so
 * every byte count is carried across calls. */
#include "frames.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

void frame_decoder_init(struct frame_decoder *d, size_t max)
{
        memset(d, 0, sizeof(*d));
        buf_init(&d->out, max);
        buf_init(&d->err, max);
}

/* Validate the complete header in D->hdr and start its frame. */
static int start_frame(struct frame_decoder *d)
{
        const unsigned char *h = d->hdr;

        /* stream 0 is stdin (echoed only when attached; ignored), 1 stdout,
         * 2 stderr; the next three bytes are padding (Engine API "Stream
         * format").  Anything else means we are not reading frames: a Tty
         * stream or a desynchronised one. */
        if (h[0] > 2 || h[1] || h[2] || h[3]) {
                d->bad = true;
                return -EPROTO;
        }
        d->stream = h[0];
        d->left = (size_t)h[4] << 24 | (size_t)h[5] << 16 | (size_t)h[6] << 8 | (size_t)h[7];
        if (d->left == 0)
                d->hdr_len = 0;  /* empty frame: done already */
        return 0;
}

int frame_decoder_feed(struct frame_decoder *d, const void *data, size_t len)
{
        const unsigned char *p = data;
        int r;

        if (d->bad)
                return -EPROTO;
        while (len > 0) {
                if (d->hdr_len < sizeof(d->hdr)) {
                        size_t take = sizeof(d->hdr) - d->hdr_len;

                        if (take > len)
                                take = len;
                        memcpy(d->hdr + d->hdr_len, p, take);
                        d->hdr_len += take;
                        p += take;
                        len -= take;
                        if (d->hdr_len == sizeof(d->hdr)) {
                                r = start_frame(d);
                                if (r < 0)
                                        return r;
                        }
                        continue;
                }
                /* hdr_len == 8 here implies left > 0 */
                size_t take = d->left < len ? d->left : len;
                struct buf *b = d->stream == 1 ? &d->out : d->stream == 2 ? &d->err : NULL;

                if (b) {
                        r = buf_append(b, p, take);
                        if (r == -ENOBUFS)
                                d->overflow = true;
                        else if (r < 0)
                                return r;
                }
                d->left -= take;
                p += take;
                len -= take;
                if (d->left == 0)
                        d->hdr_len = 0;
        }
        return d->overflow ? -ENOBUFS : 0;
}

bool frame_decoder_complete(const struct frame_decoder *d)
{
        return !d->bad && d->hdr_len == 0 && d->left == 0;
}

void frame_decoder_free(struct frame_decoder *d)
{
        buf_free(&d->out);
        buf_free(&d->err);
}
