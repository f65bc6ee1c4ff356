/* fopencookie is a glibc extension, only declared with _GNU_SOURCE: kept in its own translation
   unit so no Swift module sees the feature macro. */
#define _GNU_SOURCE
#include "sigflow_gzip.h"

#include <unistd.h>
#include <zlib.h>

static ssize_t sigflow_gz_read(void *cookie, char *buffer, size_t size) {
    int count = gzread((gzFile)cookie, buffer, size > 0x7fffffff ? 0x7fffffff : (unsigned)size);
    return count < 0 ? -1 : count;
}

static int sigflow_gz_close(void *cookie) {
    return gzclose((gzFile)cookie) == Z_OK ? 0 : EOF;
}

static FILE *sigflow_gz_wrap(gzFile gz) {
    if (gz == NULL) return NULL;
    gzbuffer(gz, 1 << 18);
    cookie_io_functions_t functions = {sigflow_gz_read, NULL, NULL, sigflow_gz_close};
    FILE *file = fopencookie(gz, "r", functions);
    if (file == NULL) gzclose(gz);
    return file;
}

FILE *sigflow_gz_open(const char *path) { return sigflow_gz_wrap(gzopen(path, "rb")); }

FILE *sigflow_gz_open_descriptor(int descriptor) {
    int copy = dup(descriptor);
    if (copy < 0) return NULL;
    gzFile gz = gzdopen(copy, "rb");
    if (gz == NULL) close(copy);
    return sigflow_gz_wrap(gz);
}
