/// Which lifeline a party is drawn on: its network endpoint (SIP), or a name the decoder chooses
/// where devices share connections (a Matrix device behind its homeserver, a WhatsApp device JID).
public enum PartyKey: Hashable, Sendable, CustomStringConvertible {
    case endpoint(Endpoint)
    case name(String)

    public var description: String {
        switch self {
        case .endpoint(let endpoint): return endpoint.description
        case .name(let name): return name
        }
    }
}

/// One end of a message: who sent it or who it went to.
public struct Party: Hashable, Sendable {
    public var key: PartyKey
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
        key: PartyKey, endpoint: Endpoint? = nil, isServer: Bool = false, user: String? = nil, device: String? = nil,
        agent: String? = nil
    ) {
        self.key = key
        self.endpoint = endpoint
        self.isServer = isServer
        self.user = user
        self.device = device
        self.agent = agent
    }

    /// A party named by the decoder.
    public init(
        name: String, endpoint: Endpoint? = nil, isServer: Bool = false, user: String? = nil, device: String? = nil,
        agent: String? = nil
    ) {
        self.init(key: .name(name), endpoint: endpoint, isServer: isServer, user: user, device: device, agent: agent)
    }

    /// A party known by its network endpoint.
    public init(endpoint: Endpoint) {
        self.init(key: .endpoint(endpoint), endpoint: endpoint)
    }
}

/// What a protocol module knows about one of its messages beyond the neutral fields: the typed
/// header fields its rules read (a SIP CSeq, a Matrix party_id, an XMPP stanza id), and how the
/// message is shown. Rules and renderers read the fields by casting to the protocol's own type;
/// `attributes` is the one place the fields become JSON.
public protocol MessageDetail: Sendable {
    /// The message as the protocol names it: `INVITE`, `603 Decline`, `m.call.reject`, `<reject>`.
    var label: String { get }
    /// The start line or stanza head as on the wire; empty where nothing will show it.
    var headline: String { get }
    /// Short facts worth showing next to the arrow: an SDP summary, a Reason header, a reject reason.
    var notes: [String] { get }
    /// The decoded fields for JSON `attributes`, in their documented order and under their
    /// documented names.
    var attributes: [(key: String, value: String)] { get }
    /// Whether `other` holds the same fields.
    func isEqual(to other: any MessageDetail) -> Bool
}

extension MessageDetail where Self: Equatable {
    public func isEqual(to other: any MessageDetail) -> Bool { (other as? Self) == self }
}

/// One signaling message in protocol-neutral terms: what every decoder emits and all later stages
/// consume. The correlator works only with the neutral fields and keys; the protocol's own fields
/// ride along in `detail`.
///
/// A value type whose fields live in copy-on-write storage: the correlator, checks and renderers copy
/// steps around a lot, and a copy is then one reference count instead of one per field.
public struct SignalingMessage: Hashable, Sendable {
    private final class Storage: @unchecked Sendable {
        var call: CallKey
        var callID: String
        var kind: MessageKind
        var method: String?
        var statusCode: Int?
        var sender: Party
        var receiver: Party
        var stamp: PacketStamp
        var transport: MessageTransport
        var confidence: Confidence
        var identity: MessageKey
        var transaction: MessageKey?
        var dialog: MessageKey?
        var senderDevice: DeviceKey?
        var receiverDevice: DeviceKey?
        var outcome: CallOutcome?
        var elsewhere: ElsewhereHint?
        var linkTokens: [LinkToken]
        var mediaEndpoints: [Endpoint]
        var annotations: [String] = []
        var truncated = false
        var ignoredByCaller = false
        var lifetime: Int64?
        var detail: any MessageDetail

        init(
            call: CallKey, callID: String, kind: MessageKind, method: String?, statusCode: Int?, sender: Party,
            receiver: Party, stamp: PacketStamp, transport: MessageTransport, confidence: Confidence,
            identity: MessageKey, transaction: MessageKey?, dialog: MessageKey?, senderDevice: DeviceKey?,
            receiverDevice: DeviceKey?, outcome: CallOutcome?, elsewhere: ElsewhereHint?, linkTokens: [LinkToken],
            mediaEndpoints: [Endpoint], detail: any MessageDetail
        ) {
            self.call = call
            self.callID = callID
            self.kind = kind
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
            self.linkTokens = linkTokens
            self.mediaEndpoints = mediaEndpoints
            self.detail = detail
        }

