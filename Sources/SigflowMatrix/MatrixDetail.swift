import SigflowCore

extension SignalingProtocol {
    /// Matrix VoIP (`m.call.*` events, voip_events.md) over the client-server API.
    public static let matrix = SignalingProtocol(id: "matrix", displayName: "Matrix", rank: 1)
}

/// What Matrix rules and documents read of one step of a call event (its send by a device, or a
/// /sync delivery to one): the event's envelope and the content fields the spec gives meaning to,
/// and how the delivery came. An end-to-end encrypted event (`m.room.encrypted`) shows only its
/// room and event id: its call fields are unreadable.
public struct MatrixDetail: MessageDetail, Equatable {
    /// As sent: `m.call.invite`, `org.matrix.call.invite`, `m.room.encrypted`.
    public var eventType: String
    public var roomID: String?
    /// The content's `call_id`; nil for an encrypted event.
    public var callID: String?
    /// The content's `version` as `MatrixDecoder.CallEvent.version` reads it (`0`, `1`); nil for an
    /// encrypted event.
    public var version: String?
    public var partyID: String?
    /// The sending user.
    public var sender: String?
    public var eventID: String?
    /// The client's transaction id of a send (for a to-device send, with the target user and device).
    public var transactionID: String?
    /// An invite's `lifetime`, in milliseconds as sent.
    public var lifetime: Int?
    public var invitee: String?
    /// The content's `reason`: a string as written, anything else as compact JSON.
    public var reason: String?
    public var selectedPartyID: String?
    /// A delivery in a /sync timeline marked `limited`: earlier events of the room may be missing.
    public var afterTimelineGap: Bool
    /// A delivery's `unsigned.age`: how old the event was, in milliseconds, when the server sent it.
    public var age: Int?
    public var headline: String
    public var notes: [String]

    public var label: String { eventType }

    public var isEncrypted: Bool { eventType == MatrixCallEventType.encrypted }

    public var attributes: [(key: String, value: String)] {
        var fields: [(key: String, value: String)] = []
        func put(_ key: String, _ value: String?) {
            if let value { fields.append((key, value)) }
        }
        if isEncrypted {
            put("room_id", roomID ?? "")
            put("event_id", eventID ?? "")
        } else {
            put("room_id", roomID)
            put("call_id", callID)
            put("event_type", eventType)
            put("version", version)
            put("party_id", partyID)
            put("sender", sender)
            put("event_id", eventID)
            put("txn_id", transactionID)
            put("lifetime", lifetime.map { String($0) })
            put("invitee", invitee)
            put("reason", reason)
            put("selected_party_id", selectedPartyID)
        }
        if afterTimelineGap { put("after-timeline-gap", "true") }
        put("age", age.map { String($0) })
        return fields
    }
}

extension SignalingMessage {
    /// The Matrix fields of a Matrix message.
    public var matrix: MatrixDetail? { detail as? MatrixDetail }
}
