import Foundation
import SigflowCore
import SigflowFraming
import SigflowTLS
import SigflowTestSupport
import Testing

/// Lab captures damaged on the way in: a record that does not authenticate is a gap and the
/// records after it are still read; a broken record header is skipped to the next record; a
/// connection picked up after its handshake is reported, never guessed at.
@Suite struct TLSDamageTests {
    static let lab = "captures/lab/tls/"

    struct Case: Sendable, CustomStringConvertible {
        var capture: String
        var description: String { capture }
    }

    static func load(_ name: String) throws -> (truth: TLSTruthFile.StreamTruth, path: String, keys: TLSKeyLog) {
        let truth = try #require(TLSTruthFile.loaded?.captures[lab + name + ".pcap"])
        let url = TLSPaths.capture(lab + name + ".pcap")
        let keys = try keyLog(url.deletingLastPathComponent().appendingPathComponent(truth.keylog))
        return (try #require(truth.streams.first), url.path, keys)
    }

    /// The offset of the one TLS record a frame ends with (its header), found from the back.
    static func lastRecord(in frame: [UInt8]) -> Int? {
        frame.indices.first { index in
            index + 5 <= frame.count && frame[index] == 23 && frame[index + 1] == 3 && frame[index + 2] == 3
                && index + 5 + (Int(frame[index + 3]) << 8 | Int(frame[index + 4])) == frame.count
        }
    }

    static let captures = [
        "sip-tls13-aes128gcm", "sip-tls13-chacha20", "sip-tls12-ecdhe-rsa-aes128gcm", "sip-tls12-ecdhe-rsa-chacha20",
        "sip-tls12-ecdhe-rsa-aes128cbc-sha-etm", "sip-tls12-ecdhe-rsa-aes256cbc-sha-mte",
    ]

    /// The third plaintext chunk (the server's 180 Ringing) with its tag (or MAC) damaged.
    @Test(arguments: captures)
    func damagedTagIsAGapAndLaterRecordsAreRead(name: String) throws {
        let (truth, path, keys) = try Self.load(name)
        let damaged = truth.chunks[2]
        let run = try DecryptedRun(capture: path, keyLogs: [keys]) { bytes, frame in
            if frame == damaged.frame { bytes[bytes.count - 1] ^= 0x01 }
            return true
        }
        let stream = try #require(run.streams.first)
        #expect(run.chunks(of: stream, client: endpoint(truth.client)) == truth.chunks.filter { $0 != damaged })
        #expect(stream.gaps(.fromServer).map(\.frame) == [damaged.frame])
        #expect(stream.gaps(.fromClient).isEmpty)
        let summary = try #require(run.summary)
        #expect(summary.count(.failedAuthentication) == 1 && summary.recordsFailed == 1)
        #expect(summary.unread.first?.recordsFailed == 1)
        #expect(run.classifier.reported.entries.map(\.name) == ["tls_record_unauthenticated", "tls_summary"])
    }

    /// The same record's header says it is empty: the framer drops bytes up to the next record, and
    /// the sequence number is found again by trying the ones that may come next.
    @Test(arguments: captures)
    func brokenHeaderIsSkippedToTheNextRecord(name: String) throws {
        let (truth, path, keys) = try Self.load(name)
        let damaged = truth.chunks[2]
        let run = try DecryptedRun(capture: path, keyLogs: [keys]) { bytes, frame in
            if frame == damaged.frame, let header = Self.lastRecord(in: bytes) {
                bytes[header + 3] = 0
                bytes[header + 4] = 0
            }
            return true
        }
        let stream = try #require(run.streams.first)
        #expect(run.chunks(of: stream, client: endpoint(truth.client)) == truth.chunks.filter { $0 != damaged })
        #expect(!stream.gaps(.fromServer).isEmpty)
        #expect(run.summary?.count(.decrypted) == 1)
    }

    /// Plaintext nobody wants (here: every connection's) is not decrypted past the first record:
    /// a damaged record after it is never opened, so the connection counts as decrypted.
    @Test func ignoredPlaintextIsNotDecryptedFurther() throws {
        final class Ignoring: StreamClassifier {
            func classify(
                _ stream: StreamInfo, direction: StreamDirection, firstBytes: UnsafeRawBufferPointer
            )
                -> StreamClassification
            { .ignore }
        }
        let (truth, path, keys) = try Self.load("sip-tls13-aes128gcm")
        let damaged = truth.chunks[2]
        let edit: (inout [UInt8], Int) -> Bool = { bytes, frame in
            if frame == damaged.frame { bytes[bytes.count - 1] ^= 0x01 }
            return true
        }
        let ignored = try DecryptedRun(capture: path, keyLogs: [keys], edit: edit, picker: Ignoring())
        #expect(ignored.summary?.count(.decrypted) == 1)
        let read = try DecryptedRun(capture: path, keyLogs: [keys], edit: edit)
        #expect(read.summary?.count(.failedAuthentication) == 1)
    }

    /// A connection whose first frames (the handshake) are not in the capture.
    @Test func pickedUpAfterTheHandshake() throws {
        let (truth, path, keys) = try Self.load("sip-tls13-aes128gcm")
        let run = try DecryptedRun(capture: path, keyLogs: [keys]) { _, frame in frame >= truth.chunks[1].frame }
        #expect(run.streams.isEmpty)
        let summary = try #require(run.summary)
        #expect(summary.connections == 1 && summary.count(.handshakeNotCaptured) == 1)
        #expect(run.classifier.reported.entries.map(\.name) == ["tls_handshake_not_captured", "tls_summary"])
    }

    /// Keys that do not belong to the connection: every record fails, none is taken for plaintext.
    @Test func wrongKeysDecryptNothing() throws {
        let (_, path, _) = try Self.load("sip-tls13-aes128gcm")
        let (_, _, other) = try Self.load("sip-tls13-keyupdate")
        let run = try DecryptedRun(capture: path, keyLogs: [other])
        #expect(run.streams.isEmpty)
        #expect(run.summary?.count(.noKeys) == 1)
    }
}
