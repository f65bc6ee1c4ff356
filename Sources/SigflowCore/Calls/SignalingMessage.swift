/// One end of a message: who sent it or who it went to.
///
/// `key` names the lifeline the message is drawn on. Protocols on the network use the endpoint
/// (`10.0.0.1:5060`); protocols whose devices share connections (Matrix clients behind one server,
/// WhatsApp logs) use a device key the decoder chooses.
public struct Party: Hashable, Sendable {
    public var key: String
    public var endpoint: Endpoint?
    /// A relaying server (Matrix homeserver, XMPP server, WhatsApp server): never caller or callee.
    public var isServer: Bool
    /// The user: SIP address of record, Matrix user id, XMPP bare JID, WhatsApp user JID.
    public var user: String?
    /// The device: Matrix device id, XMPP resource, WhatsApp device JID.
    public var device: String?
    /// The software: SIP User-Agent or Server header, client name.
    public var agent: String?

    public init(
        key: String, endpoint: Endpoint? = nil, isServer: Bool = false, user: String? = nil, device: String? = nil,
        agent: String? = nil
    ) {
        self.key = key
        self.endpoint = endpoint
        self.isServer = isServer
        self.user = user
        self.device = device
        self.agent = agent
    }

    /// A party known by its network endpoint only.
    public init(endpoint: Endpoint) {
        self.init(key: endpoint.description, endpoint: endpoint)
    }
}

/// Decoded fields of a message, in the order the decoder found them, for checks and JSON.
public struct MessageAttributes: Hashable, Sendable, Sequence {
    public private(set) var pairs: [(key: String, value: String)] = []

    public init(_ pairs: [(String, String)] = []) {
        self.pairs = pairs.map { (key: $0.0, value: $0.1) }
    }

    public subscript(key: String) -> String? {
        get { pairs.first { $0.key == key }?.value }
        set {
            if let index = pairs.firstIndex(where: { $0.key == key }) {
                if let newValue { pairs[index].value = newValue } else { pairs.remove(at: index) }
            } else if let newValue {
                pairs.append((key: key, value: newValue))
            }
        }
    }

    public func makeIterator() -> IndexingIterator<[(key: String, value: String)]> { pairs.makeIterator() }

    public static func == (lhs: MessageAttributes, rhs: MessageAttributes) -> Bool {
        lhs.pairs.elementsEqual(rhs.pairs) { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for pair in pairs {
            hasher.combine(pair.key)
            hasher.combine(pair.value)
        }
    }
}

/// One signaling message in protocol-neutral terms: what every decoder emits and all later stages
/// consume.
public struct SignalingMessage: Hashable, Sendable {
    public var signalingProtocol: SignalingProtocol
    /// The call key: SIP Call-ID, Matrix room + call_id, JMI id / Jingle sid, WhatsApp call-id.
    public var callID: String
    public var kind: MessageKind
    /// The message as the protocol names it: `INVITE`, `603 Decline`, `m.call.reject`, `<reject>`.
    public var label: String
    /// The start line or stanza head, as it appears on the wire.
    public var headline: String
    /// The request method this message's transaction belongs to (`INVITE` for a `603`), where the
    /// protocol has methods.
    public var method: String?
    public var statusCode: Int?
    public var sender: Party
    public var receiver: Party
    public var stamp: PacketStamp
    /// How it travelled: `udp`, `tcp`, `ws`, `http`, `log`.
    public var transport: String
    public var confidence: Confidence
    /// Equal for copies of one message: retransmissions, and the same message seen from another
    /// vantage point. Different for the same message forwarded by a proxy (each hop is its own step).
    public var identity: String
    /// Groups a request with its responses.
    public var transaction: String?
    /// Groups the messages of one dialog (SIP Call-ID + tags; one device's leg).
    public var dialog: String?
    /// The callee device that sent this message, where the protocol says (SIP To tag of a response,
    /// Matrix party_id, XMPP full JID, WhatsApp device JID).
    public var senderDevice: String?
    /// The callee device this message is addressed to, where the protocol says.
    public var receiverDevice: String?
    /// For decisions (reject, redirect, challenge, cancel, hangup): the outcome this message means.
    public var outcome: CallOutcome?
    /// For a cancel or hang-up sent to a ringing device: that the call was settled on another device.
    public var elsewhere: ElsewhereHint?
    /// Other call keys this message ties to the same conversation (B2BUA legs: X-Call-ID, Session-ID,
    /// Replaces, Refer-To).
    public var linkedCallIDs: [String]
    /// Short facts worth showing next to the arrow: SDP summary, Reason header, reject reason.
    public var notes: [String]
    public var attributes: MessageAttributes
    /// The first lines of the message as captured, for the document's evidence.
    public var excerpt: String

    public init(
        signalingProtocol: SignalingProtocol, callID: String, kind: MessageKind, label: String, headline: String,
        method: String? = nil, statusCode: Int? = nil, sender: Party, receiver: Party, stamp: PacketStamp,
        transport: String, confidence: Confidence = .observed, identity: String, transaction: String? = nil,
        dialog: String? = nil, senderDevice: String? = nil, receiverDevice: String? = nil,
        outcome: CallOutcome? = nil, elsewhere: ElsewhereHint? = nil, linkedCallIDs: [String] = [],
        notes: [String] = [], attributes: MessageAttributes = MessageAttributes(), excerpt: String = ""
    ) {
        self.signalingProtocol = signalingProtocol
        self.callID = callID
        self.kind = kind
        self.label = label
        self.headline = headline
        self.method = method
        self.statusCode = statusCode
        self.sender = sender
        self.receiver = receiver
        self.stamp = stamp
        self.transport = transport
        self.confidence = confidence
        self.identity = identity
        self.transaction = transaction
        self.dialog = dialog
        self.senderDevice = senderDevice
        self.receiverDevice = receiverDevice
        self.outcome = outcome
        self.elsewhere = elsewhere
        self.linkedCallIDs = linkedCallIDs
        self.notes = notes
        self.attributes = attributes
        self.excerpt = excerpt
    }

    /// Whether the message settles the call for its sender: an answer or a final refusal.
    public var isDecision: Bool {
        switch kind {
        case .answer, .reject, .redirect, .challenge: return true
        default: return false
        }
    }
}
