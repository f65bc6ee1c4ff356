import Foundation
import SigflowCore
import SigflowTestSupport
import Testing

/// What a person reads: counts in the singular and plural, a sentence instead of an empty table,
/// client logs on standard input, and the same outcome words in the help, the man page, the README
/// and the output.
struct MessageTests {
    /// DNS, a TCP handshake and an ARP frame: traffic, but no call.
    static func noCalls() -> [UInt8] {
        var fixture = Fixture()
        fixture.add(udpPacket(from: endpoint("10.0.0.1:53000"), to: endpoint("10.0.0.53:53"), payload: [1, 2, 3]))
        fixture.add(
            tcpPacket(from: endpoint("10.0.0.1:40000"), to: endpoint("10.0.0.2:80"), sequence: 1, flags: TCPFlag.syn))
        // An ARP request: Ethernet type 0x0806, not IP.
        fixture.addFrame(
            [UInt8](repeating: 0xff, count: 6) + [2, 0, 0, 0, 0, 1, 0x08, 0x06] + [UInt8](repeating: 0, count: 28))
        return fixture.bytes
    }

    @Test func noCallsFoundSaysWhatWasRead() throws {
        let directory = TemporaryDirectory()
        let path = directory.write(Self.noCalls(), to: "web.pcap")
        let sentence = "no calls found in \(path) (3 packets read, 2 of them UDP/TCP)"
        let calls = try SigflowProcess.run(["calls", path])
        #expect(calls.status == 0)
        #expect(calls.standardOutput == sentence + "\n")
        let check = try SigflowProcess.run(["check", path])
        #expect(check.standardOutput == sentence + "\n")
        let flow = try SigflowProcess.run(["flow", path])
        #expect(flow.standardOutput == "")
        #expect(flow.errorLines == ["sigflow: note: " + sentence])
        // JSON stays JSON.
        let json = try SigflowProcess.run(["calls", "--format", "json", path])
        #expect(json.standardOutput == "{\n  \"calls\": []\n}\n")
        let flows = try SigflowProcess.run(["flows", directory.write(PcapWriter(linkType: 1).bytes, to: "empty.pcap")])
        #expect(flows.standardOutput.hasPrefix("no UDP or TCP conversations in "))
        #expect(flows.standardOutput.hasSuffix(" (0 packets read)\n"))
    }

    @Test func countsAreSingularOrPlural() throws {
        let one = try SigflowProcess.run(["check", CLIFixtures.path("captures/lab/sip/s15-603-never-acked.pcap")])
        #expect(one.outputLines.last == "1 finding in 1 call")
        let directory = TemporaryDirectory()
        let three = directory.write(CLIFixtures.declinedCalls(3), to: "three.pcap")
        let none = try SigflowProcess.run(["check", three])
        #expect(none.outputLines.last == "no findings in 3 calls")
        let expect = try SigflowProcess.run([
            "check", "--expect", CLIFixtures.path("templates/flows/sip-decline.md"),
            CLIFixtures.path("captures/lab/sip/decline-603.pcap"),
        ])
        #expect(expect.standardOutput.contains("  4 of 4 expected steps observed, 0 extra steps\n"))
        let report = try SigflowProcess.run([
            "report", CLIFixtures.path("captures/lab/sip/decline-603.pcap"), "-o", directory.file("r"),
        ])
        #expect(report.errorLines == ["sigflow: wrote 1 document and index.md to \(directory.file("r"))"])
    }

    /// A client log on standard input is read as a log, like the same file named on the command line.
    @Test func clientLogOnStandardInput() throws {
        let log = CLIFixtures.path("captures/whatsapp/seed-reject/callee-phone.jsonl")
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: log)))
        let named = try SigflowProcess.run(["calls", "--format", "json", log])
        let piped = try SigflowProcess.run(["calls", "--format", "json", "-"], standardInput: bytes)
        #expect(named.status == 0 && piped.status == 0, "\(piped.standardError)")
        #expect(piped.standardOutput == named.standardOutput)
        #expect(named.standardOutput.contains("\"protocol\": \"whatsapp\""))
        // And a capture on standard input still works after the first bytes were looked at.
        let capture = Array(
            try Data(contentsOf: URL(fileURLWithPath: CLIFixtures.path("captures/lab/sip/decline-603.pcap"))))
        let fromStdin = try SigflowProcess.run(["calls", "-"], standardInput: capture)
        #expect(fromStdin.outputLines.count == 2 && fromStdin.outputLines[1].contains("declined"))
    }

    /// A REGISTER answered 200 is `answered`, in the output and in every text that lists the words.
    @Test func outcomeWordsAgreeEverywhere() throws {
        let calls = try SigflowProcess.run([
            "calls", CLIFixtures.path("captures/lab/sip/register-options-message.pcap"),
        ])
        let registers = calls.outputLines.filter { $0.contains(" REGISTER ") }
        #expect(!registers.isEmpty && registers.allSatisfy { $0.contains(" answered ") })
        let help = try SigflowProcess.run(["calls", "--help"]).standardOutput
        let manual = try String(contentsOfFile: CLIFixtures.path("man/sigflow.1"), encoding: .utf8)
        let readme = try String(contentsOfFile: CLIFixtures.path("README.md"), encoding: .utf8)
        for (name, text) in [("calls --help", help), ("man page", manual), ("README", readme)] {
            let words = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(!words.contains("are completed or failed"), "\(name) still says completed/failed")
            for outcome in CallOutcome.allCases where ![.declinedElsewhere, .answeredElsewhere].contains(outcome) {
                #expect(words.contains(outcome.rawValue), "\(name) does not name the outcome \(outcome.rawValue)")
            }
        }
    }
}
