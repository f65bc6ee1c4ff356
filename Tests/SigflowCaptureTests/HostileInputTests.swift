import Foundation
import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowCapture

/// What `CaptureReader` does with inputs that are not (quite) captures. Never a crash or a hang; an
/// input that cannot be read at all fails when it is opened; a damaged one gives the packets before
/// the damage and then either a warning (the file just stops: truncated) or an error (the file says
/// something impossible: corrupt).
///
/// For classic pcap libpcap 1.10 (the library underneath) decides what is damage: the outcomes noted
/// per case below are what it reports, and sigflow only words them. pcapng is sigflow's own reader,
/// which reports the same kinds of outcome.
@Suite struct HostileInputTests {
    /// A valid two-packet capture to damage.
    static func twoPackets(snaplen: Int = 65_535) -> PcapWriter {
        var writer = PcapWriter(linkType: 1, snaplen: snaplen)
        writer.add(numberedFrame(0, length: 100), at: Fixture.time(ofFrame: 1))
        writer.add(numberedFrame(1, length: 100), at: Fixture.time(ofFrame: 2))
        return writer
    }

    /// A valid one-packet pcapng to damage.
    static func onePacketPcapng() -> PcapngWriter {
        var writer = PcapngWriter()
        writer.addInterface(linkType: 1)
        writer.add(numberedFrame(0, length: 100), at: Fixture.time(ofFrame: 1))
        return writer
    }

    enum Outcome: Equatable, CustomStringConvertible {
        /// Opening failed with this error case (compared by case, plus a substring of the text).
        case cannotOpen(String)
        case empty
        case notACapture(String)
        /// Read this many packets, then ended cleanly.
        case read(Int)
        /// Read this many packets, then a `capture_truncated` warning.
        case truncated(Int)
        /// Read this many packets, then `CaptureError.corrupt` whose text holds the string.
        case corrupt(Int, String)
        /// Read this many packets, then `CaptureError.damagedCompression` whose text holds the string.
        case damaged(Int, String)

        var description: String {
            switch self {
            case .cannotOpen(let text): return "cannotOpen(\(text))"
            case .empty: return "empty"
            case .notACapture(let text): return "notACapture(\(text))"
            case .read(let count): return "read(\(count))"
            case .truncated(let count): return "truncated(\(count))"
            case .corrupt(let count, let text): return "corrupt(\(count), \(text))"
            case .damaged(let count, let text): return "damaged(\(count), \(text))"
            }
        }
    }

    /// Reads `path` and describes what happened in the terms of `Outcome`, checking on the way that the
    /// packets read are the intact ones at the front.
    static func outcome(ofFileAt path: String, expected: Outcome) -> Outcome {
        let result: ReadResult
        do {
            result = try read([.file(path)])
        } catch {
            switch error {
            case .cannotOpen(let errorPath, _):
                #expect(errorPath == path)
                return match(expected, .cannotOpen(error.description))
            case .empty: return .empty
            case .notACapture: return match(expected, .notACapture(error.description))
            case .corrupt: return match(expected, .corrupt(0, error.description))
            case .damagedCompression: return match(expected, .damaged(0, error.description))
            default: return .cannotOpen("unexpected \(error)")
            }
        }
        for packet in result.packets where packet.bytes.count == 100 {
            #expect(packet.bytes == numberedFrame(packet.frame - 1, length: 100))
        }
        let count = result.packets.count
        let truncated = result.diagnostics.entries.filter { $0.name == "capture_truncated" }
        switch result.error {
        case nil:
            if let warning = truncated.first {
                #expect(truncated.count == 1 && warning.severity == .warning)
                #expect(warning.message.contains("the \(count) packets before it were read"))
                return .truncated(count)
            }
            return .read(count)
        case .corrupt(let errorPath, let frame, _)?:
            #expect(errorPath == path && frame == count)
            return match(expected, .corrupt(count, result.error!.description))
        case .damagedCompression(let errorPath, _, _, let frame, _)?:
            #expect(errorPath == path && frame == count)
            return match(expected, .damaged(count, result.error!.description))
        case let other?:
            return .corrupt(count, "unexpected \(other)")
        }
    }

