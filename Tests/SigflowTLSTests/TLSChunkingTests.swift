import Foundation
import SigflowCore
import SigflowFraming
import SigflowTLS
import SigflowTestSupport
import Testing

/// Records split anywhere: a lab connection's bytes, as TCP delivered them, fed again in pieces of
/// every size give the same plaintext.
@Suite struct TLSChunkingTests {
    @Test(arguments: [1, 2, 5, 7, 100, 4096])
    func pieceSizeDoesNotMatter(size: Int) throws {
        for name in ["sip-tls13-keyupdate", "sip-tls12-ecdhe-rsa-aes256cbc-sha-mte"] {
            let path = TLSPaths.capture("captures/lab/tls/\(name).pcap").path
            let keys = try TLSKeyLog.read(path: path.replacingOccurrences(of: ".pcap", with: ".keylog"))
            let run = try runPipeline([.file(path)], filter: "tcp port 5061")
            let wire = run.stream
            let whole = try decrypt(wire, keys: keys, pieces: Int.max)
            let cut = try decrypt(wire, keys: keys, pieces: size)
            #expect(!whole.bytes(.fromClient).isEmpty && !whole.bytes(.fromServer).isEmpty)
            #expect(cut.bytes(.fromClient) == whole.bytes(.fromClient), "\(name) in \(size)-byte pieces")
            #expect(cut.bytes(.fromServer) == whole.bytes(.fromServer), "\(name) in \(size)-byte pieces")
            #expect(cut.gaps(.fromClient).isEmpty && cut.gaps(.fromServer).isEmpty)
        }
    }

    /// The recorded TCP bytes of `wire` through a fresh decryption, in pieces of at most `pieces` bytes.
    private func decrypt(_ wire: RecordedStream, keys: TLSKeyLog, pieces: Int) throws -> RecordedStream {
        let decryption = TLSDecryption(keyLogs: [keys], report: { _ in })
        let plaintext = RecordingClassifier()
        let first = try #require(wire.chunks(.fromClient).first)
        let consumer = try #require(
            first.bytes.withUnsafeBytes {
                decryption.consumer(for: wire.info, firstBytes: $0, classifier: plaintext)
            })
        for event in wire.events {
            guard case .bytes(let bytes) = event.kind else { continue }
            for start in stride(from: 0, to: bytes.count, by: min(pieces, bytes.count)) {
                bytes[start..<min(start + pieces, bytes.count)].withUnsafeBytes {
                    consumer.receive($0, direction: event.direction, stamp: event.stamp)
                }
            }
        }
        return try #require(plaintext.streams.first)
    }
}
