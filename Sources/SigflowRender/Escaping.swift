/// Escaping for text taken from a capture: header values, URIs, reason phrases, JSON strings, XML
/// attributes are all hostile. Each output format gets one function, used for every such value.
public enum MermaidText {
    /// Text safe inside a Mermaid message, note or participant label: it can neither end the
    /// statement (`;`, newline), start a comment (`%%`), open an arrow (`-->>`), nor carry HTML.
    /// Anything but letters, digits, spaces and a few inert marks becomes a Mermaid entity code
    /// (`#59;` for `;`), which Mermaid renders as the character itself.
    public static func escape(_ text: String, maxLength: Int = 200) -> String {
        var output = ""
        var count = 0
        for scalar in text.unicodeScalars {
            count += 1
            if count > maxLength {
                output += "…"
                break
            }
            switch scalar {
            case "\n", "\r", "\t":
                output += " "
            case _ where scalar.value < 0x20 || scalar.value == 0x7f:
                continue
            case "a"..."z", "A"..."Z", "0"..."9", " ", ".", "_", "/", "@", "(", ")", "=", "+", "*", "!", "?", "~", "'",
                ",", "[", "]", "^", "$":
                output.unicodeScalars.append(scalar)
            case "-":
                // A dash is harmless alone; two in a row could begin an arrow in a careless parser.
                output += output.hasSuffix("-") ? "#45;" : "-"
            case _ where scalar.value >= 0x80 && scalar.properties.isAlphabetic:
                output.unicodeScalars.append(scalar)
            default:
                output += "#\(scalar.value);"
            }
        }
        return output
    }
}

public enum MarkdownText {
    /// Text safe in running Markdown and in a table cell: no HTML, no table break, no emphasis or
    /// link syntax, one line.
    public static func escape(_ text: String, maxLength: Int = 500) -> String {
        var output = ""
        var count = 0
        for character in text {
            count += 1
            if count > maxLength {
                output += "…"
                break
            }
            switch character {
            case "\n", "\r", "\r\n", "\t":
                output += " "
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "|": output += "\\|"
            case "\\", "`", "*", "_", "[", "]", "#", "~", "{", "}", "!":
                output += "\\" + String(character)
            default:
                if character.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7f }) {
                    output.append(character)
                }
            }
        }
        return output
    }

    /// A code span holding `text` verbatim (wire text such as a start line), safe in a table cell.
    /// The fence is longer than any backtick run inside; `|` is escaped as GFM tables require even
    /// in code spans.
    public static func code(_ text: String, maxLength: Int = 200) -> String {
        var clean = ""
        var count = 0
        for character in text {
            count += 1
            if count > maxLength {
                clean += "…"
                break
            }
            if character.isNewline || character == "\t" {
                clean += " "
            } else if character.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7f }) {
                clean.append(character)
            }
        }
        clean = clean.replacingAll("|", with: "\\|")
        var longestRun = 0
        var run = 0
        for character in clean {
            run = character == "`" ? run + 1 : 0
            longestRun = max(longestRun, run)
        }
        let fence = String(repeating: "`", count: longestRun + 1)
        let padding = clean.hasPrefix("`") || clean.hasSuffix("`") ? " " : ""
        return fence + padding + clean + padding + fence
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var output = ""
        for character in self {
            if character == target { output += replacement } else { output.append(character) }
        }
        return output
    }
}
