import Foundation
import Testing

/// man/sigflow.1 (made by scripts/gen-manual): `man -l` reads it without a warning, it has the
/// sections a user looks for, and it names every subcommand and option the binary has.
struct ManPageTests {
    static let page = CLIFixtures.path("man/sigflow.1")

    static func text() throws -> String { try String(contentsOfFile: page, encoding: .utf8) }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/man"), "man is not installed"))
    func manPrintsNoWarnings() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/man")
        process.arguments = ["-l", Self.page]
        process.environment = ["MANPAGER": "cat", "PAGER": "cat", "MANWIDTH": "80", "PATH": "/usr/bin:/bin"]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let rendered = output.fileHandleForReading.readDataToEndOfFile()
        let warnings = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(warnings == "")
        #expect(rendered.count > 10_000)
    }

    @Test func pageHasExitStatusExamplesFilesAndEnvironment() throws {
        let text = try Self.text()
        let sections = text.split(separator: "\n").filter { $0.hasPrefix(".Sh ") }.map(String.init)
        for wanted in [
            ".Sh NAME", ".Sh SYNOPSIS", ".Sh DESCRIPTION", ".Sh ENVIRONMENT", ".Sh FILES", ".Sh EXIT STATUS",
            ".Sh EXAMPLES",
        ] {
            #expect(sections.contains(wanted), "missing \(wanted)")
        }
        #expect(!text.contains("\n\n"), "an empty line: mdoc wants .Pp")
        let exitStatus = try #require(
            text.components(separatedBy: ".Sh EXIT STATUS\n").last?.components(separatedBy: ".Sh ").first)
        for code in ["0", "1", "2", "64"] { #expect(exitStatus.contains(".It \(code)\n"), "exit status \(code)") }
        let examples = try #require(
            text.components(separatedBy: ".Sh EXAMPLES\n").last?.components(separatedBy: ".Sh ").first)
        for command in ["calls", "flow", "report", "check", "flows"] {
            #expect(examples.contains(".Dl $ sigflow \(command) "), "no example of \(command)")
        }
    }

    /// Every option `--help` lists for a subcommand appears in the page (regenerate with
    /// scripts/gen-manual after changing one).
    @Test(arguments: ["calls", "flow", "report", "check", "flows"])
    func pageNamesEveryOption(command: String) throws {
        let help = try SigflowProcess.run([command, "--help"]).standardOutput
        let page = try Self.text()
        let options = Set(help.matches(of: /--([a-z][a-z-]+)/).map { String($0.1) }).subtracting(["help"])
        #expect(!options.isEmpty)
        for option in options {
            // `.Fl -format`, or `.Fl o , -output` for an option with a short name too.
            #expect(
                page.contains("Fl -\(option)") || page.contains(" , -\(option)"),
                "\(command) --\(option) is not in the man page")
        }
        #expect(page.contains(".It Em \(command)\n"))
    }
}
