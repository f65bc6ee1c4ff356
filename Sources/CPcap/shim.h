#ifndef SIGFLOW_CPCAP_SHIM_H
#define SIGFLOW_CPCAP_SHIM_H
#include <pcap/pcap.h>
#endif
