"""Media helpers shared by the XMPP and Matrix lab scenarios: RTP between the ICE candidates the
devices announced (sent by sip/rtp.py, the sender the SIP lab uses), and the UDP streams tshark sees
in a capture, for the expect files."""
import os
import subprocess
import sys

RTP_SENDER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sip", "rtp.py")


def rtp_stream(port, to_port, seconds, state):
    """One direction of PCMU RTP from a device's announced candidate to the peer's, started now;
    the returned process ends after its last packet."""
    done = os.path.join(state, f"rtp-{port}.done")
    return subprocess.Popen([sys.executable, RTP_SENDER, "--bind", f"127.0.0.1:{port}", "--to",
                             f"127.0.0.1:{to_port}", "--seconds", str(seconds), "--done", done])


def udp_streams(pcap):
    """The UDP (RTP) streams on the wire, per sender and receiver: first and last frame, packets."""
    out = subprocess.run(["tshark", "-r", pcap, "-n", "-Y", "udp", "-T", "fields", "-E", "separator=\t",
                          "-e", "frame.number", "-e", "ip.src", "-e", "udp.srcport", "-e", "ip.dst", "-e",
                          "udp.dstport"], check=True, capture_output=True, text=True).stdout
    streams = {}
    for line in out.splitlines():
        frame, src, sport, dst, dport = line.split("\t")
        key = (f"{src}:{sport}", f"{dst}:{dport}")
        entry = streams.setdefault(key, {"src": key[0], "dst": key[1], "first_frame": int(frame), "packets": 0})
        entry["last_frame"] = int(frame)
        entry["packets"] += 1
    return list(streams.values())
