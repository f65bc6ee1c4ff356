import SigflowCore
import SigflowCorrelator
import SigflowTestSupport

@testable import SigflowMatrix

/// A Matrix device: its user, device id, access token, party_id and the address it connects from.
struct MatrixDevice {
    var user: String
    var id: String
    var client: Endpoint

    var token: String { "token-" + party }
    var party: String { String(user.dropFirst().prefix { $0 != ":" }) + "-" + id.lowercased() }
    /// Its lifeline, as the decoder keys devices.
    var key: String { user + "/" + id }

    static let alice = MatrixDevice(
        user: "@alice:example.org", id: "LAPTOP", client: Endpoint(Substring("192.0.2.10:40000"))!)
    static let phone = MatrixDevice(
        user: "@bob:example.org", id: "PHONE", client: Endpoint(Substring("192.0.2.11:40000"))!)
    static let desk = MatrixDevice(
        user: "@bob:example.org", id: "DESK", client: Endpoint(Substring("192.0.2.12:40000"))!)
    static let carol = MatrixDevice(
        user: "@carol:example.org", id: "TABLET", client: Endpoint(Substring("192.0.2.13:40000"))!)
}

/// A room on one homeserver whose devices call each other, written HTTP exchange by HTTP exchange
/// (each device logs in, sends call events with `PUT .../send/...` and gets the others' with
/// `/sync`) and decoded by the real HTTP consumer and `MatrixDecoder`; then correlated, reviewed and
/// checked as the pipeline does. Exchanges are 100 ms apart unless told otherwise.
final class MatrixRoom {
    static let server = Endpoint(Substring("192.0.2.1:8008"))!
    static let roomID = "!room:example.org"

    let collector = MessageCollector()
    private let decoder: MatrixDecoder
    private var connections: [String: HTTPConnection] = [:]
    /// Each sent event as a /sync timeline gives it, by event id.
    private var timeline: [String: (type: String, sender: String, content: String)] = [:]
    private var clock = 0.0
    private var frame = 0
    private var count = 0
    let policy = MatrixCallPolicy()

