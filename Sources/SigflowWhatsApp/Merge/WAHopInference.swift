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
        let byCall = Dictionary(grouping: messages.filter { $0.waLog?.isRouted == true }, by: \.callID)
        for callID in byCall.keys.sorted() {
            let routed = byCall[callID]!
            guard routed.contains(where: { $0.waLog?.action == "offer" || $0.waLog?.action == "offer_notice" }) else {
                continue
            }
            var deliveries: Set<String> = []
            var sends: Set<String> = []
            for message in routed {
                let detail = message.waLog!
                let key = hopKey(detail)
                if detail.direction == .send { sends.insert(key) }
                if detail.direction == .recv, let to = message.waReceiver { deliveries.insert("\(key)|\(to)") }
            }
            var inferredSends: Set<String> = []
            for message in routed.sorted(by: { $0.stamp.time < $1.stamp.time }) {
                let detail = message.waLog!
                let key = hopKey(detail)
                if detail.direction == .send {
                    for target in targets(of: detail) where !logged.contains(target) {
                        guard !deliveries.contains("\(key)|\(target)"), target != message.waSender else {
                            continue
                        }
                        deliveries.insert("\(key)|\(target)")
                        added.append(delivery(of: message, to: target))
                    }
                } else if detail.direction == .recv, let origin = WAParty.deviceKey(detail.from),
                    !logged.contains(origin), !sends.contains(key), !inferredSends.contains(key)
                {
                    inferredSends.insert(key)
                    added.append(send(of: message, by: origin))
                }
            }
        }
        return added
    }

    /// A stanza by tag, id and action: what its send and its deliveries share.
    static func hopKey(_ detail: WALogDetail) -> String {
        "\(detail.stanza?.rawValue ?? "")|\(detail.stanzaID ?? "")|\(detail.action ?? "")"
    }

    /// Who a sent stanza is for: an offer's `<destination>` devices (or its `to`), else its `to`.
    static func targets(of detail: WALogDetail) -> [String] {
        if detail.action == "offer", detail.stanza == .call, !detail.destinationList.isEmpty {
            return detail.destinationList
        }
        return WAParty.deviceKey(detail.to).map { [$0] } ?? []
    }

    static func delivery(of send: SignalingMessage, to target: String) -> SignalingMessage {
        var message = send
        message.sender = WAParty.server
        message.receiver = WAParty.device(target)
        message.receiverDevice = DeviceKey(target)
        inferred(&message, direction: .recv, from: send)
        message.stamp.time = send.stamp.time.adding(nanoseconds: nudge)
        return message
    }

    static func send(of delivery: SignalingMessage, by origin: String) -> SignalingMessage {
        var message = delivery
        message.sender = WAParty.device(origin)
        message.receiver = WAParty.server
        message.senderDevice = DeviceKey(origin)
        message.receiverDevice = delivery.waLog?.action == "offer" ? nil : delivery.receiverDevice
        inferred(&message, direction: .send, from: delivery)
        message.stamp.time = delivery.stamp.time.adding(nanoseconds: -nudge)
        return message
    }

    /// Makes a copy of `seen` the hop `direction` of the same stanza, inferred from it.
    static func inferred(_ message: inout SignalingMessage, direction: WADirection, from seen: SignalingMessage) {
        var detail = seen.waLog!
        detail.direction = direction
        detail.inferredFrom = "\(detail.log) line \(seen.stamp.source.frame)"
        message.waLog = detail
        message.confidence = .inferred
        message.identity = WAStanzaMapper.hopIdentity(
            direction, stanza: detail.stanza?.rawValue ?? "", id: detail.stanzaID ?? "", action: detail.action ?? "")
        message.annotations = []
    }
}
