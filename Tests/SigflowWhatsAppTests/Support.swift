import Foundation
import SigflowCore

@testable import SigflowWhatsApp

/// Where the fixtures are, seen from this file.
enum Fixture {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let logs = repository.appendingPathComponent("captures/whatsapp")

    static func bytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: logs.appendingPathComponent(relative)))
    }
}

/// Keeps what a decoder delivers.
final class CollectingSink: SignalingSink {
    var messages: [SignalingMessage] = []
    var diagnostics: [Diagnostic] = []

    func deliver(_ message: SignalingMessage) { messages.append(message) }
    func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }
}

extension WhatsAppLogDecoder {
    /// Decodes a fixture log into a fresh sink.
    func run(_ relative: String, captureIndex: Int = 0) throws -> CollectingSink {
        let sink = CollectingSink()
        let name = String(relative.split(separator: "/").last!)
        decode(bytes: try Fixture.bytes(relative), fileName: name, captureIndex: captureIndex, into: sink)
        return sink
    }
}
