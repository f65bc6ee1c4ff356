import Foundation
import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowCapture

/// sigflow's own pcapng reader: every block type it reads, in both byte orders, with each packet
/// keeping its own interface's link type and clock.
@Suite struct PcapngReaderTests {
    static let second: Int64 = 1_000_000_000
    static let base = CaptureTime(nanoseconds: 1_700_000_000 * second)

    @Test(arguments: [false, true])
    func interfacesOfDifferentLinkTypesInOneFile(bigEndian: Bool) throws {
        var writer = PcapngWriter(bigEndian: bigEndian)
        writer.addInterface(linkType: 1)
        writer.addInterface(linkType: 113, snaplen: 0)
        writer.addInterface(linkType: 101)
        writer.add(numberedFrame(0), at: Self.base.adding(nanoseconds: 1_000), interface: 0)
        writer.add(numberedFrame(1, length: 61), at: Self.base.adding(nanoseconds: 2_000), interface: 1)
        writer.add(numberedFrame(2, length: 62), at: Self.base.adding(nanoseconds: 3_000), interface: 2)
        let result = try read(writer.bytes, name: "three.pcapng")
        #expect(result.error == nil && result.diagnostics.isEmpty)
        #expect(result.packets.map(\.linkType) == [1, 113, 101])
        #expect(result.packets.map(\.frame) == [1, 2, 3])
        #expect(
            result.packets.map(\.bytes) == [
                numberedFrame(0), numberedFrame(1, length: 61), numberedFrame(2, length: 62),
            ])
        #expect(result.packets.map(\.time) == [1_000, 2_000, 3_000].map { Self.base.adding(nanoseconds: $0) })
        #expect(result.summaries.map(\.frames) == [3])
    }

    /// Every resolution a writer may choose: powers of ten (microseconds by default, milliseconds,
    /// nanoseconds, tenths of nanoseconds) and of two, and a whole-second offset.
    @Test func timestampResolutionsAndOffsets() throws {
        var writer = PcapngWriter()
        let micro = writer.addInterface(linkType: 1)
        let milli = writer.addInterface(linkType: 1, resolution: 3)
        let nano = writer.addInterface(linkType: 1, resolution: 9)
        let tenths = writer.addInterface(linkType: 1, resolution: 10)
        let binary = writer.addInterface(linkType: 1, resolution: 0x80 | 10)
        let offset = writer.addInterface(linkType: 1, nanoseconds: true, offsetSeconds: 3600)
        let times: [(Int, Int64)] = [
            (micro, 123_456_000), (milli, 123_000_000), (nano, 123_456_789), (tenths, 123_456_789),
            (binary, 1_953_125), (offset, 5),
        ]
        for (index, (interface, nanoseconds)) in times.enumerated() {
            writer.add(numberedFrame(index), at: Self.base.adding(nanoseconds: nanoseconds), interface: interface)
        }
        let result = try read(writer.bytes, name: "clocks.pcapng")
        #expect(result.error == nil)
        #expect(result.packets.map(\.time) == times.map { Self.base.adding(nanoseconds: $0.1) })
    }

    /// Several sections, the second big-endian: interface ids start again at 0 in each, and frame
    /// numbers run on across them, as Wireshark counts.
    @Test func severalSectionsInBothByteOrders() throws {
        var writer = PcapngWriter()
        writer.addInterface(linkType: 1)
        writer.add(numberedFrame(0), at: Self.base)
        writer.addSection(bigEndian: true)
        writer.addInterface(linkType: 113, nanoseconds: true)
        writer.add(numberedFrame(1), at: Self.base.adding(nanoseconds: 7))
        writer.addSection()
        writer.addInterface(linkType: 101)
        writer.add(numberedFrame(2), at: Self.base.adding(nanoseconds: 2_000))
        let result = try read(writer.bytes, name: "sections.pcapng")
        #expect(result.error == nil)
        #expect(result.packets.map(\.linkType) == [1, 113, 101])
        #expect(result.packets.map(\.frame) == [1, 2, 3])
        #expect(result.packets.map(\.time) == [0, 7, 2_000].map { Self.base.adding(nanoseconds: $0) })
    }

    /// Simple packet blocks (no timestamp: they take the previous packet's; cut to the snap length)
    /// and the obsolete packet block count as frames like enhanced ones; other blocks do not.
    @Test func simpleAndObsoletePacketBlocks() throws {
        var writer = PcapngWriter()
        writer.addInterface(linkType: 1, snaplen: 64)
        writer.add(numberedFrame(0), at: Self.base)
        writer.appendBlock(type: 4, body: [0, 0, 0, 0])  // name resolution, empty
        writer.addSimple(numberedFrame(1, length: 80))
        writer.appendBlock(type: 5, body: [UInt8](repeating: 0, count: 12))  // interface statistics
        writer.addObsolete(numberedFrame(2), at: Self.base.adding(nanoseconds: 5_000))
        let result = try read(writer.bytes, name: "blocks.pcapng")
        #expect(result.error == nil)
        #expect(result.packets.map(\.frame) == [1, 2, 3])
        #expect(
            result.packets.map(\.bytes) == [
                numberedFrame(0), Array(numberedFrame(1, length: 80).prefix(64)), numberedFrame(2),
            ])
        #expect(result.packets.map(\.originalLength) == [60, 80, 60])
        #expect(result.packets.map(\.time) == [Self.base, Self.base, Self.base.adding(nanoseconds: 5_000)])
    }

    /// A BPF filter on a file of two link types is compiled for each: `udp` finds the UDP datagram
    /// in the Ethernet frame and in the Linux cooked one, and frame numbers stay those of the file.
    @Test func filterIsCompiledPerLinkType() throws {
        let udp = IPv4.packet(
            from: ip("10.0.0.1"), to: ip("10.0.0.2"), protocol: IPProtocol.udp,
            payload: Transport.udp(from: 5060, to: 5060, payload: Array("OPTIONS sip:a SIP/2.0\r\n\r\n".utf8)))
        let tcp = IPv4.packet(
            from: ip("10.0.0.1"), to: ip("10.0.0.2"), protocol: IPProtocol.tcp,
            payload: Transport.tcp(from: 5060, to: 5060, sequence: 1, flags: TCPFlag.syn))
        var writer = PcapngWriter()
        writer.addInterface(linkType: LinkFraming.ethernet.linkType())
        writer.addInterface(linkType: LinkFraming.sll.linkType())
        writer.add(LinkFraming.ethernet.frame(tcp), at: Self.base, interface: 0)
        writer.add(LinkFraming.ethernet.frame(udp), at: Self.base, interface: 0)
        writer.add(LinkFraming.sll.frame(tcp), at: Self.base, interface: 1)
        writer.add(LinkFraming.sll.frame(udp), at: Self.base, interface: 1)
        let result = try read(writer.bytes, name: "filtered.pcapng", filter: "udp")
        #expect(result.error == nil)
        #expect(result.packets.map(\.frame) == [2, 4])
        #expect(result.packets.map(\.linkType) == [1, 113])
        #expect(result.summaries.map(\.frames) == [4] && result.summaries.map(\.framesKept) == [2])
        #expect(throws: CaptureError.self) { try read(writer.bytes, name: "bad.pcapng", filter: "udp and and") }
    }

    /// gzip'd pcapng goes through zlib into the same reader.
    @Test func gzipCompressedPcapng() throws {
        var writer = PcapngWriter()
        writer.addInterface(linkType: 1)
        writer.addInterface(linkType: 113)
        for index in 0..<500 { writer.add(numberedFrame(index), at: Self.base, interface: index % 2) }
        let plain = try read(writer.bytes, name: "plain.pcapng")
        let compressed = try read(gzip(writer.bytes), name: "compressed.pcapng.gz")
        #expect(plain.packets.count == 500)
        #expect(compressed.packets == plain.packets)
        let cut = try read(Array(gzip(writer.bytes).dropLast(200)), name: "cut.pcapng.gz")
        #expect(cut.packets.count < 500 && cut.packets == Array(plain.packets.prefix(cut.packets.count)))
        #expect(cut.diagnostics.entries.map(\.name) == ["capture_truncated"] || cut.error != nil)
    }

    /// Secrets reach the consumer before every packet that follows them in the file, on the
    /// consuming thread, however the packets are batched across threads.
    @Test func decryptionSecretsArriveInFileOrder() throws {
        var writer = PcapngWriter()
        writer.addInterface(linkType: 1)
        writer.addSecrets(type: DecryptionSecrets.tlsKeyLog, Array("CLIENT_RANDOM 00 11\n".utf8))
        for index in 0..<20 {
            writer.add(numberedFrame(index), at: Self.base)
            if index == 9 { writer.addSecrets(type: DecryptionSecrets.tlsKeyLog, Array("CLIENT_RANDOM 22 33\n".utf8)) }
        }
        writer.addSecrets(type: 0x5747_4b4c, patternBytes(3_000))
        let directory = TemporaryDirectory()
        let path = directory.write(writer.bytes, to: "secrets.pcapng")
        for batching in [nil, ReadAhead.Batching.standard, ReadAheadTests.tiny] {
            let reader = try CaptureReader(inputs: [.file(path)])
            var events: [String] = []
            let consumer = pthread_self()
            reader.onDecryptionSecrets = { secrets in
                #expect(pthread_equal(pthread_self(), consumer) != 0)
                events.append(
                    "secrets \(String(secrets.type, radix: 16)) \(secrets.bytes.count) after \(secrets.source.frame)")
            }
            try reader.forEachPacket(batching: batching) { events.append("frame \($0.stamp.source.frame)") }
            #expect(
                events
                    == ["secrets 544c534b 20 after 0"] + (1...10).map { "frame \($0)" } + [
                        "secrets 544c534b 20 after 10"
                    ]
                    + (11...20).map { "frame \($0)" } + ["secrets 57474b4c 3000 after 20"])
        }
    }

    /// A Decryption Secrets Block written by Wireshark's editcap (`--inject-secrets tls,KEYLOG`) into
    /// a capture made by dumpcap: the reader hands over the key log byte for byte, before the packets.
    @Test func secretsInjectedByEditcap() throws {
        let lab = ReadAheadTests.repository.appendingPathComponent("captures/lab/encap")
        let keyLog = try Data(contentsOf: lab.appendingPathComponent("tls-keylog.txt"))
        let reader = try CaptureReader(inputs: [.file(lab.appendingPathComponent("secrets-dsb.pcapng").path)])
        var secrets: [DecryptionSecrets] = []
        var packetsBefore = 0
        var packets = 0
        reader.onDecryptionSecrets = {
            secrets.append($0)
            packetsBefore = packets
        }
        try reader.forEachPacket { _ in packets += 1 }
        #expect(secrets.count == 1 && packetsBefore == 0 && packets > 0)
        #expect(secrets.first?.type == DecryptionSecrets.tlsKeyLog)
        #expect(secrets.first.map { Data($0.bytes) } == keyLog)
    }

    /// Packets cut by a damaged block: the ones before it, then a warning or an error as for pcap.
    @Test func blocksCutAtEveryLength() throws {
        var writer = PcapngWriter()
        writer.addInterface(linkType: 1)
        for index in 0..<4 { writer.add(numberedFrame(index), at: Self.base) }
        let whole = writer.bytes
        for length in stride(from: 28, to: whole.count, by: 3) {
            let result = try read(Array(whole.prefix(length)), name: "cut.pcapng")
            #expect(result.error == nil)
            #expect(result.packets.map(\.bytes) == (0..<result.packets.count).map { numberedFrame($0) })
            // Block ends: section header 28, interface 48, then packets of 92 bytes each.
            let atBoundary = length == 28 || (length - 48) % 92 == 0
            #expect(result.diagnostics.entries.map(\.name) == (atBoundary ? [] : ["capture_truncated"]))
        }
    }
}