        func copy() -> Storage {
            let copy = Storage(
                call: call, callID: callID, kind: kind, method: method, statusCode: statusCode, sender: sender,
                receiver: receiver, stamp: stamp, transport: transport, confidence: confidence, identity: identity,
                transaction: transaction, dialog: dialog, senderDevice: senderDevice, receiverDevice: receiverDevice,
                outcome: outcome, elsewhere: elsewhere, linkTokens: linkTokens, mediaEndpoints: mediaEndpoints,
                detail: detail)
            copy.annotations = annotations
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

    /// Which call the message belongs to, as the correlator groups messages.
    public var call: CallKey {
        get { storage.call }
        set { unique.call = newValue }
    }

    public var signalingProtocol: SignalingProtocol { storage.call.signalingProtocol }

    /// The call id as the protocol writes it: SIP Call-ID, Matrix call_id, JMI id / Jingle sid,
    /// WhatsApp call-id. Its fingerprint is in `call`.
    public var callID: String {
        get { storage.callID }
        set { unique.callID = newValue }
    }

    public var kind: MessageKind {
        get { storage.kind }
        set { unique.kind = newValue }
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

    public var transport: MessageTransport {
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
    public var identity: MessageKey {
        get { storage.identity }
        set { unique.identity = newValue }
    }

    /// Groups a request with its responses.
    public var transaction: MessageKey? {
        get { storage.transaction }
        set { unique.transaction = newValue }
    }

    /// Groups the messages of one dialog (SIP Call-ID + tags; one device's leg).
    public var dialog: MessageKey? {
        get { storage.dialog }
        set { unique.dialog = newValue }
    }

    /// The callee device that sent this message, where the protocol says (SIP To tag of a response,
    /// Matrix party_id, XMPP full JID, WhatsApp device JID).
    public var senderDevice: DeviceKey? {
        get { storage.senderDevice }
        set { unique.senderDevice = newValue }
    }

    /// The callee device this message is addressed to, where the protocol says.
    public var receiverDevice: DeviceKey? {
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

    /// What this message ties its call to: other legs of the same conversation (B2BUA legs:
    /// X-Call-ID, Session-ID, Replaces, Refer-To).
    public var linkTokens: [LinkToken] {
        get { storage.linkTokens }
        set { unique.linkTokens = newValue }
    }

    /// Where the sender says it receives media, as the signaling announces it: SDP `c=` address with
    /// each accepted `m=` port, ICE/raw-UDP candidates. Media trackers count UDP to these endpoints.
    public var mediaEndpoints: [Endpoint] {
        get { storage.mediaEndpoints }
        set { unique.mediaEndpoints = newValue }
    }

    /// Notes a later stage adds to the decoder's (an inferred hop's reason, a merge's clock shift).
    public var annotations: [String] {
        get { storage.annotations }
        set { unique.annotations = newValue }
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
    /// `lifetime`). Without it the offer times out after its protocol's offer timeout.
    public var lifetime: Int64? {
        get { storage.lifetime }
        set { unique.lifetime = newValue }
    }

    /// The protocol's own fields and presentation.
    public var detail: any MessageDetail {
        get { storage.detail }
        set { unique.detail = newValue }
    }

    /// The message as the protocol names it: `INVITE`, `603 Decline`, `m.call.reject`, `<reject>`.
    public var label: String { storage.detail.label }

    /// The start line or stanza head, as it appears on the wire.
    public var headline: String { storage.detail.headline }

    /// The decoder's notes, then the later stages'.
    public var notes: [String] {
        let annotations = storage.annotations
        return annotations.isEmpty ? storage.detail.notes : storage.detail.notes + annotations
    }

    /// The protocol's decoded fields, for JSON.
    public var attributes: [(key: String, value: String)] { storage.detail.attributes }

    public init(
        call: CallKey, callID: String, kind: MessageKind, method: String? = nil, statusCode: Int? = nil,
        sender: Party, receiver: Party, stamp: PacketStamp, transport: MessageTransport,
        confidence: Confidence = .observed, identity: MessageKey, transaction: MessageKey? = nil,
        dialog: MessageKey? = nil, senderDevice: DeviceKey? = nil, receiverDevice: DeviceKey? = nil,
        outcome: CallOutcome? = nil, elsewhere: ElsewhereHint? = nil, linkTokens: [LinkToken] = [],
        mediaEndpoints: [Endpoint] = [], detail: any MessageDetail
    ) {
        storage = Storage(
            call: call, callID: callID, kind: kind, method: method, statusCode: statusCode, sender: sender,
            receiver: receiver, stamp: stamp, transport: transport, confidence: confidence, identity: identity,
            transaction: transaction, dialog: dialog, senderDevice: senderDevice, receiverDevice: receiverDevice,
            outcome: outcome, elsewhere: elsewhere, linkTokens: linkTokens, mediaEndpoints: mediaEndpoints,
            detail: detail)
    }

    public static func == (lhs: SignalingMessage, rhs: SignalingMessage) -> Bool {
        if lhs.storage === rhs.storage { return true }
        let (a, b) = (lhs.storage, rhs.storage)
        return a.call == b.call && a.callID == b.callID && a.kind == b.kind && a.method == b.method
            && a.statusCode == b.statusCode && a.sender == b.sender && a.receiver == b.receiver && a.stamp == b.stamp
            && a.transport == b.transport && a.confidence == b.confidence && a.identity == b.identity
            && a.transaction == b.transaction && a.dialog == b.dialog && a.senderDevice == b.senderDevice
            && a.receiverDevice == b.receiverDevice && a.outcome == b.outcome && a.elsewhere == b.elsewhere
            && a.linkTokens == b.linkTokens && a.mediaEndpoints == b.mediaEndpoints && a.annotations == b.annotations
            && a.truncated == b.truncated && a.ignoredByCaller == b.ignoredByCaller && a.lifetime == b.lifetime
            && a.detail.isEqual(to: b.detail)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.call)
        hasher.combine(storage.identity)
        hasher.combine(storage.sender)
        hasher.combine(storage.receiver)
        hasher.combine(storage.stamp)
    }

    /// Whether the message settles the call for its sender: an answer or a final refusal.
    public var isDecision: Bool {
        switch kind {
        case .answer, .reject, .redirect, .challenge: return true
        default: return false
        }
    }
}

/// A message shown by its label alone: what later stages make (an inferred hop, a summary step)
/// where no decoder's fields apply.
public struct PlainDetail: MessageDetail, Equatable {
    public var label: String
    public var headline: String
    public var notes: [String]
    public var attributes: [(key: String, value: String)] { fields.map { ($0.key, $0.value) } }
    public var fields: [Field]

    public struct Field: Equatable, Sendable {
        public var key: String
        public var value: String

        public init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    public init(label: String, headline: String = "", notes: [String] = [], fields: [Field] = []) {
        self.label = label
        self.headline = headline
        self.notes = notes
        self.fields = fields
    }
}
