import Foundation
import SigflowCapture
import SigflowCore
import SigflowFraming
import Testing

@testable import SigflowXMPP

/// The public `jabber.pcap` (Pidgin against ejabberd, no calls): real stanzas split across
/// segments, packed into one, streams picked up mid-way and after gaps.
@Suite(.enabled(if: JabberCapture.isAvailable, "../shared/captures-public is absent"))
struct XMPPPublicCaptureTests {
    @Test func splitStanzasAreFramedWhole() throws {
        let events = try JabberCapture.framerEvents()
        // ejabberd's disco#info result spans frames 46-48; it completes in 48 as one element.
        let completed48 = events.filter { $0.frame == 48 }.compactMap(\.element)
        #expect(completed48.count == 1)
        let disco = try #require(completed48.first)
        #expect(disco.hasPrefix("<iq ") && disco.hasSuffix("</iq>"))
        #expect(disco.contains("urn:xmpp:carbons:2"))
        let element = try XMLStanzaParser.parse(Array(disco.utf8)).element
        #expect(element.child("query", namespace: "http://jabber.org/protocol/disco#info") != nil)
    }

    @Test func packedStanzasAreFramedOneByOne() throws {
        let events = try JabberCapture.framerEvents()
        // Pidgin writes five IQ-gets in frame 53 and six in frame 139.
        for (frame, count) in [(53, 5), (139, 6)] {
            let elements = events.filter { $0.frame == frame }.compactMap(\.element)
            #expect(elements.count == count, "frame \(frame)")
            #expect(elements.allSatisfy { $0.hasPrefix("<iq ") }, "frame \(frame)")
        }
    }

    @Test func everyElementParses() throws {
        let events = try JabberCapture.framerEvents()
        let elements = events.compactMap(\.element)
        #expect(elements.count > 100)
        for element in elements {
            let parsed = try XMLStanzaParser.parse(Array(element.utf8))
            #expect(!parsed.repaired, "\(element.prefix(80))")
        }
    }

    @Test func decodesWithoutCallsOrWarnings() throws {
        let sink = RecordingSink()
        let decoder = XMPPDecoder(sink: sink)
        try JabberCapture.run(
            classifier: Classifier { stream, synchronised in
                decoder.streamConsumer(for: stream, synchronised: synchronised)
            })
        #expect(sink.messages.isEmpty)
        #expect(sink.diagnostics.filter { $0.severity > .note }.isEmpty, "\(sink.diagnostics)")
    }
}

/// Reads `jabber.pcap` through the real reassembly and hands XMPP-port streams to a consumer.
enum JabberCapture {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
            "shared/captures-public/ndpi/jabber.pcap"
        ).path

    static var isAvailable: Bool { FileManager.default.fileExists(atPath: path) }

    struct Logged {
        var frame: Int
        var event: XMPPStreamFramer.Event

        var element: String? {
            if case .element(let bytes) = event { return String(decoding: bytes, as: UTF8.self) }
            return nil
        }
    }

    static func run(classifier: Classifier) throws {
        let reader = try CaptureReader(inputs: [.file(path)])
        let dissector = PacketDissector()
        let table = FlowTable(classifier: classifier, tracksUDP: false)
        try reader.forEachPacket { packet in
            guard let transport = dissector.dissect(packet), transport.transport == .tcp else { return }
            table.add(transport)
        }
        table.finish()
    }

    /// Every framer event on port 5222 streams, with the frame that completed it.
    static func framerEvents() throws -> [Logged] {
        let log = Log()
        try run(classifier: Classifier { _, synchronised in Recorder(log: log, synchronised: synchronised) })
        return log.entries
    }

    final class Log {
        var entries: [Logged] = []
    }

    final class Recorder: StreamConsumer {
        let log: Log
        var framers: [StreamDirection: XMPPStreamFramer]

        init(log: Log, synchronised: Bool) {
            self.log = log
            framers = [
                .fromClient: XMPPStreamFramer(synchronised: synchronised),
                .fromServer: XMPPStreamFramer(synchronised: synchronised),
            ]
        }

        var bufferedBytes: Int { framers.values.reduce(0) { $0 + $1.bufferedBytes } }

        func receive(_ bytes: UnsafeRawBufferPointer, direction: StreamDirection, stamp: PacketStamp) {
            framers[direction]!.append(bytes)
            while let event = framers[direction]!.next() {
                log.entries.append(Logged(frame: stamp.source.frame, event: event))
            }
        }

        func gap(_ byteCount: Int?, direction: StreamDirection, stamp: PacketStamp) { framers[direction]!.gap() }

        func end(_ reason: StreamEndReason, direction: StreamDirection, stamp: PacketStamp) {}
    }
}

/// Gives streams on the XMPP client port to a consumer, synchronised when they start at a stanza.
final class Classifier: StreamClassifier {
    let make: (StreamInfo, Bool) -> any StreamConsumer

    init(_ make: @escaping (StreamInfo, Bool) -> any StreamConsumer) {
        self.make = make
    }

    func classify(
        _ stream: StreamInfo, direction: StreamDirection, firstBytes: UnsafeRawBufferPointer
    )
        -> StreamClassification
    {
        guard stream.server.port == 5222 || stream.client.port == 5222 else { return .ignore }
        return .consume(
            make(stream, XMPPSniffer.looksLikeXMPP(firstBytes) || XMPPSniffer.startsAtStanza(firstBytes)))
    }
}
