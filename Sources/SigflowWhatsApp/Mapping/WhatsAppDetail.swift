import SigflowCore

extension SignalingProtocol {
    /// WhatsApp calls, read from client debug logs and from the timing of encrypted captures.
    public static let whatsapp = SignalingProtocol(id: "whatsapp", displayName: "WhatsApp", rank: 3)
}

/// What WhatsApp rules and documents read of a message: a stanza (or status line) from a client log,
/// or a step of a capture's encrypted-traffic timeline.
public enum WhatsAppDetail: MessageDetail, Equatable {
    case log(WALogDetail)
    case timeline(WATimelineDetail)

    public var label: String {
        switch self {
        case .log(let detail): return detail.label
        case .timeline(let detail): return detail.label
        }
    }

    public var headline: String {
        switch self {
        case .log(let detail): return detail.headline
        case .timeline(let detail): return detail.label
        }
    }

    public var notes: [String] {
        switch self {
        case .log(let detail): return detail.notes
        case .timeline(let detail): return detail.notes
        }
    }

    public var attributes: [(key: String, value: String)] {
        switch self {
        case .log(let detail): return detail.attributes
        case .timeline(let detail): return detail.attributes
        }
    }
}

extension SignalingMessage {
    /// The WhatsApp fields of a WhatsApp message.
    public var whatsApp: WhatsAppDetail? { detail as? WhatsAppDetail }

    /// The fields of a message read from a client log. Set to change them (the merge does).
    public internal(set) var waLog: WALogDetail? {
        get {
            guard case .log(let detail)? = whatsApp else { return nil }
            return detail
        }
        set {
            if let newValue { detail = WhatsAppDetail.log(newValue) }
        }
    }

    /// The fields of a step of an encrypted-traffic timeline.
    public var waTimeline: WATimelineDetail? {
        guard case .timeline(let detail)? = whatsApp else { return nil }
        return detail
    }

    /// Moves the message to the call with `callID` (its key follows).
    mutating func move(toCall callID: String) {
        self.callID = callID
        call = CallKey(.whatsapp, callID: callID)
    }
}

/// JSON attributes as the decoder used to set them one by one: setting a name already there
/// replaces its value in place, a new name goes at the end.
struct WAAttributeList {
    private(set) var fields: [(key: String, value: String)] = []

    func contains(_ key: String) -> Bool { fields.contains { $0.key == key } }

    mutating func set(_ key: String, _ value: String?) {
        guard let value else { return }
        if let index = fields.firstIndex(where: { $0.key == key }) {
            fields[index].value = value
        } else {
            fields.append((key, value))
        }
    }

    mutating func remove(_ key: String) {
        fields.removeAll { $0.key == key }
    }
}
