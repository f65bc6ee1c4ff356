#ifndef SIGFLOW_PREFIXED_H
#define SIGFLOW_PREFIXED_H

#include <stddef.h>
#include <stdio.h>

/* A FILE* that yields `count` bytes of `prefix` (copied), then the rest of `rest`: puts back the
   bytes read from a stream that cannot be reopened (standard input) to tell its format, so libpcap
   reads it from the start. Closing it closes `rest`. NULL (and `rest` left open) on failure. */
FILE *sigflow_prefixed(FILE *rest, const unsigned char *prefix, size_t count);

#endif
