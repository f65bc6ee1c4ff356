import SigflowCore

/// One XMPP stanza with every step that carried it: the sender's send (client to server) and each
/// delivery (server to client, carbon copies and archive results included). Rules count stanzas,
/// not hops, so a carbon copy is never a second decision.
struct XMPPStanza {
    /// The first step's fields.
    var detail: XMPPDetail
    var send: CallStep?
    var deliveries: [CallStep]

    /// `propose`, `reject`..., the Jingle action, or `result`/`error`.
    var element: String { detail.element }
    /// The full JID that sent it (the inner sender of a carbon).
    var origin: String { detail.origin }
    var steps: [CallStep] { (send.map { [$0] } ?? []) + deliveries }
    /// When it entered the system: its send, or its first delivery when the send was not seen.
    var time: CaptureTime { send?.time ?? deliveries.map(\.time).min() ?? .zero }
    /// The step to point a finding at.
    var step: Int { send?.number ?? deliveries.first?.number ?? 0 }
    var label: String { (send ?? deliveries.first)?.message.label ?? element }

    var user: String { JID.bare(origin) }
    var reason: String? { detail.reason }
    var stanzaID: String? { detail.stanzaID }
    var isJingleMessage: Bool { detail.isJingleMessage }
    var isJingleAction: Bool { detail.isJingleAction }
    var isAnswer: Bool { detail.stanza == "iq" && (element == "result" || element == "error") }
    var isSpoofed: Bool { detail.spoofedCarbon }
}

/// The XMPP view of a call: its stanzas in order, built from sends and deliveries.
struct XMPPCallView {
    let call: Call
    let stanzas: [XMPPStanza]

    /// A stanza's hops share its sender, stanza id and payload; a spoofed carbon is a stanza of
    /// its own.
    private struct StanzaKey: Hashable {
        enum ID: Hashable {
            case stanza(String)
            /// Without a stanza id, each step stands alone.
            case step(Int)
        }

        var origin: String
        var stanza: String
        var type: String
        var id: ID
        var element: String
        var spoofed: Bool
    }

    init(_ call: Call) {
        self.call = call
        var order: [StanzaKey] = []
        var byKey: [StanzaKey: XMPPStanza] = [:]
        for step in call.steps {
            guard let detail = step.message.xmpp else { continue }
            let key = StanzaKey(
                origin: detail.origin, stanza: detail.stanza, type: detail.type ?? "",
                id: detail.stanzaID.map(StanzaKey.ID.stanza) ?? .step(step.number), element: detail.element,
                spoofed: detail.spoofedCarbon)
            var stanza = byKey[key] ?? XMPPStanza(detail: detail, send: nil, deliveries: [])
            if byKey[key] == nil { order.append(key) }
            if detail.hop == .send && stanza.send == nil {
                stanza.send = step
            } else {
                stanza.deliveries.append(step)
            }
            byKey[key] = stanza
        }
        stanzas = order.compactMap { byKey[$0] }.sorted { ($0.time, $0.step) < ($1.time, $1.step) }
    }

    /// JMI messages with this element (`propose`, `reject`...), spoofed carbons left out.
    func jingleMessages(_ elements: String...) -> [XMPPStanza] {
        stanzas.filter { $0.isJingleMessage && elements.contains($0.element) && !$0.isSpoofed }
    }

    /// Jingle IQ-sets with this action, or every one.
    func jingleActions(_ actions: String...) -> [XMPPStanza] {
        stanzas.filter { $0.isJingleAction && (actions.isEmpty || actions.contains($0.element)) }
    }

    /// The IQ results and errors that answer this IQ-set.
    func answers(to request: XMPPStanza) -> [XMPPStanza] {
        stanzas.filter {
            $0.isAnswer && $0.stanzaID != nil && $0.stanzaID == request.stanzaID && $0.detail.answers == request.element
        }
    }

    /// The Jingle initiator: named on session-initiate, else its sender, else the JMI proposer.
    var initiator: String? {
        if let initiate = jingleActions("session-initiate").first {
            return initiate.detail.initiator ?? initiate.origin
        }
        return jingleMessages("propose").first?.origin
    }

    /// Something in the call reached a device outside live traffic, or the capture missed part of a
    /// connection: a missing stanza may simply not be in the capture. A step the decoder did not
    /// make (media, an inferred step) vouches for no connection.
    var mayMissStanzas: Bool {
        call.steps.contains { step in
            guard let detail = step.message.xmpp else { return true }
            return detail.archived != nil || detail.delay != nil || detail.connectionCaughtUp
                || !detail.connectionSeenWhole
        }
    }
}
