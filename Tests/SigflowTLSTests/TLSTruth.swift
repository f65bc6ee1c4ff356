import Crypto
import Foundation
import SigflowCapture
import SigflowCore
import SigflowFraming
import SigflowTLS
import SigflowTestSupport

/// Where the repository, its tshark truth and the shared public captures are, seen from this file.
enum TLSPaths {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let publicCaptures = repository.deletingLastPathComponent().appendingPathComponent("shared/captures-public")

    static var hasPublicCaptures: Bool { FileManager.default.fileExists(atPath: publicCaptures.path) }

    /// A capture named as Tests/Truth/tls.json names it: relative to captures-public or the repository.
    static func capture(_ name: String) -> URL {
        name.hasPrefix("captures/")
            ? repository.appendingPathComponent(name) : publicCaptures.appendingPathComponent(name)
    }
}

/// Tests/Truth/tls.json, made by scripts/tshark-tls-truth: what tshark decrypts with each key log.
struct TLSTruthFile: Decodable {
    var captures: [String: CaptureTruth]

    struct CaptureTruth: Decodable, Sendable {
        var keylog: String
        var streams: [StreamTruth]
    }

    struct StreamTruth: Decodable, Sendable {
        var stream: Int
        var client: String
        var server: String
        var serverName: String?
        var version: String?
        var cipherSuite: String?
        var chunks: [Chunk]
        var clientBytes: Int
        var serverBytes: Int

        enum CodingKeys: String, CodingKey {
            case stream, client, server, chunks, version
            case serverName = "server_name"
            case cipherSuite = "cipher_suite"
            case clientBytes = "client_bytes"
            case serverBytes = "server_bytes"
        }
    }

    struct Chunk: Decodable, Sendable, Equatable, CustomStringConvertible {
        var frame: Int
        var from: String
        var bytes: Int
        var sha256: String

        var description: String { "\(from) @\(frame): \(bytes) bytes \(sha256.prefix(12))" }
    }

    static let loaded: TLSTruthFile? = {
        let url = TLSPaths.repository.appendingPathComponent("Tests/Truth/tls.json")
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(TLSTruthFile.self, from: data)
    }()

    /// The captures of the truth that are at hand (the public ones only next to ../shared).
    static func names(lab: Bool) -> [String] {
        (loaded?.captures.keys.sorted() ?? []).filter {
            $0.hasPrefix("captures/") == lab && (lab || TLSPaths.hasPublicCaptures)
        }
    }
}

/// Wraps every connection that starts with a TLS record in the decryption, as the decoder registry
/// does, and records the plaintext each one hands on.
final class DecryptingClassifier: StreamClassifier {
    let decryption: TLSDecryption
    let plaintext = RecordingClassifier()
    private let box: DiagnosticBox
    /// Who picks the plaintext's consumer: `plaintext` (recording every connection) unless given.
    private let picker: (any StreamClassifier)?

    init(keyLogs: [TLSKeyLog], picker: (any StreamClassifier)? = nil) {
        let box = DiagnosticBox()
        self.box = box
        self.picker = picker
        self.decryption = TLSDecryption(keyLogs: keyLogs, report: { box.log.append($0) })
    }

    /// Everything the decryption reported.
    var reported: DiagnosticLog { box.log }

    func classify(
        _ stream: StreamInfo, direction: StreamDirection, firstBytes: UnsafeRawBufferPointer
    )
        -> StreamClassification
    {
        if firstBytes.count >= 3, (20...23).contains(firstBytes[0]), firstBytes[1] == 3,
            let consumer = decryption.consumer(for: stream, firstBytes: firstBytes, classifier: picker ?? plaintext)
        {
            return .consume(consumer)
        }
        return .consume(StartTLSConsumer(stream: stream, decryption: decryption, plaintext: plaintext))
    }
}

/// A cleartext connection that may turn to TLS (STARTTLS), found without knowing its protocol: the
/// client's first ClientHello starts the TLS, and whatever the server sends after it is TLS too.
/// From there the bytes go to the decryption, which hands the plaintext to a recorded stream.
final class StartTLSConsumer: StreamConsumer {
    private let stream: StreamInfo
    private let decryption: TLSDecryption
    private let plaintext: RecordingClassifier
    private var tls: (any StreamConsumer)?

