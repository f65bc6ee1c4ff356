import Foundation
import SigflowCore
import SigflowFraming
import SigflowTLS
import SigflowTestSupport
import Testing

/// Every capture of Tests/Truth/tls.json, the public TLS test vectors (../shared/captures-public/tls/)
/// and the lab's (captures/lab/tls/, every suite sigflow decrypts): sigflow recovers, byte for byte
/// and frame for frame, the application data tshark decrypts with the same key log.
@Suite struct TLSPlaintextTests {
    @Test(arguments: TLSTruthFile.names(lab: false))
    func publicVectorMatchesTshark(name: String) throws {
        try checkAgainstTshark(name)
    }

    @Test(arguments: TLSTruthFile.names(lab: true))
    func labCaptureMatchesTshark(name: String) throws {
        try checkAgainstTshark(name)
    }

    private func checkAgainstTshark(_ name: String) throws {
        let truth = try #require(TLSTruthFile.loaded?.captures[name])
        let capture = TLSPaths.capture(name)
        let log = try keyLog(capture.deletingLastPathComponent().appendingPathComponent(truth.keylog))
        let run = try DecryptedRun(capture: capture.path, keyLogs: [log])
        #expect(run.streams.count == truth.streams.filter { !$0.chunks.isEmpty }.count)
        for expected in truth.streams where !expected.chunks.isEmpty {
            let client = endpoint(expected.client)
            let server = endpoint(expected.server)
            let stream = try #require(
                run.streams.first { Set([$0.info.client, $0.info.server]) == Set([client, server]) },
                "no plaintext for \(expected.client) -> \(expected.server)")
            #expect(stream.info.security == .tls)
            #expect(run.chunks(of: stream, client: client) == expected.chunks)
            #expect(stream.gaps(.fromClient).isEmpty && stream.gaps(.fromServer).isEmpty)
        }
        let summary = try #require(run.summary)
        #expect(summary.connections == truth.streams.count)
        #expect(summary.count(.decrypted) == truth.streams.count)
        #expect(summary.unread.isEmpty)
        #expect(Set(summary.versions) == Set(truth.streams.compactMap(\.version)))
        let suites = truth.streams.compactMap { $0.cipherSuite.flatMap { UInt16($0.dropFirst(2), radix: 16) } }
        #expect(Set(summary.cipherSuites) == Set(suites.map(TLSCipherSuite.name)))
        #expect(run.classifier.reported.entries.map(\.name) == ["tls_summary"])
    }
}
