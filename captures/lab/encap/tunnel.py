#!/usr/bin/env python3
"""A userspace tunnel endpoint: reads IP packets from a TUN device and sends them to the peer inside
KIND's encapsulation, and writes what the peer sends back into the TUN device. This machine's
kernel has no GRE, VXLAN, IP-in-IP or PPP drivers, so make.sh runs one of these in each network
namespace to carry real sipp calls; tshark checks every header it writes (truth.py).

usage: tunnel.py KIND TUN LOCAL REMOTE DEVICE
  KIND: gre | ipip | vxlan | gtpu | erspan2 | erspan3 | mpls | pppoe
  LOCAL, REMOTE: underlay IPv4 addresses; DEVICE: the underlay interface (for mpls and pppoe,
  which travel in Ethernet frames of their own EtherType).
"""
import fcntl
import os
import select
import socket
import struct
import sys

KIND, TUN, LOCAL, REMOTE, DEVICE = sys.argv[1:6]
TUNSETIFF, IFF_TUN, IFF_NO_PI = 0x400454CA, 0x0001, 0x1000
tun = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(tun, TUNSETIFF, struct.pack("16sH", TUN.encode(), IFF_TUN | IFF_NO_PI))

# Inner Ethernet headers (and the frames of mpls and pppoe) go from this side's made-up MAC to the
# peer's: 02:00:00:00:0a:<last byte of the underlay address>.
MY_MAC = bytes.fromhex("020000000a") + bytes([int(LOCAL.split(".")[-1])])
PEER_MAC = bytes.fromhex("020000000a") + bytes([int(REMOTE.split(".")[-1])])
sequence = 0


def ethernet(ethertype, payload):
    return PEER_MAC + MY_MAC + struct.pack("!H", ethertype) + payload


def encapsulate(packet):
    global sequence
    sequence += 1
    if KIND == "gre":  # RFC 2890: key 42, IPv4
        return struct.pack("!HHI", 0x2000, 0x0800, 42) + packet
    if KIND == "ipip":
        return packet
    if KIND == "vxlan":  # RFC 7348: I flag, VNI 42, then an Ethernet frame
        return struct.pack("!II", 0x08000000, 42 << 8) + ethernet(0x0800, packet)
    if KIND == "gtpu":  # G-PDU with the next-extension flag and a PDU session container (0x85)
        extension = bytes([1, 0x00, 0x09, 0x00])  # length 1 (4 bytes): PDU type 0, QFI 9, no next
        body = struct.pack("!HBB", sequence & 0xFFFF, 0, 0x85) + extension + packet
        return struct.pack("!BBHI", 0x34, 255, len(body), 0x1234ABCD) + body
    if KIND == "erspan2":  # GRE with sequence, ERSPAN type II header (version 1, session 123)
        header = struct.pack("!HHI", 0x1000 | 0, 0x88BE, sequence)
        erspan = struct.pack("!HHI", (1 << 12) | 0, 123, 0)
        return header + erspan + ethernet(0x0800, packet)
    if KIND == "erspan3":  # GRE with sequence, ERSPAN type III (version 2, session 321, frame type 0)
        header = struct.pack("!HHI", 0x1000, 0x22EB, sequence)
        erspan = struct.pack("!HHIHH", (2 << 12) | 0, 321, sequence * 1000, 0, 0)
        return header + erspan + ethernet(0x0800, packet)
    if KIND == "mpls":  # two labels (16 outer, 100 bottom of stack), then IPv4
        return ethernet(0x8847, struct.pack("!II", (16 << 12) | 64, (100 << 12) | 0x100 | 64) + packet)
    if KIND == "pppoe":  # session stage, session 0x0011, PPP protocol 0x0021 (IPv4)
        ppp = struct.pack("!H", 0x0021) + packet
        return ethernet(0x8864, struct.pack("!BBHH", 0x11, 0, 0x0011, len(ppp)) + ppp)
    raise SystemExit(f"unknown kind {KIND}")


def decapsulate(data):
    """The inner IP packet of what the socket received, or None."""
    if KIND in ("gre", "ipip", "erspan2", "erspan3"):
        data = data[(data[0] & 0x0F) * 4 :]  # raw sockets hand over the outer IP header
        if KIND == "ipip":
            return data
        flags, proto = struct.unpack("!HH", data[:4])
        length = 4 + (4 if flags & 0x8000 else 0) + (4 if flags & 0x2000 else 0) + (4 if flags & 0x1000 else 0)
        data = data[length:]
        if proto == 0x88BE:
            return data[8 + 14 :]
        if proto == 0x22EB:
            return data[12 + 14 :]
        return data
    if KIND == "vxlan":
        return data[8 + 14 :]
    if KIND == "gtpu":
        return data[16:]
    if KIND in ("mpls", "pppoe"):
        # A packet socket also sees the frames this side sends: take only the peer's.
        return data[14 + 8 :] if data[6:12] == PEER_MAC else None


if KIND in ("mpls", "pppoe"):
    ethertype = 0x8847 if KIND == "mpls" else 0x8864
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ethertype))
    sock.bind((DEVICE, ethertype))
    send = lambda frame: sock.send(frame)
elif KIND in ("vxlan", "gtpu"):
    port = 4789 if KIND == "vxlan" else 2152
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((LOCAL, port))
    send = lambda payload: sock.sendto(payload, (REMOTE, port))
else:
    proto = 4 if KIND == "ipip" else 47
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, proto)
    sock.bind((LOCAL, 0))
    send = lambda payload: sock.sendto(payload, (REMOTE, 0))

while True:
    ready, _, _ = select.select([tun, sock], [], [])
    if tun in ready:
        send(encapsulate(os.read(tun, 65535)))
    if sock in ready:
        inner = decapsulate(sock.recv(65535))
        if inner:
            os.write(tun, inner)
