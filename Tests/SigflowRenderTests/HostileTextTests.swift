import SigflowCore
import SigflowRender
import SigflowTestSupport
import Testing

/// Text from a capture can neither break nor inject into a diagram or a table.
struct HostileTextTests {
    @Test(arguments: [";", "#", ":", "|", "-->>", "%%", "\n", "`", "<script>", "<", ">"])
    func mermaidEscapeRemovesDangerousText(fragment: String) {
        let escaped = MermaidText.escape("before \(fragment) after")
        #expect(!escaped.contains("\n"))
        // Entity codes (`#59;`) are how Mermaid spells the dangerous characters; nothing else may remain.
        let withoutEntities = escaped.replacing(/#[0-9]+;/, with: "")
        for dangerous in [";", "%%", "-->>", "<", ">", "`", "|"] where fragment.contains(dangerous) {
            #expect(!withoutEntities.contains(dangerous), "'\(dangerous)' survived in \(escaped)")
        }
        if fragment == "#" || fragment == ":" {
            #expect(escaped == "before #\(fragment.unicodeScalars.first!.value); after")
        }
    }

    @Test func mermaidEscapeKeepsReadableText() {
        #expect(MermaidText.escape("603 Decline") == "603 Decline")
        #expect(MermaidText.escape("Ünïcode café") == "Ünïcode café")
        #expect(MermaidText.escape("a -- b") == "a -#45; b")
    }

    @Test func markdownEscapeKeepsOneCellOneLine() {
        let escaped = MarkdownText.escape("a|b\nc<d>`e`*f*[g](h)")
        #expect(escaped == "a\\|b c&lt;d&gt;\\`e\\`\\*f\\*\\[g\\](h)")
        #expect(MarkdownText.code("x | `y`") == "`` x \\| `y` ``")
    }

    @Test func hostileCallMermaidHasOneLinePerStatement() {
        let call = Fixtures.hostileCall
        let diagram = MermaidRenderer().diagram(call)
        let lines = diagram.split(separator: "\n")
        // sequenceDiagram, autonumber, 2 participants, 4 arrows, 2 notes (SDP, Reason), 1 pause note.
        #expect(lines.count == 11)
        #expect(lines.filter { $0.contains("->>") || $0.contains("-->>") }.count == 4)
        for line in lines.dropFirst(2) {
            #expect(!line.contains(";") || line.contains("#"), "statement break in: \(line)")
            #expect(!line.contains("%%"))
            #expect(!line.contains("<script"))
        }
    }

    @Test(.enabled(if: MermaidCheck.isAvailable, "../shared/tools/mermaid-check is absent"))
    func hostileCallMermaidParsesInMermaid() throws {
        let call = Fixtures.hostileCall
        let plain = MermaidRenderer().diagram(call)
        let timed = MermaidRenderer(options: .init(showTime: true)).diagram(call)
        let result = try MermaidCheck.run([plain, timed])
        #expect(result.status == 0, "mermaid-check: \(result.output)")
    }

    @Test func hostileCallMarkdownTableKeepsItsShape() {
        let call = Fixtures.hostileCall
        let document = MarkdownDocument.builtIn().render(
            call, provenance: Provenance(version: "test", inputs: [("evil|name.pcap", 4)], filter: "udp"))
        let lines = document.split(separator: "\n", omittingEmptySubsequences: false)
        let rows = lines.filter { $0.hasPrefix("| ") && !$0.hasPrefix("| #") }
        #expect(rows.count == call.steps.count)
        for row in rows {
            // 8 column separators: pipes not preceded by a backslash.
            var separators = 0
            var previous: Character = " "
            for character in row {
                if character == "|" && previous != "\\" { separators += 1 }
                previous = character
            }
            #expect(separators == 8, "row broken: \(row)")
        }
        // Inside code spans CommonMark shows text literally; everywhere else no HTML and no raw braces.
        let prose = Self.removingCodeSpans(document)
        #expect(!prose.contains("<script"))
        #expect(!prose.contains("{{mustache}}"))
        let headings = lines.filter { $0.hasPrefix("#") }
        #expect(
            headings.map(String.init).dropFirst() == [
                "## Summary", "## Sequence", "## Participants", "## Steps", "## Findings", "## Open questions",
            ])
    }

