import SigflowCore
import Testing

@testable import SigflowFraming
@testable import SigflowWhatsApp

/// What the traffic tracker keeps stays bounded whatever hits a call socket.
struct WhatsAppTrafficTrackerTests {
    final class Discard: SignalingSink {
        func deliver(_ message: SignalingMessage) {}
        func report(_ diagnostic: Diagnostic) {}
    }

    static func datagram(
        _ tracker: WhatsAppTrafficTracker, from source: String, to destination: String, _ bytes: [UInt8]
    ) {
        bytes.withUnsafeBytes { payload in
            tracker.datagram(
                TransportPacket(
                    transport: .udp, source: Endpoint(Substring(source))!,
                    destination: Endpoint(Substring(destination))!,
                    payload: payload, stamp: PacketStamp(time: .zero, source: SourceRef(capture: 0, frame: 1)),
                    wireLength: bytes.count + 42))
        }
    }

    /// A STUN binding request to port 3478 makes its source a call socket; then a thousand senders
    /// hit it: only the first `maxMediaPaths` get a media path.
    @Test func aSocketHitFromEverywhereKeepsABoundedNumberOfPaths() throws {
        let tracker = WhatsAppTrafficTracker(sink: Discard())
        let socket = "10.0.0.5:40000"
        let binding: [UInt8] = [0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42] + [UInt8](repeating: 7, count: 12)
        Self.datagram(tracker, from: socket, to: "157.240.0.10:3478", binding)
        for index in 0..<1000 {
            Self.datagram(tracker, from: "198.51.\(index / 250).\(index % 250 + 1):5000", to: socket, [0x80, 0, 0, 1])
        }
        let tracked = try #require(tracker.sockets[Endpoint(Substring(socket))!])
        #expect(tracked.media.count == WhatsAppTrafficTracker.maxMediaPaths)
        #expect(tracked.mediaOrder.count == WhatsAppTrafficTracker.maxMediaPaths)
    }
}
