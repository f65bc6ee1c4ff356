import Foundation
import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowCapture

/// Reading ahead on a second thread must hand over exactly what reading on the calling thread does:
/// the same packets with the same bytes, times and frame numbers, in the same order, then the same
/// summaries, warnings and errors.
@Suite struct ReadAheadTests {
    /// Batches so small that nearly every packet fills one and the threads hand over constantly,
    /// and most packets are larger than a batch's bytes (which must then grow).
    static let tiny = ReadAhead.Batching(byteCapacity: 64, recordCapacity: 3, poolSize: 2)
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Every pcap and pcapng file the lab scripts captured.
    static let labCaptures: [String] = {
        let root = repository.appendingPathComponent("captures").path
        let files = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") || $0.hasSuffix(".pcap.gz") }
            .sorted().map { root + "/" + $0 }
    }()

    static func read(_ inputs: [CaptureInput], batching: ReadAhead.Batching?) throws(CaptureError) -> ReadResult {
        let reader = try CaptureReader(inputs: inputs)
        var packets: [ReadPacket] = []
        var failure: CaptureError?
        do {
            try reader.forEachPacket(batching: batching) { packet in
                packets.append(
                    ReadPacket(
                        capture: packet.stamp.source.capture, frame: packet.stamp.source.frame,
                        time: packet.stamp.time, bytes: Array(packet.bytes), originalLength: packet.originalLength,
                        linkType: packet.linkType.rawValue))
            }
        } catch {
            failure = error
        }
        return ReadResult(
            packets: packets, error: failure, diagnostics: reader.diagnostics, summaries: reader.summaries)
    }

    /// Reads `inputs` on the calling thread, then ahead with the standard and the tiny batches, and
    /// checks all three agree; returns what was read.
    @discardableResult
    static func expectSameReading(_ inputs: [CaptureInput]) throws -> ReadResult {
        let direct = try read(inputs, batching: nil)
        for batching in [ReadAhead.Batching.standard, tiny] {
            let ahead = try read(inputs, batching: batching)
            #expect(ahead.packets == direct.packets)
            #expect(ahead.error == direct.error)
            #expect(ahead.diagnostics.entries == direct.diagnostics.entries)
            #expect(ahead.summaries == direct.summaries)
        }
        return direct
    }

    @Test func everyLabCaptureReadsTheSameAhead() throws {
        #expect(Self.labCaptures.count >= 40)
        var packets = 0
        for path in Self.labCaptures {
            packets += try Self.expectSameReading([.file(path)]).packets.count
        }
        #expect(packets > 5_000)
    }

    /// Several files merged by time: the merge runs on the reading thread.
    @Test func mergedFilesReadTheSameAhead() throws {
        let sip = Self.labCaptures.filter { $0.contains("/sip") }.prefix(3)
        #expect(sip.count == 3)
        let result = try Self.expectSameReading(sip.map(CaptureInput.file))
        #expect(Set(result.packets.map(\.capture)) == [0, 1, 2])
    }

    /// Empty frames, frames far larger than a tiny batch, and more frames than a batch has records.
    @Test func framesOfEverySizeReadTheSameAhead() throws {
        var writer = PcapWriter(linkType: 1, snaplen: 262_144)
        let lengths = [0, 1, 60, 4_000, 0, 65_000, 14, 262_144] + Array(repeating: 60, count: 50)
        for (index, length) in lengths.enumerated() {
            writer.addRecord(
                patternBytes(length, seed: UInt64(index)), capturedLength: length, originalLength: length,
                at: Fixture.time(ofFrame: index + 1))
        }
        let directory = TemporaryDirectory()
        let result = try Self.expectSameReading([.file(directory.write(writer.bytes, to: "sizes.pcap"))])
        #expect(result.packets.map(\.bytes.count) == lengths)
        #expect(result.packets.map(\.bytes) == lengths.enumerated().map { patternBytes($1, seed: UInt64($0)) })
    }

    /// A file cut short: the same packets, then the same truncation warning.
    @Test func truncatedFileReadsTheSameAhead() throws {
        var writer = HostileInputTests.twoPackets()
        writer.add(numberedFrame(2, length: 100), at: Fixture.time(ofFrame: 3))
        let directory = TemporaryDirectory()
        let path = directory.write(Array(writer.bytes.dropLast(30)), to: "cut.pcap")
        let result = try Self.expectSameReading([.file(path)])
        #expect(result.packets.count == 2)
        #expect(result.diagnostics.entries.map(\.name) == ["capture_truncated"])
    }

    /// A record with an impossible length: the packets before it, then the same error, also when
    /// other files go on being read after it.
    @Test func corruptFileReadsTheSameAhead() throws {
        var writer = HostileInputTests.twoPackets()
        writer.addRecord([1, 2, 3], capturedLength: 50_000_000, originalLength: 3, at: Fixture.time(ofFrame: 3))
        let directory = TemporaryDirectory()
        let corrupt = directory.write(writer.bytes, to: "corrupt.pcap")
        let alone = try Self.expectSameReading([.file(corrupt)])
        #expect(alone.packets.count == 2)
        guard case .corrupt(_, afterFrame: 2, _) = alone.error else {
            Issue.record("expected a corrupt-record error after frame 2, got \(String(describing: alone.error))")
            return
        }
        let other = directory.write(HostileInputTests.twoPackets().bytes, to: "good.pcap")
        let merged = try Self.expectSameReading([.file(corrupt), .file(other)])
        #expect(merged.packets.count == 4)
        #expect(merged.error == alone.error)
    }

    /// The progress bar asks how far reading got from the decoding thread while the reading thread
    /// owns the stream: the fraction must still climb to exactly 1 (from near the start when read
    /// on one thread; reading ahead may have read the whole file before the first packet is used).
    @Test func progressClimbsToTheEndWhileReadingAhead() throws {
        var writer = PcapWriter(linkType: 1)
        for index in 0..<4_000 {
            writer.add(patternBytes(1_000, seed: UInt64(index)), at: Fixture.time(ofFrame: index + 1))
        }
        let directory = TemporaryDirectory()
        let path = directory.write(writer.bytes, to: "four-megabytes.pcap")
        for batching in [nil, ReadAhead.Batching.standard, Self.tiny] {
            let reader = try CaptureReader(inputs: [.file(path)])
            var seen: [Double] = []
            try reader.forEachPacket(batching: batching) { _ in seen.append(reader.progress?.fraction ?? -1) }
            #expect(seen.count == 4_000)
            #expect(seen.first! >= 0 && (batching != nil || seen.first! < 0.2))
            #expect(zip(seen, seen.dropFirst()).allSatisfy { $0 <= $1 })
            #expect(reader.progress?.fraction == 1)
        }
    }
}
