import SigflowCore
import SigflowFraming

/// Decodes XMPP calls (Jingle Message Initiation, Jingle, carbons) from client-to-server streams over
/// TCP and WebSocket, and hands `SignalingMessage`s to a sink.
///
/// Every stanza crosses two connections: the sender's (client to server, a *send*) and the
/// receiver's (server to client, a *delivery*), so each is a step of its own and the diagram routes
/// through the server. A device is a full JID (its lifeline), its user the bare JID. Carbon copies
/// (XEP-0280) and archive results (XEP-0313) are unwrapped and attributed to the inner sender: a
/// carbon is one more delivery of the original message, to one more device.
public final class XMPPDecoder {
    private let sink: any SignalingSink
    let limits: XMPPLimits
    /// Per call: its state, and what each of its stanzas means.
    /// What each call's stanzas meant; the oldest calls are forgotten beyond `maxTrackedCalls`.
    private var calls: BoundedDictionary<String, XMPPCallState>
    /// Jingle IQ-sets waiting for their answers, by requester full JID + IQ id.
    private var pending: BoundedDictionary<String, (callID: String, action: String)>
    private var webSockets: BoundedDictionary<FlowKey, XMPPConnection>
    /// Decrypts what follows STARTTLS; nil (or one without key logs) reports it encrypted.
    private let startTLS: (any StreamDecryptor)?

    public init(sink: any SignalingSink, limits: XMPPLimits = XMPPLimits(), startTLS: (any StreamDecryptor)? = nil) {
        self.sink = sink
        self.limits = limits
        self.startTLS = startTLS
        self.calls = BoundedDictionary(capacity: limits.maxTrackedCalls)
        self.pending = BoundedDictionary(capacity: limits.maxPendingRequests)
        self.webSockets = BoundedDictionary(capacity: limits.maxWebSocketConnections)
    }

    /// A consumer for a TCP connection that carries XMPP; `synchronised` is false for a connection
    /// picked up mid-way (it resynchronises at the next stanza).
    public func streamConsumer(for stream: StreamInfo, synchronised: Bool) -> any StreamConsumer {
        streamConsumer(on: XMPPConnection(stream: stream, transport: stream.transportName), synchronised: synchronised)
    }

    func streamConsumer(on connection: XMPPConnection, synchronised: Bool) -> any StreamConsumer {
        if !synchronised { connection.hadGap = true }
        return FramedStreamConsumer(
            framer: XMPPStreamFramer(synchronised: synchronised, limits: limits),
            handler: XMPPStreamHandler(decoder: self, connection: connection))
    }

    /// One WebSocket message of an `xmpp` subprotocol connection (RFC 7395): exactly one element,
    /// `<open/>` and `<close/>` in place of the stream header and end.
    public func decodeWebSocketMessage(
        _ bytes: UnsafeRawBufferPointer, stream: StreamInfo, direction: StreamDirection, stamp: PacketStamp
    ) {
        decodeWebSocketMessage(
            Array(bytes), on: webSocketConnection(stream), side: direction == .fromClient ? .initiator : .receiver,
            stamp: stamp)
    }

    func decodeWebSocketMessage(_ bytes: [UInt8], on connection: XMPPConnection, side: XMPPSide, stamp: PacketStamp) {
        guard !connection.encrypted,
            let parsed = try? XMLStanzaParser.parse(bytes, scope: .client, limits: limits)
        else { return }
        let element = parsed.element
        if element.namespace == XMPPNamespace.framing && element.name == "open" {
            if side == .initiator { connection.sawStreamStart = true }
            if side == .receiver, let domain = element["from"] { connection.serverDomain = domain }
            return
        }
        if element.namespace == XMPPNamespace.framing && element.name == "close" { return }
        handle(element, on: connection, side: side, stamp: stamp)
        // WebSocket has no STARTTLS (RFC 7395 §3.6): a `<proceed/>` leaves the stream unreadable.
        if connection.proceededToTLS { encrypted(connection, how: "STARTTLS", stamp: stamp) }
    }

    private func webSocketConnection(_ stream: StreamInfo) -> XMPPConnection {
        if let known = webSockets[stream.key] { return known }
        let connection = XMPPConnection(
            client: stream.client, server: stream.server, transport: stream.webSocketTransportName)
        webSockets[stream.key] = connection
        return connection
    }

    // MARK: Stream events

