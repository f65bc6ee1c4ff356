import Foundation
import SigflowTestSupport
import Testing

/// A gzip capture damaged in the middle gives the calls read before the damage, one error naming the
/// compressed byte near which the damage showed, and exit 2 (the README's status for a corrupt
/// input, whose results up to the damage are still printed). One cut short is read up to the cut
/// with a warning and exit 0, like a truncated capture. The same whether the gzip stream holds pcap
/// (read by libpcap) or pcapng (read by sigflow's own reader).
struct GzipDamageTests {
    static let calls = 400

    /// The call list's rows (without the header), each split into its cells: columns are as wide as
    /// their widest cell, which differs between runs.
    static func rows(_ output: String) -> [[String]] {
        output.split(separator: "\n").dropFirst().map { $0.split(separator: " ").map(String.init) }
    }

    /// The declined calls as pcap, or as pcapng.
    static func capture(pcapng: Bool) -> [UInt8] {
        let pcap = CLIFixtures.declinedCalls(calls)
        return pcapng ? PcapngWriter(convertingPcap: pcap).bytes : pcap
    }

    struct Damage: CustomTestStringConvertible, Sendable {
        var percent: Int
        var standardInput: Bool
        var pcapng: Bool
        var testDescription: String {
            "\(pcapng ? "pcapng" : "pcap") \(percent)%\(standardInput ? " on standard input" : "")"
        }
    }

    static let damages = [false, true].flatMap { pcapng in
        [25, 50, 90].flatMap {
            [
                Damage(percent: $0, standardInput: false, pcapng: pcapng),
                Damage(percent: $0, standardInput: true, pcapng: pcapng),
            ]
        }
    }

    @Test(arguments: damages)
    func damagedInTheMiddle(damage: Damage) throws {
        let directory = TemporaryDirectory()
        var compressed = try gzip(Self.capture(pcapng: damage.pcapng))
        let intact = try SigflowProcess.run(["calls", directory.write(compressed, to: "intact.pcap.gz")])
        let intactRows = Self.rows(intact.standardOutput)
        #expect(intactRows.count == Self.calls)

        let offset = compressed.count * damage.percent / 100
        for index in offset..<offset + 16 { compressed[index] ^= 0xa5 }
        let path = directory.write(compressed, to: "damaged.pcap.gz")
        let result =
            damage.standardInput
            ? try SigflowProcess.run(["calls", "-"], standardInput: compressed)
            : try SigflowProcess.run(["calls", path])
        #expect(result.status == 2)
        // One error, last. Deflate seldom notices damage at once (gzip's check value comes at the end),
        // so the bytes just after it decode wrong until the records stop making sense: a message they
        // garbled may be warned about before the error, never more than a couple.
        let line = try #require(result.errorLines.last)
        #expect(result.errorLines.filter { $0.hasPrefix("sigflow: error: ") } == [line])
        #expect(result.errorLines.dropLast().allSatisfy { $0.hasPrefix("sigflow: warning: ") })
        #expect(result.errorLines.count <= 3, "\(result.standardError)")
        let name = damage.standardInput ? "-" : path
        let match = try #require(
            line.wholeMatch(
                of:
                    /sigflow: error: (.+): damaged gzip data near compressed byte ([0-9]+)( of [0-9]+)? \(.+\); the ([0-9]+) packets before it were read/
            ), "\(line)")
        #expect(String(match.1) == name)
        let near = Int(match.2)!
        #expect(near >= offset && near < offset + 4096, "damage at \(offset), reported near \(near)")
        #expect(match.3.map(String.init) == (damage.standardInput ? nil : " of \(compressed.count)"))

        // The rows before the damage are the intact run's; the one or two calls the damage cut
        // through may end differently (incomplete), none is invented.
        let rows = Self.rows(result.standardOutput)
        #expect(rows.count > Self.calls * damage.percent / 200 && rows.count < Self.calls, "\(rows.count) rows")
        let settled = rows.dropLast(2)
        #expect(Array(settled) == Array(intactRows.prefix(settled.count)))
        let intactIDs = Set(intactRows.map { $0[0] })
        for row in rows { #expect(intactIDs.contains(row[0]), "invented: \(row)") }
    }

    @Test(arguments: [false, true])
    func cutShortIsReadUpToTheCut(pcapng: Bool) throws {
        let directory = TemporaryDirectory()
        let compressed = try gzip(Self.capture(pcapng: pcapng))
        let intact = Self.rows(
            try SigflowProcess.run(["calls", directory.write(compressed, to: "intact.pcap.gz")]).standardOutput)
        let cut = Array(compressed.prefix(compressed.count / 2))
        let path = directory.write(cut, to: "cut.pcap.gz")
        let result = try SigflowProcess.run(["calls", path])
        #expect(result.status == 0)
        #expect(result.errorLines.count == 1)
        let line = try #require(result.errorLines.first)
        #expect(
            line.hasPrefix("sigflow: warning: \(path): the gzip data ends early, at compressed byte \(cut.count); the ")
        )
        let rows = Self.rows(result.standardOutput)
        #expect(rows.count > Self.calls / 4 && rows.count < Self.calls)
        #expect(Array(rows.dropLast()) == Array(intact.prefix(rows.count - 1)))
    }
}
