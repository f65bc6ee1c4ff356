import SigflowCore

/// What the mapper needs to know about the log a node comes from.
struct WALogContext {
    var captureIndex: Int
    var fileName: String
    var library: String
    /// The logging device's lifeline (a placeholder when the log never names its own JID).
    var device: Party
    var deviceKnown: Bool
    /// Call stanzas of this log by direction and stanza id, for the acks that answer them.
    var stanzas: [String: (callID: String, action: String)] = [:]

    static func stanzaKey(_ direction: WADirection, _ id: String) -> String { "\(direction.rawValue)|\(id)" }
}

/// Maps one logged `<call>`, `<receipt>` or `<ack>` onto the neutral model.
///
/// A stanza the device sends is a step device -> WhatsApp server; one it receives is server ->
/// device. The hop's identity names the direction (`send`/`deliver`), the stanza and its action, so
/// two copies of one log share identities while the send (in one log) and the delivery (in another)
/// stay two steps. Kinds: offer -> offer, preaccept -> ringing, accept -> answer, reject -> reject
/// (no reason: declined; `busy`: busy on this device), terminate -> hang-up (`timeout`: timed out;
/// `accepted_elsewhere`/`rejected_elsewhere`: cancel with an elsewhere hint), transport ->
/// candidates, ack -> acknowledgement, receipt -> progress. `WhatsAppLogMerger` refines what needs
/// the whole call (a reject by the caller is a cancel; a terminate before any answer is a cancel).
enum WAStanzaMapper {
    /// Root attributes kept for checks and JSON (the push name `notify` is left out).
    static let rootAttributes = [
        "from", "to", "participant", "recipient", "t", "offline", "platform", "version", "class", "type", "error",
    ]

    static func message(
        node: WANode, direction: WADirection, entry: WALogEntry, xml: String, context: WALogContext
    ) -> SignalingMessage? {
        switch node.tag {
        case "call", "receipt":
            return callMessage(node: node, direction: direction, entry: entry, xml: xml, context: context)
        case "ack":
            return ackMessage(node: node, direction: direction, entry: entry, xml: xml, context: context)
        default:
            return nil
        }
    }

    static func callMessage(
        node: WANode, direction: WADirection, entry: WALogEntry, xml: String, context: WALogContext
    ) -> SignalingMessage? {
        guard let action = node.children.first, let callID = action["call-id"], !callID.isEmpty else { return nil }
        let stanzaID = node["id"] ?? "line\(entry.line)"
        let isReceipt = node.tag == "receipt"
        var attributes = MessageAttributes()
        attributes["stanza"] = node.tag
        attributes["action"] = action.tag
        attributes["stanza-id"] = stanzaID
        fill(&attributes, node: node, action: action, direction: direction, context: context, entry: entry)
        var kind: MessageKind
        var outcome: CallOutcome?
        var elsewhere: ElsewhereHint?
        var notes: [String] = []
        let reason = action["reason"]
        if isReceipt {
            kind = .progress
        } else {
            switch action.tag {
            case "offer":
                let ended = action["is_call_ended"] == "1" || action["terminate_reason"] != nil
                kind = ended ? .other : .offer
                if ended { notes.append("already-ended notification, not a live offer") }
                let targets = destinations(of: action)
                if direction == .send && targets.count > 1 { notes.append("for \(targets.count) devices") }
            case "offer_notice": kind = .offer
            case "preaccept": kind = .ringing
            case "accept": kind = .answer
            case "reject":
                kind = .reject
                switch reason {
                case nil: outcome = .declined
                case "busy": outcome = .busy
                default: outcome = .rejected
                }
            case "terminate":
                switch reason {
                case "accepted_elsewhere":
                    kind = .cancel
                    elsewhere = .answered
                case "rejected_elsewhere":
                    kind = .cancel
                    elsewhere = .declined
                case "timeout":
                    kind = .hangup
                    outcome = .timedOut
                default: kind = .hangup
                }
            case "transport": kind = .candidates
            default: kind = .other
            }
        }
        if node["offline"] != nil { notes.append("replayed from the offline queue") }
        let server = WAParty.server
        let device = context.device
        var sender = device
        var receiver = server
        var senderDevice: String? = device.key
        var receiverDevice: String?
        if direction == .send {
            receiverDevice = action.tag == "offer" && !isReceipt ? nil : WAParty.deviceKey(node["to"])
        } else {
            sender = server
            receiver = device
            senderDevice = WAParty.deviceKey(node["from"])
            receiverDevice = device.key
        }
        let label =
            isReceipt
            ? "call-receipt (\(action.tag))" : "call-\(action.tag)" + (reason.map { " \($0)" } ?? "")
        return SignalingMessage(
            signalingProtocol: .whatsapp, callID: callID, kind: kind, label: label,
            headline: headline(node, action: action), method: "call", sender: sender, receiver: receiver,
            stamp: stamp(entry, context), transport: "log",
            identity: "wa|\(direction == .send ? "send" : "deliver")|\(node.tag)|\(stanzaID)|\(action.tag)",
            transaction: "wa|\(stanzaID)", senderDevice: senderDevice, receiverDevice: receiverDevice,
            outcome: outcome, elsewhere: elsewhere, notes: notes, attributes: attributes)
    }

