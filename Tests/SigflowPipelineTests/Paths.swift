import Foundation

/// Where the repository and the shared public corpus are, seen from this source file.
enum Paths {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let publicCorpus = repository.deletingLastPathComponent().appendingPathComponent("shared/captures-public")
    static let truth = repository.appendingPathComponent("Tests/Truth")
    static let captures = repository.appendingPathComponent("captures")

    static var hasPublicCorpus: Bool { FileManager.default.fileExists(atPath: publicCorpus.path) }

    static func publicCapture(_ relative: String) -> String { publicCorpus.appendingPathComponent(relative).path }

    static func loadJSON(_ url: URL) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    }
}
