import Foundation
import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowCapture

/// One packet as the reader handed it over, copied out of the borrowed buffer.
struct ReadPacket: Equatable, CustomStringConvertible {
    var capture: Int
    var frame: Int
    var time: CaptureTime
    var bytes: [UInt8]
    var originalLength: Int
    var linkType: Int32

    var description: String { "\(capture):\(frame)@\(time.nanoseconds)" }
}

/// Everything a reader produced: packets, the error that stopped it, diagnostics, summaries.
struct ReadResult {
    var packets: [ReadPacket]
    var error: CaptureError?
    var diagnostics: DiagnosticLog
    var summaries: [CaptureSummary]
}

func read(_ inputs: [CaptureInput], filter: String? = nil) throws(CaptureError) -> ReadResult {
    let reader = try CaptureReader(inputs: inputs, filter: filter)
    var packets: [ReadPacket] = []
    var failure: CaptureError?
    do {
        try reader.forEachPacket { packet in
            packets.append(
                ReadPacket(
                    capture: packet.stamp.source.capture, frame: packet.stamp.source.frame, time: packet.stamp.time,
                    bytes: Array(packet.bytes), originalLength: packet.originalLength,
                    linkType: packet.linkType.rawValue))
        }
    } catch {
        failure = error
    }
    return ReadResult(
        packets: packets, error: failure, diagnostics: reader.diagnostics, summaries: reader.summaries)
}

func read(_ bytes: [UInt8], name: String = "capture.pcap", filter: String? = nil) throws(CaptureError) -> ReadResult {
    let directory = TemporaryDirectory()
    return try read([.file(directory.write(bytes, to: name))], filter: filter)
}

/// Compresses with the system's gzip (zlib's format), as a user would.
func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
    let directory = TemporaryDirectory()
    let path = directory.write(bytes, to: "capture.pcap")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-9", "-n", path]
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    return Array(try Data(contentsOf: URL(fileURLWithPath: path + ".gz")))
}

/// Frames whose bytes say which one they are: the first two bytes are the frame's index.
func numberedFrame(_ index: Int, length: Int = 60) -> [UInt8] {
    UInt16(index).bigEndianBytes + patternBytes(length - 2, seed: UInt64(index))
}

