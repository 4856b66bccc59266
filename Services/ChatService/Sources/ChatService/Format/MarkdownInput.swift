/// The user's text made ready for Ink, and the URLs taken out of it.
///
/// Line endings become `\n` and C0 controls other than tab go (they are not text, and U+0001 and
/// U+0002 mark `URLPlaceholders`). Web addresses are replaced with placeholders. Everywhere,
/// code included, `&`, `<`, `>` and `"` are escaped, so no HTML the user typed reaches Ink as
/// HTML; only the `>` that open a line (blockquote markers) stay, as Ink escapes those itself.
/// An `_` inside a word is written `&#95;`, so file names keep their underscores.
/// A `[` that does not open a complete link is written `&#91;` (see `LinkBrackets`: Ink's
/// backtracking over such brackets is exponential).
/// Each line gets the ending `LineEndings` gives it. A leading `---` line becomes `***`, so Ink
/// cannot take what follows for front matter and drop it.
struct MarkdownInput {
    /// What Ink is given.
    let markdown: String
    /// The URLs that placeholders in `markdown` stand for.
    let urls: URLPlaceholders

    static func prepare(_ text: String) -> MarkdownInput {
        var urls = URLPlaceholders()
        let lines = normalizedLines(text)
        var prepared: [String] = []
        var inFence = false
        var inList = false
        for (index, line) in lines.enumerated() {
            let isFence = line.drop { $0 == " " || $0 == "\t" }.hasPrefix("```")
            inList = !LineEndings.isBlank(line) && (inList || LineEndings.isListItem(line))
            let next = index + 1 < lines.count ? lines[index + 1] : nil
            let ending = inFence || isFence ? "" : LineEndings.ending(of: line, before: next, inList: inList)
            let escaped = escapedLine(line, urls: &urls)
            // Ink reads no link inside a fenced block, so its brackets need nothing.
            prepared.append((inFence ? escaped : LinkBrackets.neutralized(escaped)) + ending)
            if isFence { inFence.toggle() }
        }
        return MarkdownInput(markdown: withoutFrontMatter(prepared.joined(separator: "\n")), urls: urls)
    }

    private static func normalizedLines(_ text: String) -> [Substring] {
        var normalized = String.UnicodeScalarView()
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            defer { previous = scalar }
            if scalar == "\n", previous == "\r" { continue }
            if scalar == "\r" { normalized.append("\n"); continue }
            if scalar.value < 0x20, scalar != "\t", scalar != "\n" { continue }
            normalized.append(scalar)
        }
        return String(normalized).split(separator: "\n", omittingEmptySubsequences: false)
    }

    // A line's leading `>`s (and the spaces between them) stay raw; URLs become placeholders.
    private static func escapedLine(_ line: Substring, urls: inout URLPlaceholders) -> String {
        let markers = line.prefix { $0 == ">" || $0 == " " || $0 == "\t" }
        let rest = Array(line.dropFirst(markers.count))
        var escaped = String(markers)
        var position = 0
        for match in BareURLScanner.matches(in: rest) {
            escaped += escape(String(rest[position..<match.range.lowerBound]))
            escaped += urls.placeholder(for: match.url)
            position = match.range.upperBound
        }
        return escaped + escape(String(rest[position...]))
    }

    private static func escape(_ text: String) -> String {
        let characters = Array(text)
        var escaped = ""
        for (index, character) in characters.enumerated() {
            escaped += isIntrawordUnderscore(characters, at: index) ? "&#95;" : escapedHTML(character)
        }
        return escaped
    }

    // Scalar by scalar: a `<` with a combining mark after it is one `Character`, not `"<"`.
    private static func escapedHTML(_ character: Character) -> String {
        var escaped = String.UnicodeScalarView()
        for scalar in character.unicodeScalars {
            switch scalar {
            case "&": escaped.append(contentsOf: "&amp;".unicodeScalars)
            case "<": escaped.append(contentsOf: "&lt;".unicodeScalars)
            case ">": escaped.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": escaped.append(contentsOf: "&quot;".unicodeScalars)
            default: escaped.append(scalar)
            }
        }
        return String(escaped)
    }

    // `Q3_report_final.pdf` is a name, not emphasis (as in CommonMark), but Ink reads any `_` as
    // a marker; its character reference is plain text to Ink.
    private static func isIntrawordUnderscore(_ characters: [Character], at index: Int) -> Bool {
        guard characters[index] == "_", index > 0, index + 1 < characters.count else { return false }
        let isWord = { (character: Character) in character.isLetter || character.isNumber }
        return isWord(characters[index - 1]) && isWord(characters[index + 1])
    }

    // Ink reads a message starting with a `---` line as front matter when a `---` line follows,
    // and leaves all of it out of the HTML; `***` is the same rule in Markdown and is not read so.
    private static func withoutFrontMatter(_ markdown: String) -> String {
        guard let start = markdown.firstIndex(where: { !$0.isWhitespace }),
              markdown[start...].hasPrefix("---\n") else { return markdown }
        var markdown = markdown
        markdown.replaceSubrange(start..<markdown.index(start, offsetBy: 3), with: "***")
        return markdown
    }
}
