import SigflowCore

/// `sigflow calls`: one row per call (or per SIP Call-ID of any method).
public enum CallsTable {
    public static func text(_ calls: [CallSummary]) -> String {
        var rows = [["CALL-ID", "PROTO", "METHOD", "FROM", "TO", "START", "DURATION", "OUTCOME", "MSGS", "LINKED"]]
        for call in calls {
            rows.append([
                call.callID, call.signalingProtocol.rawValue, call.method, call.fromUser ?? "-", call.toUser ?? "-",
                call.timing.start.iso8601, TextTable.seconds(call.duration), call.outcome.rawValue,
                String(call.stepCount), call.linkedCallIDs.isEmpty ? "-" : call.linkedCallIDs.joined(separator: ","),
            ])
        }
        return TextTable.render(rows, rightAligned: [6, 8])
    }

    public static func json(_ calls: [CallSummary]) -> String {
        JSONValue.object([
            (
                "calls",
                .array(
                    calls.map { call in
                        .object([
                            ("protocol", .string(call.signalingProtocol.rawValue)),
                            ("call_id", .string(call.callID)),
                            ("method", .string(call.method)),
                            ("from", call.fromUser.map { .string($0) } ?? .null),
                            ("to", call.toUser.map { .string($0) } ?? .null),
                            ("start", .number(call.timing.start.epochString)),
                            ("duration", .number(CaptureTime(nanoseconds: call.duration).epochString)),
                            ("outcome", .string(call.outcome.rawValue)),
                            ("messages", .int(call.stepCount)),
                            ("devices", .int(call.deviceCount)),
                            ("linked_calls", .array(call.linkedCallIDs.map { .string($0) })),
                        ])
                    })
            )
        ]).rendered()
    }
}
