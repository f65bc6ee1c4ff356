#!/usr/bin/env python3
"""The XMPP lab's scenarios (../xmpp/scenarios.py, same devices, same stanzas, same ids) over TLS:
XMPP_TLS_MODE=starttls logs in on 5222 with STARTTLS, XMPP_TLS_MODE=direct on 5223 with direct TLS
(XEP-0368). slixmpp's default SSL context honours SSLKEYLOGFILE (the key log) and SSL_CERT_FILE
(the lab certificate). Subcommands as scenarios.py's (setup, run NAME).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "xmpp"))
import scenarios as lab  # noqa: E402

MODE = os.environ["XMPP_TLS_MODE"]
_plain_init = lab.Device.__init__


def _tls_init(self, *args, **kwargs):
    _plain_init(self, *args, **kwargs)
    self.enable_plaintext = False
    self.enable_starttls = MODE == "starttls"
    self.enable_direct_tls = MODE == "direct"


lab.Device.__init__ = _tls_init
if MODE == "direct":
    lab.PORT = 5223

if __name__ == "__main__":
    lab.main()