    func handle(_ event: XMPPStreamFramer.Event, on connection: XMPPConnection, side: XMPPSide, stamp: PacketStamp) {
        switch event {
        case .streamHeader(let bytes):
            guard let header = XMLStanzaParser.parseStartTag(bytes, scope: XMLNamespaceScope()) else { return }
            let scope = XMLNamespaceScope().entering(header.attributes)
            connection.scopes[side.rawValue] = scope
            if scope.defaultNamespace == XMPPNamespace.server { connection.isServerToServer = true }
            if side == .initiator { connection.sawStreamStart = true }
            if side == .receiver, let domain = header["from"] { connection.serverDomain = domain }
        case .streamEnd:
            return
        case .element(let bytes):
            let scope = connection.scopes[side.rawValue] ?? .client
            guard let parsed = try? XMLStanzaParser.parse(bytes, scope: scope, limits: limits) else { return }
            handle(parsed.element, on: connection, side: side, stamp: stamp)
        case .skipped(let count, let reason):
            // Dropping the rest of a stanza after a gap or a mid-way start is expected; elsewhere it
            // means the stream is not what it claims.
            let expected = connection.hadGap || !connection.sawStreamStart
            report(
                Diagnostic(
                    expected ? .note : .warning, "xmpp_skipped",
                    "\(describe(connection, side)): \(count) bytes skipped (\(reason))", source: stamp.source))
        case .tls:
            encrypted(connection, how: "TLS records where XML was expected", stamp: stamp)
        }
    }

    /// The connection turned to TLS after `<proceed/>`: a decryption that hands the plaintext to a
    /// fresh stream on the same connection, or nil when there is none (no key log), and the stream
    /// is reported encrypted as before.
    func decryption(after connection: XMPPConnection, stamp: PacketStamp) -> (any StreamConsumer)? {
        let plaintext = streamConsumer(on: connection.restartedOverTLS(), synchronised: true)
        if let decryption = startTLS?.decrypting(connection.stream, into: plaintext) { return decryption }
        encrypted(connection, how: "STARTTLS", stamp: stamp)
        return nil
    }

    func gap(on connection: XMPPConnection) { connection.hadGap = true }

    private func encrypted(_ connection: XMPPConnection, how: String, stamp: PacketStamp) {
        guard !connection.encrypted else { return }
        connection.encrypted = true
        report(
            Diagnostic(
                .warning, "xmpp_encrypted",
                "\(connection.client) <-> \(connection.server): \(how): the rest of this XMPP stream is encrypted "
                    + "and not decoded; calls on it are not visible",
                source: stamp.source))
    }

    private func describe(_ connection: XMPPConnection, _ side: XMPPSide) -> String {
        side == .initiator
            ? "\(connection.client) -> \(connection.server)" : "\(connection.server) -> \(connection.client)"
    }

    func report(_ diagnostic: Diagnostic) { sink.report(diagnostic) }

    // MARK: Stanzas

    /// One top-level element of a stream: learns who the connection belongs to, notices STARTTLS and
    /// catch-up, and maps call stanzas.
    func handle(_ element: XMLElement, on connection: XMPPConnection, side: XMPPSide, stamp: PacketStamp) {
        switch (element.name, element.namespace) {
        case ("starttls", XMPPNamespace.tls):
            connection.starttlsRequested = true
            return
        case ("proceed", XMPPNamespace.tls):
            connection.proceededToTLS = true
            return
        case ("resumed", XMPPNamespace.streamManagement):
            connection.caughtUp = true
            return
        case ("iq", _), ("message", _), ("presence", _):
            break
        default:
            return
        }
        learn(from: element, on: connection, side: side)
        guard let stanza = XMPPCallStanza.interpret(element) else { return }
        if stanza.archived != nil { connection.caughtUp = true }
        emit(stanza, on: connection, side: side, stamp: stamp)
    }

    private func learn(from element: XMLElement, on connection: XMPPConnection, side: XMPPSide) {
        if side == .receiver {
            if connection.jid == nil || element["type"] == "result",
                let jid = element.child("bind", namespace: XMPPNamespace.bind)?.child("jid")?.text
            {
                let trimmed = jid.trimmingCharacters
                if !trimmed.isEmpty { connection.jid = trimmed }
            }
            if connection.jid == nil, !connection.isServerToServer, let to = element["to"], JID.isFull(to) {
                connection.jid = to
            }
        } else {
            if connection.jid == nil, !connection.isServerToServer, let from = element["from"], JID.isFull(from) {
                connection.jid = from
            }
            if element.name == "presence", let node = element.child("c", namespace: XMPPNamespace.caps)?["node"] {
                connection.agent = node
            }
            if element.name == "iq",
                element.children.contains(where: {
                    $0.name == "query" && XMPPNamespace.mam.contains($0.namespace ?? "")
                })
            {
                connection.caughtUp = true
            }
        }
    }

