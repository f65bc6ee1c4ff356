import Foundation
import SigflowTestSupport
import Testing

/// The README's exit-status table, for every command and format: 0 for a capture cut in the middle
/// of a packet (with one warning), 2 for a corrupt record (one error line, the results up to it
/// still printed), 1 for `check` when a finding reaches `--fail-on`. (Output errors:
/// OutputErrorTests; usage errors: UsageErrorTests.)
struct ExitStatusTests {
    static let commands = CLIFixtures.standardOutputCommands.map {
        $0[0] == "check" ? $0 + ["--fail-on", "never"] : $0
    }

    /// Something every command prints about the third call: its conversation, its id, or (for the
    /// template printed back) a step's confidence.
    static func thirdCallMark(_ command: [String]) -> String {
        if command[0] == "flows" { return "10.0.0.1:20002" }
        return command.contains("markdown") && command[0] == "check" ? "not observed" : "call-2@example.com"
    }

    /// Three declined calls (12 frames), then `tail`.
    static func capture(then tail: (inout PcapWriter) -> Void) -> [UInt8] {
        var bytes = CLIFixtures.declinedCalls(3)
        var extra = PcapWriter(linkType: 1)
        tail(&extra)
        bytes += extra.bytes.dropFirst(24)
        return bytes
    }

    @Test(arguments: commands)
    func corruptRecordExitsWith2AfterTheResults(command: [String]) throws {
        let directory = TemporaryDirectory()
        let path = directory.write(
            Self.capture { $0.addRecord([], capturedLength: 0x7fff_ffff, originalLength: 60, at: Fixture.start) },
            to: "corrupt.pcap")
        let result = try SigflowProcess.run(command + [path])
        #expect(result.status == 2, "\(command)")
        #expect(result.errorLines.count == 1)
        #expect(result.errorLines.first?.hasPrefix("sigflow: error: \(path): corrupt record after frame 12") == true)
        #expect(result.standardOutput.contains(Self.thirdCallMark(command)))
    }

    @Test func reportOfACorruptCaptureWritesItsDocumentsAndExitsWith2() throws {
        let directory = TemporaryDirectory()
        let path = directory.write(
            Self.capture { $0.addRecord([], capturedLength: 0x7fff_ffff, originalLength: 60, at: Fixture.start) },
            to: "corrupt.pcap")
        let output = directory.file("report")
        let result = try SigflowProcess.run(["report", path, "-o", output])
        #expect(result.status == 2)
        #expect(result.errorLines.last?.hasPrefix("sigflow: error: \(path): corrupt record after frame 12") == true)
        #expect(result.errorLines.first == "sigflow: wrote 3 documents and index.md to \(output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: output).filter { $0.hasSuffix(".md") }.count == 4)
    }

    @Test(arguments: commands)
    func truncatedCaptureExitsWith0WithAWarning(command: [String]) throws {
        let directory = TemporaryDirectory()
        var bytes = Self.capture { $0.add(patternBytes(80), at: Fixture.start.adding(nanoseconds: 4_000_000_000)) }
        bytes.removeLast(30)
        let path = directory.write(bytes, to: "cut.pcap")
        let result = try SigflowProcess.run(command + [path])
        #expect(result.status == 0, "\(command)")
        #expect(
            result.errorLines == [
                "sigflow: warning: \(path): capture ends in the middle of a packet after frame 12; the 12 packets before it were read"
            ])
        #expect(result.standardOutput.contains(Self.thirdCallMark(command)))
    }

    @Test(arguments: [["check"], ["check", "--format", "json"], ["check", "--format", "sarif"]])
    func findingAtFailOnExitsWith1(command: [String]) throws {
        let capture = CLIFixtures.path("captures/lab/sip/s1-6xx-then-2xx.pcap")
        #expect(try SigflowProcess.run(command + [capture]).status == 1)
        #expect(try SigflowProcess.run(command + ["--fail-on", "never", capture]).status == 0)
        let directory = TemporaryDirectory()
        let report = try SigflowProcess.run(["report", "-q", capture, "-o", directory.file("r")])
        #expect(report.status == 0)
    }
}
