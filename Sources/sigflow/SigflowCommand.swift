import ArgumentParser
import SigflowRender

@main
struct SigflowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sigflow",
        abstract: "Turn captures of call signaling into call flows, diagrams and checks.",
        discussion: """
            sigflow reads pcap and pcapng captures (several at once, gzip-compressed, standard input as -, \
            or live interfaces) and WhatsApp client logs, reassembles the signaling streams (SIP, Matrix \
            VoIP, XMPP Jingle) and groups every message into calls. With --keylog it decrypts TLS 1.2 and \
            1.3 (SIP over TLS and secure WebSocket, Matrix over HTTPS, XMPP with STARTTLS or direct TLS) and \
            says which TLS connections it could not read.

            A pcapng may mix interfaces of different link types. Tunnels are opened down to the inner \
            packet (IP-in-IP, GRE and PPTP, GTP-U, VXLAN, PPP, PPPoE, MPLS, ERSPAN, Cisco HDLC, NFLOG), and \
            SIP that HEP agents (heplify, Kamailio/OpenSIPS siptrace) sent to a collector is decoded as \
            the agents saw it. Packets in a container sigflow cannot open are counted in one warning per \
            cause.

            Exit status: 0 success; 1 a check found a problem at or above --fail-on (check only); \
            2 an input or a key log could not be read (not a capture, unreadable, corrupt) or an output \
            could not be written; 64 a usage error \
            (unknown option, missing argument).
            """,
        version: SigflowVersion.current,
        subcommands: [Calls.self, Flow.self, Report.self, Check.self, Stats.self, Extract.self, Flows.self]
    )
}
