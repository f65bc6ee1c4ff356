#!/usr/bin/env python3
"""Records what tshark finds in every capture of this folder: each SIP message's frame, Call-ID and
label (the method of a request, the status code of a response), in frame order, into truth.json,
which Tests/SigflowPipelineTests/EncapsulationLabTests.swift compares sigflow against. tshark 4.0
has no HEP dissector: hep.pcap is left out, and the tests compare it with hep-wire.pcap, the same
calls captured on the wire. TLS on 5061 is decoded with the key log the file carries.

usage: truth.py   (made with TShark 4.0.17, Debian 12; the version is recorded in the file)
"""
import glob
import json
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
truth = {"generator": "captures/lab/encap/truth.py",
         "tshark_version": subprocess.run(["tshark", "--version"], capture_output=True, text=True).stdout.splitlines()[0],
         "captures": {}}
for path in sorted(glob.glob(os.path.join(HERE, "*.pcap")) + glob.glob(os.path.join(HERE, "*.pcapng"))):
    name = os.path.basename(path)
    command = ["tshark", "-n", "-r", path, "-Y", "sip", "-T", "fields", "-E", "separator=\t",
               "-e", "frame.number", "-e", "sip.Call-ID", "-e", "sip.Method", "-e", "sip.Status-Code"]
    if name == "hep.pcap":
        continue
    if name == "secrets-dsb.pcapng":
        command[1:1] = ["-d", "tcp.port==5061,tls"]
    lines = subprocess.run(command, capture_output=True, text=True, check=True).stdout.splitlines()
    messages = []
    for line in lines:
        frame, call_id, method, status = (line.split("\t") + ["", "", "", ""])[:4]
        messages.append({"frame": int(frame), "call_id": call_id, "label": method or status})
    truth["captures"][name] = messages
with open(os.path.join(HERE, "truth.json"), "w") as out:
    json.dump(truth, out, indent=1)
    out.write("\n")
