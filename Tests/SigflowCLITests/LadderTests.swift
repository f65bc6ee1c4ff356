import Foundation
import SigflowTestSupport
import Testing

/// `flow --format ladder`: golden ladders of one call of each protocol (Unicode and ASCII, 80 and
/// 132 columns; `scripts/update-golden` makes them), and on every lab capture a ladder that fits its
/// width, numbers every step once and in order, and carries no control byte; colours on a terminal
/// only.
struct LadderTests {
    static let goldens: [(name: String, inputs: [String])] = [
        ("sip-fork-decline", ["captures/lab/sip/fork-decline.pcap"]),
        ("sip-media-call", ["captures/lab/sip/media-call.pcap"]),
        ("sip-auth-invite", ["captures/lab/sip/auth-invite.pcap"]),
        ("matrix-answer-select-hangup", ["captures/lab/matrix/answer-select-hangup.pcap"]),
        ("xmpp-jingle-accept-terminate", ["captures/lab/xmpp/jingle-accept-terminate.pcap"]),
        (
            "whatsapp-accept-elsewhere",
            ["callee-desktop.log", "callee-phone.jsonl", "caller.log"].map {
                "captures/whatsapp/accept-elsewhere/\($0)"
            }
        ),
    ]

    struct Golden: CustomTestStringConvertible, Sendable {
        var name: String
        var inputs: [String]
        var width: Int
        var ascii: Bool
        var file: String { "Tests/Goldens/ladder/\(name)-\(width)\(ascii ? "-ascii" : "").txt" }
        var testDescription: String { file }
    }

    static let cases: [Golden] = goldens.flatMap { golden in
        [80, 132].flatMap { width in
            [false, true].map { Golden(name: golden.name, inputs: golden.inputs, width: width, ascii: $0) }
        }
    }

    @Test(arguments: cases)
    func ladderIsTheGolden(_ golden: Golden) throws {
        let run = try SigflowProcess.run(
            ["flow", "-q", "--format", "ladder", "--width", String(golden.width)] + (golden.ascii ? ["--ascii"] : [])
                + golden.inputs.map(CLIFixtures.path), environment: ["LC_ALL": "C.UTF-8"])
        #expect(run.status == 0)
        let expected = try String(contentsOfFile: CLIFixtures.path(golden.file), encoding: .utf8)
        #expect(run.standardOutput == expected, "\(golden.file) differs: run scripts/update-golden and review")
    }

    static var labCaptures: [String] {
        ["sip", "matrix", "xmpp", "encap"].flatMap { folder -> [String] in
            let directory = CLIFixtures.path("captures/lab/\(folder)")
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            return names.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted().map {
                "captures/lab/\(folder)/\($0)"
            }
        }
    }

    /// Every line within the width, steps numbered 1... once each in order per call, no control
    /// byte: on every lab capture, at the narrowest width and a usual one, both character sets.
    @Test(arguments: labCaptures)
    func everyLadderFitsAndNumbersItsSteps(_ capture: String) throws {
        for (width, ascii) in [(40, true), (80, false)] {
            let run = try SigflowProcess.run(
                ["flow", "-q", "--format", "ladder", "--width", String(width), "--time"] + (ascii ? ["--ascii"] : [])
                    + [CLIFixtures.path(capture)], environment: ["LC_ALL": "C.UTF-8"])
            #expect(run.status == 0, "\(capture)")
            let lines = run.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for line in lines {
                #expect(line.count <= width, "\(capture) at \(width): \(line)")
                #expect(
                    !line.unicodeScalars.contains { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) },
                    "\(capture): a control byte in \(line)")
                if ascii { #expect(line.unicodeScalars.allSatisfy { $0.isASCII }, "\(capture): \(line)") }
            }
            // A call's numbered lines start with the step number, right-aligned in the margin; its
            // findings follow an empty line.
            var expected = 1
            var inFindings = false
            for line in lines {
                if line.hasPrefix("==") || line.hasPrefix("══") { (expected, inFindings) = (1, false) }
                if line.isEmpty { inFindings = true }
                if inFindings { continue }
                let head = line.prefix(4).trimmingCharacters(in: .whitespaces)
                guard let number = Int(head.filter(\.isNumber)), head.first?.isNumber == true else { continue }
                #expect(number == expected, "\(capture) at \(width): step \(number) where \(expected) was due")
                expected = number + 1
            }
        }
    }

    /// Four lifelines in 40 columns: the two devices are folded into `others`, and the legend says so.
    @Test func lifelinesThatDoNotFitAreFolded() throws {
        let run = try SigflowProcess.run(
            ["flow", "-q", "--format", "ladder", "--width", "40", "--calls-only"]
                + [CLIFixtures.path("captures/lab/sip/fork-decline.pcap")], environment: ["LC_ALL": "C.UTF-8"])
        let lines = run.outputLines
        #expect(lines.first?.split(separator: " ") == ["caller", "proxy", "others"])
        #expect(lines.filter { $0.contains("(in others)") }.count == 2)
        #expect(lines.contains { $0.contains("callee1 (in others): Callee device") })
    }

    /// Colours under a terminal (`script` gives sigflow one), none in a pipe or with NO_COLOR.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "script is not installed"))
    func coloursOnlyOnATerminal() throws {
        let capture = CLIFixtures.path("captures/lab/sip/decline-603.pcap")
        let command = "\(SigflowProcess.executable) flow -q --format ladder \(capture)"
        func underTerminal(_ environment: [String: String]) throws -> String {
            let run = try SigflowProcess.output(
                of: "/usr/bin/script", ["-qec", command, "/dev/null"],
                environment: environment.merging(["PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"]) { $1 })
            #expect(run.status == 0)
            return run.text
        }
        let coloured = try underTerminal(["TERM": "xterm"])
        #expect(coloured.contains("\u{1B}[31m"), "a refusal in red")
        #expect(coloured.contains("603 Decline"))
        #expect(!(try underTerminal(["TERM": "xterm", "NO_COLOR": "1"])).contains("\u{1B}["))
        let piped = try SigflowProcess.run(["flow", "-q", "--format", "ladder", capture])
        #expect(!piped.standardOutput.contains("\u{1B}"))
    }
}
