import Foundation

/// Runs `../shared/tools/mermaid-check` (real mermaid.js in headless Chromium) on diagrams.
public enum MermaidCheck {
    public static let tool = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/tools/mermaid-check")

    public static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: tool.path) }

    /// The tool's exit status and output for the given diagrams, each written to a file of its own
    /// because the tool reads a .mmd file as one diagram.
    public static func run(_ diagrams: [String]) throws -> (status: Int32, output: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sigflow-mermaid-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var paths: [String] = []
        for (index, diagram) in diagrams.enumerated() {
            let path = directory.appendingPathComponent("d\(index).mmd")
            try diagram.write(to: path, atomically: true, encoding: .utf8)
            paths.append(path.path)
        }
        let process = Process()
        process.executableURL = tool
        process.arguments = paths
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }
}
