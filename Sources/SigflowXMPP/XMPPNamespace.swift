/// The namespaces the XMPP decoder looks for.
enum XMPPNamespace {
    /// Jingle Message Initiation (XEP-0353): the examples' namespace, the registrar's spelling of the
    /// same XEP, and the one of versions 0.4/0.5 (which used `<accept/>` for `<proceed/>`).
    static let jingleMessage: Set<String> = [
        "urn:xmpp:jingle-message:0", "urn:xmpp:jingle:jingle-message:0", "urn:xmpp:jingle:jingle-message:1",
    ]
    static let jingle = "urn:xmpp:jingle:1"
    static let jingleErrors = "urn:xmpp:jingle:errors:1"
    static let rtp = "urn:xmpp:jingle:apps:rtp:1"
    static let rtpInfo = "urn:xmpp:jingle:apps:rtp:info:1"
    static let carbons = "urn:xmpp:carbons:2"
    static let forward = "urn:xmpp:forward:0"
    static let mam: Set<String> = ["urn:xmpp:mam:0", "urn:xmpp:mam:1", "urn:xmpp:mam:2"]
    static let delay = "urn:xmpp:delay"
    static let hints = "urn:xmpp:hints"
    static let stanzas = "urn:ietf:params:xml:ns:xmpp-stanzas"
    static let tls = "urn:ietf:params:xml:ns:xmpp-tls"
    static let bind = "urn:ietf:params:xml:ns:xmpp-bind"
    static let framing = "urn:ietf:params:xml:ns:xmpp-framing"
    static let streamManagement = "urn:xmpp:sm:3"
    static let caps = "http://jabber.org/protocol/caps"
    static let server = "jabber:server"
}

/// JIDs (RFC 7622 `local@domain/resource`), as far as the decoder needs them.
enum JID {
    /// `bob@example.com` from `bob@example.com/phone`.
    static func bare(_ jid: String) -> String {
        guard let slash = jid.firstIndex(of: "/") else { return jid }
        return String(jid[..<slash])
    }

    /// `phone` from `bob@example.com/phone`.
    static func resource(_ jid: String) -> String? {
        guard let slash = jid.firstIndex(of: "/") else { return nil }
        let resource = jid[jid.index(after: slash)...]
        return resource.isEmpty ? nil : String(resource)
    }

    /// Whether the JID names one resource (a device), not an account.
    static func isFull(_ jid: String) -> Bool { resource(jid) != nil }

    /// The resource if there is one, the whole JID otherwise: short names for notes.
    static func short(_ jid: String) -> String { resource(jid) ?? jid }
}
