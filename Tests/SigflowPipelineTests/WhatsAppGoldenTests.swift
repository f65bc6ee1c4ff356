import Foundation
import Testing

/// The debug build of the command-line tool, next to the tests.
enum SigflowBinary {
    static let url = Paths.repository.appendingPathComponent(".build/debug/sigflow")
    static var exists: Bool { FileManager.default.isExecutableFile(atPath: url.path) }
}

/// The built `sigflow` binary gives, for every input set in captures/whatsapp/expected/inputs.txt,
/// exactly the reviewed golden JSON, Markdown and Mermaid (regenerate with scripts/whatsapp-goldens
/// and review the diff); and every golden diagram passes the real mermaid.js (shared/tools/mermaid-check).
@Suite(.enabled(if: SigflowBinary.exists, "build sigflow first (swift build)"))
struct WhatsAppGoldenTests {
    static let binary = SigflowBinary.url
    static let expected = Paths.captures.appendingPathComponent("whatsapp/expected")
    static let mermaidCheck = Paths.repository.deletingLastPathComponent().appendingPathComponent(
        "shared/tools/mermaid-check")

    /// NAME -> inputs relative to the repository, `folder/*` expanded in byte order.
    static let cases: [String: [String]] = {
        guard let text = try? String(contentsOf: expected.appendingPathComponent("inputs.txt"), encoding: .utf8) else {
            return [:]
        }
        var cases: [String: [String]] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            var inputs: [String] = []
            for word in line[line.index(after: colon)...].split(separator: " ") {
                if word.hasSuffix("/*") {
                    let folder = String(word.dropLast(2))
                    let entries =
                        (try? FileManager.default.contentsOfDirectory(
                            atPath: Paths.repository.appendingPathComponent(folder).path)) ?? []
                    inputs += entries.sorted().map { "\(folder)/\($0)" }
                } else {
                    inputs.append(String(word))
                }
            }
            cases[String(line[..<colon])] = inputs
        }
        return cases
    }()

    static let names = cases.keys.sorted()

    static func sigflow(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = Paths.repository
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func everyFixtureHasGoldens() {
        #expect(Self.names.count == 18)
    }

    @Test(arguments: names)
    func outputMatchesTheGoldens(name: String) throws {
        let inputs = Self.cases[name]!
        guard FileManager.default.fileExists(atPath: Paths.repository.appendingPathComponent(inputs[0]).path) else {
            return  // the shared public corpus is absent here
        }
        for (format, suffix) in [("json", "json"), ("markdown", "md"), ("mermaid", "mmd")] {
            let golden = try String(
                contentsOf: Self.expected.appendingPathComponent("\(name).\(suffix)"), encoding: .utf8)
            let output = try Self.sigflow(["flow", "-q", "--format", format] + inputs)
            #expect(output == golden, "\(name).\(suffix) differs: run scripts/whatsapp-goldens and review the diff")
        }
    }

    /// The seed's expected flow is met step for step by the seed's logs.
    @Test func seedTemplateIsObservedStepByStep() throws {
        let output = try Self.sigflow(
            ["check", "-q", "--expect", "templates/flows/whatsapp-1on1-reject.md"] + Self.cases["seed-reject"]!)
        #expect(output.contains("14 of 14 expected steps observed, 0 extra steps"))
        #expect(!output.contains("missing"))
        #expect(output.hasSuffix("no findings in 1 calls\n"))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: mermaidCheck.path)))
    func goldenDiagramsPassMermaid() throws {
        let diagrams = Self.names.map { Self.expected.appendingPathComponent("\($0).mmd").path }
        let process = Process()
        process.executableURL = Self.mermaidCheck
        process.arguments = diagrams
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.contains("\(diagrams.count) passed, 0 failed"))
    }
}
