import SigflowCore

/// `sigflow calls`: one row per call (or per SIP Call-ID of any method).
public enum CallsTable {
    public static func text(_ calls: [Call]) -> String {
        var rows = [["CALL-ID", "PROTO", "METHOD", "FROM", "TO", "START", "DURATION", "OUTCOME", "MSGS", "LINKED"]]
        for call in calls {
            rows.append([
                call.callID, call.signalingProtocol.rawValue, call.method, fromUser(call) ?? "-", toUser(call) ?? "-",
                call.timing.start.iso8601, TextTable.seconds(duration(call)), call.outcome.rawValue,
                String(call.steps.count), call.linkedCallIDs.isEmpty ? "-" : call.linkedCallIDs.joined(separator: ","),
            ])
        }
        return TextTable.render(rows, rightAligned: [6, 8])
    }

    public static func json(_ calls: [Call]) -> String {
        JSONValue.object([
            (
                "calls",
                .array(
                    calls.map { call in
                        .object([
                            ("protocol", .string(call.signalingProtocol.rawValue)),
                            ("call_id", .string(call.callID)),
                            ("method", .string(call.method)),
                            ("from", fromUser(call).map { .string($0) } ?? .null),
                            ("to", toUser(call).map { .string($0) } ?? .null),
                            ("start", .number(call.timing.start.epochString)),
                            ("duration", .number(CaptureTime(nanoseconds: duration(call)).epochString)),
                            ("outcome", .string(call.outcome.rawValue)),
                            ("messages", .int(call.steps.count)),
                            ("devices", .int(call.participants.reduce(0) { $0 + $1.devices.count })),
                            ("linked_calls", .array(call.linkedCallIDs.map { .string($0) })),
                        ])
                    })
            )
        ]).rendered()
    }

    /// The caller's user (SIP From address of record).
    static func fromUser(_ call: Call) -> String? {
        call.steps.first { $0.message.kind == .offer || $0.message.kind == .request }?.message.sender.user
            ?? call.caller?.user
    }

    /// Who was called (SIP To address of record).
    static func toUser(_ call: Call) -> String? {
        call.steps.first { $0.message.kind == .offer || $0.message.kind == .request }?.message.receiver.user
            ?? call.participants.first { $0.role == .callee }?.user
    }

    /// The talk time of an answered call; otherwise first to last message.
    static func duration(_ call: Call) -> Int64 {
        call.timing.duration ?? call.timing.end.nanoseconds(since: call.timing.start)
    }
}
