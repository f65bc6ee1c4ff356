import SigflowCore
import SigflowFraming
import SigflowSDP

/// Decodes Matrix VoIP (`m.call.*`) from the client-server API: each event a device sends
/// (`PUT .../send/m.call.*`) is a step to the homeserver, and each `/sync` response that hands it to
/// another device is a step from the homeserver to that device, as the seed diagram routes calls.
///
/// Devices are told apart by the bearer token of their requests (a device may use several
/// connections), named from `/login` and `/account/whoami` responses when the capture holds them.
/// Tokens are never printed.
public final class MatrixDecoder {
    private let sink: any SignalingSink
    /// Each table forgets its oldest entries beyond a bound, so a long capture (or one naming a new
    /// token per request) does not grow memory: a homeserver's clients are far fewer than 10,000
    /// devices, and an event's send and deliveries come long before 200,000 other call events.
    private var devicesByToken = BoundedDictionary<String, DeviceIdentity>(capacity: 10_000)
    private var deviceByParty = BoundedDictionary<String, DeviceIdentity>(capacity: 10_000)
    private var calls = BoundedDictionary<String, CallState>(capacity: 100_000)
    /// Kind and outcome decided when an event was first seen, so its send and deliveries agree.
    private var meaningByEvent = BoundedDictionary<String, Meaning>(capacity: 200_000)

    public init(sink: any SignalingSink) {
        self.sink = sink
    }

    struct DeviceIdentity: Hashable {
        var user: String?
        var device: String

        /// The lifeline key: `@bob:example.org/PHONE`.
        var key: String { (user.map { $0 + "/" } ?? "") + device }
    }

    struct CallState {
        var callerUser: String?
        var callerParty: String?
        var version: String
        var answeredParties: [String] = []
        /// Lifeline keys of the devices that answered: a sibling's answer settles nothing for them
        /// (the caller's select_answer does).
        var answeredDevices: Set<String> = []
        var rejectedParties: [String] = []
        var selectedParty: String?
    }

    struct Meaning {
        var kind: MessageKind
        var outcome: CallOutcome?
        /// A decision the caller cannot understand (see `SignalingMessage.ignoredByCaller`).
        var unheard = false
    }

    /// One call event, as a PUT body or a /sync timeline entry gives it.
    struct CallEvent {
        var type: String
        var content: JSONValue
        var roomID: String?
        var eventID: String?
        var transactionID: String?
        var senderUser: String?
        var senderDevice: DeviceIdentity?
        var limitedTimeline = false
        var age: Int?

        var callID: String? { content["call_id"]?.string }
        var partyID: String? { content["party_id"]?.string }

        /// `version` is the integer 0 for old clients, the string "1" (or anything else, read as "1") for v1.
        var version: String {
            switch content["version"] {
            case .int(0)?: return "0"
            case .string(let text)?: return text
            case .some: return "1"
            case nil: return "0"
            }
        }
    }

