import Foundation
import Testing

/// The README and docs/ stay true to the binary and readable on their own: the rules table is the
/// binary's list, every document the README links exists, and nothing points outside the
/// repository.
struct DocumentationTests {
    static func text(_ relative: String) throws -> String {
        try String(contentsOfFile: CLIFixtures.path(relative), encoding: .utf8)
    }

    static var documents: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: CLIFixtures.path("docs"))) ?? []
        return ["README.md"] + names.filter { $0.hasSuffix(".md") }.sorted().map { "docs/\($0)" }
    }

    /// docs/checks.md's rule rows are `check --list-rules --format json`, in its order (regenerate
    /// them with scripts/gen-rules-doc).
    @Test func rulesTableIsTheBinarysList() throws {
        let json = try SigflowProcess.run(["check", "--list-rules", "--format", "json"])
        #expect(json.status == 0)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let rules = try #require(object["rules"] as? [[String: Any]])
        let cell = { (text: Any?) in ((text as? String) ?? "").replacingOccurrences(of: "|", with: "\\|") }
        let listed = rules.map { rule in
            "| `\(cell(rule["id"]))` | \(cell(rule["severity"])) | \(cell(rule["summary"])) | \(cell(rule["clause"])) |"
        }
        let section = try #require(try Self.text("docs/checks.md").components(separatedBy: "\n## Rules\n").last)
        let documented = section.split(separator: "\n").map(String.init).filter { $0.hasPrefix("| `") }
        #expect(rules.count > 60)
        #expect(documented == listed, "docs/checks.md is stale: run scripts/gen-rules-doc")
    }

    @Test func readmeIsShortAndItsLinksExist() throws {
        let readme = try Self.text("README.md")
        #expect(readme.split(separator: "\n", omittingEmptySubsequences: false).count <= 250)
        let linked = readme.matches(of: /\]\((docs\/[A-Za-z0-9_.-]+\.md)\)/).map { String($0.1) }
        #expect(Set(linked) == Set(Self.documents.dropFirst()), "every document linked, every link a document")
        for document in linked {
            #expect(FileManager.default.fileExists(atPath: CLIFixtures.path(document)), "\(document)")
        }
    }

    /// A clone of the repository is all a reader has: no document points into ../shared.
    @Test func documentsPointOnlyIntoTheRepository() throws {
        for document in Self.documents {
            let text = try Self.text(document)
            #expect(!text.contains("../shared"), "\(document) points outside the repository")
        }
    }
}
