import SigflowCore

/// One XMPP stanza with every step that carried it: the sender's send (client to server) and each
/// delivery (server to client, carbon copies and archive results included). Rules count stanzas,
/// not hops, so a carbon copy is never a second decision.
struct XMPPStanza {
    /// `propose`, `reject`..., the Jingle action, or `result`/`error`.
    var element: String
    /// The full JID that sent it (the inner sender of a carbon).
    var origin: String
    var attributes: MessageAttributes
    var send: CallStep?
    var deliveries: [CallStep]

    var steps: [CallStep] { (send.map { [$0] } ?? []) + deliveries }
    /// When it entered the system: its send, or its first delivery when the send was not seen.
    var time: CaptureTime { send?.time ?? deliveries.map(\.time).min() ?? .zero }
    /// The step to point a finding at.
    var step: Int { send?.number ?? deliveries.first?.number ?? 0 }
    var label: String { (send ?? deliveries.first)?.message.label ?? element }

    var user: String { JIDText.bare(origin) }
    var reason: String? { attributes["reason"] }
    var stanzaID: String? { attributes["stanza_id"] }
    var isJingleMessage: Bool { attributes["stanza"] == "message" }
    var isJingleAction: Bool { attributes["stanza"] == "iq" && attributes["type"] == "set" }
    var isAnswer: Bool { attributes["stanza"] == "iq" && (element == "result" || element == "error") }
    var isSpoofed: Bool { attributes["spoofed_carbon"] == "true" }
}

/// The XMPP view of a call: its stanzas in order, built from sends and deliveries.
struct XMPPCallView {
    let call: Call
    let stanzas: [XMPPStanza]

    init(_ call: Call) {
        self.call = call
        var order: [String] = []
        var byKey: [String: XMPPStanza] = [:]
        for step in call.steps where step.message.signalingProtocol == .xmpp {
            let attributes = step.message.attributes
            guard let element = attributes["element"], let origin = attributes["origin"] else { continue }
            // Without a stanza id, each step stands alone.
            let id = attributes["stanza_id"] ?? "step \(step.number)"
            let key = [
                origin, attributes["stanza"] ?? "", attributes["type"] ?? "", id, element,
                attributes["spoofed_carbon"] ?? "",
            ].joined(separator: "|")
            var stanza =
                byKey[key]
                ?? XMPPStanza(element: element, origin: origin, attributes: attributes, send: nil, deliveries: [])
            if byKey[key] == nil { order.append(key) }
            if attributes["hop"] == "send" && stanza.send == nil {
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
            $0.isAnswer && $0.stanzaID != nil && $0.stanzaID == request.stanzaID
                && $0.attributes["answers"] == request.element
        }
    }

    /// The Jingle initiator: named on session-initiate, else its sender, else the JMI proposer.
    var initiator: String? {
        if let initiate = jingleActions("session-initiate").first {
            return initiate.attributes["initiator"] ?? initiate.origin
        }
        return jingleMessages("propose").first?.origin
    }

    /// Something in the call reached a device outside live traffic, or the capture missed part of a
    /// connection: a missing stanza may simply not be in the capture.
    var mayMissStanzas: Bool {
        call.steps.contains { step in
            let attributes = step.message.attributes
            return attributes["archived"] != nil || attributes["delay"] != nil
                || attributes["connection_caught_up"] == "true" || attributes["connection_seen_whole"] != "true"
        }
    }
}

/// JIDs as checks need them (the checks know no protocol module).
enum JIDText {
    static func bare(_ jid: String) -> String {
        guard let slash = jid.firstIndex(of: "/") else { return jid }
        return String(jid[..<slash])
    }

    static func resource(_ jid: String) -> String {
        guard let slash = jid.firstIndex(of: "/") else { return jid }
        return String(jid[jid.index(after: slash)...])
    }
}