    public func exchange(_ exchange: HTTPExchange) {
        guard let request = exchange.request else { return }
        let token = Self.bearerToken(request)
        switch MatrixRequestPath(method: request.method, target: request.target) {
        case .login:
            guard let body = exchange.response.flatMap({ Self.json($0.body) }),
                let token = body["access_token"]?.string,
                let device = body["device_id"]?.string
            else { return }
            devicesByToken[token] = DeviceIdentity(user: body["user_id"]?.string, device: device)
        case .whoami:
            guard let token, let body = exchange.response.flatMap({ Self.json($0.body) }),
                let device = body["device_id"]?.string
            else { return }
            devicesByToken[token] = DeviceIdentity(user: body["user_id"]?.string, device: device)
        case .send(let roomID, let eventType, let transactionID):
            guard MatrixCallEventType.isCallEvent(eventType) || eventType == MatrixCallEventType.encrypted,
                let content = Self.json(request.body)
            else { return }
            let device = identity(for: token)
            let eventID = exchange.response.flatMap { Self.json($0.body) }?["event_id"]?.string
            let event = CallEvent(
                type: eventType, content: content, roomID: roomID, eventID: eventID, transactionID: transactionID,
                senderUser: device.user, senderDevice: device)
            if let party = event.partyID { deviceByParty[Self.partyKey(user: device.user, party: party)] = device }
            emitSend(event, request: request, stream: exchange.stream)
        case .sendToDevice(let eventType, let transactionID):
            guard MatrixCallEventType.isCallEvent(eventType), let body = Self.json(request.body),
                let messages = body["messages"]?.object
            else { return }
            let device = identity(for: token)
            for (user, perDevice) in messages {
                for (target, content) in perDevice.object ?? [] {
                    guard content.object != nil else { continue }
                    let event = CallEvent(
                        type: eventType, content: content, roomID: nil, eventID: nil,
                        transactionID: "\(transactionID)/\(user)/\(target)", senderUser: device.user,
                        senderDevice: device)
                    emitSend(event, request: request, stream: exchange.stream)
                }
            }
        case .sync:
            guard let response = exchange.response, response.status == 200, Self.mightHoldCallEvents(response.body),
                let body = Self.json(response.body)
            else { return }
            let receiver = identity(for: token)
            for event in Self.callEvents(inSync: body) {
                emitDelivery(event, to: receiver, response: response, stream: exchange.stream)
            }
        case .other:
            return
        }
    }

    // MARK: Messages

    private func emitSend(_ event: CallEvent, request: HTTPRequest, stream: StreamInfo) {
        guard let sender = event.senderDevice else { return }
        let server = Self.homeserver(stream)
        var party = Party(name: sender.key, endpoint: stream.client, user: sender.user, device: sender.device)
        party.agent = request.headers["user-agent"]
        let path = request.target.split(separator: "?").first.map(String.init) ?? request.target
        guard
            var message = message(
                for: event, sender: party, receiver: server, stamp: request.stamp, transport: stream.httpTransportName,
                identity: "send|\(sender.key)|\(event.transactionID ?? event.eventID ?? "?")",
                headline: "\(request.method) \(path)", hopNote: "sent by \(sender.device)")
        else { return }
        // The SDP and ICE candidates an event carries say where its sending device receives media;
        // only the send step announces them, so the media tracker gives the streams to that device.
        message.mediaEndpoints = Self.mediaEndpoints(event.content)
        sink.deliver(message)
    }

    private func emitDelivery(
        _ event: CallEvent, to receiver: DeviceIdentity, response: HTTPResponse, stream: StreamInfo
    ) {
        // The sender's own device gets its event back (remote echo): not a delivery to anyone else.
        if event.transactionID != nil { return }
        let origin = originDevice(of: event)
        if let origin, origin == receiver { return }
        let party = Party(name: receiver.key, endpoint: stream.client, user: receiver.user, device: receiver.device)
        guard
            var message = message(
                for: event, sender: Self.homeserver(stream), receiver: party, stamp: response.stamp,
                transport: stream.httpTransportName, identity: "deliver|\(event.eventID ?? "?")|\(receiver.key)",
                headline: "/sync: \(event.type) \(event.eventID ?? "") from \(event.senderUser ?? "?")",
                hopNote: "delivered to \(receiver.device) by /sync")
        else { return }
        message.receiverDevice = DeviceKey(receiver.key)
        message.elsewhere = elsewhere(event, deliveredTo: receiver, from: origin)
        sink.deliver(message)
    }

