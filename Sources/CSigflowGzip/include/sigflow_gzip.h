#ifndef SIGFLOW_GZIP_H
#define SIGFLOW_GZIP_H

#include <stdio.h>

/* A FILE* that yields the decompressed bytes of a gzip stream, or the bytes themselves when the
   stream is not gzip (zlib's transparent mode), so libpcap can read compressed captures without the
   whole capture in memory. NULL when the file cannot be opened. */
FILE *sigflow_gz_open(const char *path);

/* The same for an open descriptor (standard input). A duplicate of the descriptor is read, so
   closing the stream leaves the caller's descriptor open. */
FILE *sigflow_gz_open_descriptor(int descriptor);

#endif