    private func emit(_ stanza: XMPPCallStanza, on connection: XMPPConnection, side: XMPPSide, stamp: PacketStamp) {
        let isSend = side == .initiator
        let receiverJID = connection.jid ?? stanza.carbon?.outerTo ?? stanza.to.flatMap { JID.isFull($0) ? $0 : nil }
        let receiverKey = receiverJID ?? connection.anonymousClientKey
        // A carbon is genuine only from the receiver's own account (XEP-0280 §11): anything else is a
        // spoofing attempt, attributed to whoever really sent it.
        var spoofed = false
        if let carbon = stanza.carbon {
            if isSend {
                spoofed = true
            } else if let outer = carbon.outerFrom, JID.bare(outer) != JID.bare(receiverKey) {
                spoofed = true
            }
        }
        let origin: String
        if isSend {
            origin = connection.jid ?? stanza.from ?? connection.anonymousClientKey
        } else if spoofed, let outer = stanza.carbon?.outerFrom {
            origin = outer
        } else {
            origin = stanza.from ?? stanza.carbon?.outerFrom ?? connection.serverDomain ?? "xmpp server"
        }

        // The call: the payload's id, or for an IQ answer the IQ-set it answers.
        let callID: String
        var answered: String?
        if stanza.payload == .answer {
            guard let id = stanza.id else { return }
            let requester = stanza.to ?? (isSend ? nil : receiverKey)
            guard let requester, let request = pending["\(requester)|\(id)"] else { return }
            callID = request.callID
            answered = request.action
        } else {
            guard let id = stanza.callID, !id.isEmpty else {
                report(
                    Diagnostic(
                        .warning, "xmpp_call_stanza_without_id",
                        "\(describe(connection, side)): <\(stanza.element)> without an id/sid ignored",
                        source: stamp.source))
                return
            }
            callID = id
            if stanza.payload == .jingle, let iqID = stanza.id {
                remember(requester: origin, iqID: iqID, callID: callID, action: stanza.element)
            }
        }

        let stanzaKey =
            "\(stanza.stanzaName)|\(stanza.type ?? "")|\(stanza.id ?? "#" + Self.hash(stanza.carrier.canonicalText(ignoring: ["from", "xml:lang"])))|\(stanza.element)"
        let logicalKey = "\(origin)|\(stanzaKey)" + (spoofed ? "|spoofed" : "")
        var state = callState(callID)
        var meaning: XMPPMeaning
        if let known = state.meanings[logicalKey] {
            meaning = known
        } else {
            meaning = state.meaning(of: stanza, origin: origin, answering: answered)
            if spoofed {
                meaning = XMPPMeaning(kind: .other, label: meaning.label + " (spoofed carbon)")
            }
            state.meanings[logicalKey] = meaning
        }
        let describeContent = state.described.insert(logicalKey).inserted
        calls[callID] = state

        let sender: Party
        let receiver: Party
        let identity: String
        let hop: XMPPDetail.Hop
        let via = stanza.carbon.map { "carbon-\($0.direction)" } ?? (stanza.archived != nil ? "archive" : "direct")
        if connection.isServerToServer {
            let (from, to) = isSend ? (connection.client, connection.server) : (connection.server, connection.client)
            sender = Party(name: "xmpp server \(from)", endpoint: from, isServer: true, agent: "XMPP server")
            receiver = Party(name: "xmpp server \(to)", endpoint: to, isServer: true, agent: "XMPP server")
            identity = "s2s|\(origin)|\(stanzaKey)|\(from)|\(to)"
            hop = .serverToServer
        } else if isSend {
            sender = connection.party(for: origin)
            receiver = connection.serverParty
            identity = "send|\(origin)|\(stanzaKey)"
            hop = .send
        } else {
            sender = connection.serverParty
            receiver = connection.party(for: receiverKey)
            identity = "deliver|\(origin)|\(stanzaKey)|\(receiverKey)|\(via)"
            hop = .delivery
        }

        let detail = XMPPDetail(
            callID: callID, hop: hop, via: via, stanza: stanza.stanzaName, type: stanza.type, stanzaID: stanza.id,
            element: stanza.element, namespace: stanza.namespace, origin: origin, to: stanza.to, answers: answered,
            reason: stanza.reason, reasonText: stanza.reasonText, tieBreak: stanza.tieBreak,
            migratedTo: stanza.migratedTo, carbon: stanza.carbon?.direction, carbonFrom: stanza.carbon?.outerFrom,
            spoofedCarbon: spoofed, archived: stanza.archived, delay: stanza.delay, storeHint: stanza.storeHint,
            initiator: stanza.initiator, responder: stanza.responder, info: stanza.info, media: stanza.media,
            payloadTypes: stanza.payloadTypes, candidates: stanza.candidates, errors: stanza.errors,
            sessionBefore: meaning.session, connectionSeenWhole: connection.seenWhole,
            connectionCaughtUp: connection.caughtUp, label: meaning.label, headline: stanza.headline,
            notes: notes(stanza, meaning: meaning, origin: origin, spoofed: spoofed, describeContent: describeContent))
        var message = SignalingMessage(
            call: CallKey(.xmpp, callID: callID), callID: callID, kind: meaning.kind,
            method: Self.method(stanza, answered: answered), sender: sender, receiver: receiver, stamp: stamp,
            transport: connection.transport, identity: MessageKey(tag: Self.identityTag, text: identity),
            senderDevice: DeviceKey(origin), outcome: meaning.outcome, detail: detail)
        if isSend && !connection.isServerToServer {
            // Jingle candidates say where the sending device receives media; only its own step
            // announces them, so the media tracker gives the stream to that device's lifeline.
            message.mediaEndpoints = stanza.candidates.compactMap { Endpoint(Substring($0)) }
        }
        if !isSend && !connection.isServerToServer {
            message.receiverDevice = DeviceKey(receiverKey)
            if let hint = meaning.settles, !spoofed, receiverKey != origin, JID.bare(receiverKey) == JID.bare(origin) {
                message.elsewhere = hint
            }
        }
        sink.deliver(message)
    }

