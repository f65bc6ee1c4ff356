import SigflowCore

/// Where an ICE candidate (RFC 8839 `candidate-attribute`) says its agent receives media:
/// `candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host ...`, with or without the `a=` prefix, as
/// SDP carries it and as Matrix `m.call.candidates` and WebRTC trickle send it.
///
/// Only UDP candidates with an IP address name a place RTP is counted: TCP candidates carry media on
/// a connection, and mDNS names (`*.local`) cannot be resolved from a capture.
public enum ICECandidate {
    public static func endpoint(_ attribute: some StringProtocol) -> Endpoint? {
        var text = Substring(attribute)
        if text.hasPrefix("a=") { text = text.dropFirst(2) }
        guard text.hasPrefix("candidate:") else { return nil }
        let fields = text.dropFirst(10).split(separator: " ", omittingEmptySubsequences: true)
        // foundation, component, transport, priority, address, port, "typ", type
        guard fields.count >= 8, fields[2].lowercased() == "udp", fields[6] == "typ",
            let address = IPAddress(fields[4]), let port = UInt16(fields[5]), port > 0
        else { return nil }
        return Endpoint(address: address, port: port)
    }
}
