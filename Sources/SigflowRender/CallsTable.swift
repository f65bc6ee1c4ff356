import SigflowCore

/// `sigflow calls`: one row per call (or per SIP Call-ID of any method). The calls are read twice
/// for text (to measure the columns, then to write them) and once for JSON, never held as a list.
public enum CallsTable {
    public static func writeText<Output: TextOutputStream>(
        _ calls: some Sequence<CallSummary>, to output: inout Output
    ) {
        let rows = calls.lazy.map { call in
            [
                call.callID, call.signalingProtocol.id, call.method, call.fromUser ?? "-", call.toUser ?? "-",
                call.start.iso8601, TextTable.seconds(call.duration), call.outcome.rawValue,
                call.finalStatus.map(String.init) ?? "-", String(call.stepCount),
                call.linkedCallIDs.isEmpty ? "-" : call.linkedCallIDs.joined(separator: ","),
            ]
        }
        TextTable.write(
            header: [
                "CALL-ID", "PROTO", "METHOD", "FROM", "TO", "START", "DURATION", "OUTCOME", "STATUS", "MSGS", "LINKED",
            ],
            rows: rows, rightAligned: [6, 9], to: &output)
    }

    public static func writeJSON<Output: TextOutputStream>(_ calls: some Sequence<CallSummary>, to output: inout Output)
    {
        let items = calls.lazy.map { call in
            JSONValue.object([
                ("protocol", .string(call.signalingProtocol.id)),
                ("call_id", .string(call.callID)),
                ("method", .string(call.method)),
                ("from", call.fromUser.map { .string($0) } ?? .null),
                ("to", call.toUser.map { .string($0) } ?? .null),
                ("start", .number(call.start.epochString)),
                ("duration", .number(CaptureTime(nanoseconds: call.duration).epochString)),
                ("outcome", .string(call.outcome.rawValue)),
                ("final_status", call.finalStatus.map { .int($0) } ?? .null),
                ("final_reason", call.finalReason.map { .string($0) } ?? .null),
                ("messages", .int(call.stepCount)),
                ("devices", .int(call.deviceCount)),
                ("linked_calls", .array(call.linkedCallIDs.map { .string($0) })),
            ])
        }
        JSONValue.writeList(named: "calls", items: items, to: &output)
    }
}
