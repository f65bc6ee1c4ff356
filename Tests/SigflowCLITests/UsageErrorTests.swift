import Testing

/// Usage errors exit 64 (EX_USAGE, as `--help` and the README say), apart from the 2 of unreadable
/// input, with the usage printed on standard error and nothing on standard output.
struct UsageErrorTests {
    static let mistakes: [[String]] = [
        ["calls", "--bogus"],
        ["calls"],
        ["flow", "--format", "nope", "x.pcap"],
        ["check", "--fail-on", "sometimes", "x.pcap"],
        ["frobnicate"],
    ]

    @Test(arguments: mistakes)
    func usageErrorsExitWith64(arguments: [String]) throws {
        let result = try SigflowProcess.run(arguments)
        #expect(result.status == 64, "\(arguments)")
        #expect(result.standardOutput == "")
        #expect(result.errorLines.first?.hasPrefix("Error: ") == true, "\(result.standardError)")
    }

    @Test func helpStatesTheExitCodes() throws {
        let result = try SigflowProcess.run(["--help"])
        #expect(result.status == 0)
        let words = result.standardOutput.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("2 an input or a key log could not be read"))
        #expect(words.contains("64 a usage error"))
    }
}
