import Foundation
import Testing

/// Output that cannot be written (standard output on a full disk) ends the run with exit 2 and one
/// error line, for every command and format: never a silent cut with exit 0.
struct OutputErrorTests {
    static let capture =
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("captures/lab/sip/auth-fail.pcap").path

    @Test(arguments: [
        ["flows"], ["flows", "--format", "json"], ["calls"], ["calls", "--format", "json"], ["flow"],
        ["flow", "--format", "markdown"], ["check"], ["check", "--format", "sarif"], ["check", "--list-rules"],
    ])
    func fullStandardOutputExitsWith2(command: [String]) throws {
        let result = try SigflowProcess.run(command + [Self.capture], standardOutputPath: "/dev/full")
        #expect(result.status == 2, "\(command)")
        #expect(result.errorLines == ["sigflow: error: standard output: No space left on device"], "\(command)")
    }
}
