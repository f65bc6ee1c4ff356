import Foundation
import Testing

/// What the built `sigflow` binary prints for the XMPP lab captures: the same as the reviewed golden
/// files in captures/lab/xmpp/expected/, Mermaid that real mermaid.js accepts, and a match with the
/// expected-flow template.
@Suite(.enabled(if: SigflowBinary.url != nil, "the sigflow binary is not built: run swift build first"))
struct XMPPGoldenTests {
    static let formats = [("json", "json"), ("markdown", "md"), ("mermaid", "mmd")]

    @Test(arguments: XMPPLabTests.names)
    func outputMatchesTheGoldenFiles(name: String) throws {
        for (format, suffix) in Self.formats {
            let run = try SigflowBinary.run(["flow", "--format", format, "captures/lab/xmpp/\(name).pcap"])
            #expect(run.status == 0, "\(name) \(format): \(run.errors)")
            let golden = try String(
                contentsOf: XMPPLabTests.folder.appendingPathComponent("expected/\(name).\(suffix)"), encoding: .utf8)
            #expect(run.output == golden, "\(name).\(suffix) differs from the binary's output")
        }
    }

    @Test(.enabled(if: MermaidTool.isAvailable, "../shared/tools/mermaid-check is absent"))
    func mermaidPassesMermaidCheck() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sigflow-xmpp-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var paths: [String] = []
        for name in XMPPLabTests.names {
            let run = try SigflowBinary.run(["flow", "--format", "mermaid", "captures/lab/xmpp/\(name).pcap"])
            let path = directory.appendingPathComponent("\(name).mmd")
            try run.output.write(to: path, atomically: true, encoding: .utf8)
            paths.append(path.path)
        }
        paths.append(Paths.repository.appendingPathComponent("templates/flows/xmpp-jmi-reject.md").path)
        let check = try Process.output(of: MermaidTool.url, arguments: paths)
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("\(paths.count) passed, 0 failed"), "\(check.output)")
    }

    @Test func rejectCaptureMatchesTheExpectedFlow() throws {
        let run = try SigflowBinary.run([
            "check", "--expect", "templates/flows/xmpp-jmi-reject.md", "captures/lab/xmpp/jmi-reject.pcap",
        ])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("12 of 12 expected steps observed, 0 extra steps"), "\(run.output)")
    }
}

/// The `sigflow` executable next to the test bundle (or in .build/debug), run from the repository.
enum SigflowBinary {
    static let url: URL? = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("sigflow")
        let debug = Paths.repository.appendingPathComponent(".build/debug/sigflow")
        return [beside, debug].first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let result = try Process.output(of: try #require(url), arguments: arguments, separateErrors: true)
        return (result.status, result.output, result.errors)
    }
}

/// `../shared/tools/mermaid-check`: real mermaid.js in headless Chromium.
enum MermaidTool {
    static let url = Paths.repository.deletingLastPathComponent().appendingPathComponent("shared/tools/mermaid-check")
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: url.path) }
}

extension Process {
    /// Runs a program from the repository directory and collects what it prints (standard error
    /// apart when asked, through a file so that neither pipe can fill up and block the child).
    static func output(
        of url: URL, arguments: [String], separateErrors: Bool = false
    ) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.currentDirectoryURL = Paths.repository
        let output = Pipe()
        process.standardOutput = output
        let errorsFile = FileManager.default.temporaryDirectory.appendingPathComponent("sigflow-stderr-\(UUID())")
        if separateErrors {
            _ = FileManager.default.createFile(atPath: errorsFile.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: errorsFile)
        } else {
            process.standardError = output
        }
        defer { try? FileManager.default.removeItem(at: errorsFile) }
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errors = separateErrors ? (try? String(contentsOf: errorsFile, encoding: .utf8)) ?? "" : ""
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), errors)
    }
}
