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
///
/// A value type whose fields live in copy-on-write storage: the correlator, checks and renderers copy
/// steps around a lot, and a copy is then one reference count instead of one per field.
public struct SignalingMessage: Hashable, Sendable {
    private final class Storage: @unchecked Sendable {
        var signalingProtocol: SignalingProtocol
        var callID: String
        var kind: MessageKind
        var label: String
        var headline: String
        var method: String?
        var statusCode: Int?
        var sender: Party
        var receiver: Party
        var stamp: PacketStamp
        var transport: String
        var confidence: Confidence
        var identity: String
        var transaction: String?
        var dialog: String?
        var senderDevice: String?
        var receiverDevice: String?
        var outcome: CallOutcome?
        var elsewhere: ElsewhereHint?
        var linkedCallIDs: [String]
        var notes: [String]
        var attributes: MessageAttributes
        var mediaEndpoints: [Endpoint]
        var truncated = false
        var ignoredByCaller = false
        var lifetime: Int64?

        init(
            signalingProtocol: SignalingProtocol, callID: String, kind: MessageKind, label: String, headline: String,
            method: String?, statusCode: Int?, sender: Party, receiver: Party, stamp: PacketStamp, transport: String,
            confidence: Confidence, identity: String, transaction: String?, dialog: String?, senderDevice: String?,
            receiverDevice: String?, outcome: CallOutcome?, elsewhere: ElsewhereHint?, linkedCallIDs: [String],
            notes: [String], attributes: MessageAttributes, mediaEndpoints: [Endpoint]
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
            self.mediaEndpoints = mediaEndpoints
        }

        func copy() -> Storage {
            let copy = Storage(
                signalingProtocol: signalingProtocol, callID: callID, kind: kind, label: label, headline: headline,
                method: method, statusCode: statusCode, sender: sender, receiver: receiver, stamp: stamp,
                transport: transport, confidence: confidence, identity: identity, transaction: transaction,
                dialog: dialog, senderDevice: senderDevice, receiverDevice: receiverDevice, outcome: outcome,
                elsewhere: elsewhere, linkedCallIDs: linkedCallIDs, notes: notes, attributes: attributes,
                mediaEndpoints: mediaEndpoints)
            copy.truncated = truncated
            copy.ignoredByCaller = ignoredByCaller
            copy.lifetime = lifetime
            return copy
        }
    }

    private var storage: Storage

    /// The storage, copied first if another value shares it.
    private var unique: Storage {
        mutating get {
            if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
            return storage
        }
    }

    public var signalingProtocol: SignalingProtocol {
        get { storage.signalingProtocol }
        set { unique.signalingProtocol = newValue }
    }

    /// The call key: SIP Call-ID, Matrix room + call_id, JMI id / Jingle sid, WhatsApp call-id.
    public var callID: String {
        get { storage.callID }
        set { unique.callID = newValue }
    }

    public var kind: MessageKind {
        get { storage.kind }
        set { unique.kind = newValue }
    }

    /// The message as the protocol names it: `INVITE`, `603 Decline`, `m.call.reject`, `<reject>`.
    public var label: String {
        get { storage.label }
        set { unique.label = newValue }
    }

    /// The start line or stanza head, as it appears on the wire.
    public var headline: String {
        get { storage.headline }
        set { unique.headline = newValue }
    }

    /// The request method this message's transaction belongs to (`INVITE` for a `603`), where the
    /// protocol has methods.
    public var method: String? {
        get { storage.method }
        set { unique.method = newValue }
    }

    public var statusCode: Int? {
        get { storage.statusCode }
        set { unique.statusCode = newValue }
    }

    public var sender: Party {
        get { storage.sender }
        set { unique.sender = newValue }
    }

    public var receiver: Party {
        get { storage.receiver }
        set { unique.receiver = newValue }
    }

    public var stamp: PacketStamp {
        get { storage.stamp }
        set { unique.stamp = newValue }
    }

    /// How it travelled: `udp`, `tcp`, `ws`, `http`, `log`.
    public var transport: String {
        get { storage.transport }
        set { unique.transport = newValue }
    }

    public var confidence: Confidence {
        get { storage.confidence }
        set { unique.confidence = newValue }
    }

    /// Equal for copies of one message: retransmissions, and the same message seen from another
    /// vantage point. Different for the same message forwarded by a proxy (each hop is its own step).
    /// Only compared between messages of one call.
    public var identity: String {
        get { storage.identity }
        set { unique.identity = newValue }
    }

    /// Groups a request with its responses.
    public var transaction: String? {
        get { storage.transaction }
        set { unique.transaction = newValue }
    }

    /// Groups the messages of one dialog (SIP Call-ID + tags; one device's leg).
    public var dialog: String? {
        get { storage.dialog }
        set { unique.dialog = newValue }
    }

    /// The callee device that sent this message, where the protocol says (SIP To tag of a response,
    /// Matrix party_id, XMPP full JID, WhatsApp device JID).
    public var senderDevice: String? {
        get { storage.senderDevice }
        set { unique.senderDevice = newValue }
    }

    /// The callee device this message is addressed to, where the protocol says.
    public var receiverDevice: String? {
        get { storage.receiverDevice }
        set { unique.receiverDevice = newValue }
    }

