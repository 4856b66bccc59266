/// What ends each line of a message before Ink reads it, so that lines mean what they mean in a
/// chat: a new line is a line break (Markdown's two trailing spaces), and a list or quote typed
/// right under a paragraph starts a block of its own (a blank line), which Ink would otherwise
/// fold into the paragraph for `*`, `+`, `1.` and `>`.
enum LineEndings {
    /// What to append to `line`, given the line after it and whether `line` is in a list (a list
    /// item has been seen since the last blank line).
    static func ending(of line: Substring, before next: Substring?, inList: Bool) -> String {
        guard let next, let first = next.first, !isBlank(next), !isBlank(line) else { return "" }
        if isListItem(next), !inList, !isListItem(line) { return "\n" }
        if isQuote(next), !isQuote(line) { return "\n" }
        // Ink ends a paragraph before `#`, a backtick and `-` itself; a break would stop that. A
        // rule followed by spaces would be read as text.
        return "#`-".contains(first) || isRule(line) ? "" : "  "
    }

    static func isBlank(_ line: Substring) -> Bool {
        line.allSatisfy { $0 == " " || $0 == "\t" }
    }

    /// `- `, `* `, `+ `, `1. ` or `1) `, after any indentation.
    static func isListItem(_ line: Substring) -> Bool {
        let text = line.drop { $0 == " " || $0 == "\t" }
        guard let first = text.first else { return false }
        if "-*+".contains(first) { return isSpace(text.dropFirst().first) }
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        let marker = text.dropFirst(digits.count)
        return (1...9).contains(digits.count) && (marker.first == "." || marker.first == ")") && isSpace(marker.dropFirst().first)
    }

    private static func isQuote(_ line: Substring) -> Bool {
        line.drop { $0 == " " || $0 == "\t" }.first == ">"
    }

    private static func isRule(_ line: Substring) -> Bool {
        let marks = line.filter { $0 != " " && $0 != "\t" }
        return marks.count >= 3 && Set(marks).count == 1 && "-*_".contains(marks.first ?? " ")
    }

    private static func isSpace(_ character: Character?) -> Bool {
        character == " " || character == "\t"
    }
}