    init(_ devices: [MatrixDevice] = [.alice, .phone, .desk]) {
        decoder = MatrixDecoder(sink: collector)
        for device in devices {
            let body = #"{"access_token":"\#(device.token)","device_id":"\#(device.id)","user_id":"\#(device.user)"}"#
            exchange(
                device,
                HTTPConnection.request("POST", "/_matrix/client/v3/login", body: #"{"type":"m.login.password"}"#),
                HTTPConnection.response(body), after: 0)
        }
    }

    private func stamp() -> PacketStamp {
        frame += 1
        return PacketStamp(
            time: Fixture.start.adding(nanoseconds: Int64((clock * 1e9).rounded())),
            source: SourceRef(capture: 0, frame: frame))
    }

    private func exchange(_ device: MatrixDevice, _ request: String, _ response: String, after: Double) {
        clock += after
        let connection =
            connections[device.key]
            ?? HTTPConnection(client: device.client, server: Self.server, handler: decoder)
        connections[device.key] = connection
        let requestStamp = stamp()
        connection.exchange(request, at: requestStamp, response, at: stamp())
    }

    /// `device` sends a call event of `type` (`invite`, `answer`, ...) for call `call`, with the
    /// content fields every call event has (version `"1"` with a party_id, or version 0 without)
    /// and `fields` (JSON members); returns its event id.
    @discardableResult
    func send(
        _ device: MatrixDevice, _ type: String, _ fields: String = "", call: String = "c1", version: Int = 1,
        after: Double = 0.1
    ) -> String {
        count += 1
        let eventID = "$e\(count)"
        let envelope =
            version == 0
            ? #""call_id":"\#(call)","version":0"#
            : #""call_id":"\#(call)","party_id":"\#(device.party)","version":"1""#
        let content = "{" + envelope + (fields.isEmpty ? "" : "," + fields) + "}"
        timeline[eventID] = ("m.call." + type, device.user, content)
        exchange(
            device,
            HTTPConnection.request(
                "PUT", "/_matrix/client/v3/rooms/\(Self.roomID)/send/m.call.\(type)/txn\(count)",
                headers: ["Authorization: Bearer \(device.token)", "Content-Type: application/json"], body: content),
            HTTPConnection.response(#"{"event_id":"\#(eventID)"}"#), after: after)
        return eventID
    }

    /// alice invites (version `version`, with `fields`) and the invite reaches each of `devices`:
    /// steps 1, 2, 3 ... Returns the invite's event id.
    @discardableResult
    func ring(_ devices: [MatrixDevice] = [.phone, .desk], version: Int = 1, fields: String = "") -> String {
        let invite = send(.alice, "invite", fields, version: version)
        for device in devices { sync(device, [invite]) }
        return invite
    }

    /// `device`'s /sync hands it `events` in one batch, after a gap in the timeline when `limited`.
    func sync(_ device: MatrixDevice, _ events: [String], limited: Bool = false, age: Int = 40, after: Double = 0.1) {
        let entries = events.map { id in
            let event = timeline[id]!
            return
                #"{"type":"\#(event.type)","event_id":"\#(id)","sender":"\#(event.sender)","content":\#(event.content),"#
                + #""unsigned":{"age":\#(age)}}"#
        }
        let body =
            #"{"next_batch":"s\#(frame)","rooms":{"join":{"\#(Self.roomID)":{"timeline":{"limited":\#(limited),"#
            + #""events":[\#(entries.joined(separator: ","))]}}}}}"#
        exchange(
            device,
            HTTPConnection.request(
                "GET", "/_matrix/client/v3/sync?since=s0&timeout=30000",
                headers: ["Authorization: Bearer \(device.token)"]),
            HTTPConnection.response(body), after: after)
    }

    /// Media from `sender` to `receiver` for `seconds`, starting `after` seconds on; the clock
    /// stays at its start.
    func media(
        from sender: MatrixDevice, to receiver: MatrixDevice, seconds: Double, call: String = "c1", after: Double = 0.1
    ) {
        clock += after
        let first = stamp()
        clock += seconds
        let last = stamp()
        clock -= seconds
        let rtp = (
            Endpoint(address: sender.client.address, port: 50000),
            Endpoint(address: receiver.client.address, port: 50002)
        )
        media += SignalingMessage.mediaSegment(
            .matrix, callID: call, from: Party(name: sender.key), to: Party(name: receiver.key), rtp: rtp, first: first,
            last: last, packets: Int(seconds * 50))
    }

    private var media: [SignalingMessage] = []

    func captureEnd(after seconds: Double) -> CaptureTime {
        Fixture.start.adding(nanoseconds: Int64(((clock + seconds) * 1e9).rounded()))
    }

    /// Every call of the room, reviewed by the policy.
    func calls(captureEndsAfter seconds: Double = 1) -> [Call] {
        let messages = (collector.messages + media).sorted {
            ($0.stamp.time, $0.stamp.source) < ($1.stamp.time, $1.stamp.source)
        }
        return CallCorrelator.correlate(
            messages, captureCount: 1, captureEnd: captureEnd(after: seconds), policies: CallPolicies([policy])
        ).calls.map(policy.review)
    }

    func call(_ id: String = "c1", captureEndsAfter seconds: Double = 1) -> Call {
        calls(captureEndsAfter: seconds).first { $0.callID == id }!
    }

    /// What `rule` finds in call `id`, with every call of the room in the context.
    func findings(_ rule: any CallRule, call id: String = "c1", captureEndsAfter seconds: Double = 1) -> [Finding] {
        let calls = calls(captureEndsAfter: seconds)
        let call = calls.first { $0.callID == id }!
        return rule.check(call, context: CheckContext(captureEnd: captureEnd(after: seconds), calls: calls))
    }
}