    /// For decisions (reject, redirect, challenge, cancel, hangup): the outcome this message means.
    public var outcome: CallOutcome? {
        get { storage.outcome }
        set { unique.outcome = newValue }
    }

    /// For a cancel or hang-up sent to a ringing device: that the call was settled on another device.
    public var elsewhere: ElsewhereHint? {
        get { storage.elsewhere }
        set { unique.elsewhere = newValue }
    }

    /// Other call keys this message ties to the same conversation (B2BUA legs: X-Call-ID, Session-ID,
    /// Replaces, Refer-To).
    public var linkedCallIDs: [String] {
        get { storage.linkedCallIDs }
        set { unique.linkedCallIDs = newValue }
    }

    /// Short facts worth showing next to the arrow: SDP summary, Reason header, reject reason.
    public var notes: [String] {
        get { storage.notes }
        set { unique.notes = newValue }
    }

    public var attributes: MessageAttributes {
        get { storage.attributes }
        set { unique.attributes = newValue }
    }

    /// Where the sender says it receives media, as the signaling announces it: SDP `c=` address with
    /// each accepted `m=` port, ICE/raw-UDP candidates. Media trackers count UDP to these endpoints.
    public var mediaEndpoints: [Endpoint] {
        get { storage.mediaEndpoints }
        set { unique.mediaEndpoints = newValue }
    }

    /// The capture holds only part of the message (a snapshot length, a damaged frame): what parsed
    /// is shown, marked so.
    public var truncated: Bool {
        get { storage.truncated }
        set { unique.truncated = newValue }
    }

    /// A decision the caller cannot act on (a version 1 `m.call.reject` answering a version 0
    /// invite): it settles the sending device's fate, not the call's.
    public var ignoredByCaller: Bool {
        get { storage.ignoredByCaller }
        set { unique.ignoredByCaller = newValue }
    }

    /// For an offer: how long it stays valid, in nanoseconds, where the protocol says (Matrix
    /// `lifetime`). Without it the offer times out after SIP's Timer B.
    public var lifetime: Int64? {
        get { storage.lifetime }
        set { unique.lifetime = newValue }
    }

    public init(
        signalingProtocol: SignalingProtocol, callID: String, kind: MessageKind, label: String, headline: String,
        method: String? = nil, statusCode: Int? = nil, sender: Party, receiver: Party, stamp: PacketStamp,
        transport: String, confidence: Confidence = .observed, identity: String, transaction: String? = nil,
        dialog: String? = nil, senderDevice: String? = nil, receiverDevice: String? = nil, outcome: CallOutcome? = nil,
        elsewhere: ElsewhereHint? = nil, linkedCallIDs: [String] = [], notes: [String] = [],
        attributes: MessageAttributes = MessageAttributes(), mediaEndpoints: [Endpoint] = []
    ) {
        storage = Storage(
            signalingProtocol: signalingProtocol, callID: callID, kind: kind, label: label, headline: headline,
            method: method, statusCode: statusCode, sender: sender, receiver: receiver, stamp: stamp,
            transport: transport, confidence: confidence, identity: identity, transaction: transaction, dialog: dialog,
            senderDevice: senderDevice, receiverDevice: receiverDevice, outcome: outcome, elsewhere: elsewhere,
            linkedCallIDs: linkedCallIDs, notes: notes, attributes: attributes, mediaEndpoints: mediaEndpoints)
    }

    public static func == (lhs: SignalingMessage, rhs: SignalingMessage) -> Bool {
        if lhs.storage === rhs.storage { return true }
        return lhs.signalingProtocol == rhs.signalingProtocol
            && lhs.callID == rhs.callID
            && lhs.kind == rhs.kind
            && lhs.label == rhs.label
            && lhs.headline == rhs.headline
            && lhs.method == rhs.method
            && lhs.statusCode == rhs.statusCode
            && lhs.sender == rhs.sender
            && lhs.receiver == rhs.receiver
            && lhs.stamp == rhs.stamp
            && lhs.transport == rhs.transport
            && lhs.confidence == rhs.confidence
            && lhs.identity == rhs.identity
            && lhs.transaction == rhs.transaction
            && lhs.dialog == rhs.dialog
            && lhs.senderDevice == rhs.senderDevice
            && lhs.receiverDevice == rhs.receiverDevice
            && lhs.outcome == rhs.outcome
            && lhs.elsewhere == rhs.elsewhere
            && lhs.linkedCallIDs == rhs.linkedCallIDs
            && lhs.notes == rhs.notes
            && lhs.attributes == rhs.attributes
            && lhs.mediaEndpoints == rhs.mediaEndpoints
            && lhs.truncated == rhs.truncated
            && lhs.ignoredByCaller == rhs.ignoredByCaller
            && lhs.lifetime == rhs.lifetime
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(signalingProtocol)
        hasher.combine(callID)
        hasher.combine(identity)
        hasher.combine(sender)
        hasher.combine(receiver)
        hasher.combine(stamp)
    }

    /// Whether the message settles the call for its sender: an answer or a final refusal.
    public var isDecision: Bool {
        switch kind {
        case .answer, .reject, .redirect, .challenge: return true
        default: return false
        }
    }
}
