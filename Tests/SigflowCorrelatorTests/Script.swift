import SigflowCore
import SigflowTestSupport

@testable import SigflowCorrelator

extension SignalingProtocol {
    /// A protocol of the tests' own: the correlator must make calls of any protocol alike.
    static let script = SignalingProtocol(id: "script", displayName: "Script", rank: 200)
}

/// The script protocol's timers: an offer times out after 10 s, a call is quiet after 5 s.
struct ScriptPolicy: CallPolicy {
    var signalingProtocol: SignalingProtocol { .script }
    var callWord: String { "script call" }
    var offerTimeout: Int64 { 10_000_000_000 }
    var quietPeriod: Int64 { 5_000_000_000 }
}

/// A call's messages written one by one between named parties (servers where the name says
/// `server`), 100 ms apart unless told otherwise, each shown by its label alone.
final class Script {
    private(set) var messages: [SignalingMessage] = []
    /// Seconds since `Fixture.start` of the last message.
    private(set) var clock = 0.0
    let callID: String

    init(callID: String = "call-1") {
        self.callID = callID
    }

    static func party(_ name: String) -> Party {
        let user = name.split(separator: "-").first.map(String.init)
        let device = name.contains("-") ? String(name.split(separator: "-").last!) : nil
        return Party(name: name, isServer: name.hasPrefix("server"), user: user, device: device)
    }

    /// A message of `kind` from `sender` to `receiver`. `copy` names the message it is a copy of
    /// (same identity), `transaction` and the devices are names turned into keys.
    @discardableResult
    func send(
        _ kind: MessageKind, _ sender: String, _ receiver: String, label: String? = nil, after: Double = 0.1,
        copy: String? = nil, transaction: String? = nil, method: String? = nil, status: Int? = nil,
        outcome: CallOutcome? = nil, device: String? = nil, toDevice: String? = nil, elsewhere: ElsewhereHint? = nil,
        ignoredByCaller: Bool = false, lifetime: Double? = nil, links: [LinkToken] = [], capture: Int = 0,
        from endpoint: Endpoint? = nil, to receiverEndpoint: Endpoint? = nil
    ) -> SignalingMessage {
        clock += after
        var from = Self.party(sender)
        from.endpoint = endpoint
        var to = Self.party(receiver)
        to.endpoint = receiverEndpoint
        let name = label ?? kind.rawValue
        var message = SignalingMessage(
            call: CallKey(.script, callID: callID), callID: callID, kind: kind, method: method, statusCode: status,
            sender: from, receiver: to,
            stamp: PacketStamp(
                time: Fixture.start.adding(nanoseconds: Int64((clock * 1e9).rounded())),
                source: SourceRef(capture: capture, frame: messages.count + 1)),
            transport: .udp, identity: MessageKey(tag: 1, text: copy ?? "\(name) #\(messages.count)"),
            transaction: transaction.map { MessageKey(tag: 2, text: $0) }, senderDevice: device.map(DeviceKey.init),
            receiverDevice: toDevice.map(DeviceKey.init), outcome: outcome, elsewhere: elsewhere, linkTokens: links,
            detail: PlainDetail(label: name))
        message.ignoredByCaller = ignoredByCaller
        message.lifetime = lifetime.map { Int64($0 * 1e9) }
        messages.append(message)
        return message
    }

    /// `seconds` after the last message.
    func time(after seconds: Double) -> CaptureTime {
        Fixture.start.adding(nanoseconds: Int64(((clock + seconds) * 1e9).rounded()))
    }

    /// The call, with the capture ending `seconds` after the last message (nil: never).
    func call(captureEndsAfter seconds: Double? = 1, policy: any CallPolicy = ScriptPolicy()) -> Call {
        CallCorrelator.call(
            from: messages, offsets: [], captureEnd: seconds.map { time(after: $0) }, policy: policy)
    }
}

extension Call {
    /// `caller>callee answer` per step.
    var arrows: [String] { steps.map { "\($0.from)>\($0.to) \($0.message.label)" } }

    /// `callee: answered` per device, on every lifeline.
    var deviceFates: [String] {
        participants.flatMap { participant in
            participant.devices.map { "\(participant.id) \($0.key.description): \($0.outcome.rawValue)" }
        }
    }
}
