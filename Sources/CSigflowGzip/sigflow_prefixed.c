/* fopencookie is a glibc extension, only declared with _GNU_SOURCE (see sigflow_gzip.c). */
#define _GNU_SOURCE
#include "sigflow_prefixed.h"

#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

struct sigflow_prefixed_cookie {
    FILE *rest;
    size_t count;
    size_t position;
    unsigned char prefix[];
};

static ssize_t sigflow_prefixed_read(void *opaque, char *buffer, size_t size) {
    struct sigflow_prefixed_cookie *cookie = opaque;
    if (cookie->position < cookie->count) {
        size_t left = cookie->count - cookie->position;
        size_t take = left < size ? left : size;
        memcpy(buffer, cookie->prefix + cookie->position, take);
        cookie->position += take;
        return (ssize_t)take;
    }
    size_t read = fread(buffer, 1, size, cookie->rest);
    return read == 0 && ferror(cookie->rest) ? -1 : (ssize_t)read;
}

static int sigflow_prefixed_close(void *opaque) {
    struct sigflow_prefixed_cookie *cookie = opaque;
    int status = fclose(cookie->rest);
    free(cookie);
    return status;
}

FILE *sigflow_prefixed(FILE *rest, const unsigned char *prefix, size_t count) {
    struct sigflow_prefixed_cookie *cookie = malloc(sizeof *cookie + count);
    if (cookie == NULL) return NULL;
    cookie->rest = rest;
    cookie->count = count;
    cookie->position = 0;
    memcpy(cookie->prefix, prefix, count);
    cookie_io_functions_t functions = {sigflow_prefixed_read, NULL, NULL, sigflow_prefixed_close};
    FILE *file = fopencookie(cookie, "r", functions);
    if (file == NULL) free(cookie);
    return file;
}
