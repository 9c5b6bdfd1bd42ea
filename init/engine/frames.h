/* frames.h — decoder of the Engine's multiplexed exec stream (Tty=false):
 * frames of an 8-byte header {stream, 0, 0, 0, size as big-endian u32} and
 * SIZE bytes of payload; 1 = stdout, 2 = stderr.  Frames split across reads
 * arbitrarily.
 * Owns: the decoder state and the two capped output buffers.
 * Does not own: reading the stream (exec_api.c feeds it from the transport's
 * body sink), what the output is for.
 * Pure: no I/O, no globals, no logging; fuzzed.  Any context. */
#ifndef CONTRAINER_FRAMES_H
#define CONTRAINER_FRAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct frame_decoder {
        unsigned char hdr[8];
        size_t hdr_len;      /* header bytes seen of the current frame */
        size_t left;         /* payload bytes left in the current frame */
        int stream;          /* stream of the current frame */
        struct buf out;      /* stdout, capped */
        struct buf err;      /* stderr, capped */
        bool overflow;       /* a stream passed its cap (content kept up to it) */
        bool bad;            /* a header with an unknown stream or non-zero padding */
};

/* Start decoding, keeping at most MAX bytes of each of stdout and stderr. */
void frame_decoder_init(struct frame_decoder *d, size_t max);

/* Feed LEN bytes.  Returns 0; -ENOBUFS once a cap is passed (overflow set;
 * the caller should abort the transfer); -EPROTO on a bad header; -ENOMEM. */
int frame_decoder_feed(struct frame_decoder *d, const void *data, size_t len);

/* Did the stream end cleanly (not inside a frame)? */
bool frame_decoder_complete(const struct frame_decoder *d);

void frame_decoder_free(struct frame_decoder *d);

#endif
