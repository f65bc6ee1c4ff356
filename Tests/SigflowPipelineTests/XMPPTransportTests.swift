import Foundation
import SigflowCore
import SigflowPipeline
import Testing

/// XMPP over WebSocket (RFC 7395) end to end: an HTTP upgrade with subprotocol `xmpp`, then one
/// element per WebSocket message, written as a capture and read back through the whole pipeline.
struct XMPPWebSocketTests {
    @Test func proposeOverWebSocketReachesTheCallList() throws {
        var capture = SyntheticTCPCapture(
            client: ([192, 0, 2, 10], 40000), server: ([192, 0, 2, 1], 5280))
        capture.client(
            "GET /xmpp-websocket HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: xmpp\r\n\r\n")
        capture.server(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: xmpp\r\n\r\n")
        capture.client(
            webSocket: "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='example.com' version='1.0'/>")
        capture.server(
            webSocket: "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' from='example.com' id='w1' version='1.0'/>")
        capture.server(
            webSocket: "<iq xmlns='jabber:client' type='result' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'>"
                + "<jid>alice@example.com/web</jid></bind></iq>")
        capture.client(
            webSocket: "<message xmlns='jabber:client' to='bob@example.com' id='p1' type='chat'>"
                + "<propose xmlns='urn:xmpp:jingle-message:0' id='ws-call-1'>"
                + "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'/></propose></message>")
        capture.client(webSocket: "<close xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sigflow-xmpp-ws-\(UUID()).pcap")
        try Data(capture.bytes).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }

        let result = try CallsJob.run(PipelineConfiguration(inputs: [.file(path.path)]))
        let call = try #require(result.calls.first)
        #expect(result.calls.count == 1)
        #expect(call.signalingProtocol == .xmpp && call.callID == "ws-call-1")
        let step = try #require(call.steps.first)
        #expect(call.steps.count == 1)
        #expect(step.message.label == "propose")
        #expect(step.message.transport == .ws)
        #expect(step.message.sender.key == .name("alice@example.com/web"))
        #expect(step.message.receiver.key == .name("xmpp server 192.0.2.1:5280"))
        #expect(step.sightings[0].source.frame == 9)
    }
}

/// Streams that turn to TLS are reported, not decoded; other binary traffic on the direct-TLS port is
/// not taken for XMPP.
struct XMPPEncryptedStreamTests {
    static func run(_ capture: SyntheticTCPCapture) throws -> CallsResult {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sigflow-xmpp-tls-\(UUID()).pcap")
        try Data(capture.bytes).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        return try CallsJob.run(PipelineConfiguration(inputs: [.file(path.path)]))
    }

    static let tlsRecord: [UInt8] = [0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00]

    @Test func startTLSOnTheClientPort() throws {
        var capture = SyntheticTCPCapture(client: ([192, 0, 2, 10], 40000), server: ([192, 0, 2, 1], 5222))
        capture.client(
            "<?xml version='1.0'?><stream:stream to='example.com' xmlns='jabber:client' "
                + "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>")
        capture.server(
            "<stream:stream from='example.com' id='s' xmlns='jabber:client' "
                + "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'><stream:features><starttls "
                + "xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>")
        capture.client("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        capture.server("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        capture.client(bytes: Self.tlsRecord)
        let result = try Self.run(capture)
        #expect(result.calls.isEmpty)
        #expect(result.diagnostics.entries.map(\.name) == ["xmpp_encrypted"])
        #expect(result.diagnostics.entries.first?.message.contains("STARTTLS") == true)
    }

    @Test func directTLS() throws {
        var capture = SyntheticTCPCapture(client: ([192, 0, 2, 10], 40000), server: ([192, 0, 2, 1], 5223))
        capture.client(bytes: Self.tlsRecord)
        let result = try Self.run(capture)
        #expect(result.diagnostics.entries.map(\.name) == ["xmpp_encrypted"])
    }

    @Test func otherBinaryOnTheDirectTLSPortIsNotXMPP() throws {
        var capture = SyntheticTCPCapture(client: ([192, 0, 2, 10], 40000), server: ([192, 0, 2, 1], 5223))
        capture.client(bytes: [0x25, 0x00, 0x45, 0x10, 0x20, 0x30])
        capture.server(bytes: [0x26, 0x00, 0x10, 0x01])
        let result = try Self.run(capture)
        #expect(result.calls.isEmpty)
        #expect(result.diagnostics.entries.isEmpty)
    }
}

/// A pcap (Ethernet, IPv4, TCP) of one connection: the handshake, then each write as one segment.
struct SyntheticTCPCapture {
    typealias Address = (ip: [UInt8], port: UInt16)

