import SigflowCore

/// One Matrix call event with every step that carried it: the device's send and each /sync delivery.
struct MatrixEvent {
    var type: String
    var senderUser: String?
    var partyID: String?
    /// The device that sent it (its lifeline), when known.
    var senderDevice: DeviceKey?
    var version: String?
    /// Content fields, from the first step that has them.
    var roomID: String?
    var lifetime: Int?
    var invitee: String?
    var reason: String?
    var selectedParty: String?
    var send: CallStep?
    var deliveries: [CallStep]

    init(_ detail: MatrixDetail, senderDevice: DeviceKey?) {
        type = detail.eventType
        senderUser = detail.sender
        partyID = detail.partyID
        self.senderDevice = senderDevice
        version = detail.version
        roomID = detail.roomID
        lifetime = detail.lifetime
        invitee = detail.invitee
        reason = detail.reason
        selectedParty = detail.selectedPartyID
        send = nil
        deliveries = []
    }

    /// Takes the content fields this event still lacks from another step of it.
    mutating func complete(from detail: MatrixDetail) {
        roomID = roomID ?? detail.roomID
        lifetime = lifetime ?? detail.lifetime
        invitee = invitee ?? detail.invitee
        reason = reason ?? detail.reason
        selectedParty = selectedParty ?? detail.selectedPartyID
    }

    /// When the event entered the system: its send, or its first delivery when the send was not seen.
    var time: CaptureTime { send?.time ?? deliveries.map(\.time).min() ?? .zero }
    /// The step to point a finding at.
    var step: Int { send?.number ?? deliveries.first?.number ?? 0 }

    /// The type with the unstable prefix read as the stable one: `m.call.invite` for
    /// `org.matrix.call.invite`.
    var stableType: String { type.replacingPrefix("org.matrix.call.", with: "m.call.") }

    /// The delivery of this event to a device, if the capture shows it.
    func delivery(to device: DeviceKey) -> CallStep? { deliveries.first { $0.message.receiverDevice == device } }

    /// A party: the sending user and its party_id (or device when v0 has none).
    var party: String { partyID ?? senderDevice?.description ?? "?" }
}

/// The Matrix view of a call: its events in order, built from sends and deliveries.
struct MatrixCallView {
    let call: Call
    let events: [MatrixEvent]
    /// A timeline gap (`limited`) in some device's /sync: earlier events may simply be missing.
    let hasTimelineGap: Bool

    /// An event is known by its event id, or without one (a send whose response the capture
    /// lacks, a to-device event) by its sending device and transaction id.
    private enum EventKey: Hashable {
        case id(String)
        case sent(device: DeviceKey?, transaction: String?)
    }

    init(_ call: Call) {
        self.call = call
        var order: [EventKey] = []
        var byKey: [EventKey: MatrixEvent] = [:]
        var gap = false
        for step in call.steps {
            guard let detail = step.message.matrix, !detail.isEncrypted else { continue }
            let key =
                detail.eventID.map(EventKey.id)
                ?? .sent(device: step.message.senderDevice, transaction: detail.transactionID)
            var event = byKey[key] ?? MatrixEvent(detail, senderDevice: step.message.senderDevice)
            if byKey[key] == nil { order.append(key) }
            if step.message.sender.isServer { event.deliveries.append(step) } else { event.send = step }
            event.senderDevice = event.senderDevice ?? step.message.senderDevice
            event.complete(from: detail)
            gap = gap || (step.message.sender.isServer && detail.afterTimelineGap)
            byKey[key] = event
        }
        events = order.compactMap { byKey[$0] }.sorted { $0.time < $1.time }
        hasTimelineGap = gap
    }

    func events(_ type: String) -> [MatrixEvent] {
        events.filter { $0.type == type || $0.type == type.replacingPrefix("m.call.", with: "org.matrix.call.") }
    }

    var invite: MatrixEvent? { events("m.call.invite").first }

    /// The caller's device: the one that sent the invite.
    var callerDevice: DeviceKey? { invite?.senderDevice }
}
