import SigflowCore
import SigflowFraming

/// Which end of an XMPP connection wrote some bytes.
enum XMPPSide: Int, Sendable {
    /// The client (or, between servers, the initiating server).
    case initiator = 0
    /// The server that accepted the connection.
    case receiver = 1
}

/// What one client-to-server (or server-to-server) connection has told so far: whose it is, which
/// namespaces its stream headers declared, and whether the decoder saw it whole.
final class XMPPConnection {
    /// The endpoints, with `client` the XMPP client whatever the TCP handshake said.
    let client: Endpoint
    let server: Endpoint
    /// `tcp`, `tls`, `ws` or `wss`.
    let transport: MessageTransport
    /// The bound full JID of the client (from the bind result, or the `to` of stanzas delivered to it).
    var jid: String?
    /// The server's domain, from its stream header.
    var serverDomain: String?
    /// The client's software, from its entity capabilities node (XEP-0115).
    var agent: String?
    /// A server-to-server stream (`jabber:server`): stanzas hop between servers, not devices.
    var isServerToServer = false
    /// Namespaces declared by each side's latest stream header.
    var scopes: [XMLNamespaceScope?] = [nil, nil]
    /// The client's stream header was seen: the decoder follows the connection from its start.
    var sawStreamStart = false
    /// Bytes were lost (or the connection was picked up mid-way) at some point.
    var hadGap = false
    /// The client caught up on history (MAM query or archive results) or resumed a stream (XEP-0198):
    /// stanzas may have reached it outside what the capture shows as live traffic.
    var caughtUp = false
    var starttlsRequested = false
    /// The server answered STARTTLS with `<proceed/>`: TLS follows on this connection.
    var proceededToTLS = false
    var encrypted = false

    /// The framing layer's client (the first sender) is the XMPP server: picked up mid-way.
    let swapped: Bool

    init(client: Endpoint, server: Endpoint, transport: MessageTransport, swapped: Bool = false) {
        self.client = client
        self.server = server
        self.transport = transport
        self.swapped = swapped
    }

    /// The connection's endpoints as an XMPP client and server, from a TCP stream: the side on an
    /// XMPP port is the server, whichever side sent the first packet.
    convenience init(stream: StreamInfo, transport: MessageTransport) {
        let swapped =
            XMPPConnection.serverPorts.contains(stream.client.port)
            && !XMPPConnection.serverPorts.contains(stream.server.port)
        self.init(
            client: swapped ? stream.server : stream.client, server: swapped ? stream.client : stream.server,
            transport: transport, swapped: swapped)
    }

    /// The same connection as a fresh stream inside the TLS that STARTTLS began.
    func restartedOverTLS() -> XMPPConnection {
        XMPPConnection(client: client, server: server, transport: .tls, swapped: swapped)
    }

    /// The TCP connection as the framing layer sees it (its client the first sender).
    var stream: StreamInfo {
        StreamInfo(client: swapped ? server : client, server: swapped ? client : server)
    }

    /// Client-to-server (5222, direct TLS 5223) and server-to-server (5269, 5270) ports.
    static let serverPorts: Set<UInt16> = [5222, 5223, 5269, 5270]

    /// Which XMPP side wrote bytes travelling in this direction of the TCP stream.
    func side(of direction: StreamDirection) -> XMPPSide {
        (direction == .fromClient) != swapped ? .initiator : .receiver
    }

    /// The lifeline of the server end.
    var serverParty: Party {
        Party(
            name: "xmpp server \(server)", endpoint: server, isServer: true,
            agent: "XMPP server" + (serverDomain.map { " " + $0 } ?? ""))
    }

    /// A lifeline for the client end when its JID is not known.
    var anonymousClientKey: String { "xmpp client \(client)" }

    /// The lifeline of a device: its full JID, on this connection's endpoint when it is this
    /// connection's client.
    func party(for jid: String) -> Party {
        let own = jid == self.jid || (self.jid == nil && jid == anonymousClientKey)
        return Party(
            name: jid, endpoint: own ? client : nil, user: JID.resource(jid) == nil ? nil : JID.bare(jid),
            device: JID.resource(jid), agent: own ? agent : nil)
    }

    /// Followed from the stream header with no bytes lost: a stanza sent to this client would be here.
    var seenWhole: Bool { sawStreamStart && !hadGap }
}