    /// `actual` as `expected` when its text contains the expected text, so `==` compares the rest.
    static func match(_ expected: Outcome, _ actual: Outcome) -> Outcome {
        switch (expected, actual) {
        case (.cannotOpen(let want), .cannotOpen(let got)) where got.contains(want): return expected
        case (.notACapture(let want), .notACapture(let got)) where got.contains(want): return expected
        case (.corrupt(let n, let want), .corrupt(let m, let got)) where n == m && got.contains(want): return expected
        case (.damaged(let n, let want), .damaged(let m, let got)) where n == m && got.contains(want): return expected
        default: return actual
        }
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var bytes: @Sendable () -> [UInt8]
        var expected: Outcome
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        // Not a capture at all: libpcap says "unknown file format".
        Case(
            name: "text file", bytes: { Array("INVITE sip:bob@example.com SIP/2.0\r\n".utf8) },
            expected: .notACapture("unknown file format")),
        Case(name: "empty file", bytes: { [] }, expected: .empty),
        // Shorter than the 24-byte file header: libpcap "truncated dump file; tried to read 24 file
        // header bytes, only got 3".
        Case(name: "3 bytes of magic", bytes: { [0xd4, 0xc3, 0xb2] }, expected: .notACapture("file too short")),
        Case(
            name: "half a file header", bytes: { Array(twoPackets().bytes.prefix(12)) },
            expected: .notACapture("file too short")),
        // A file header and no packets is a valid, empty capture.
        Case(name: "header only", bytes: { Array(twoPackets().bytes.prefix(24)) }, expected: .read(0)),
        Case(
            name: "unsupported version",
            bytes: {
                var b = twoPackets().bytes; b[4] = 9; return b
            },
            expected: .notACapture("unsupported pcap savefile version 9.4")),
        // The last record's header stops after 5 of 16 bytes: libpcap "truncated dump file; tried to read
        // 16 header bytes, only got 5".
        Case(
            name: "truncated record header", bytes: { twoPackets().bytes + [1, 2, 3, 4, 5] }, expected: .truncated(2)),
        // The last record's data stops after 50 of 100 bytes: "tried to read 100 captured bytes, only got 50".
        Case(
            name: "truncated record data",
            bytes: {
                var w = twoPackets()
                w.addRecord(
                    Array(numberedFrame(2, length: 100).prefix(50)), capturedLength: 100, originalLength: 100,
                    at: Fixture.start)
                return w.bytes
            }, expected: .truncated(2)),
        // caplen over the file's snaplen (65535) but within libpcap's maximum for Ethernet (262144):
        // libpcap reads snaplen bytes, skips the rest and reports caplen = snaplen. Not an error.
        Case(
            name: "caplen over snaplen, under the maximum",
            bytes: {
                var w = twoPackets()
                w.addRecord(patternBytes(70_000), capturedLength: 70_000, originalLength: 70_000, at: Fixture.start)
                w.add(numberedFrame(3, length: 100), at: Fixture.start)
                return w.bytes
            }, expected: .read(4)),
        // caplen over 262144: libpcap "invalid packet capture length 300000, bigger than snaplen of 65535".
        Case(
            name: "caplen over the maximum",
            bytes: {
                var w = twoPackets()
                w.addRecord(patternBytes(300_000), capturedLength: 300_000, originalLength: 300_000, at: Fixture.start)
                w.add(numberedFrame(3, length: 100), at: Fixture.start)
                return w.bytes
            }, expected: .corrupt(2, "invalid packet capture length 300000")),
        Case(
            name: "absurd caplen",
            bytes: {
                var w = twoPackets()
                w.addRecord([], capturedLength: 0xffff_fff0, originalLength: 100, at: Fixture.start)
                return w.bytes
            }, expected: .corrupt(2, "invalid packet capture length 4294967280")),
        // caplen over len: libpcap 1.10 does not check it; the packet is delivered as it is.
        Case(
            name: "caplen over len",
            bytes: {
                var w = twoPackets()
                w.addRecord(numberedFrame(2, length: 100), capturedLength: 100, originalLength: 40, at: Fixture.start)
                return w.bytes
            }, expected: .read(3)),
        // Random bytes after a valid header: the first "record header" claims an absurd caplen.
        Case(
            name: "random bytes after a pcap header (seed 1)",
            bytes: { Array(twoPackets().bytes.prefix(24)) + patternBytes(5000, seed: 1) },
            expected: .corrupt(0, "invalid packet capture length")),
        Case(
            name: "random bytes after a pcap header (seed 2)",
            bytes: { Array(twoPackets().bytes.prefix(24)) + patternBytes(5000, seed: 2) },
            expected: .corrupt(0, "invalid packet capture length")),
        Case(
            name: "random bytes after a valid packet",
            bytes: { Array(twoPackets().bytes.prefix(140)) + patternBytes(5000, seed: 3) },
            expected: .corrupt(1, "invalid packet capture length")),
        Case(
            name: "pcapng magic then random bytes",
            bytes: { Array(onePacketPcapng().bytes.prefix(4)) + patternBytes(5000, seed: 4) },
            expected: .notACapture("unknown byte-order magic")),
        Case(
            name: "pcapng section header cut short",
            bytes: { Array(onePacketPcapng().bytes.prefix(20)) }, expected: .notACapture("file too short")),
        Case(
            name: "pcapng version 2",
            bytes: {
                var b = onePacketPcapng().bytes; b[12] = 2; return b
            }, expected: .notACapture("unsupported pcapng version 2.0")),
        // An unknown block type with correct framing is skipped (the format allows it).
        Case(
            name: "pcapng unknown block",
            bytes: {
                var w = onePacketPcapng()
                w.appendBlock(type: 0x4242_4242, body: patternBytes(37))
                w.add(numberedFrame(1, length: 100), at: Fixture.start)
                return w.bytes
            }, expected: .read(2)),
        // Garbage where the next block should be: a length that cannot be (not a multiple of 4, or over
        // the 16 MiB cap), or one whose trailing copy differs, depending on the bytes.
        Case(
            name: "pcapng garbage block", bytes: { onePacketPcapng().bytes + patternBytes(64, seed: 5) },
            expected: .corrupt(1, "a pcapng block")),
        Case(
            name: "pcapng block length 8",
            bytes: {
                onePacketPcapng().bytes + UInt32(6).littleEndianBytes + UInt32(8).littleEndianBytes + [0, 0, 0, 0]
            }, expected: .corrupt(1, "has a length of 8, not a multiple of 4 of at least 12")),
        Case(
            name: "pcapng block length 2 GB",
            bytes: {
                onePacketPcapng().bytes + UInt32(6).littleEndianBytes + UInt32(0x7fff_fff0).littleEndianBytes
                    + patternBytes(64)
            }, expected: .corrupt(1, "a pcapng block of 2147483632 bytes, more than the 16777216 allowed")),
        Case(
            name: "pcapng trailing length differs",
            bytes: {
                onePacketPcapng().bytes + UInt32(0x4242).littleEndianBytes + UInt32(16).littleEndianBytes
                    + [0, 0, 0, 0] + UInt32(20).littleEndianBytes
            }, expected: .corrupt(1, "length is 16 at its start and 20 at its end")),
        Case(
            name: "pcapng packet on a missing interface",
            bytes: {
                onePacketPcapng().bytes + UInt32(6).littleEndianBytes + UInt32(32).littleEndianBytes + [5, 0, 0, 0]
                    + [UInt8](repeating: 0, count: 16) + UInt32(32).littleEndianBytes
            }, expected: .corrupt(1, "a packet on interface 5, which no Interface Description Block describes")),
        Case(
            name: "pcapng captured length past its block",
            bytes: {
                onePacketPcapng().bytes + UInt32(6).littleEndianBytes + UInt32(36).littleEndianBytes
                    + [UInt8](repeating: 0, count: 12) + UInt32(200).littleEndianBytes + UInt32(200).littleEndianBytes
                    + [0, 0, 0, 0] + UInt32(36).littleEndianBytes
            }, expected: .corrupt(1, "a packet of 200 captured bytes in a block that holds 4")),
        Case(
            name: "pcapng decryption secrets longer than their block",
            bytes: {
                var w = onePacketPcapng()
                w.appendBlock(type: 0x0a, body: UInt32(0x544c_534b).littleEndianBytes + UInt32(99).littleEndianBytes)
                return w.bytes
            }, expected: .corrupt(1, "says 99 bytes of secrets but holds 0")),
        // A block whose length runs past the end of the file: "truncated pcapng dump file".
        Case(
            name: "pcapng truncated block",
            bytes: {
                onePacketPcapng().bytes + UInt32(6).littleEndianBytes + UInt32(140).littleEndianBytes + patternBytes(20)
            }, expected: .truncated(1)),
        // libpcap reads only one link type per pcapng file; sigflow's own reader reads them all.
        Case(
            name: "pcapng interfaces with two link types",
            bytes: {
                var w = PcapngWriter()
                w.addInterface(linkType: 1)
                w.addInterface(linkType: 113)
                w.add(numberedFrame(0, length: 100), at: Fixture.start)
                w.add(numberedFrame(1, length: 100), at: Fixture.start, interface: 1)
                return w.bytes
            }, expected: .read(2)),
    ]