@Suite struct CaptureReaderTests {
    /// Timestamps come out in nanoseconds whatever the file stores: microsecond and nanosecond magic,
    /// little- and big-endian files.
    @Test(arguments: [PcapWriter.Precision.microseconds, .nanoseconds], [false, true])
    func timestampsAndBytesAreExact(precision: PcapWriter.Precision, bigEndian: Bool) throws {
        let times = [
            CaptureTime(seconds: 1_700_000_000, nanoseconds: 123_456_789),
            CaptureTime(seconds: 1_700_000_001, nanoseconds: 999_999_999),
            CaptureTime(seconds: 1_700_000_001, nanoseconds: 999_999_999),
            CaptureTime(seconds: 4_000_000_000, nanoseconds: 1000),  // after 2038 (unsigned 32-bit seconds)
        ]
        var writer = PcapWriter(linkType: 1, snaplen: 100, precision: precision, bigEndian: bigEndian)
        for (index, time) in times.enumerated() { writer.add(numberedFrame(index, length: 60 + index * 30), at: time) }
        let result = try read(writer.bytes)

        let microseconds = precision == .microseconds
        #expect(result.error == nil)
        #expect(result.packets.map(\.frame) == [1, 2, 3, 4])
        #expect(
            result.packets.map(\.time)
                == times.map { microseconds ? CaptureTime(nanoseconds: $0.nanoseconds / 1000 * 1000) : $0 })
        #expect(
            result.packets.map(\.bytes) == (0..<4).map { Array(numberedFrame($0, length: 60 + $0 * 30).prefix(100)) })
        #expect(result.packets.map(\.originalLength) == [60, 90, 120, 150])
        #expect(result.packets.allSatisfy { $0.linkType == 1 && $0.capture == 0 })
        let summary = try #require(result.summaries.first)
        #expect(summary.frames == 4 && summary.framesKept == 4 && summary.linkType == .ethernet)
        #expect(summary.firstTime == result.packets.first?.time && summary.lastTime == result.packets.last?.time)
    }

    /// Several files are merged by time; ties go to the file named first; every packet keeps its
    /// file's index and its frame number in that file.
    @Test func severalFilesAreMergedByTimestamp() throws {
        func capture(_ seconds: [Int64], linkType: Int32 = 1) -> [UInt8] {
            var writer = PcapWriter(linkType: linkType, precision: .nanoseconds)
            for (index, second) in seconds.enumerated() {
                writer.add(numberedFrame(index), at: CaptureTime(seconds: 1_000 + second, nanoseconds: 5))
            }
            return writer.bytes
        }
        let directory = TemporaryDirectory()
        let paths = [
            directory.write(capture([1, 3, 5, 5]), to: "a.pcap"),
            directory.write(capture([2, 4, 5, 9]), to: "b.pcap"),
            directory.write(capture([]), to: "empty.pcap"),
            directory.write(capture([0, 6], linkType: 113), to: "c.pcap"),
        ]
        let result = try read(paths.map(CaptureInput.file))

        #expect(
            result.packets.map(\.description) == [
                "3:1@1000000000005", "0:1@1001000000005", "1:1@1002000000005", "0:2@1003000000005",
                "1:2@1004000000005", "0:3@1005000000005", "0:4@1005000000005", "1:3@1005000000005",
                "3:2@1006000000005", "1:4@1009000000005",
            ])
        // Each packet still carries its own bytes and its own file's link type.
        #expect(result.packets.map { Int($0.bytes[1]) } == [0, 0, 0, 1, 1, 2, 3, 2, 1, 3])
        #expect(result.packets.filter { $0.capture == 3 }.allSatisfy { $0.linkType == 113 })
        #expect(result.summaries.map(\.frames) == [4, 4, 0, 2])
        #expect(result.summaries.map(\.input) == paths.map(CaptureInput.file))
    }

    /// A BPF filter on files keeps the file's frame numbers, as Wireshark shows them.
    @Test func filterOnFilesKeepsOriginalFrameNumbers() throws {
        let sip = endpoint("10.0.0.1:5060")
        let peer = endpoint("10.0.0.2:5060")
        var fixture = Fixture()
        fixture.add(udpPacket(from: endpoint("10.0.0.1:53"), to: endpoint("10.0.0.9:53"), payload: [1]))  // 1
        fixture.add(udpPacket(from: sip, to: peer, payload: [2]))  // 2
        fixture.add(tcpPacket(from: sip, to: peer, sequence: 1, payload: [3]))  // 3
        fixture.add(udpPacket(from: peer, to: sip, payload: [4]))  // 4
        fixture.add(udpPacket(from: endpoint("10.0.0.3:4000"), to: endpoint("10.0.0.4:4001"), payload: [5]))  // 5
        let directory = TemporaryDirectory()
        let path = directory.write(fixture.bytes, to: "f.pcap")
        let second = directory.write(fixture.bytes, to: "g.pcap")

        let result = try read([.file(path)], filter: "udp port 5060")
        #expect(result.packets.map(\.frame) == [2, 4])
        #expect(result.packets.map { $0.bytes.last } == [2, 4])
        #expect(result.summaries.first?.frames == 5 && result.summaries.first?.framesKept == 2)

        let merged = try read([.file(path), .file(second)], filter: "tcp")
        #expect(
            merged.packets.map(\.description) == [
                "0:3@\(Fixture.time(ofFrame: 3).nanoseconds)", "1:3@\(Fixture.time(ofFrame: 3).nanoseconds)",
            ])
    }

    @Test func invalidFilterIsAnInputError() {
        var fixture = Fixture()
        fixture.add(udpPacket(from: endpoint("10.0.0.1:1"), to: endpoint("10.0.0.2:2"), payload: []))
        #expect {
            _ = try read(fixture.bytes, filter: "udp port banana")
        } throws: { error in
            guard case .badFilter(let expression, let detail) = error as? CaptureError else { return false }
            return expression == "udp port banana" && !detail.isEmpty
        }
    }

    /// gzip-compressed captures read exactly like the plain file, whatever the file is called.
    @Test(arguments: ["capture.pcap.gz", "capture.pcap"])
    func gzipCompressedCaptureReadsLikeThePlainOne(name: String) throws {
        var writer = PcapWriter(linkType: 1, precision: .nanoseconds)
        for index in 0..<500 {
            writer.add(numberedFrame(index, length: 60 + index % 1400), at: Fixture.time(ofFrame: index + 1))
        }
        let plain = try read(writer.bytes)
        let compressed = try gzip(writer.bytes)
        #expect(compressed.count < writer.bytes.count)
        let result = try read(compressed, name: name)
        #expect(result.error == nil)
        #expect(result.packets.count == 500)
        #expect(result.packets == plain.packets)
        #expect(result.diagnostics.isEmpty)
    }

    /// pcapng written here byte by byte: two interfaces (microsecond and nanosecond resolution), an
    /// unknown block type in between (skipped, as the format allows).
    @Test func pcapngWithTwoInterfacesAndAnUnknownBlock() throws {
        var writer = PcapngWriter()
        writer.addInterface(linkType: 1)
        writer.addInterface(linkType: 1, nanoseconds: true)
        writer.add(numberedFrame(0), at: CaptureTime(nanoseconds: 1_700_000_000_123_456_000), interface: 0)
        writer.appendBlock(type: 0x0000_0bad, body: patternBytes(21))
        writer.add(numberedFrame(1, length: 99), at: CaptureTime(nanoseconds: 1_700_000_000_123_456_789), interface: 1)
        let result = try read(writer.bytes, name: "capture.pcapng")

        #expect(result.error == nil)
        #expect(result.packets.map(\.frame) == [1, 2])
        #expect(result.packets.map(\.time.nanoseconds) == [1_700_000_000_123_456_000, 1_700_000_000_123_456_789])
        #expect(result.packets.map(\.bytes) == [numberedFrame(0), numberedFrame(1, length: 99)])
        #expect(result.summaries.first?.linkType == .ethernet)
    }

    /// A pcapng file made by Wireshark's editcap (`Fixtures/README.md` says how): the same packets as the
    /// pcap it was converted from, which `editcapSource()` rebuilds.
    @Test func pcapngMadeByEditcap() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/editcap-udp-tcp.pcapng")
        let result = try read([.file(fixture.path)])
        let expected = try read(Self.editcapSource().bytes)
        #expect(result.error == nil)
        #expect(result.packets.count == 7)
        #expect(result.packets == expected.packets)
    }

    /// The capture `Fixtures/editcap-udp-tcp.pcapng` was converted from.
    static func editcapSource() -> Fixture {
        var tcp = TCPConversation(Fixture(precision: .nanoseconds))
        tcp.fixture.add(
            udpPacket(from: endpoint("10.0.0.1:5060"), to: endpoint("10.0.0.2:5060"), payload: Array("OPTIONS".utf8)))
        tcp.handshake()
        tcp.fromClient(at: 0, "INVITE sip:bob@example.com SIP/2.0\r\n\r\n")
        tcp.fromServer(at: 0, "SIP/2.0 100 Trying\r\n\r\n")
        tcp.fixture.add(
            udpPacket(from: endpoint("[2001:db8::1]:5060"), to: endpoint("[2001:db8::2]:5060"), payload: [0x0d, 0x0a]))
        return tcp.fixture
    }
}

