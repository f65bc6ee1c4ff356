#!/usr/bin/env python3
"""Sends one direction of a G.711 (PCMU) RTP stream, as a phone does during a call: 160-byte payloads
every 20 ms from the device's media port to the address the other side's SDP gave. Started by sipp
(<exec command=...>) at the point of the scenario where the device starts its media, detached, so
it can outlive what the signaling says (the S18 captures).

usage: rtp.py --bind IP:PORT --to IP:PORT --seconds S --done FILE
Writes FILE when the last packet is sent, so make.sh can wait for the stream before the capture ends.
"""
import argparse
import socket
import struct
import time


def endpoint(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bind", type=endpoint, required=True)
    parser.add_argument("--to", type=endpoint, required=True)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--done", required=True)
    args = parser.parse_args()
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(args.bind)
    # deterministic SSRC and sequence start per sending port, so regenerated captures compare
    ssrc = 0x51F10000 | args.bind[1]
    count = int(args.seconds / 0.02)
    start = time.monotonic()
    for index in range(count):
        header = struct.pack("!BBHII", 0x80, 0, index & 0xFFFF, (index * 160) & 0xFFFFFFFF, ssrc)
        sock.sendto(header + b"\xff" * 160, args.to)
        delay = start + (index + 1) * 0.02 - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    with open(args.done, "w") as f:
        f.write(f"{count}\n")


if __name__ == "__main__":
    main()
