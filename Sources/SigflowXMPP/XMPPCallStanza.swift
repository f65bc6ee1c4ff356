/// What a stanza says about a call, read from its XML: a JMI message (XEP-0353, possibly inside a
/// carbon or an archive result), a Jingle IQ-set (XEP-0166/0167), or an IQ answer that may
/// acknowledge one. Pure: knows nothing of connections or call state.
struct XMPPCallStanza: Sendable {
    enum Payload: Sendable {
        /// A Jingle Message Initiation element: propose, ringing, proceed, reject, retract, finish, accept.
        case jingleMessage
        /// A Jingle action.
        case jingle
        /// An IQ result or error: an acknowledgement if it answers a Jingle IQ-set.
        case answer
    }

    /// A carbon copy (XEP-0280) wrapper around the message.
    struct Carbon: Sendable {
        /// `sent` or `received`.
        var direction: String
        var outerFrom: String?
        var outerTo: String?
    }

    var payload: Payload
    /// `message` or `iq`.
    var stanzaName: String
    var type: String?
    var id: String?
    /// `from` and `to` of the stanza that carries the payload (the inner one for carbons).
    var from: String?
    var to: String?
    /// The JMI element, the Jingle action, or `result`/`error`.
    var element: String
    var namespace: String?
    /// JMI `id` or Jingle `sid`; nil for IQ answers (they carry none).
    var callID: String?
    var reason: String?
    var reasonText: String?
    var tieBreak = false
    var migratedTo: String?
    var media: [String] = []
    var candidates: [String] = []
    var payloadTypes: [String] = []
    var initiator: String?
    var responder: String?
    /// The session-info payload (`ringing`, `hold`, `mute`...).
    var info: String?
    /// IQ error conditions, stanza-level and Jingle-specific (`item-not-found`, `unknown-session`).
    var errors: [String] = []
    var storeHint = false
    var carbon: Carbon?
    /// Delivered from the message archive (XEP-0313): the archive's timestamp.
    var archived: String?
    /// A `<delay>` on the message (offline storage, XEP-0203).
    var delay: String?
    /// The head of the stanza as written, for headlines.
    var headline: String
    /// The stanza that carries the payload (the inner one for carbons and archive results).
    var carrier: XMLElement

    static let jingleMessageElements: Set<String> = [
        "propose", "ringing", "proceed", "reject", "retract", "finish", "accept",
    ]

    /// Reads a top-level stanza; nil when it concerns no call.
    static func interpret(_ stanza: XMLElement) -> XMPPCallStanza? {
        switch stanza.name {
        case "message": return message(stanza)
        case "iq": return iq(stanza)
        default: return nil
        }
    }

    private static func message(_ outer: XMLElement) -> XMPPCallStanza? {
        var inner = outer
        var carbon: Carbon?
        var archived: String?
        var wrapperHead = ""
        var forwardDelay: String?
        if let wrapper = outer.children.first(where: {
            $0.namespace == XMPPNamespace.carbons && ($0.name == "sent" || $0.name == "received")
        }) {
            guard let forwarded = wrapper.child("forwarded", namespace: XMPPNamespace.forward),
                let message = forwarded.child("message")
            else { return nil }
            inner = message
            carbon = Carbon(direction: wrapper.name, outerFrom: outer["from"], outerTo: outer["to"])
            wrapperHead = " <\(wrapper.name)><forwarded>"
        } else if let result = outer.children.first(where: {
            $0.name == "result" && XMPPNamespace.mam.contains($0.namespace ?? "")
        }) {
            guard let forwarded = result.child("forwarded", namespace: XMPPNamespace.forward),
                let message = forwarded.child("message")
            else { return nil }
            inner = message
            forwardDelay = forwarded.child("delay", namespace: XMPPNamespace.delay)?["stamp"]
            archived = forwardDelay ?? ""
            wrapperHead = " <result><forwarded>"
        }
        guard
            let jmi = inner.children.first(where: {
                XMPPNamespace.jingleMessage.contains($0.namespace ?? "") && jingleMessageElements.contains($0.name)
            })
        else { return nil }
        var stanza = XMPPCallStanza(
            payload: .jingleMessage, stanzaName: "message", type: inner["type"], id: inner["id"], from: inner["from"],
            to: inner["to"], element: jmi.name, namespace: jmi.namespace, callID: jmi["id"],
            headline: outer.startTag() + wrapperHead + (carbon == nil && archived == nil ? "" : " " + inner.startTag())
                + " " + jmi.startTag(),
            carrier: inner)
        stanza.carbon = carbon
        stanza.archived = archived
        stanza.delay = inner.child("delay", namespace: XMPPNamespace.delay)?["stamp"] ?? forwardDelay
        stanza.storeHint = inner.child("store", namespace: XMPPNamespace.hints) != nil
        stanza.readReason(jmi.child("reason"))
        stanza.tieBreak = !jmi.descendants("tie-break").isEmpty
        stanza.migratedTo = jmi.descendants("migrated").first?["to"]
        stanza.media = jmi.children.filter { $0.name == "description" }.compactMap { $0["media"] }
        return stanza
    }

    private static func iq(_ iq: XMLElement) -> XMPPCallStanza? {
        let type = iq["type"]
        if type == "result" || type == "error" {
            var stanza = XMPPCallStanza(
                payload: .answer, stanzaName: "iq", type: type, id: iq["id"], from: iq["from"], to: iq["to"],
                element: type!, namespace: nil, callID: nil, headline: iq.startTag(), carrier: iq)
            if let error = iq.child("error") {
                stanza.errors = error.children.filter { $0.name != "text" }.map(\.name)
            }
            return stanza
        }
        guard type == "set", let jingle = iq.child("jingle", namespace: XMPPNamespace.jingle),
            let action = jingle["action"]
        else { return nil }
        var stanza = XMPPCallStanza(
            payload: .jingle, stanzaName: "iq", type: type, id: iq["id"], from: iq["from"], to: iq["to"],
            element: action, namespace: XMPPNamespace.jingle, callID: jingle["sid"],
            headline: iq.startTag() + " " + jingle.startTag(), carrier: iq)
        stanza.initiator = jingle["initiator"]
        stanza.responder = jingle["responder"]
        stanza.readReason(jingle.child("reason"))
        if action == "session-info" {
            stanza.info = jingle.children.first { $0.name != "reason" }?.name
        }
        for content in jingle.children where content.name == "content" {
            for description in content.children where description.name == "description" {
                if let media = description["media"] { stanza.media.append(media) }
                for payloadType in description.children where payloadType.name == "payload-type" {
                    let name = payloadType["name"].map { name in
                        name + (payloadType["clockrate"].map { "/" + $0 } ?? "")
                    }
                    stanza.payloadTypes.append(
                        [payloadType["id"], name].compactMap { $0 }.joined(separator: " "))
                }
            }
            for transport in content.children where transport.name == "transport" {
                for candidate in transport.children where candidate.name == "candidate" {
                    guard let ip = candidate["ip"] ?? candidate["host"], let port = candidate["port"] else { continue }
                    stanza.candidates.append(ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)")
                }
            }
        }
        return stanza
    }

    /// `<reason><decline/><text>...</text></reason>`: the condition, its text, a tie-break marker.
    private mutating func readReason(_ element: XMLElement?) {
        guard let element else { return }
        reason = element.children.first { $0.name != "text" && $0.name != "tie-break" }?.name
        reasonText = element.child("text").map(\.text).flatMap { $0.isEmpty ? nil : $0 }
        if element.child("tie-break") != nil { tieBreak = true }
    }
}
