#ifndef SIGFLOW_CPCAP_SHIM_H
#define SIGFLOW_CPCAP_SHIM_H
#include <pcap/pcap.h>
/* __fsetlocking: capture streams are read by one thread and need no stdio locks. */
#if __has_include(<stdio_ext.h>)
#include <stdio_ext.h>
#endif
#endif
