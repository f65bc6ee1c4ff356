import SigflowCore

extension SignalingProtocol {
    /// XMPP calls: Jingle Message Initiation (XEP-0353) and Jingle (XEP-0166/0167).
    public static let xmpp = SignalingProtocol(id: "xmpp", displayName: "XMPP", article: "an", rank: 2)
}

/// What XMPP rules and documents read of one hop of a call stanza (its send, a delivery, a carbon
/// copy or archive result, a server-to-server hop): the stanza's envelope and payload as
/// `XMPPCallStanza` reads them, what the decoder made of it, and how much of the connection it
/// came on the capture shows.
public struct XMPPDetail: MessageDetail, Equatable {
    /// Which hop of the stanza this step is.
    public enum Hop: String, Sendable {
        /// From the sending client to its server.
        case send
        /// From a server to a receiving client.
        case delivery
        /// Between two servers.
        case serverToServer = "server-to-server"
    }

    /// The JMI id or Jingle sid; for an IQ answer, the one of the IQ-set it answers.
    public var callID: String
    public var hop: Hop
    /// `direct`, `carbon-sent`, `carbon-received` or `archive`.
    public var via: String
    /// `message` or `iq`.
    public var stanza: String
    public var type: String?
    public var stanzaID: String?
    /// The JMI element, the Jingle action, or `result`/`error`.
    public var element: String
    public var namespace: String?
    /// The full JID that sent the stanza (the inner sender of a carbon).
    public var origin: String
    public var to: String?
    /// For an IQ answer, the Jingle action it answers.
    public var answers: String?
    public var reason: String?
    public var reasonText: String?
    public var tieBreak: Bool
    public var migratedTo: String?
    /// A carbon copy's direction (`sent`, `received`) and the wrapper's `from`.
    public var carbon: String?
    public var carbonFrom: String?
    /// A carbon wrapper not from the receiver's own account (XEP-0280 §11).
    public var spoofedCarbon: Bool
    /// From the message archive (XEP-0313): the archive's timestamp, empty when it gave none.
    public var archived: String?
    /// A `<delay>` stamp (XEP-0203).
    public var delay: String?
    public var storeHint: Bool
    public var initiator: String?
    public var responder: String?
    /// The session-info payload (`ringing`, `hold`, ...).
    public var info: String?
    public var media: [String]
    public var payloadTypes: [String]
    public var candidates: [String]
    /// IQ error conditions.
    public var errors: [String]
    /// The Jingle session state before a Jingle action (`none`, `pending`, `active`, `ended`).
    public var sessionBefore: String?
    /// The connection was followed from its stream header with no bytes lost.
    public var connectionSeenWhole: Bool
    /// The client caught up on history or resumed its stream on this connection.
    public var connectionCaughtUp: Bool
    public var label: String
    public var headline: String
    public var notes: [String]

    public var isJingleMessage: Bool { stanza == "message" }
    public var isJingleAction: Bool { stanza == "iq" && type == "set" }

    public var attributes: [(key: String, value: String)] {
        var fields: [(key: String, value: String)] = []
        func put(_ key: String, _ value: String?) {
            if let value { fields.append((key, value)) }
        }
        func put(_ key: String, _ values: [String]) {
            if !values.isEmpty { fields.append((key, values.joined(separator: ","))) }
        }
        func flag(_ key: String, _ value: Bool) {
            if value { fields.append((key, "true")) }
        }
        put("call_id", callID)
        put("hop", hop.rawValue)
        put("via", via)
        put("stanza", stanza)
        put("type", type)
        put("stanza_id", stanzaID)
        put("element", element)
        put("namespace", namespace)
        put("origin", origin)
        put("to", to)
        put("answers", answers)
        put("reason", reason)
        put("reason_text", reasonText)
        flag("tie_break", tieBreak)
        put("migrated_to", migratedTo)
        put("carbon", carbon)
        put("carbon_from", carbonFrom)
        flag("spoofed_carbon", spoofedCarbon)
        put("archived", archived.map { $0.isEmpty ? "true" : $0 })
        put("delay", delay)
        flag("store_hint", storeHint)
        put("initiator", initiator)
        put("responder", responder)
        put("info", info)
        put("media", media)
        put("payload_types", payloadTypes)
        put("candidates", candidates)
        put("errors", errors)
        put("session_before", sessionBefore)
        put("connection_seen_whole", connectionSeenWhole ? "true" : "false")
        flag("connection_caught_up", connectionCaughtUp)
        return fields
    }
}

extension SignalingMessage {
    /// The XMPP fields of an XMPP message.
    public var xmpp: XMPPDetail? { detail as? XMPPDetail }
}
