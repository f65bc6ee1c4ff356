/* The floor for sigflow's speed: read every packet of a capture with libpcap and do nothing else
   (a byte sum keeps the compiler from skipping the reads). Built and run by scripts/bench. */
#include <pcap/pcap.h>
#include <stdio.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: pcaploop FILE\n");
        return 2;
    }
    char error[PCAP_ERRBUF_SIZE];
    pcap_t *handle = pcap_open_offline(argv[1], error);
    if (handle == NULL) {
        fprintf(stderr, "pcaploop: %s\n", error);
        return 2;
    }
    struct pcap_pkthdr *header;
    const u_char *data;
    unsigned long packets = 0, bytes = 0, sum = 0;
    while (pcap_next_ex(handle, &header, &data) == 1) {
        packets++;
        bytes += header->caplen;
        sum += data[header->caplen / 2];
    }
    printf("%lu packets %lu bytes %lu\n", packets, bytes, sum);
    pcap_close(handle);
    return 0;
}