    /// The text without its code spans, by CommonMark's rule: a run of N backticks up to the next run
    /// of exactly N; a backslash before a backtick escapes it.
    static func removingCodeSpans(_ text: String) -> String {
        let characters = Array(text)
        var output = ""
        var index = 0
        func run(at start: Int) -> Int {
            var end = start
            while end < characters.count, characters[end] == "`" { end += 1 }
            return end - start
        }
        while index < characters.count {
            let character = characters[index]
            if character == "\\", index + 1 < characters.count {
                output.append(character)
                output.append(characters[index + 1])
                index += 2
                continue
            }
            guard character == "`" else {
                output.append(character)
                index += 1
                continue
            }
            let length = run(at: index)
            var search = index + length
            var closing: Int?
            while search < characters.count {
                if characters[search] == "`" {
                    let other = run(at: search)
                    if other == length {
                        closing = search
                        break
                    }
                    search += other
                } else {
                    search += 1
                }
            }
            if let closing {
                index = closing + length
            } else {
                output += String(repeating: "`", count: length)
                index += length
            }
        }
        return output
    }
}

/// Controls from a capture (ESC, BEL, BS, CR, DEL, the 8-bit CSI) come out as visible escapes in
/// every text format, and JSON keeps them exactly, escaped.
struct ControlTextTests {
    static let hostile = "a\u{1b}[31mb\u{1b}]0;t\u{07}c\u{08}d\re\u{7f}f\u{9b}2Jg\u{85}h"

    @Test func terminalTextShowsEscapes() {
        #expect(TerminalText.escape(Self.hostile) == #"a\x1b[31mb\x1b]0;t\x07c\x08d\x0de\x7ff\u009b2Jg\u0085h"#)
        #expect(TerminalText.escape("tab\tand\nnewline") == "tab and newline")
        #expect(TerminalText.escape("plain café ü") == "plain café ü")
        // U+00A0 and above are text, not controls.
        #expect(TerminalText.escape("\u{a0}\u{2028}") == "\u{a0}\u{2028}")
    }

    @Test func mermaidShowsEscapesAsEntities() {
        let escaped = MermaidText.escape(Self.hostile)
        #expect(escaped.unicodeScalars.allSatisfy { $0.value >= 0x20 && !(0x7f...0x9f).contains($0.value) })
        #expect(escaped.hasPrefix("a#92;x1b[31mb#92;x1b]0#59;t#92;x07c#92;x08d#92;x0de#92;x7ff#92;u009b2Jg"))
    }

    @Test func markdownShowsEscapes() {
        let escaped = MarkdownText.escape(Self.hostile)
        #expect(escaped.hasPrefix(#"a\\x1b\[31mb\\x1b\]0;t\\x07c\\x08d\\x0de\\x7ff\\u009b2Jg"#))
        let code = MarkdownText.code(Self.hostile)
        #expect(code == #"`a\x1b[31mb\x1b]0;t\x07c\x08d\x0de\x7ff\u009b2Jg\u0085h`"#)
        #expect(MarkdownText.escape("line\r\nnext") == #"line\\x0d next"#)
    }

    @Test func jsonEscapesControlsAndReadsThemBack() throws {
        let rendered = JSONValue.string(Self.hostile).rendered(indent: nil)
        #expect(rendered == #""a\u001b[31mb\u001b]0;t\u0007c\u0008d\re\u007ff\u009b2Jg\u0085h""#)
        #expect(try JSONValue(parsing: Array(rendered.utf8)).string == Self.hostile)
    }
}
