/// Escaping for text taken from a capture: header values, URIs, reason phrases, JSON strings, XML
/// attributes are all hostile. Each output format gets one function, used for every such value.
///
/// Controls from a capture reach no output as controls: a terminal would act on them (an ESC
/// sequence recolours or retitles it, a CR or BS overwrites what was printed). Every text output
/// shows them as visible escapes, `\x1b` for a C0 control or DEL and `\u009b` for a C1 control;
/// tab and newline, which only lay text out, become a space. JSON keeps the exact text.
public enum TerminalText {
    /// `text` on one line with its controls made visible, for tables, `check` text and messages.
    public static func escape(_ text: String) -> String {
        guard containsControls(text) else { return text }
        var output = ""
        for scalar in text.unicodeScalars {
            if let visible = visible(scalar) { output += visible } else { output.unicodeScalars.append(scalar) }
        }
        return output
    }

    /// The visible form of `scalar` when it is a control (a space for tab and newline), else nil.
    static func visible(_ scalar: Unicode.Scalar) -> String? {
        switch scalar.value {
        case 0x09, 0x0a: return " "
        case 0x00..<0x20, 0x7f: return "\\x" + hex(scalar.value)
        case 0x80...0x9f: return "\\u00" + hex(scalar.value)
        default: return nil
        }
    }

    /// Whether `text` holds a C0 control, DEL or a C1 control (encoded C2 80 to C2 9F), judged on its
    /// bytes so text without any (nearly all of it) costs one pass.
    static func containsControls(_ text: String) -> Bool {
        var afterC2 = false
        for byte in text.utf8 {
            if byte < 0x20 || byte == 0x7f || (afterC2 && byte < 0xa0) { return true }
            afterC2 = byte == 0xc2
        }
        return false
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }
}

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
            if let visible = TerminalText.visible(scalar) {
                // The escape's backslash becomes an entity like any other mark.
                output += visible.replacingAll("\\", with: "#92;")
                continue
            }
            switch scalar {
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
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "|": output += "\\|"
            case "\\", "`", "*", "_", "[", "]", "#", "~", "{", "}", "!":
                output += "\\" + String(character)
            default:
                // A control is a grapheme of its own (CR LF being the one pair): shown escaped, with
                // the escape's backslash escaped for Markdown.
                for scalar in character.unicodeScalars {
                    if let visible = TerminalText.visible(scalar) {
                        output += visible.replacingAll("\\", with: "\\\\")
                    } else {
                        output.unicodeScalars.append(scalar)
                    }
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
            // A code span shows backslashes literally, so the visible escape goes in as it is.
            for scalar in character.unicodeScalars {
                if let visible = TerminalText.visible(scalar) {
                    clean += visible
                } else {
                    clean.unicodeScalars.append(scalar)
                }
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
