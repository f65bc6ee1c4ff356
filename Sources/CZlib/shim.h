#ifndef SIGFLOW_CZLIB_SHIM_H
#define SIGFLOW_CZLIB_SHIM_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <unistd.h>
#include <zlib.h>

/* A FILE* that yields the decompressed bytes of a gzip stream (or the bytes themselves when the
   stream is not gzip: zlib's transparent mode), so libpcap can read compressed captures without the
   whole capture in memory. fopencookie is a glibc extension, reachable only with _GNU_SOURCE, hence C. */

static ssize_t sigflow_gz_read(void *cookie, char *buffer, size_t size) {
    int count = gzread((gzFile)cookie, buffer, size > 0x7fffffff ? 0x7fffffff : (unsigned)size);
    return count < 0 ? -1 : count;
}

static int sigflow_gz_close(void *cookie) {
    return gzclose((gzFile)cookie) == Z_OK ? 0 : EOF;
}

static inline FILE *sigflow_gz_wrap(gzFile gz) {
    if (gz == NULL) return NULL;
    gzbuffer(gz, 1 << 18);
    cookie_io_functions_t functions = {sigflow_gz_read, NULL, NULL, sigflow_gz_close};
    FILE *file = fopencookie(gz, "r", functions);
    if (file == NULL) gzclose(gz);
    return file;
}

static inline FILE *sigflow_gz_open(const char *path) { return sigflow_gz_wrap(gzopen(path, "rb")); }

/* Reads a duplicate of the descriptor so closing the stream leaves the process's descriptor open. */
static inline FILE *sigflow_gz_open_descriptor(int descriptor) {
    int copy = dup(descriptor);
    if (copy < 0) return NULL;
    gzFile gz = gzdopen(copy, "rb");
    if (gz == NULL) close(copy);
    return sigflow_gz_wrap(gz);
}

#endif