    /// The step of `event` from `sender` to `receiver`; `hopNote` (who sent it, or who it was
    /// delivered to) comes first among its notes.
    private func message(
        for event: CallEvent, sender: Party, receiver: Party, stamp: PacketStamp, transport: MessageTransport,
        identity: String, headline: String, hopNote: String
    ) -> SignalingMessage? {
        let identity = MessageKey(tag: Self.identityTag, text: identity)
        let gapNote = event.limitedTimeline ? ["after a timeline gap: earlier events of this room may be missing"] : []
        if event.type == MatrixCallEventType.encrypted {
            guard let roomID = event.roomID else { return nil }
            let callID = "encrypted events in \(roomID)"
            let detail = MatrixDetail(
                eventType: event.type, roomID: roomID, eventID: event.eventID,
                afterTimelineGap: event.limitedTimeline, age: event.age, headline: headline,
                notes: [hopNote, "end-to-end encrypted: the event type and call it belongs to are unreadable"]
                    + gapNote)
            return SignalingMessage(
                call: CallKey(.matrix, callID: callID), callID: callID, kind: .other, method: event.type,
                sender: sender, receiver: receiver, stamp: stamp, transport: transport, identity: identity,
                detail: detail)
        }
        guard let callID = event.callID else {
            sink.report(
                Diagnostic(
                    .warning, "matrix_call_event_without_call_id", "\(event.type) without call_id", source: stamp.source
                ))
            return nil
        }
        let meaning = meaning(of: event)
        let originParty = event.partyID.map { Self.partyKey(user: event.senderUser, party: $0) }
        let senderDevice = event.senderDevice?.key ?? originParty.map { deviceByParty[$0]?.key ?? $0 }
        let unheard =
            meaning.unheard && (receiver.isServer || receiver.user == calls[callID]?.callerUser)
            ? ["the version 0 caller does not understand m.call.reject: the reject goes unheard"] : []
        let detail = MatrixDetail(
            eventType: event.type, roomID: event.roomID, callID: callID, version: event.version,
            partyID: event.partyID, sender: event.senderUser, eventID: event.eventID,
            transactionID: event.transactionID, lifetime: event.content["lifetime"]?.integer,
            invitee: event.content["invitee"]?.string,
            reason: event.content["reason"].map { $0.string ?? $0.compactText },
            selectedPartyID: event.content["selected_party_id"]?.string, afterTimelineGap: event.limitedTimeline,
            age: event.age, headline: headline, notes: [hopNote] + Self.notes(for: event) + unheard + gapNote)
        var message = SignalingMessage(
            call: CallKey(.matrix, callID: callID), callID: callID, kind: meaning.kind, sender: sender,
            receiver: receiver, stamp: stamp, transport: transport, identity: identity,
            senderDevice: senderDevice.map(DeviceKey.init), outcome: meaning.outcome, detail: detail)
        message.ignoredByCaller = meaning.unheard
        if meaning.kind == .offer, let lifetime = event.content["lifetime"]?.integer, lifetime > 0 {
            message.lifetime = Int64(min(lifetime, Int(Int64.max / 1_000_000))) * 1_000_000
        }
        return message
    }

    /// Decides what an event means for its call, once, from the call's state when first seen.
    private func meaning(of event: CallEvent) -> Meaning {
        let key = event.eventID ?? "\(event.senderDevice?.key ?? "?")|\(event.transactionID ?? "?")"
        if let known = meaningByEvent[key] { return known }
        let callID = event.callID ?? ""
        var state = calls[callID] ?? CallState(version: event.version)
        let party = event.partyID ?? event.senderDevice?.device ?? "?"
        let fromCaller =
            state.callerUser == nil
            || (event.senderUser == state.callerUser
                && (state.callerParty == nil || event.partyID == nil || event.partyID == state.callerParty))
        var meaning: Meaning
        switch event.type.replacingPrefix("org.matrix.call.", with: "m.call.") {
        case "m.call.invite":
            state = CallState(callerUser: event.senderUser, callerParty: event.partyID, version: event.version)
            meaning = Meaning(kind: .offer)
        case "m.call.answer":
            state.answeredParties.append(party)
            if let device = originDevice(of: event) { state.answeredDevices.insert(device.key) }
            meaning = Meaning(kind: .answer, outcome: .answered)
        case "m.call.reject":
            state.rejectedParties.append(party)
            // m.call.reject is a version 1 event: a version 0 caller does not understand it and
            // goes on waiting, so what it does next decides the call (MSC2746).
            meaning = Meaning(kind: .reject, outcome: .declined, unheard: state.version == "0")
        case "m.call.select_answer":
            state.selectedParty = event.content["selected_party_id"]?.string
            meaning = Meaning(kind: .select)
        case "m.call.hangup":
            let reason = event.content["reason"]?.string
            if !state.answeredParties.isEmpty {
                meaning = Meaning(kind: .hangup)
            } else if fromCaller {
                meaning =
                    reason == "invite_timeout"
                    ? Meaning(kind: .hangup, outcome: .timedOut) : Meaning(kind: .cancel, outcome: .cancelled)
            } else {
                // A callee hanging up an unanswered call declines it (how v0 callees reject).
                state.rejectedParties.append(party)
                meaning = Meaning(kind: .reject, outcome: .declined)
            }
        case "m.call.candidates":
            meaning = Meaning(kind: .candidates)
        case "m.call.negotiate":
            meaning = Meaning(kind: .update)
        default:
            meaning = Meaning(kind: .other)
        }
        calls[callID] = state
        meaningByEvent[key] = meaning
        return meaning
    }

