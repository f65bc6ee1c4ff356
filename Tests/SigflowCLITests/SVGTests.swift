import Foundation
import SigflowTestSupport
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `flow --format svg`: golden pictures of one call of each protocol (`scripts/update-golden`), and
/// on every lab capture a document that parses as XML, numbers every step once, gives every step a
/// text element, and holds nothing live (no script, event attribute or external reference) even
/// from a hostile capture; headless Chromium draws it where it is installed.
struct SVGTests {
    @Test(arguments: LadderTests.goldens.map(\.name))
    func pictureIsTheGolden(_ name: String) throws {
        let inputs = try #require(LadderTests.goldens.first { $0.name == name }).inputs
        let run = try SigflowProcess.run(["flow", "-q", "--format", "svg"] + inputs.map(CLIFixtures.path))
        #expect(run.status == 0)
        let expected = try String(contentsOfFile: CLIFixtures.path("Tests/Goldens/svg/\(name).svg"), encoding: .utf8)
        #expect(run.standardOutput == expected, "Tests/Goldens/svg/\(name).svg differs: run scripts/update-golden")
    }

    /// Elements and their attributes, as an XML parser reads them.
    final class Elements: NSObject, XMLParserDelegate {
        var names: [String] = []
        var attributes: [String] = []
        var numbers: [String] = []
        private var inNumber = false

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            names.append(name)
            self.attributes += attributes.map { "\($0.key)=\($0.value)" }
            inNumber =
                name == "text" && (attributes["class"] == "number" || attributes["class"] == "flagged")
                && attributes["text-anchor"] == nil
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if inNumber { numbers.append(string) }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            inNumber = false
        }
    }

    @Test(arguments: LadderTests.labCaptures)
    func everyPictureParsesAndHoldsNothingLive(_ capture: String) throws {
        let run = try SigflowProcess.run(["flow", "-q", "--format", "svg", CLIFixtures.path(capture)])
        #expect(run.status == 0)
        let json = try SigflowProcess.run(["flow", "-q", "--format", "json", CLIFixtures.path(capture)])
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let calls = try #require(object["calls"] as? [[String: Any]])
        // JSON lists retransmissions as messages of their own, under their step's number.
        let steps = calls.flatMap {
            ($0["messages"] as? [[String: Any]] ?? []).filter { $0["retransmission"] as? Bool != true }
                .map { "\($0["step"] ?? "")" }
        }

        let parser = XMLParser(data: Data(run.standardOutput.utf8))
        let elements = Elements()
        parser.delegate = elements
        #expect(parser.parse(), "\(capture): \(parser.parserError.map { "\($0)" } ?? "")")
        #expect(elements.names.first == "svg")
        #expect(elements.numbers == steps, "\(capture): every step numbered once, in order")
        #expect(!elements.names.contains { ["script", "foreignObject", "image", "a", "use"].contains($0) })
        #expect(!elements.attributes.contains { $0.lowercased().hasPrefix("on") || $0.contains("href") })
    }

    @Test(
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), "chromium is not installed"))
    func chromiumDrawsIt() throws {
        let directory = TemporaryDirectory()
        let picture = directory.file("fork.svg")
        let png = directory.file("fork.png")
        #expect(
            try SigflowProcess.run([
                "flow", "-q", "--format", "svg", "-o", picture, CLIFixtures.path("captures/lab/sip/fork-decline.pcap"),
                "--calls-only",
            ]).status == 0)
        let run = try SigflowProcess.output(
            of: "/usr/bin/chromium",
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--screenshot=\(png)", "--window-size=820,760",
                "file://\(picture)",
            ])
        #expect(run.status == 0)
        let bytes = try #require(FileManager.default.contents(atPath: png))
        #expect(bytes.count > 10_000 && Array(bytes.prefix(4)) == [0x89, 0x50, 0x4e, 0x47])
    }

    /// Several calls with -o DIR: one picture per call, named like report's documents.
    @Test func severalCallsGoOnePicturePerFile() throws {
        let directory = TemporaryDirectory()
        let run = try SigflowProcess.run(
            ["flow", "-q", "--format", "svg", "-o", directory.path] + CallFilterTests.captures)
        #expect(run.status == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".svg") }
        #expect(files.count == 13)
        #expect(files.contains { $0.contains("declined") && $0.contains("4b3b3585519ae4fe09d0493a") })
    }
}
