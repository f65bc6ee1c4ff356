import SigflowCore

/// One Matrix call event with every step that carried it: the device's send and each /sync delivery.
struct MatrixEvent {
    var type: String
    var senderUser: String?
    var partyID: String?
    /// The device that sent it (lifeline key), when known.
    var senderDevice: String?
    var version: String?
    var attributes: MessageAttributes
    var send: CallStep?
    var deliveries: [CallStep]

    /// When the event entered the system: its send, or its first delivery when the send was not seen.
    var time: CaptureTime { send?.time ?? deliveries.map(\.time).min() ?? .zero }
    /// The step to point a finding at.
    var step: Int { send?.number ?? deliveries.first?.number ?? 0 }

    var reason: String? { attributes["reason"] }
    var selectedParty: String? { attributes["selected_party_id"] }

    /// The delivery of this event to a device, if the capture shows it.
    func delivery(to device: String) -> CallStep? { deliveries.first { $0.message.receiverDevice == device } }

    /// A party: the sending user and its party_id (or device when v0 has none).
    var party: String { partyID ?? senderDevice ?? "?" }
}

/// The Matrix view of a call: its events in order, built from sends and deliveries.
struct MatrixCallView {
    let call: Call
    let events: [MatrixEvent]

    init(_ call: Call) {
        self.call = call
        var order: [String] = []
        var byKey: [String: MatrixEvent] = [:]
        for step in call.steps where step.message.signalingProtocol == .matrix {
            let attributes = step.message.attributes
            guard let type = attributes["event_type"] else { continue }
            let key = attributes["event_id"] ?? "\(step.message.senderDevice ?? "?")|\(attributes["txn_id"] ?? "?")"
            var event =
                byKey[key]
                ?? MatrixEvent(
                    type: type, senderUser: attributes["sender"], partyID: attributes["party_id"],
                    senderDevice: step.message.senderDevice, version: attributes["version"], attributes: attributes,
                    send: nil, deliveries: [])
            if byKey[key] == nil { order.append(key) }
            if step.message.sender.isServer { event.deliveries.append(step) } else { event.send = step }
            event.senderDevice = event.senderDevice ?? step.message.senderDevice
            for (name, value) in attributes where event.attributes[name] == nil { event.attributes[name] = value }
            byKey[key] = event
        }
        events = order.compactMap { byKey[$0] }.sorted { $0.time < $1.time }
    }

    func events(_ type: String) -> [MatrixEvent] {
        events.filter { $0.type == type || $0.type == type.replacingPrefix("m.call.", with: "org.matrix.call.") }
    }

    var invite: MatrixEvent? { events("m.call.invite").first }

    /// A timeline gap (`limited`) in some device's /sync: earlier events may simply be missing.
    var hasTimelineGap: Bool {
        events.contains { $0.deliveries.contains { $0.message.attributes["after-timeline-gap"] == "true" } }
    }

    /// The caller's device: the one that sent the invite.
    var callerDevice: String? { invite?.senderDevice }
}

extension String {
    func replacingPrefix(_ prefix: String, with replacement: String) -> String {
        hasPrefix(prefix) ? replacement + dropFirst(prefix.count) : self
    }
}
