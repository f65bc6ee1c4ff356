import SigflowCore

/// Adds the hops a stanza certainly took but no given log shows, marked `.inferred`:
/// - a `<call>` or `<receipt>` a device sent is delivered by the server to its addressee (an offer
///   to every device in its `<destination>`), when the addressee's log is not given;
/// - a stanza a device received was sent by the device named in its `from`, when that device's log
///   is not given.
/// A device whose log is given but does not show the hop did not see it (or the log has a gap): no
/// step is invented for it. Calls without any offer get no inferred hops: without an offer there is
/// no caller to route them to. Server acks are never inferred (whether the server acks every
/// action is uncertain, FORMATS.md §6).
enum WAHopInference {
    /// One microsecond: inferred hops sit right after the send, or right before the delivery, they
    /// follow from.
    static let nudge: Int64 = 1000

    static func inferredHops(_ messages: [SignalingMessage]) -> [SignalingMessage] {
        let logged = Set(messages.compactMap(\.waLogDevice))
        var added: [SignalingMessage] = []
        let byCall = Dictionary(grouping: messages.filter(\.waIsRouted), by: \.callID)
        for callID in byCall.keys.sorted() {
            let routed = byCall[callID]!
            guard routed.contains(where: { $0.waAction == "offer" || $0.waAction == "offer_notice" }) else {
                continue
            }
            var deliveries: Set<String> = []
            var sends: Set<String> = []
            for message in routed {
                let key = "\(message.waStanza ?? "")|\(message.waStanzaID ?? "")|\(message.waAction ?? "")"
                if message.waDirection == "send" { sends.insert(key) }
                if message.waDirection == "recv", let to = message.receiverDevice { deliveries.insert("\(key)|\(to)") }
            }
            var inferredSends: Set<String> = []
            for message in routed.sorted(by: { $0.stamp.time < $1.stamp.time }) {
                let key = "\(message.waStanza ?? "")|\(message.waStanzaID ?? "")|\(message.waAction ?? "")"
                if message.waDirection == "send" {
                    for target in targets(of: message) where !logged.contains(target) {
                        guard !deliveries.contains("\(key)|\(target)"), target != message.senderDevice else {
                            continue
                        }
                        deliveries.insert("\(key)|\(target)")
                        added.append(delivery(of: message, to: target))
                    }
                } else if message.waDirection == "recv", let origin = WAParty.deviceKey(message.attributes["from"]),
                    !logged.contains(origin), !sends.contains(key), !inferredSends.contains(key)
                {
                    inferredSends.insert(key)
                    added.append(send(of: message, by: origin))
                }
            }
        }
        return added
    }

    /// Who a sent stanza is for: an offer's `<destination>` devices (or its `to`), else its `to`.
    static func targets(of message: SignalingMessage) -> [String] {
        if message.waAction == "offer", message.waStanza == "call",
            let list = message.attributes["destination"]?.split(separator: " ").map(String.init), !list.isEmpty
        {
            return list
        }
        return WAParty.deviceKey(message.attributes["to"]).map { [$0] } ?? []
    }

    static func delivery(of send: SignalingMessage, to target: String) -> SignalingMessage {
        var message = send
        message.sender = WAParty.server
        message.receiver = WAParty.device(target)
        message.receiverDevice = target
        message.confidence = .inferred
        message.identity = message.identity.replacingPrefix("wa|send|", with: "wa|deliver|")
        message.stamp.time = send.stamp.time.adding(nanoseconds: nudge)
        message.notes = []
        message.attributes["direction"] = "recv"
        message.attributes["inferred-from"] = "\(send.attributes["log"] ?? "log") line \(send.stamp.source.frame)"
        return message
    }

    static func send(of delivery: SignalingMessage, by origin: String) -> SignalingMessage {
        var message = delivery
        message.sender = WAParty.device(origin)
        message.receiver = WAParty.server
        message.senderDevice = origin
        message.receiverDevice = delivery.waAction == "offer" ? nil : delivery.receiverDevice
        message.confidence = .inferred
        message.identity = message.identity.replacingPrefix("wa|deliver|", with: "wa|send|")
        message.stamp.time = delivery.stamp.time.adding(nanoseconds: -nudge)
        message.notes = []
        message.attributes["direction"] = "send"
        message.attributes["inferred-from"] =
            "\(delivery.attributes["log"] ?? "log") line \(delivery.stamp.source.frame)"
        return message
    }
}

extension String {
    func replacingPrefix(_ prefix: String, with replacement: String) -> String {
        hasPrefix(prefix) ? replacement + dropFirst(prefix.count) : self
    }
}
