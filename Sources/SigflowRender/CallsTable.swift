import SigflowCore

/// `sigflow calls`: one row per call (or per SIP Call-ID of any method).
public enum CallsTable {
    public static func writeText<Output: TextOutputStream>(_ calls: [CallSummary], to output: inout Output) {
        TextTable.write(
            header: ["CALL-ID", "PROTO", "METHOD", "FROM", "TO", "START", "DURATION", "OUTCOME", "MSGS", "LINKED"],
            rowCount: calls.count, rightAligned: [6, 8], to: &output
        ) { index in
            let call = calls[index]
            return [
                call.callID, call.signalingProtocol.rawValue, call.method, call.fromUser ?? "-", call.toUser ?? "-",
                call.start.iso8601, TextTable.seconds(call.duration), call.outcome.rawValue,
                String(call.stepCount), call.linkedCallIDs.isEmpty ? "-" : call.linkedCallIDs.joined(separator: ","),
            ]
        }
    }

    public static func writeJSON<Output: TextOutputStream>(_ calls: [CallSummary], to output: inout Output) {
        JSONValue.writeList(named: "calls", count: calls.count, to: &output) { index in
            let call = calls[index]
            return .object([
                ("protocol", .string(call.signalingProtocol.rawValue)),
                ("call_id", .string(call.callID)),
                ("method", .string(call.method)),
                ("from", call.fromUser.map { .string($0) } ?? .null),
                ("to", call.toUser.map { .string($0) } ?? .null),
                ("start", .number(call.start.epochString)),
                ("duration", .number(CaptureTime(nanoseconds: call.duration).epochString)),
                ("outcome", .string(call.outcome.rawValue)),
                ("messages", .int(call.stepCount)),
                ("devices", .int(call.deviceCount)),
                ("linked_calls", .array(call.linkedCallIDs.map { .string($0) })),
            ])
        }
    }
}
