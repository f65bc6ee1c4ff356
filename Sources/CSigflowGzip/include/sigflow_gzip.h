#ifndef SIGFLOW_GZIP_H
#define SIGFLOW_GZIP_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* What a gzip stream's reader knows about its input, shared between the thread that reads the
   stream and any thread asking how far it got. Owned by the stream: valid until it is closed. */
typedef struct sigflow_gz_state sigflow_gz_state;

/* Why a stream stopped before the end of its data. */
enum {
    SIGFLOW_GZ_OK = 0,
    /* zlib found damaged compressed data (a bad code, a wrong check value). */
    SIGFLOW_GZ_CORRUPT = 1,
    /* The input ended inside a gzip member: the file was cut short. */
    SIGFLOW_GZ_TRUNCATED = 2,
    /* Reading the descriptor failed. */
    SIGFLOW_GZ_READ_ERROR = 3,
};

/* A FILE* that yields the decompressed bytes of a gzip stream (members one after another, as gzip
   -d does), or the bytes themselves when they are not gzip, so libpcap can read compressed captures
   without the whole capture in memory. The stream reads `descriptor` and closes it when closed;
   `prefix` (copied) holds bytes already read from the descriptor, which come first. The bytes
   decoded before a damage are delivered, then the read fails and `*state` says where and why.
   NULL when memory is short (the descriptor is then closed). */
FILE *sigflow_gz_open(int descriptor, const unsigned char *prefix, size_t prefix_length, sigflow_gz_state **state);

/* The most bytes sigflow_gz_peek gives. */
#define SIGFLOW_GZ_PEEK_MAX 16

/* The first `size` bytes of the stream (at most SIGFLOW_GZ_PEEK_MAX; fewer when it is shorter or
   fails early), which its first reads then give again: a stream that cannot be reopened (standard
   input, zlib's output) tells its format this way, and the capture reader still reads it from the
   start. Call once, before anything reads the stream. The count, or -1 when the first read failed
   (`*state` says why). */
ssize_t sigflow_gz_peek(sigflow_gz_state *state, unsigned char *buffer, size_t size);

/* Bytes taken from the input so far (compressed bytes for gzip), prefix included. Any thread. */
unsigned long long sigflow_gz_bytes_read(const sigflow_gz_state *state);

/* 1 when the input is gzip (inflated), 0 when its bytes are passed on as they are. */
int sigflow_gz_is_compressed(const sigflow_gz_state *state);

/* Input bytes inflated so far (those read but still waiting in the buffer not counted). Ask on the
   reading thread. */
unsigned long long sigflow_gz_bytes_consumed(const sigflow_gz_state *state);

/* SIGFLOW_GZ_OK, or why the stream stopped early. Ask on the reading thread, after a read failed or
   the stream ended. */
int sigflow_gz_failure(const sigflow_gz_state *state);

/* The input offset at which the damage was found (the byte zlib stopped at), or where the input
   ended for a truncated stream. */
unsigned long long sigflow_gz_failure_offset(const sigflow_gz_state *state);

/* zlib's or the system's words for the failure ("invalid distance too far back"); "" when none. */
const char *sigflow_gz_failure_detail(const sigflow_gz_state *state);

#endif
