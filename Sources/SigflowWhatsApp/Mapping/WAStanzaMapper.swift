import SigflowCore

/// What the mapper needs to know about the log a node comes from.
struct WALogContext {
    var captureIndex: Int
    var fileName: String
    var library: String
    /// The logging device's lifeline (a placeholder when the log never names its own JID).
    var device: Party
    var deviceKnown: Bool
    /// The logging device's lifeline name: its JID, or the placeholder.
    var deviceName: String { device.key.description }
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
    /// Seeds that keep the keys of different things apart.
    enum KeyTag {
        static let identity: UInt64 = 0x7761_6964
        static let transaction: UInt64 = 0x7761_7478
    }

    /// The identity of a hop (`send` or `deliver`) of a stanza: equal in every log that shows it.
    static func hopIdentity(
        _ direction: WADirection, stanza: String, id: String, action: String
    ) -> MessageKey {
        identity("wa|\(direction == .send ? "send" : "deliver")|\(stanza)|\(id)|\(action)")
    }

    static func identity(_ text: String) -> MessageKey { MessageKey(tag: KeyTag.identity, text: text) }

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
        var detail = logDetail(
            stanza: isReceipt ? .receipt : .call, action: action.tag, stanzaID: stanzaID, node: node,
            direction: direction, entry: entry, context: context)
        detail.actionAttributes = action.attributes.filter { $0.name != "call-id" }.map {
            WALogDetail.Attribute(name: $0.name, value: $0.value)
        }
        detail.destinations = destinations(of: action)
        detail.video = action.child("video") != nil
        detail.headline = headline(node, action: action)
        var kind: MessageKind
        var outcome: CallOutcome?
        var elsewhere: ElsewhereHint?
        let reason = action["reason"]
        if isReceipt {
            kind = .progress
        } else {
            switch action.tag {
            case "offer": kind = detail.announcesEndedCall ? .other : .offer
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
        let server = WAParty.server
        let device = context.device
        var sender = device
        var receiver = server
        var senderDevice: String? = context.deviceName
        var receiverDevice: String?
        if direction == .send {
            receiverDevice = action.tag == "offer" && !isReceipt ? nil : WAParty.deviceKey(node["to"])
        } else {
            sender = server
            receiver = device
            senderDevice = WAParty.deviceKey(node["from"])
            receiverDevice = context.deviceName
        }
        return SignalingMessage(
            call: CallKey(.whatsapp, callID: callID), callID: callID, kind: kind, method: "call", sender: sender,
            receiver: receiver, stamp: stamp(entry, context), transport: .log,
            identity: hopIdentity(direction, stanza: node.tag, id: stanzaID, action: action.tag),
            transaction: MessageKey(tag: KeyTag.transaction, text: stanzaID),
            senderDevice: senderDevice.map(DeviceKey.init), receiverDevice: receiverDevice.map(DeviceKey.init),
            outcome: outcome, elsewhere: elsewhere, detail: WhatsAppDetail.log(detail))
    }

    static func ackMessage(
        node: WANode, direction: WADirection, entry: WALogEntry, xml: String, context: WALogContext
    ) -> SignalingMessage? {
        guard let stanzaID = node["id"], let ackClass = node["class"], ackClass == "call" || ackClass == "receipt"
        else { return nil }
        // A sent ack answers a stanza this log received, a received ack one it sent.
        let answered = context.stanzas[WALogContext.stanzaKey(direction == .send ? .recv : .send, stanzaID)]
        let action = answered?.action ?? node["type"]
        var detail = logDetail(
            stanza: .ack, action: action, stanzaID: stanzaID, node: node, direction: direction, entry: entry,
            context: context)
        detail.headline = node.startTag
        let device = context.device
        let callID = answered?.callID ?? ""
        return SignalingMessage(
            call: CallKey(.whatsapp, callID: callID), callID: callID, kind: .acknowledgement,
            method: action.map { "call-\($0)" } ?? "call", sender: direction == .send ? device : WAParty.server,
            receiver: direction == .send ? WAParty.server : device, stamp: stamp(entry, context), transport: .log,
            identity: identity("wa|\(direction == .send ? "send" : "deliver")|ack|\(stanzaID)|\(ackClass)"),
            transaction: MessageKey(tag: KeyTag.transaction, text: stanzaID), detail: WhatsAppDetail.log(detail))
    }

    /// Baileys' `status: 'ringing'` for an event that is not ringing (rule W13), drawn on the device.
    static func statusMessage(
        callID: String, status: String, entry: WALogEntry, context: WALogContext
    )
        -> SignalingMessage
    {
        let detail = WALogDetail(
            stanza: nil, action: nil, stanzaID: nil, direction: nil, log: context.fileName, logLine: nil,
            logDevice: context.deviceName, deviceNaming: context.deviceKnown ? .named : .unnamed,
            root: WALogDetail.Root(), actionAttributes: [], destinations: [], video: false,
            baileysStatus: status, headline: "status: '\(status)'")
        return SignalingMessage(
            call: CallKey(.whatsapp, callID: callID), callID: callID, kind: .other, sender: context.device,
            receiver: context.device, stamp: stamp(entry, context), transport: .log,
            identity: identity("wa|status|\(context.fileName)|\(entry.line)"), detail: WhatsAppDetail.log(detail))
    }

    /// The fields every logged stanza has: where it was logged, and its root attributes.
    static func logDetail(
        stanza: WALogDetail.Stanza, action: String?, stanzaID: String, node: WANode, direction: WADirection,
        entry: WALogEntry, context: WALogContext
    ) -> WALogDetail {
        WALogDetail(
            stanza: stanza, action: action, stanzaID: stanzaID, direction: direction, log: context.fileName,
            logLine: entry.line, logDevice: context.deviceName, deviceNaming: context.deviceKnown ? .named : .unnamed,
            root: WALogDetail.Root(node), actionAttributes: [], destinations: [], video: false, baileysStatus: nil,
            headline: "")
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
