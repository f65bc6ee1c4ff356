/* fopencookie is a glibc extension, only declared with _GNU_SOURCE: kept in its own translation
   unit so no Swift module sees the feature macro.

   The stream inflates with zlib's inflate() rather than gzread(), which on damaged data returns an
   error for the whole read and drops the bytes it had decoded in it (often the entire capture), and
   which cannot say where the damage was nor how much of the file it has read. */
#define _GNU_SOURCE
#include "sigflow_gzip.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* As zlib's gzbuffer default for gzread here before: few read calls, and it stays in L2. */
#define SIGFLOW_GZ_INPUT_SIZE (1 << 18)

enum mode { MODE_DETECT, MODE_GZIP, MODE_COPY, MODE_DONE, MODE_FAILED };

struct sigflow_gz_state {
    int descriptor;
    enum mode mode;
    z_stream zs; /* next_in/avail_in are the input window in every mode */
    int inflating;
    int input_ended;
    unsigned char *input;
    unsigned long long bytes_read; /* written on the reading thread, read anywhere: atomic */
    int failure;
    unsigned long long failure_offset;
    char detail[128];
    /* Bytes sigflow_gz_peek took from the stream's start, which its first reads give again. */
    unsigned char peeked[SIGFLOW_GZ_PEEK_MAX];
    size_t peeked_length, peeked_position;
};

static void fail(sigflow_gz_state *state, int failure, unsigned long long offset, const char *detail) {
    state->mode = MODE_FAILED;
    state->failure = failure;
    state->failure_offset = offset;
    snprintf(state->detail, sizeof state->detail, "%s", detail);
}

/* Reads until `wanted` bytes are in the window: 1 when they are, 0 when the input ends first, -1
   on a read error. */
static int ensure(sigflow_gz_state *state, size_t wanted) {
    while (state->zs.avail_in < wanted) {
        if (state->input_ended) return 0;
        memmove(state->input, state->zs.next_in, state->zs.avail_in);
        state->zs.next_in = state->input;
        ssize_t count;
        do {
            count = read(state->descriptor, state->input + state->zs.avail_in,
                         SIGFLOW_GZ_INPUT_SIZE - state->zs.avail_in);
        } while (count < 0 && errno == EINTR);
        if (count < 0) {
            fail(state, SIGFLOW_GZ_READ_ERROR, state->bytes_read, strerror(errno));
            return -1;
        }
        if (count == 0) {
            state->input_ended = 1;
            return 0;
        }
        state->zs.avail_in += (uInt)count;
        __atomic_fetch_add(&state->bytes_read, (unsigned long long)count, __ATOMIC_RELAXED);
    }
    return 1;
}

static int at_gzip_magic(const sigflow_gz_state *state) {
    return state->zs.avail_in >= 2 && state->zs.next_in[0] == 0x1f && state->zs.next_in[1] == 0x8b;
}

/* Inflates into `buffer` until it is full, the data ends or a member is damaged. */
static size_t inflate_into(sigflow_gz_state *state, unsigned char *buffer, size_t size) {
    state->zs.next_out = buffer;
    state->zs.avail_out = (uInt)size;
    while (state->zs.avail_out > 0 && state->mode == MODE_GZIP) {
        int available = ensure(state, 1);
        if (available < 0) break;
        if (available == 0) {
            fail(state, SIGFLOW_GZ_TRUNCATED, state->bytes_read, "the compressed data ends early");
            break;
        }
        uInt inputBefore = state->zs.avail_in, outputBefore = state->zs.avail_out;
        int status = inflate(&state->zs, Z_NO_FLUSH);
        unsigned long long consumed = state->bytes_read - state->zs.avail_in;
        if (status == Z_STREAM_END) {
            /* Another member follows (gzip -d reads them all); anything else after is ignored. */
            if (ensure(state, 2) >= 0 && at_gzip_magic(state)) {
                inflateReset(&state->zs);
            } else if (state->mode == MODE_GZIP) {
                state->mode = MODE_DONE;
            }
        } else if (status == Z_MEM_ERROR) {
            fail(state, SIGFLOW_GZ_CORRUPT, consumed, "out of memory");
        } else if ((status != Z_OK && status != Z_BUF_ERROR) ||
                   (state->zs.avail_in == inputBefore && state->zs.avail_out == outputBefore)) {
            fail(state, SIGFLOW_GZ_CORRUPT, consumed, state->zs.msg ? state->zs.msg : "invalid compressed data");
        }
    }
    return size - state->zs.avail_out;
}