    /// Whether a delivery tells a ringing device the call was settled by one of its user's other devices.
    private func elsewhere(
        _ event: CallEvent, deliveredTo receiver: DeviceIdentity, from origin: DeviceIdentity?
    ) -> ElsewhereHint? {
        guard let callID = event.callID, let state = calls[callID], receiver.user != state.callerUser else {
            return nil
        }
        let receiverParty = receiver.device
        let bySibling = event.senderUser == receiver.user && origin != receiver
        let hasAnswered = state.answeredDevices.contains(receiver.key)
        switch event.type.replacingPrefix("org.matrix.call.", with: "m.call.") {
        case "m.call.answer":
            return bySibling && !hasAnswered ? .answered : nil
        case "m.call.reject":
            return bySibling && !hasAnswered ? .declined : nil
        case "m.call.hangup" where meaningByEvent[event.eventID ?? ""]?.kind == .reject:
            return bySibling && !hasAnswered ? .declined : nil
        case "m.call.select_answer":
            guard let selected = event.content["selected_party_id"]?.string, selected != receiverParty else {
                return nil
            }
            return state.rejectedParties.contains(selected) ? .declined : .answered
        default:
            return nil
        }
    }

    /// The device that sent an event: known from its send, or from its party_id once that party's
    /// device sent something in the capture.
    private func originDevice(of event: CallEvent) -> DeviceIdentity? {
        event.senderDevice ?? event.partyID.flatMap { deviceByParty[Self.partyKey(user: event.senderUser, party: $0)] }
    }

    // MARK: Parsing helpers

    private func identity(for token: String?) -> DeviceIdentity {
        guard let token else { return DeviceIdentity(user: nil, device: "unauthenticated client") }
        if let known = devicesByToken[token] { return known }
        // Never print a token: name the device after a short hash of it.
        var hash: UInt32 = 2_166_136_261
        for byte in token.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return DeviceIdentity(user: nil, device: "device with token #" + String(hash, radix: 16))
    }

    static func partyKey(user: String?, party: String) -> String { (user ?? "?") + "/" + party }

    static func homeserver(_ stream: StreamInfo) -> Party {
        Party(name: "homeserver \(stream.server)", endpoint: stream.server, isServer: true, agent: "Matrix homeserver")
    }

    /// Keeps the keys of Matrix step identities apart from any other text's.
    static let identityTag: UInt64 = 0x6d61_7472_6978

    static func bearerToken(_ request: HTTPRequest) -> String? {
        if let header = request.headers["authorization"], header.lowercased().hasPrefix("bearer ") {
            return String(header.dropFirst(7)).filter { $0 != " " && $0 != "\t" }
        }
        guard let query = request.target.split(separator: "?", maxSplits: 1).dropFirst().first else { return nil }
        for pair in query.split(separator: "&") where pair.hasPrefix("access_token=") {
            return MatrixRequestPath.percentDecoded(String(pair.dropFirst(13)))
        }
        return nil
    }

    /// A JSON object body, or nil for anything else (empty, not JSON, not an object).
    static func json(_ bytes: [UInt8]) -> JSONValue? {
        guard !bytes.isEmpty, let value = try? JSONValue(parsing: bytes), value.object != nil else { return nil }
        return value
    }

