import SigflowCore
import SigflowFraming

/// `sigflow flows` output: one line (or JSON object) per conversation, like `tshark -z conv`.
public enum FlowsRenderer {
    public static func writeJSON<Output: TextOutputStream>(_ flows: [FlowSummary], to output: inout Output) {
        JSONValue.writeList(named: "flows", items: flows.lazy.map(json), to: &output)
    }

    static func json(_ flow: FlowSummary) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("transport", .string(flow.transport.description)),
            ("a", .string(endpoint(flow.a, of: flow))),
            ("b", .string(endpoint(flow.b, of: flow))),
            ("frames_a_to_b", .int(flow.framesAToB)),
            ("bytes_a_to_b", .int(flow.bytesAToB)),
            ("frames_b_to_a", .int(flow.framesBToA)),
            ("bytes_b_to_a", .int(flow.bytesBToA)),
            ("payload_bytes_a_to_b", .int(flow.payloadBytesAToB)),
            ("payload_bytes_b_to_a", .int(flow.payloadBytesBToA)),
            ("first", .number(flow.first.epochString)),
            ("last", .number(flow.last.epochString)),
        ]
        if let aToB = flow.streamAToB, let bToA = flow.streamBToA {
            fields.append(("tcp", .object([("a_to_b", json(aToB)), ("b_to_a", json(bToA))])))
        }
        if let tunnel = flow.encapsulation?.tunnel { fields.append(("tunnel", .string(tunnel.description))) }
        return .object(fields)
    }

    /// `10.0.0.1:5060`, or the bare address for a protocol without ports (GRE).
    static func endpoint(_ endpoint: Endpoint, of flow: FlowSummary) -> String {
        flow.transport.hasPorts ? endpoint.description : endpoint.address.description
    }

    static func json(_ stream: StreamStatistics) -> JSONValue {
        .object([
            ("delivered_bytes", .int(Int(stream.deliveredBytes))),
            ("gaps", .int(stream.gaps)),
            ("gap_bytes", .int(Int(stream.gapBytes))),
            ("retransmissions", .int(stream.retransmissions)),
            ("conflicting_bytes", .int(stream.conflictingBytes)),
            ("midstream", .bool(stream.pickedUpMidway)),
            ("end", stream.endReason.map { .string($0.rawValue) } ?? .null),
        ])
    }

    public static func writeText<Output: TextOutputStream>(_ flows: [FlowSummary], to output: inout Output) {
        // A TUNNEL column only when some conversation came through one.
        let tunnels = flows.contains { $0.encapsulation?.tunnel != nil }
        let header =
            [
                "PROTO", "A", "B", "A>B FRAMES", "A>B BYTES", "B>A FRAMES", "B>A BYTES", "FIRST", "DURATION", "GAPS",
            ] + (tunnels ? ["TUNNEL"] : [])
        let rows = flows.lazy.map { flow in
            let gaps = (flow.streamAToB?.gaps ?? 0) + (flow.streamBToA?.gaps ?? 0)
            let gapBytes = (flow.streamAToB?.gapBytes ?? 0) + (flow.streamBToA?.gapBytes ?? 0)
            let row = [
                flow.transport.description, endpoint(flow.a, of: flow), endpoint(flow.b, of: flow),
                String(flow.framesAToB), String(flow.bytesAToB), String(flow.framesBToA), String(flow.bytesBToA),
                flow.first.iso8601, TextTable.seconds(flow.last.nanoseconds(since: flow.first)),
                flow.transport != .tcp ? "-" : (gaps == 0 ? "0" : "\(gaps) (\(gapBytes) B)"),
            ]
            return tunnels ? row + [flow.encapsulation?.tunnel?.description ?? "-"] : row
        }
        TextTable.write(header: header, rows: rows, rightAligned: [3, 4, 5, 6, 8], to: &output)
    }
}