static ssize_t sigflow_gz_read(void *cookie, char *buffer, size_t size) {
    sigflow_gz_state *state = cookie;
    if (size > INT_MAX) size = INT_MAX;
    if (state->peeked_position < state->peeked_length) {
        size_t count = state->peeked_length - state->peeked_position;
        if (count > size) count = size;
        memcpy(buffer, state->peeked + state->peeked_position, count);
        state->peeked_position += count;
        return (ssize_t)count;
    }
    for (;;) {
        switch (state->mode) {
        case MODE_DETECT: {
            int available = ensure(state, 2);
            if (available < 0) break;
            if (available > 0 && at_gzip_magic(state)) {
                if (inflateInit2(&state->zs, 16 + MAX_WBITS) != Z_OK) {
                    fail(state, SIGFLOW_GZ_CORRUPT, 0, "out of memory");
                    break;
                }
                state->inflating = 1;
                state->mode = MODE_GZIP;
            } else {
                state->mode = MODE_COPY;
            }
            continue;
        }
        case MODE_COPY: {
            int available = ensure(state, 1);
            if (available < 0) break;
            if (available == 0) {
                state->mode = MODE_DONE;
                return 0;
            }
            size_t count = size < state->zs.avail_in ? size : state->zs.avail_in;
            memcpy(buffer, state->zs.next_in, count);
            state->zs.next_in += count;
            state->zs.avail_in -= (uInt)count;
            return (ssize_t)count;
        }
        case MODE_GZIP: {
            size_t produced = inflate_into(state, (unsigned char *)buffer, size);
            /* What was decoded before a damage is delivered; the failure shows on the next read. */
            if (produced > 0) return (ssize_t)produced;
            continue;
        }
        case MODE_DONE:
            return 0;
        case MODE_FAILED:
            break;
        }
        /* Failed: a cut-short stream simply ends (libpcap reports the partial record); damage and read
           errors fail the read, and the caller asks the state what happened. */
        if (state->failure == SIGFLOW_GZ_TRUNCATED) return 0;
        errno = EIO;
        return -1;
    }
}

static int sigflow_gz_close(void *cookie) {
    sigflow_gz_state *state = cookie;
    if (state->inflating) inflateEnd(&state->zs);
    int status = close(state->descriptor);
    free(state->input);
    free(state);
    return status == 0 ? 0 : EOF;
}

FILE *sigflow_gz_open(int descriptor, const unsigned char *prefix, size_t prefix_length, sigflow_gz_state **out) {
    sigflow_gz_state *state = calloc(1, sizeof *state);
    unsigned char *input = malloc(SIGFLOW_GZ_INPUT_SIZE);
    if (state == NULL || input == NULL || prefix_length > SIGFLOW_GZ_INPUT_SIZE) {
        free(state);
        free(input);
        close(descriptor);
        return NULL;
    }
    state->descriptor = descriptor;
    state->mode = MODE_DETECT;
    state->input = input;
    if (prefix_length > 0) memcpy(input, prefix, prefix_length);
    state->zs.next_in = input;
    state->zs.avail_in = (uInt)prefix_length;
    state->bytes_read = prefix_length;
    cookie_io_functions_t functions = {sigflow_gz_read, NULL, NULL, sigflow_gz_close};
    FILE *file = fopencookie(state, "r", functions);
    if (file == NULL) {
        sigflow_gz_close(state);
        return NULL;
    }
    *out = state;
    return file;
}

ssize_t sigflow_gz_peek(sigflow_gz_state *state, unsigned char *buffer, size_t size) {
    if (size > SIGFLOW_GZ_PEEK_MAX) size = SIGFLOW_GZ_PEEK_MAX;
    size_t count = 0;
    while (count < size) {
        ssize_t read = sigflow_gz_read(state, (char *)state->peeked + count, size - count);
        if (read <= 0) {
            if (read < 0 && count == 0) return -1;
            break;
        }
        count += (size_t)read;
    }
    /* Bytes decoded before a failure are given again too; the failure shows on the read after. */
    state->peeked_length = count;
    state->peeked_position = 0;
    memcpy(buffer, state->peeked, count);
    return (ssize_t)count;
}

unsigned long long sigflow_gz_bytes_read(const sigflow_gz_state *state) {
    return __atomic_load_n(&state->bytes_read, __ATOMIC_RELAXED);
}

int sigflow_gz_is_compressed(const sigflow_gz_state *state) { return state->inflating; }

unsigned long long sigflow_gz_bytes_consumed(const sigflow_gz_state *state) {
    return state->bytes_read - state->zs.avail_in;
}

int sigflow_gz_failure(const sigflow_gz_state *state) { return state->failure; }

unsigned long long sigflow_gz_failure_offset(const sigflow_gz_state *state) { return state->failure_offset; }

const char *sigflow_gz_failure_detail(const sigflow_gz_state *state) { return state->detail; }
