import SigflowCore
import SigflowFraming
import SigflowMatrix
import SigflowPipeline
import SigflowRender
import SigflowSIP
import SigflowTLS
import SigflowXMPP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What each fuzz target does with one input. The libFuzzer entry points (Fuzz/) and the regression
/// tests (inputs that once crashed or hung, kept in Tests/FuzzRegressions/) both call these, so a
/// regression test replays exactly what the fuzzer ran. Every body must return normally for every
/// input: any crash, trap or hang is a bug.
public enum FuzzBodies {
    public static let all: [(name: String, body: @Sendable (UnsafeRawBufferPointer) -> Void)] = [
        ("capture-file", captureFile), ("tcp-streams", tcpStreams), ("sip-message", sipMessage),
        ("http-stream", httpStream), ("json", json), ("xmpp-stream", xmppStream), ("client-log", clientLog),
        ("tls-streams", { tlsStreams($0) }),
    ]

    /// Any bytes as a capture file: libpcap, link layers, IP, fragments, TCP, every decoder, the
    /// correlator, checks and renderers (flows, documents and the call table).
    public static func captureFile(_ bytes: UnsafeRawBufferPointer) {
        decodeAndRender(bytes, asFileEndingIn: "pcap")
    }

    /// Writes `bytes` to a file, runs the whole pipeline on it as the command line would, and renders
    /// every output: the call table and its JSON, and each flow format.
    static func decodeAndRender(_ bytes: UnsafeRawBufferPointer, asFileEndingIn suffix: String) {
        let path = "/tmp/sigflow-fuzz-\(getpid()).\(suffix)"
        guard let file = fopen(path, "wb") else { return }
        if bytes.count > 0 { fwrite(bytes.baseAddress, 1, bytes.count, file) }
        fclose(file)
        defer { unlink(path) }
        guard let result = try? CallsJob.run(PipelineConfiguration(inputs: [.file(path)])) else { return }
        var table = ""
        CallsTable.writeText(result.summaries, to: &table)
        CallsTable.writeJSON(result.summaries, to: &table)
        let provenance = Provenance(version: "fuzz", inputs: [("fuzz.\(suffix)", 0)], filter: nil)
        for format in FlowOutput.Format.allCases {
            _ = FlowOutput.render(
                result.calls, format: format, clockOffsets: result.clockOffsets, provenance: provenance,
                document: .builtIn())
        }
    }

    /// Bytes as TCP segments of two connections (client and server sides of SIP and HTTP ports):
    /// reassembly, stream classification and the stream decoders. Each record is a header of five
    /// bytes (flags and direction, sequence step, length) and its payload.
    public static func tcpStreams(_ bytes: UnsafeRawBufferPointer) {
        decodeSegments(bytes, serverPorts: [5060, 8008], configuration: PipelineConfiguration(inputs: []))
    }

    /// Bytes as TCP segments (as `tcpStreams`) of TLS connections on 5061 and 443, decrypted with
    /// the lab's key log (`FuzzKeyLog`): record framing and resynchronisation, handshakes, key
    /// schedules, every cipher, and the plaintext through classification into the decoders. Seeds
    /// that carry those connections' handshakes reach the records.
    /// Returns how many calls came out and how many TLS connections were decrypted whole, for the
    /// test that the seeds reach the records.
    @discardableResult
    public static func tlsStreams(_ bytes: UnsafeRawBufferPointer) -> (calls: Int, decrypted: Int) {
        decodeSegments(
            bytes, serverPorts: [5061, 443],
            configuration: PipelineConfiguration(inputs: [], keyLogs: [TLSKeyLog(text: FuzzKeyLog.lab)]))
    }

    @discardableResult
    static func decodeSegments(
        _ bytes: UnsafeRawBufferPointer, serverPorts: [UInt16], configuration: PipelineConfiguration
    ) -> (calls: Int, decrypted: Int) {
        let decoder = SignalingDecoder(configuration: configuration, captureCount: 1)
        let client = [Endpoint(Substring("10.0.0.1:40000"))!, Endpoint(Substring("10.0.0.1:40001"))!]
        let server = serverPorts.map { Endpoint(address: IPAddress(Substring("10.0.0.2"))!, port: $0) }
        var sequence: [UInt32] = [1000, 50_000, 1000, 50_000]
        var offset = 0
        var frame = 0
        while offset + 5 <= bytes.count {
            let control = bytes[offset]
            let step = Int16(bitPattern: UInt16(bytes[offset + 1]) << 8 | UInt16(bytes[offset + 2]))
            let length = min(Int(UInt16(bytes[offset + 3]) << 8 | UInt16(bytes[offset + 4])), bytes.count - offset - 5)
            let payload = UnsafeRawBufferPointer(rebasing: bytes[(offset + 5)..<(offset + 5 + length)])
            offset += 5 + length
            frame += 1
            let connection = Int(control >> 7)
            let fromClient = control & 0x40 == 0
            let lane = connection * 2 + (fromClient ? 0 : 1)
            sequence[lane] = sequence[lane] &+ UInt32(bitPattern: Int32(step))
            decoder.decode(
                TransportPacket(
                    transport: .tcp, source: fromClient ? client[connection] : server[connection],
                    destination: fromClient ? server[connection] : client[connection], payload: payload,
                    tcp: TCPFields(sequence: sequence[lane], flags: control & 0x1f),
                    stamp: PacketStamp(
                        time: CaptureTime(seconds: 1_700_000_000 + Int64(frame), nanoseconds: 0),
                        source: SourceRef(capture: 0, frame: frame)),
                    wireLength: length + 54))
            sequence[lane] = sequence[lane] &+ UInt32(length)
        }
        let finished = decoder.finish(captureCount: 1, captureEnd: nil)
        return (finished.calls.count, finished.tls?.count(.decrypted) ?? 0)
    }