@Suite struct SeveralInputsTests {
    /// One corrupt file among several stops only itself: the other files are read to their end (their
    /// truncation warnings kept), then the corrupt file's error is thrown.
    @Test func corruptFileDoesNotCutTheOthersShort() throws {
        func capture(_ seconds: [Int64]) -> PcapWriter {
            var writer = PcapWriter(linkType: 1, precision: .nanoseconds)
            for (index, second) in seconds.enumerated() {
                writer.add(numberedFrame(index), at: CaptureTime(seconds: 1_000 + second, nanoseconds: 0))
            }
            return writer
        }
        var corrupt = capture([2])
        corrupt.addRecord(
            [], capturedLength: 0x7fff_0000, originalLength: 60, at: CaptureTime(seconds: 1_003, nanoseconds: 0))
        var truncated = capture([5, 6])
        truncated.appendRaw([1, 2, 3])
        let directory = TemporaryDirectory()
        let paths = [
            directory.write(capture([1, 3, 4, 7]).bytes, to: "good.pcap"),
            directory.write(corrupt.bytes, to: "corrupt.pcap"),
            directory.write(truncated.bytes, to: "truncated.pcap"),
        ]
        let result = try read(paths.map(CaptureInput.file))
        #expect(
            result.packets.map { "\($0.capture):\($0.frame)" } == ["0:1", "1:1", "0:2", "0:3", "2:1", "2:2", "0:4"])
        #expect(
            result.error
                == .corrupt(
                    path: paths[1], afterFrame: 1,
                    detail: "invalid packet capture length 2147418112, bigger than snaplen of 262144"))
        #expect(result.diagnostics.entries.map(\.name) == ["capture_truncated"])
        #expect(result.summaries.map(\.frames) == [4, 1, 2])
    }
}
