import Foundation
import SigflowCore
import SigflowPipeline
import SigflowRender
import SigflowTestSupport
import Testing

/// Every capture in captures/ renders exactly as its reviewed golden files (expected/NAME.json, .md,
/// .mmd, made by scripts/update-golden), and every golden diagram parses in real mermaid.js. Lab
/// captures are one input each; input sets (the WhatsApp logs of one call, a log with a capture) are
/// listed in captures/whatsapp/expected/inputs.txt.
struct GoldenOutputTests {
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var directory: String
        /// Inputs as named from the repository root, the way scripts/update-golden passes them.
        var inputs: [String]

        var description: String { "\(directory)/\(name)" }
    }

    static let cases: [Case] = {
        let manager = FileManager.default
        var cases: [Case] = []
        let lab = Paths.captures.appendingPathComponent("lab")
        for folder in ((try? manager.contentsOfDirectory(atPath: lab.path)) ?? []).sorted() {
            let directory = "captures/lab/\(folder)"
            for file in ((try? manager.contentsOfDirectory(atPath: lab.appendingPathComponent(folder).path)) ?? [])
                .sorted()
            where file.hasSuffix(".pcap") {
                let name = String(file.dropLast(5))
                guard
                    manager.fileExists(
                        atPath: Paths.repository.appendingPathComponent("\(directory)/expected/\(name).json").path)
                else { continue }
                cases.append(Case(name: name, directory: directory, inputs: ["\(directory)/\(file)"]))
            }
        }
        return cases + inputSets(manifest: "captures/whatsapp/expected/inputs.txt")
    }()

    /// `NAME: INPUT...` lines; `folder/*` stands for the folder's files in byte order. Sets whose
    /// first input is absent (the shared public corpus) are left out.
    static func inputSets(manifest: String) -> [Case] {
        let directory = String(manifest.split(separator: "/").dropLast().joined(separator: "/"))
        guard let text = try? String(contentsOf: Paths.repository.appendingPathComponent(manifest), encoding: .utf8)
        else {
            return []
        }
        var cases: [Case] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            var inputs: [String] = []
            for word in line[line.index(after: colon)...].split(separator: " ") {
                guard word.hasSuffix("/*") else {
                    inputs.append(String(word))
                    continue
                }
                let folder = String(word.dropLast(2))
                let entries =
                    (try? FileManager.default.contentsOfDirectory(
                        atPath: Paths.repository.appendingPathComponent(folder).path)) ?? []
                inputs += entries.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }.map {
                    "\(folder)/\($0)"
                }
            }
            guard let first = inputs.first,
                FileManager.default.fileExists(atPath: Paths.repository.appendingPathComponent(first).path)
            else { continue }
            cases.append(
                Case(
                    name: String(line[..<colon]), directory: directory.replacingOccurrences(of: "/expected", with: ""),
                    inputs: inputs))
        }
        return cases
    }

    static func render(_ testCase: Case, format: FlowOutput.Format) throws -> String {
        let result = try CallsJob.run(
            PipelineConfiguration(
                inputs: testCase.inputs.map { .file(Paths.repository.appendingPathComponent($0).path) }))
        let provenance = Provenance(
            version: SigflowVersion.current,
            inputs: zip(testCase.inputs, result.captures).map { ($0, $1.frames) }, filter: nil)
        return FlowOutput.render(
            result.calls, format: format, clockOffsets: result.clockOffsets, provenance: provenance,
            document: .builtIn())
    }

    @Test func everyLabCaptureHasGoldenOutputs() {
        #expect(Self.cases.count >= 30)
    }

    /// The golden file of a format: the Mermaid of a capture with several calls is Markdown with a
    /// block per call (`NAME.mermaid.md`), of one call a plain diagram (`NAME.mmd`).
    static func goldenPath(_ testCase: Case, _ format: FlowOutput.Format) -> URL {
        let base = "\(testCase.directory)/expected/\(testCase.name)"
        switch format {
        case .json: return Paths.repository.appendingPathComponent(base + ".json")
        case .markdown: return Paths.repository.appendingPathComponent(base + ".md")
        case .mermaid, .ladder, .svg:
            // Ladders and SVGs of a few calls have goldens of their own (LadderTests, SVGTests).
            let markdown = Paths.repository.appendingPathComponent(base + ".mermaid.md")
            return FileManager.default.fileExists(atPath: markdown.path)
                ? markdown : Paths.repository.appendingPathComponent(base + ".mmd")
        }
    }

    @Test(arguments: cases)
    func outputsMatchGoldenFiles(testCase: Case) throws {
        for format in [FlowOutput.Format.json, .markdown, .mermaid] {
            let path = Self.goldenPath(testCase, format)
            let suffix = path.lastPathComponent
            let golden = try String(contentsOf: path, encoding: .utf8)
            let rendered = try Self.render(testCase, format: format)
            #expect(
                rendered == golden,
                "\(testCase) \(suffix) differs from its golden file: run scripts/update-golden and review the diff")
        }
    }

    @Test(.enabled(if: MermaidCheck.isAvailable, "../shared/tools/mermaid-check is absent"))
    func goldenDiagramsParseInMermaid() throws {
        var diagrams: [String] = []
        for testCase in Self.cases {
            let path = Self.goldenPath(testCase, .mermaid)
            let golden = try String(contentsOf: path, encoding: .utf8)
            if path.pathExtension == "mmd" {
                if !golden.isEmpty { diagrams.append(golden) }
            } else {
                diagrams += Self.diagrams(inMarkdown: golden)
            }
        }
        #expect(diagrams.count >= Self.cases.count)
        let result = try MermaidCheck.run(diagrams)
        #expect(result.status == 0, "mermaid-check: \(result.output)")
    }

    /// The fenced `mermaid` blocks of a Markdown text, each a diagram of its own.
    static func diagrams(inMarkdown text: String) -> [String] {
        var diagrams: [String] = []
        var current: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "```mermaid" {
                current = ""
            } else if line == "```", let diagram = current {
                diagrams.append(diagram)
                current = nil
            } else if current != nil {
                current! += line + "\n"
            }
        }
        return diagrams
    }
}
