import Foundation
import SigflowTestSupport
import Testing

/// `report -o DIR` and `flow --format mermaid` with several calls: what lands in the directory, what
/// a second run leaves of the first, and the one-file forms on standard output.
struct OutputDirectoryTests {
    static func files(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    /// A second report into the same directory removes the documents of the first that it does not
    /// write again, and nothing else (a file of the user's stays).
    @Test func secondReportLeavesNoStaleDocuments() throws {
        let directory = TemporaryDirectory()
        let threeCalls = directory.write(CLIFixtures.declinedCalls(3), to: "three.pcap")
        let output = directory.file("report")
        let first = try SigflowProcess.run(["report", threeCalls, "-o", output])
        #expect(first.status == 0)
        #expect(first.errorLines == ["sigflow: wrote 3 documents and index.md to \(output)"])
        let firstFiles = try Self.files(in: output)
        #expect(
            firstFiles == [
                ".sigflow-manifest", "001-declined-call-0_example.com.md", "002-declined-call-1_example.com.md",
                "003-declined-call-2_example.com.md", "index.md",
            ])
        try "my notes\n".write(toFile: output + "/notes.md", atomically: false, encoding: .utf8)

        let second = try SigflowProcess.run([
            "report", CLIFixtures.path("captures/lab/sip/decline-603.pcap"), "-o", output,
        ])
        #expect(second.status == 0)
        #expect(
            second.errorLines == [
                "sigflow: wrote 1 document and index.md to \(output) (and removed 3 files of an earlier run)"
            ])
        let secondFiles = try Self.files(in: output)
        #expect(secondFiles.count == 4, "\(secondFiles)")
        #expect(secondFiles.contains("notes.md") && secondFiles.contains("index.md"))
        #expect(secondFiles.filter { $0.hasPrefix("00") }.count == 1)
        let manifest = try String(contentsOfFile: output + "/.sigflow-manifest", encoding: .utf8)
        #expect(
            manifest.split(separator: "\n").filter { !$0.hasPrefix("#") }
                == secondFiles.filter { $0.hasPrefix("00") }.map { Substring($0) } + ["index.md"])
        let index = try String(contentsOfFile: output + "/index.md", encoding: .utf8)
        #expect(index.contains(" · 1 call · "))
    }

    /// A manifest cannot make sigflow remove anything outside the directory.
    @Test func manifestNamesOnlyFilesInTheDirectory() throws {
        let directory = TemporaryDirectory()
        let input = directory.write(CLIFixtures.declinedCalls(1), to: "one.pcap")
        let precious = directory.write(Array("keep\n".utf8), to: "precious.txt")
        let output = directory.file("report")
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: false)
        try "# forged\n../precious.txt\n\(precious)\n..\n".write(
            toFile: output + "/.sigflow-manifest", atomically: false, encoding: .utf8)
        let result = try SigflowProcess.run(["report", "-q", input, "-o", output])
        #expect(result.status == 0)
        #expect(FileManager.default.fileExists(atPath: precious))
    }

    /// Several calls as Mermaid on standard output: Markdown, a heading with the call id and a fenced
    /// block per call, each block a whole diagram.
    @Test func severalDiagramsOnStandardOutputAreMarkdown() throws {
        let directory = TemporaryDirectory()
        let input = directory.write(CLIFixtures.declinedCalls(2), to: "two.pcap")
        let result = try SigflowProcess.run(["flow", input])
        #expect(result.status == 0)
        let text = result.standardOutput
        let headings = result.outputLines.filter { $0.hasPrefix("## ") }
        #expect(headings == ["## Call 1: `call-0@example.com`", "## Call 2: `call-1@example.com`"])
        #expect(text.components(separatedBy: "```mermaid\nsequenceDiagram\n").count == 3)
        #expect(text.hasSuffix("    caller->>callee: ACK\n```\n"))
        #expect(!text.contains("%% call"))
        // One call stays a plain diagram: a valid .mmd file as it is.
        let one = try SigflowProcess.run(["flow", input, "--call", "call-1@example.com"])
        #expect(one.standardOutput.hasPrefix("sequenceDiagram\n    autonumber\n"))
    }

    /// Several calls as Mermaid with `-o DIR`: one .mmd per call, named like report's documents, each
    /// exactly the diagram of that call alone.
    @Test func severalDiagramsGoOneFilePerCall() throws {
        let directory = TemporaryDirectory()
        let input = directory.write(CLIFixtures.declinedCalls(3), to: "three.pcap")
        let output = directory.file("diagrams")
        let result = try SigflowProcess.run(["flow", input, "-o", output])
        #expect(result.status == 0)
        #expect(result.errorLines == ["sigflow: wrote 3 diagrams to \(output)"])
        let names = try Self.files(in: output).filter { !$0.hasPrefix(".") }
        #expect(
            names == [
                "001-declined-call-0_example.com.mmd", "002-declined-call-1_example.com.mmd",
                "003-declined-call-2_example.com.mmd",
            ])
        for (index, name) in names.enumerated() {
            let alone = try SigflowProcess.run(["flow", input, "--call", "call-\(index)@example.com"])
            #expect(try String(contentsOfFile: output + "/" + name, encoding: .utf8) == alone.standardOutput)
        }
        // An existing directory gets one file per call even for a single call.
        let single = directory.file("single")
        try FileManager.default.createDirectory(atPath: single, withIntermediateDirectories: false)
        _ = try SigflowProcess.run(["flow", "-q", input, "--call", "call-2@example.com", "-o", single])
        #expect(try Self.files(in: single) == [".sigflow-manifest", "001-declined-call-2_example.com.mmd"])
    }

    @Test(.enabled(if: MermaidCheck.isAvailable, "../shared/tools/mermaid-check is absent"))
    func diagramFilesParseInMermaid() throws {
        let directory = TemporaryDirectory()
        let output = directory.file("diagrams")
        let result = try SigflowProcess.run([
            "flow", "-q", CLIFixtures.path("captures/lab/sip/fork-decline.pcap"), "-o", output,
        ])
        #expect(result.status == 0)
        let diagrams = try Self.files(in: output).filter { $0.hasSuffix(".mmd") }.map {
            try String(contentsOfFile: output + "/" + $0, encoding: .utf8)
        }
        #expect(diagrams.count > 1)
        let check = try MermaidCheck.run(diagrams)
        #expect(check.status == 0, "mermaid-check: \(check.output)")
    }

    @Test func helpSaysWhatSeveralDiagramsBecome() throws {
        let help = try SigflowProcess.run(["flow", "--help"])
        let words = help.standardOutput.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("Several calls give Markdown on standard output"))
        #expect(words.contains("a fenced mermaid block per call"))
        #expect(words.contains("one NNN-<outcome>-<call id>.mmd file per call"))
    }
}