    /// Most /sync responses hold no call event; skip parsing those.
    static func mightHoldCallEvents(_ body: [UInt8]) -> Bool {
        let needles = [Array("m.call.".utf8), Array("org.matrix.call.".utf8), Array("m.room.encrypted".utf8)]
        return needles.contains { needle in body.contains(subsequence: needle) }
    }

    /// Call events of a /sync response, in the order the response lists them: joined and left rooms'
    /// timelines, then to-device events.
    static func callEvents(inSync body: JSONValue) -> [CallEvent] {
        var events: [CallEvent] = []
        for section in ["join", "leave"] {
            for (roomID, room) in body["rooms"]?[section]?.object ?? [] {
                guard let timeline = room["timeline"], let list = timeline["events"]?.array else { continue }
                let limited = timeline["limited"]?.bool ?? false
                for entry in list {
                    guard let type = entry["type"]?.string,
                        MatrixCallEventType.isCallEvent(type) || type == MatrixCallEventType.encrypted,
                        let content = entry["content"], content.object != nil
                    else { continue }
                    let unsigned = entry["unsigned"]
                    events.append(
                        CallEvent(
                            type: type, content: content, roomID: roomID, eventID: entry["event_id"]?.string,
                            transactionID: unsigned?["transaction_id"]?.string, senderUser: entry["sender"]?.string,
                            senderDevice: nil, limitedTimeline: limited, age: unsigned?["age"]?.integer))
                }
            }
        }
        for entry in body["to_device"]?["events"]?.array ?? [] {
            guard let type = entry["type"]?.string, MatrixCallEventType.isCallEvent(type),
                let content = entry["content"], content.object != nil
            else { continue }
            events.append(
                CallEvent(
                    type: type, content: content, roomID: nil, eventID: nil, transactionID: nil,
                    senderUser: entry["sender"]?.string, senderDevice: nil))
        }
        return events
    }

    /// The SDP an event carries: an invite's `offer`, an answer's `answer`, a negotiation's `description`.
    static func sessionDescriptions(_ content: JSONValue) -> [SDPSummary] {
        ["offer", "answer", "description"].compactMap { key in
            content[key]?["sdp"]?.string.flatMap { SDPSummary(Array($0.utf8)) }
        }
    }

    /// Endpoints of the SDP and trickled `candidates` of an event.
    static func mediaEndpoints(_ content: JSONValue) -> [Endpoint] {
        sessionDescriptions(content).flatMap(\.mediaEndpoints)
            + (content["candidates"]?.array ?? []).compactMap { $0["candidate"]?.string.flatMap(ICECandidate.endpoint) }
    }

    static func notes(for event: CallEvent) -> [String] {
        var notes: [String] = []
        let content = event.content
        if event.type.hasSuffix("invite") {
            notes.append("version \(event.version)")
            if let lifetime = content["lifetime"]?.integer { notes.append("lifetime \(lifetime / 1000) s") }
            if let invitee = content["invitee"]?.string { notes.append("invitee \(invitee)") }
        }
        notes += sessionDescriptions(content).map { "SDP " + $0.oneLine }
        if let reason = content["reason"] { notes.append("reason \(reason.string ?? reason.compactText)") }
        if let selected = content["selected_party_id"]?.string { notes.append("selects \(selected)") }
        if let candidates = content["candidates"]?.array {
            let ends = candidates.contains { $0["candidate"]?.string == "" }
            let count = candidates.count - (ends ? 1 : 0)
            notes.append(
                (count == 0 ? "no candidates" : count == 1 ? "1 candidate" : "\(count) candidates")
                    + (ends ? ", end of candidates" : ""))
        }
        return notes
    }
}

extension MatrixDecoder: HTTPStreamHandler {
    public func webSocketMessage(_ message: WebSocketMessage, stream: StreamInfo, subprotocol: String?) {}

    public func report(_ diagnostic: Diagnostic) { sink.report(diagnostic) }
}

extension Array where Element == UInt8 {
    func contains(subsequence needle: [UInt8]) -> Bool {
        guard let first = needle.first, count >= needle.count else { return false }
        var index = 0
        let last = count - needle.count
        while index <= last {
            if self[index] == first && self[index..<(index + needle.count)].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}