    /// Bytes as one SIP message, as a datagram would carry it, and as a TCP byte stream cut into
    /// 7-byte pieces.
    public static func sipMessage(_ bytes: UnsafeRawBufferPointer) {
        if let message = try? SIPParser.parse(bytes) {
            let context = SIPMapper.Context(
                source: Endpoint(Substring("10.0.0.1:5060"))!, destination: Endpoint(Substring("10.0.0.2:5060"))!,
                stamp: PacketStamp(time: .zero, source: SourceRef(capture: 0, frame: 1)), transport: .udp)
            _ = SIPMapper.signalingMessage(message, context: context)
        }
        var chunked: [UInt8] = [0x18, 0, 0, 0, 0]
        for start in stride(from: 0, to: bytes.count, by: 7) {
            let piece = bytes[start..<min(start + 7, bytes.count)]
            chunked += [0x18, 0, 0, 0, UInt8(piece.count)] + piece
        }
        chunked.withUnsafeBytes { tcpStreams($0) }
    }

    /// Bytes as an HTTP/1.1 connection carrying the Matrix client-server API (and WebSocket after an
    /// upgrade): a 0xFF byte switches direction; each run is delivered in one piece.
    public static func httpStream(_ bytes: UnsafeRawBufferPointer) {
        let sink = DiscardingSink()
        let stream = StreamInfo(
            client: Endpoint(Substring("10.0.0.1:40000"))!, server: Endpoint(Substring("10.0.0.2:8008"))!)
        let consumer = HTTPStreamConsumer(stream: stream, handler: MatrixDecoder(sink: sink), synchronised: true)
        deliverTwoWay(bytes, to: consumer)
    }

    /// Bytes as an XMPP client-to-server connection (port 5222): a 0xFF byte switches direction;
    /// each run is delivered in one piece. Framer, XML parser, Jingle/JMI mapping, carbons.
    public static func xmppStream(_ bytes: UnsafeRawBufferPointer) {
        let stream = StreamInfo(
            client: Endpoint(Substring("10.0.0.1:40000"))!, server: Endpoint(Substring("10.0.0.2:5222"))!)
        let consumer = XMPPDecoder(sink: DiscardingSink()).streamConsumer(for: stream, synchronised: true)
        deliverTwoWay(bytes, to: consumer)
    }

    /// Runs of bytes to a stream consumer, a 0xFF byte switching direction, then both directions end.
    static func deliverTwoWay(_ bytes: UnsafeRawBufferPointer, to consumer: any StreamConsumer) {
        var direction = StreamDirection.fromClient
        var start = 0
        let stamp = PacketStamp(time: .zero, source: SourceRef(capture: 0, frame: 1))
        for index in 0...bytes.count where index == bytes.count || bytes[index] == 0xFF {
            consumer.receive(UnsafeRawBufferPointer(rebasing: bytes[start..<index]), direction: direction, stamp: stamp)
            direction = direction.reversed
            start = index + 1
        }
        consumer.end(StreamEndReason.captureEnded, direction: StreamDirection.fromClient, stamp: stamp)
        consumer.end(StreamEndReason.captureEnded, direction: StreamDirection.fromServer, stamp: stamp)
    }

    /// Bytes as a client debug log given on the command line (whatsmeow text or JSON, Baileys JSON):
    /// format sniffing, the readers, the stanza parser, the multi-device merge, review and renderers.
    public static func clientLog(_ bytes: UnsafeRawBufferPointer) {
        decodeAndRender(bytes, asFileEndingIn: "log")
    }

    /// Bytes as a JSON document, parsed and written back.
    public static func json(_ bytes: UnsafeRawBufferPointer) {
        if let value = try? JSONValue(parsing: bytes) { _ = value.rendered() }
    }
}

/// A sink that keeps nothing, for bodies that only exercise decoding.
final class DiscardingSink: SignalingSink {
    func deliver(_ message: SignalingMessage) {}
    func report(_ diagnostic: Diagnostic) {}
}
