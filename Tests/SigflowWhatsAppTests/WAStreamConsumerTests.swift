import SigflowCore
import Testing

@testable import SigflowFraming
@testable import SigflowWhatsApp

/// The encrypted signaling connection is counted frame by frame, whatever the segment boundaries.
struct WAStreamConsumerTests {
    static let stream = StreamInfo(
        client: Endpoint(Substring("10.0.0.1:50000"))!, server: Endpoint(Substring("157.240.0.53:443"))!)

    static func stamp(_ frame: Int) -> PacketStamp {
        PacketStamp(time: CaptureTime(seconds: Double(frame)), source: SourceRef(capture: 0, frame: frame))
    }

    /// Prologue `WA 6 3`, then frames of 5, 0 and 300 bytes.
    static let client: [UInt8] =
        Array("WA".utf8) + [6, 3] + [0, 0, 5] + [1, 2, 3, 4, 5] + [0, 0, 0] + [0, 1, 0x2c]
        + [UInt8](repeating: 9, count: 300)

    @Test(arguments: [1, 2, 3, 7, 64, 4096])
    func noiseFramesAcrossAnySegmentation(chunk: Int) {
        let consumer = WAStreamConsumer(stream: Self.stream, framing: .chat(magic: 6, version: 3), budget: .init())
        for start in stride(from: 0, to: Self.client.count, by: chunk) {
            let piece = Array(Self.client[start..<min(start + chunk, Self.client.count)])
            piece.withUnsafeBytes { consumer.receive($0, direction: .fromClient, stamp: Self.stamp(start)) }
        }
        #expect(consumer.frames.map(\.length) == [5, 0, 300])
        #expect(consumer.frames.allSatisfy { $0.fromClient })
    }

    @Test func legacyFramesKeepFlagsInTheTopNibble() {
        // From whatsapp_login_call.pcap: the server's first segment holds three frames.
        let server: [UInt8] = [0x00, 0x00, 0x05, 1, 2, 3, 4, 5, 0x00, 0x00, 0x03, 1, 2, 3, 0x80, 0x00, 0x02, 7, 7]
        let consumer = WAStreamConsumer(stream: Self.stream, framing: .chat(magic: 1, version: 5), budget: .init())
        server.withUnsafeBytes { consumer.receive($0, direction: .fromServer, stamp: Self.stamp(1)) }
        #expect(consumer.frames.map(\.length) == [5, 3, 2])
    }

    @Test func aGapStopsCountingThatDirection() {
        let consumer = WAStreamConsumer(stream: Self.stream, framing: .chat(magic: 6, version: 3), budget: .init())
        Self.client.withUnsafeBytes { consumer.receive($0, direction: .fromClient, stamp: Self.stamp(1)) }
        consumer.gap(100, direction: .fromClient, stamp: Self.stamp(2))
        [UInt8]([0, 0, 1, 1]).withUnsafeBytes { consumer.receive($0, direction: .fromClient, stamp: Self.stamp(3)) }
        #expect(consumer.frames.count == 3)
    }

    /// The frame budget is shared: two connections together keep no more than it, then only count.
    @Test func connectionsShareOneFrameBudget() {
        let budget = WAStreamConsumer.FrameBudget(frames: 4)
        let first = WAStreamConsumer(stream: Self.stream, framing: .chat(magic: 6, version: 3), budget: budget)
        let second = WAStreamConsumer(stream: Self.stream, framing: .chat(magic: 6, version: 3), budget: budget)
        Self.client.withUnsafeBytes { first.receive($0, direction: .fromClient, stamp: Self.stamp(1)) }
        Self.client.withUnsafeBytes { second.receive($0, direction: .fromClient, stamp: Self.stamp(2)) }
        #expect(first.frames.map(\.length) == [5, 0, 300])
        #expect(second.frames.map(\.length) == [5])
        #expect(second.droppedFrames == 2)
        #expect(budget.remaining == 0)
    }

    @Test func classifiesThePrologueAndWhatsAppTLSOnly() {
        func framing(_ bytes: [UInt8], _ direction: StreamDirection = .fromClient) -> WAStreamConsumer.Framing? {
            bytes.withUnsafeBytes { WAStreamConsumer.framing(firstBytes: $0, direction: direction) }
        }
        #expect(framing(Array("WA".utf8) + [6, 3, 0, 0, 1]) == .chat(magic: 6, version: 3))
        #expect(framing(Array("WA".utf8) + [1, 5]) == .chat(magic: 1, version: 5))
        #expect(framing(Array("WA".utf8) + [6, 3], .fromServer) == nil)
        #expect(framing(Array("GET / HTTP/1.1\r\n".utf8)) == nil)
        #expect(framing(Self.clientHello("web.whatsapp.com")) == .tls(serverName: "web.whatsapp.com"))
        #expect(framing(Self.clientHello("g.whatsapp.net")) == .tls(serverName: "g.whatsapp.net"))
        #expect(framing(Self.clientHello("example.com")) == nil)
        #expect(framing(Self.clientHello("notwhatsapp.com")) == nil)
        #expect(framing(Array(Self.clientHello("web.whatsapp.com").prefix(60))) == nil)
    }

    /// A minimal TLS 1.2 ClientHello with one cipher suite and the SNI extension.
    static func clientHello(_ name: String) -> [UInt8] {
        let host = Array(name.utf8)
        let sni: [UInt8] =
            [0, 0] + u16(host.count + 5) + u16(host.count + 3) + [0] + u16(host.count) + host
        let body: [UInt8] =
            [3, 3] + [UInt8](repeating: 1, count: 32) + [0] + u16(2) + [0x13, 0x01] + [1, 0] + u16(sni.count) + sni
        let handshake: [UInt8] = [1] + [0] + u16(body.count) + body
        return [0x16, 3, 1] + u16(handshake.count) + handshake
    }

    static func u16(_ value: Int) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xff)] }
}