    init(stream: StreamInfo, decryption: TLSDecryption, plaintext: RecordingClassifier) {
        self.stream = stream
        self.decryption = decryption
        self.plaintext = plaintext
    }

    func receive(_ bytes: UnsafeRawBufferPointer, direction: StreamDirection, stamp: PacketStamp) {
        if let tls {
            tls.receive(bytes, direction: direction, stamp: stamp)
            return
        }
        guard direction == .fromClient,
            let hello = bytes.indices.first(where: {
                $0 + 6 <= bytes.count && bytes[$0] == 22 && bytes[$0 + 1] == 3 && bytes[$0 + 5] == 1
            })
        else { return }
        var info = stream
        info.security = .tls
        let recorded = plaintext.classify(
            info, direction: direction, firstBytes: UnsafeRawBufferPointer(start: nil, count: 0))
        guard case .consume(let inner) = recorded, let tls = decryption.decrypting(stream, into: inner) else { return }
        self.tls = tls
        tls.receive(UnsafeRawBufferPointer(rebasing: bytes[hello...]), direction: direction, stamp: stamp)
    }

    func gap(_ byteCount: Int?, direction: StreamDirection, stamp: PacketStamp) {
        tls?.gap(byteCount, direction: direction, stamp: stamp)
    }

    func end(_ reason: StreamEndReason, direction: StreamDirection, stamp: PacketStamp) {
        tls?.end(reason, direction: direction, stamp: stamp)
    }

    var bufferedBytes: Int { tls?.bufferedBytes ?? 0 }
}

final class DiagnosticBox {
    var log = DiagnosticLog(maxPerName: 1000)
}

/// A capture read through libpcap, the dissector and the flow table with TLS decryption.
struct DecryptedRun {
    var classifier: DecryptingClassifier
    var summary: TLSSummary?

    var streams: [RecordedStream] { classifier.plaintext.streams }

    /// - Parameters:
    ///   - edit: changes a frame's bytes (given its number) before it is read; false drops it.
    ///   - lateKeys: key log text handed over just before that frame, as a pcapng reader would.
    init(
        capture: String, keyLogs: [TLSKeyLog], edit: ((inout [UInt8], Int) -> Bool)? = nil,
        lateKeys: (frame: Int, text: String)? = nil, picker: (any StreamClassifier)? = nil
    ) throws {
        let classifier = DecryptingClassifier(keyLogs: keyLogs, picker: picker)
        self.classifier = classifier
        let reader = try CaptureReader(inputs: [.file(capture)])
        let dissector = PacketDissector(limits: ReassemblyLimits())
        let table = FlowTable(classifier: classifier, tracksUDP: false)
        try reader.forEachPacket { packet in
            if let lateKeys, lateKeys.frame == packet.stamp.source.frame {
                classifier.decryption.add(keyLogText: lateKeys.text)
            }
            if let edit {
                var bytes = Array(packet.bytes)
                guard edit(&bytes, packet.stamp.source.frame) else { return }
                bytes.withUnsafeBytes { copy in
                    let edited = CapturedPacket(
                        bytes: copy, originalLength: packet.originalLength, stamp: packet.stamp,
                        linkType: packet.linkType)
                    if let transport = dissector.dissect(edited) { table.add(transport) }
                }
            } else if let transport = dissector.dissect(packet) {
                table.add(transport)
            }
        }
        table.finish()
        summary = classifier.decryption.finish()
    }

    /// The plaintext of one connection as tshark's follow shows it: per frame and direction.
    func chunks(of stream: RecordedStream, client: Endpoint) -> [TLSTruthFile.Chunk] {
        var chunks: [(frame: Int, from: String, bytes: [UInt8])] = []
        for event in stream.events {
            guard case .bytes(let bytes) = event.kind else { continue }
            let from = stream.info.source(of: event.direction) == client ? "client" : "server"
            if let last = chunks.last, last.frame == event.frame, last.from == from {
                chunks[chunks.count - 1].bytes += bytes
            } else {
                chunks.append((event.frame, from, bytes))
            }
        }
        return chunks.map {
            TLSTruthFile.Chunk(
                frame: $0.frame, from: $0.from, bytes: $0.bytes.count,
                sha256: SHA256.hash(data: $0.bytes).map { String(format: "%02x", $0) }.joined())
        }
    }
}

func keyLog(_ url: URL) throws -> TLSKeyLog {
    try TLSKeyLog.read(path: url.path)
}
