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
            VoIP, XMPP Jingle) and groups every message into calls.

            Exit status: 0 success; 1 a check found a problem at or above --fail-on (check only); \
            2 an input could not be read (not a capture, unreadable, corrupt) or an output could not be \
            written; 64 a usage error \
            (unknown option, missing argument).
            """,
        version: SigflowVersion.current,
        subcommands: [Calls.self, Flow.self, Report.self, Check.self, Flows.self]
    )
}