    /// The state of a call, a fresh one for a new call id (forgetting the oldest call beyond the limit).
    private func callState(_ callID: String) -> XMPPCallState {
        calls[callID] ?? XMPPCallState()
    }

    private func remember(requester: String, iqID: String, callID: String, action: String) {
        let key = "\(requester)|\(iqID)"
        pending[key] = (callID, action)
    }

    /// The request a stanza belongs to: `propose`, a Jingle action, or the action an IQ answer
    /// answers. Other JMI messages have none, so a call's method is its opening request.
    static func method(_ stanza: XMPPCallStanza, answered: String?) -> String? {
        switch stanza.payload {
        case .jingleMessage: return stanza.element == "propose" ? "propose" : nil
        case .jingle: return stanza.element
        case .answer: return answered
        }
    }

    private func notes(
        _ stanza: XMPPCallStanza, meaning: XMPPMeaning, origin: String, spoofed: Bool, describeContent: Bool
    ) -> [String] {
        var notes: [String] = []
        if let carbon = stanza.carbon {
            if spoofed {
                notes.append(
                    "carbon wrapper from \(carbon.outerFrom ?? "the sender"), not from the receiver's own account: "
                        + "a client must ignore it")
            } else if carbon.direction == "sent" {
                notes.append("carbon copy of \(JID.short(origin))'s outgoing message")
            } else {
                notes.append("carbon copy of a message to \(stanza.to.map(JID.short) ?? "another resource")")
            }
        }
        if let archived = stanza.archived {
            notes.append("from the message archive (MAM)" + (archived.isEmpty ? "" : ", sent \(archived)"))
        } else if let delay = stanza.delay {
            notes.append("delayed delivery, sent \(delay)")
        }
        notes.append(contentsOf: meaning.notes)
        guard describeContent else { return notes }
        if !stanza.media.isEmpty, stanza.payload == .jingleMessage {
            notes.append("media " + stanza.media.joined(separator: ", "))
        }
        if !stanza.payloadTypes.isEmpty {
            let codecs = stanza.payloadTypes.map { $0.split(separator: " ").dropFirst().first.map(String.init) ?? $0 }
            notes.append(
                (stanza.media.isEmpty ? "" : stanza.media.joined(separator: ", ") + ": ")
                    + codecs.joined(separator: ", "))
        }
        if !stanza.candidates.isEmpty {
            let shown = stanza.candidates.prefix(3).joined(separator: ", ")
            let more = stanza.candidates.count > 3 ? " and \(stanza.candidates.count - 3) more" : ""
            notes.append("candidate\(stanza.candidates.count == 1 ? "" : "s") \(shown)\(more)")
        }
        if stanza.tieBreak { notes.append("tie-break") }
        if let migrated = stanza.migratedTo { notes.append("migrated to \(migrated)") }
        if let text = stanza.reasonText { notes.append("reason text: \(text)") }
        return notes
    }

    /// FNV-1a, 64 bits: names a stanza without an id by its content.
    static func hash(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16)
    }

    /// Keeps the keys of XMPP step identities apart from any other text's.
    static let identityTag: UInt64 = 0x786d_7070
}

extension StringProtocol {
    var trimmingCharacters: String {
        guard let start = firstIndex(where: { !$0.isWhitespace }), let end = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[start...end])
    }
}