    let clientAddress: Address
    let serverAddress: Address
    private var clientSequence: UInt32 = 1000
    private var serverSequence: UInt32 = 5000
    private var time: UInt32 = 0
    private(set) var bytes: [UInt8]

    init(client: Address, server: Address) {
        clientAddress = client
        serverAddress = server
        // Global header: magic, version 2.4, zone, sigfigs, snaplen, Ethernet.
        bytes =
            Self.le32(0xa1b2_c3d4) + Self.le16(2) + Self.le16(4) + Self.le32(0) + Self.le32(0)
            + Self.le32(65535) + Self.le32(1)
        segment(fromClient: true, flags: 0x02, payload: [])
        segment(fromClient: false, flags: 0x12, payload: [])
        segment(fromClient: true, flags: 0x10, payload: [])
    }

    mutating func client(_ text: String) { segment(fromClient: true, flags: 0x18, payload: Array(text.utf8)) }
    mutating func client(bytes: [UInt8]) { segment(fromClient: true, flags: 0x18, payload: bytes) }
    mutating func server(bytes: [UInt8]) { segment(fromClient: false, flags: 0x18, payload: bytes) }
    mutating func server(_ text: String) { segment(fromClient: false, flags: 0x18, payload: Array(text.utf8)) }

    /// A text WebSocket frame: masked from the client (RFC 6455 §5.3), plain from the server.
    mutating func client(webSocket text: String) {
        segment(fromClient: true, flags: 0x18, payload: Self.frame(Array(text.utf8), mask: [1, 2, 3, 4]))
    }

    mutating func server(webSocket text: String) {
        segment(fromClient: false, flags: 0x18, payload: Self.frame(Array(text.utf8), mask: nil))
    }

    static func frame(_ payload: [UInt8], mask: [UInt8]?) -> [UInt8] {
        var frame: [UInt8] = [0x81]
        let maskBit: UInt8 = mask == nil ? 0 : 0x80
        if payload.count < 126 {
            frame.append(maskBit | UInt8(payload.count))
        } else {
            frame.append(maskBit | 126)
            frame += [UInt8(payload.count >> 8), UInt8(payload.count & 0xff)]
        }
        guard let mask else { return frame + payload }
        return frame + mask + payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
    }

    private mutating func segment(fromClient: Bool, flags: UInt8, payload: [UInt8]) {
        let (source, destination) = fromClient ? (clientAddress, serverAddress) : (serverAddress, clientAddress)
        let sequence = fromClient ? clientSequence : serverSequence
        let acknowledgement = fromClient ? serverSequence : clientSequence
        var tcp = Self.be16(source.port) + Self.be16(destination.port) + Self.be32(sequence)
        tcp += Self.be32(flags & 0x10 != 0 ? acknowledgement : 0) + [0x50, flags] + Self.be16(65535) + [0, 0, 0, 0]
        let total = 20 + tcp.count + payload.count
        var ip: [UInt8] = [0x45, 0] + Self.be16(UInt16(total)) + [0, 0, 0x40, 0, 64, 6, 0, 0]
        ip += source.ip + destination.ip
        let ethernet: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00]
        let packet = ethernet + ip + tcp + payload
        time += 1
        bytes +=
            Self.le32(1_700_000_000 + time) + Self.le32(0) + Self.le32(UInt32(packet.count))
            + Self.le32(UInt32(packet.count)) + packet
        let advance = UInt32(payload.count) + (flags & 0x02 != 0 ? 1 : 0)
        if fromClient { clientSequence &+= advance } else { serverSequence &+= advance }
    }

    static func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xff), UInt8(value >> 8)] }
    static func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xff) } }
    static func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xff)] }
    static func be32(_ value: UInt32) -> [UInt8] { (0..<4).reversed().map { UInt8((value >> (8 * $0)) & 0xff) } }
}
