#!/usr/bin/env python3
"""The Matrix lab's scenarios (../matrix/scenarios.py: same devices, events and call ids) with the
captured part, `run NAME`, over HTTPS: the nio clients talk to tls_proxy.py on 127.0.0.1:8448,
which relays to Synapse's HTTP listener on 8008. aiohttp's default SSL context honours
SSLKEYLOGFILE (the key log) and SSL_CERT_FILE (the lab certificate). The other subcommands
(register, prepare, finish) stay on plain HTTP, outside the capture.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "matrix"))
import scenarios as lab  # noqa: E402

if __name__ == "__main__":
    if sys.argv[1:2] == ["run"]:
        lab.HS = "https://127.0.0.1:8448"
    lab.main()