    @Test(arguments: cases)
    func hostileFile(_ hostile: Case) {
        let directory = TemporaryDirectory()
        let path = directory.write(hostile.bytes(), to: "hostile.pcap")
        #expect(Self.outcome(ofFileAt: path, expected: hostile.expected) == hostile.expected)
    }

    @Test func missingFileCannotBeOpened() {
        let path = TemporaryDirectory().file("missing.pcap")
        #expect(
            Self.outcome(ofFileAt: path, expected: .cannotOpen("No such file or directory"))
                == .cannotOpen("No such file or directory"))
    }

    /// A directory opens with fopen on Linux but cannot be read: that is "cannot open", not "empty".
    @Test func directoryCannotBeOpened() {
        let directory = TemporaryDirectory()
        #expect(
            Self.outcome(ofFileAt: directory.path, expected: .cannotOpen("Is a directory"))
                == .cannotOpen("Is a directory"))
    }

    /// A file without read permission (meaningless as root, who may read anything).
    @Test(.enabled(if: getuid() != 0, "root can read a mode-000 file"))
    func unreadableFileCannotBeOpened() throws {
        let directory = TemporaryDirectory()
        let path = directory.write(Self.twoPackets().bytes, to: "secret.pcap")
        #expect(chmod(path, 0) == 0)
        #expect(
            Self.outcome(ofFileAt: path, expected: .cannotOpen("Permission denied")) == .cannotOpen("Permission denied")
        )
    }

    /// Damaged gzip: cut in the middle (truncated, with the packets before the cut and the compressed
    /// byte where the data ends), or corrupted (an error that says the gzip data is damaged and near
    /// which compressed byte, after the packets before the damage; never a stale errno such as "No
    /// such file or directory"). The same for pcap, read by libpcap, and pcapng, read by sigflow.
    @Test(arguments: [false, true])
    func damagedGzipCaptures(pcapng: Bool) throws {
        let format = { (pcap: [UInt8]) in pcapng ? PcapngWriter(convertingPcap: pcap).bytes : pcap }
        var writer = PcapWriter(linkType: 1)
        for index in 0..<300 { writer.add(numberedFrame(index, length: 100), at: Fixture.time(ofFrame: index + 1)) }
        let compressed = try gzip(format(writer.bytes))
        let directory = TemporaryDirectory()

        let cut = directory.write(Array(compressed.prefix(compressed.count / 2)), to: "cut.pcap.gz")
        guard case .truncated(let count) = Self.outcome(ofFileAt: cut, expected: .truncated(0)) else {
            Issue.record("a gzip capture cut in half is not reported as truncated")
            return
        }
        #expect(count > 0 && count < 300)
        let warning = try read([.file(cut)]).diagnostics.entries.first?.message
        #expect(
            warning?.hasPrefix("\(cut): the gzip data ends early, at compressed byte \(compressed.count / 2); ") == true
        )

        var flipped = compressed
        flipped[compressed.count / 2] ^= 0xff
        let corrupt = directory.write(flipped, to: "corrupt.pcap.gz")
        let failure: String
        do {
            let result = try read([.file(corrupt)])
            failure = result.error?.description ?? "no error after \(result.packets.count) packets"
        } catch {
            failure = error.description
        }
        #expect(failure.contains("\(corrupt): damaged gzip data near compressed byte "))
        #expect(!failure.contains("No such file"))

        // Corruption deep inside a large, compressible capture. Deflate often decodes a damaged byte
        // into other bytes without noticing (gzip's CRC is only checked at the end), so a few damaged
        // packets may come out before the reader meets an impossible record (or zlib fails): an error
        // part-way, after the intact packets.
        var large = PcapWriter(linkType: 1)
        let text = Array(String(repeating: "INVITE sip:bob@example.com SIP/2.0\r\n", count: 40).utf8)
        for index in 0..<2000 { large.add(UInt16(index).bigEndianBytes + text, at: Fixture.time(ofFrame: index + 1)) }
        var damaged = try gzip(format(large.bytes))
        damaged[damaged.count * 3 / 4] ^= 0x55
        let deep = directory.write(damaged, to: "deep.pcap.gz")
        let partial = try read([.file(deep)])
        #expect(partial.packets.count > 1000 && partial.packets.count < 2000)
        guard case .damagedCompression(deep, let offset, damaged.count, partial.packets.count, _)? = partial.error
        else {
            Issue.record(
                "expected a damaged-gzip error after the packets read, got \(String(describing: partial.error))")
            return
        }
        // Where the records stopped making sense: past the damage by at most what stdio reads ahead.
        #expect(offset > damaged.count * 3 / 4 && offset < damaged.count * 3 / 4 + 4096)
        let intact = partial.packets.enumerated().prefix { $0.element.bytes == UInt16($0.offset).bigEndianBytes + text }
        #expect(intact.count > 1000 && partial.packets.count - intact.count < 10)

        let garbage = directory.write(Array(compressed.prefix(10)) + patternBytes(4000), to: "garbage.pcap.gz")
        #expect(
            Self.outcome(ofFileAt: garbage, expected: .damaged(0, "damaged gzip data near compressed byte 14 of 4010 "))
                == .damaged(0, "damaged gzip data near compressed byte 14 of 4010 "))
    }

    /// Random bytes of every length up to 64 after each kind of header, and random files: whatever the
    /// outcome, it comes back (no crash, no hang) with at most the packets that were intact.
    @Test(arguments: 1...40)
    func randomBytesNeverCrashOrHang(seed: Int) {
        let headers: [[UInt8]] = [
            Array(Self.twoPackets().bytes.prefix(24)), Array(Self.onePacketPcapng().bytes.prefix(28)),
            Array(Self.onePacketPcapng().bytes), [],
        ]
        let directory = TemporaryDirectory()
        for (index, header) in headers.enumerated() {
            let noise = patternBytes(seed * 37 % 4096, seed: UInt64(seed * 10 + index))
            let path = directory.write(header + noise, to: "random-\(index).pcap")
            let outcome = Self.outcome(ofFileAt: path, expected: .read(0))
            switch outcome {
            case .read(let count), .truncated(let count), .corrupt(let count, _), .damaged(let count, _):
                #expect(count <= (index == 2 ? 1 : 0) + noise.count / 16)
            case .empty, .notACapture, .cannotOpen:
                break
            }
        }
    }
}