    static func ackMessage(
        node: WANode, direction: WADirection, entry: WALogEntry, xml: String, context: WALogContext
    ) -> SignalingMessage? {
        guard let stanzaID = node["id"], let ackClass = node["class"], ackClass == "call" || ackClass == "receipt"
        else { return nil }
        // A sent ack answers a stanza this log received, a received ack one it sent.
        let answered = context.stanzas[WALogContext.stanzaKey(direction == .send ? .recv : .send, stanzaID)]
        let action = answered?.action ?? node["type"]
        var attributes = MessageAttributes()
        attributes["stanza"] = "ack"
        attributes["action"] = action
        attributes["stanza-id"] = stanzaID
        fill(&attributes, node: node, action: nil, direction: direction, context: context, entry: entry)
        var label = ackClass == "receipt" ? "receipt-ack" : "call-ack" + (action.map { " (\($0))" } ?? "")
        var notes: [String] = []
        if let error = node["error"] {
            label += " error \(error)"
            notes.append("error \(error): refused")
        }
        let device = context.device
        return SignalingMessage(
            signalingProtocol: .whatsapp, callID: answered?.callID ?? "", kind: .acknowledgement, label: label,
            headline: node.startTag, method: action.map { "call-\($0)" } ?? "call",
            sender: direction == .send ? device : WAParty.server,
            receiver: direction == .send ? WAParty.server : device, stamp: stamp(entry, context), transport: "log",
            identity: "wa|\(direction == .send ? "send" : "deliver")|ack|\(stanzaID)|\(ackClass)",
            transaction: "wa|\(stanzaID)", notes: notes, attributes: attributes)
    }

    /// Baileys' `status: 'ringing'` for an event that is not ringing (rule W13), drawn on the device.
    static func statusMessage(
        callID: String, status: String, entry: WALogEntry, context: WALogContext
    )
        -> SignalingMessage
    {
        var attributes = MessageAttributes()
        attributes["baileys-status"] = status
        attributes["log"] = context.fileName
        attributes["log-device"] = context.device.key
        attributes["direction"] = "local"
        return SignalingMessage(
            signalingProtocol: .whatsapp, callID: callID, kind: .other, label: "Baileys status \(status)",
            headline: "status: '\(status)'", sender: context.device, receiver: context.device,
            stamp: stamp(entry, context), transport: "log", identity: "wa|status|\(context.fileName)|\(entry.line)",
            notes: ["Baileys reports status '\(status)'"], attributes: attributes)
    }

    static func fill(
        _ attributes: inout MessageAttributes, node: WANode, action: WANode?, direction: WADirection,
        context: WALogContext, entry: WALogEntry
    ) {
        attributes["direction"] = direction.rawValue
        attributes["log"] = context.fileName
        attributes["log-line"] = String(entry.line)
        attributes["log-device"] = context.device.key
        if !context.deviceKnown { attributes["log-device-unnamed"] = "1" }
        for name in rootAttributes { if let value = node[name] { attributes[name] = value } }
        guard let action else { return }
        for (name, value) in action.attributes where name != "call-id" {
            attributes[attributes[name] == nil ? name : "action-\(name)"] = value
        }
        let targets = destinations(of: action)
        if !targets.isEmpty { attributes["destination"] = targets.joined(separator: " ") }
        if action.child("video") != nil { attributes["video"] = "1" }
    }

    /// The devices an offer is encrypted for: `<destination><to jid=...>`.
    static func destinations(of action: WANode) -> [String] {
        action.child("destination")?.children.filter { $0.tag == "to" }.compactMap { WAParty.deviceKey($0["jid"]) }
            ?? []
    }

    /// `<call id=.. to=..><reject call-creator=.. call-id=.. count="0"/>`: the stanza head.
    static func headline(_ node: WANode, action: WANode) -> String {
        var root = node
        root.children = []
        root.content = nil
        var head = root.startTag
        if head.hasSuffix("/>") { head = String(head.dropLast(2)) + ">" }
        var child = action
        child.children = []
        // Keep `>` on an action that has content, `/>` on one that has none, as the log printed it.
        if !action.children.isEmpty || action.content != nil { child.content = "" }
        return head + child.startTag
    }

    static func stamp(_ entry: WALogEntry, _ context: WALogContext) -> PacketStamp {
        PacketStamp(
            time: entry.time ?? .zero, source: SourceRef(capture: context.captureIndex, frame: entry.line))
    }
}
